package cli

import (
	"context"
	"sync"

	"github.com/gdbt/gdbt/compiler/dbtctx"
	"github.com/gdbt/gdbt/compiler/project"
	"github.com/gdbt/gdbt/runtime/adapter/postgres"
)

// lazyWarehouse connects on the first call that needs the database, so
// `gdbt compile` of a project whose templates never introspect works
// offline, while is_incremental() and run_query() still see the warehouse
// as they do under dbt.
type lazyWarehouse struct {
	profile *project.Profile
	threads int
	once    sync.Once
	a       *postgres.Adapter
	err     error
}

func (w *lazyWarehouse) get(ctx context.Context) (*postgres.Adapter, error) {
	w.once.Do(func() { w.a, w.err = postgres.OpenProfile(ctx, w.profile, w.threads) })
	return w.a, w.err
}

// Close closes the connection pool if one was opened.
func (w *lazyWarehouse) Close() {
	if w.a != nil {
		w.a.Close()
	}
}

func (w *lazyWarehouse) Execute(ctx context.Context, sql string, fetch bool) (*dbtctx.Response, *dbtctx.Table, error) {
	a, err := w.get(ctx)
	if err != nil {
		return nil, nil, err
	}
	return a.Execute(ctx, sql, fetch)
}

func (w *lazyWarehouse) GetRelation(ctx context.Context, database, schema, identifier string) (*dbtctx.Relation, error) {
	a, err := w.get(ctx)
	if err != nil {
		return nil, err
	}
	return a.GetRelation(ctx, database, schema, identifier)
}

func (w *lazyWarehouse) ListRelations(ctx context.Context, database, schema string) ([]*dbtctx.Relation, error) {
	a, err := w.get(ctx)
	if err != nil {
		return nil, err
	}
	return a.ListRelations(ctx, database, schema)
}

func (w *lazyWarehouse) GetColumns(ctx context.Context, rel *dbtctx.Relation) ([]*dbtctx.Column, error) {
	a, err := w.get(ctx)
	if err != nil {
		return nil, err
	}
	return a.GetColumns(ctx, rel)
}

func (w *lazyWarehouse) CreateSchema(ctx context.Context, database, schema string) error {
	a, err := w.get(ctx)
	if err != nil {
		return err
	}
	return a.CreateSchema(ctx, database, schema)
}

func (w *lazyWarehouse) DropSchema(ctx context.Context, database, schema string) error {
	a, err := w.get(ctx)
	if err != nil {
		return err
	}
	return a.DropSchema(ctx, database, schema)
}

func (w *lazyWarehouse) DropRelation(ctx context.Context, rel *dbtctx.Relation) error {
	a, err := w.get(ctx)
	if err != nil {
		return err
	}
	return a.DropRelation(ctx, rel)
}

func (w *lazyWarehouse) RenameRelation(ctx context.Context, from, to *dbtctx.Relation) error {
	a, err := w.get(ctx)
	if err != nil {
		return err
	}
	return a.RenameRelation(ctx, from, to)
}

func (w *lazyWarehouse) TruncateRelation(ctx context.Context, rel *dbtctx.Relation) error {
	a, err := w.get(ctx)
	if err != nil {
		return err
	}
	return a.TruncateRelation(ctx, rel)
}

func (w *lazyWarehouse) SchemaExists(ctx context.Context, database, schema string) (bool, error) {
	a, err := w.get(ctx)
	if err != nil {
		return false, err
	}
	return a.SchemaExists(ctx, database, schema)
}
