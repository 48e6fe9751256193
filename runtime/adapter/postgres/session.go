package postgres

import (
	"context"

	"github.com/gdbt/gdbt/compiler/dbtctx"
)

// Warehouse returns the session as the warehouse templates see, so that
// SQL a node's hooks and helper macros run (run_query, statement,
// adapter.drop_relation) goes through the node's own connection and
// transaction, as in dbt. Catalog look-ups still use the shared cache.
func (c *Conn) Warehouse() dbtctx.Warehouse { return sessionWarehouse{c} }

type sessionWarehouse struct{ c *Conn }

func (w sessionWarehouse) Execute(ctx context.Context, sql string, fetch bool) (*dbtctx.Response, *dbtctx.Table, error) {
	resp, table, err := w.c.Query(ctx, sql)
	if err != nil || !fetch {
		return resp, nil, err
	}
	return resp, table, nil
}

func (w sessionWarehouse) GetRelation(ctx context.Context, database, schema, identifier string) (*dbtctx.Relation, error) {
	return w.c.a.GetRelation(ctx, database, schema, identifier)
}

func (w sessionWarehouse) ListRelations(ctx context.Context, database, schema string) ([]*dbtctx.Relation, error) {
	return w.c.a.ListRelations(ctx, database, schema)
}

func (w sessionWarehouse) GetColumns(ctx context.Context, rel *dbtctx.Relation) ([]*dbtctx.Column, error) {
	return w.c.Columns(ctx, rel)
}

func (w sessionWarehouse) CreateSchema(ctx context.Context, database, schema string) error {
	return w.c.CreateSchema(ctx, schema)
}

func (w sessionWarehouse) DropSchema(ctx context.Context, database, schema string) error {
	_, err := w.c.Exec(ctx, "drop schema if exists "+dbtctx.QuoteIdent(schema)+" cascade")
	return err
}

func (w sessionWarehouse) DropRelation(ctx context.Context, rel *dbtctx.Relation) error {
	return w.c.DropRelation(ctx, rel)
}

func (w sessionWarehouse) RenameRelation(ctx context.Context, from, to *dbtctx.Relation) error {
	return w.c.RenameRelation(ctx, from, to)
}

func (w sessionWarehouse) TruncateRelation(ctx context.Context, rel *dbtctx.Relation) error {
	_, err := w.c.Exec(ctx, "truncate table "+rel.String())
	return err
}

func (w sessionWarehouse) SchemaExists(ctx context.Context, database, schema string) (bool, error) {
	return w.c.a.SchemaExists(ctx, database, schema)
}
