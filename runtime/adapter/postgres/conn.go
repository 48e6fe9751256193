package postgres

import (
	"context"
	"io"
	"strings"

	"github.com/gdbt/gdbt/compiler/dbtctx"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Conn is one pooled session: a materialization runs all its statements on
// it so that its transaction and temporary tables hold together. Not safe
// for concurrent use.
type Conn struct {
	a      *Adapter
	pc     *pgxpool.Conn
	inTx   bool
	broken bool
	// Cache changes made inside the open transaction; applied on commit.
	pending []func()
}

// Release returns the session to the pool, rolling back an open
// transaction first. A session whose statement was cancelled is closed
// instead of reused.
func (c *Conn) Release() {
	if c.pc == nil {
		return
	}
	if c.inTx && !c.broken {
		ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
		_ = c.Rollback(ctx)
		cancel()
	}
	if c.broken || c.inTx {
		_ = c.pc.Conn().Close(context.Background())
	}
	c.pc.Release()
	c.pc = nil
}

// PID is the server process id of the session (for pg_terminate_backend
// in tests and for cancellation messages).
func (c *Conn) PID() uint32 { return c.pc.Conn().PgConn().PID() }

// InTx reports whether a transaction is open.
func (c *Conn) InTx() bool { return c.inTx }

// Begin opens a transaction.
func (c *Conn) Begin(ctx context.Context) error {
	if c.inTx {
		return nil
	}
	if _, err := c.run(ctx, "begin"); err != nil {
		return err
	}
	c.inTx = true
	return nil
}

// Commit commits the open transaction (if any) and applies the cache
// changes it made.
func (c *Conn) Commit(ctx context.Context) error {
	if !c.inTx {
		return nil
	}
	_, err := c.run(ctx, "commit")
	c.inTx = false
	pending := c.pending
	c.pending = nil
	if err != nil {
		return err
	}
	for _, f := range pending {
		f()
	}
	return nil
}

// Rollback rolls back the open transaction and forgets its cache changes.
func (c *Conn) Rollback(ctx context.Context) error {
	if !c.inTx {
		return nil
	}
	c.inTx = false
	c.pending = nil
	_, err := c.run(ctx, "rollback")
	return err
}

// onCommit applies a cache change now, or at commit inside a transaction.
func (c *Conn) onCommit(f func()) {
	if c.inTx {
		c.pending = append(c.pending, f)
		return
	}
	f()
}

// Exec runs sql (one or more statements) and returns the last statement's
// response.
func (c *Conn) Exec(ctx context.Context, sql string) (*dbtctx.Response, error) {
	resp, _, err := c.Query(ctx, sql)
	return resp, err
}

// Query runs sql and returns the last statement's response and rows, with
// values converted as described in values.go.
func (c *Conn) Query(ctx context.Context, sql string) (*dbtctx.Response, *dbtctx.Table, error) {
	res, err := c.run(ctx, sql)
	if err != nil {
		return nil, nil, err
	}
	return response(res.CommandTag), table(res), nil
}

// run sends sql with the simple protocol (several statements allowed) and
// keeps the last result.
func (c *Conn) run(ctx context.Context, sql string) (*pgconn.Result, error) {
	results, err := c.runAll(ctx, sql)
	if err != nil {
		return nil, err
	}
	if len(results) == 0 {
		return &pgconn.Result{}, nil
	}
	return results[len(results)-1], nil
}

// runAll sends sql and returns every statement's result.
func (c *Conn) runAll(ctx context.Context, sql string) ([]*pgconn.Result, error) {
	mrr := c.pc.Conn().PgConn().Exec(ctx, sql)
	var results []*pgconn.Result
	for mrr.NextResult() {
		results = append(results, readResult(mrr.ResultReader()))
	}
	if err := mrr.Close(); err != nil {
		return nil, c.fail(ctx, sql, err)
	}
	for _, r := range results {
		if r.Err != nil {
			return nil, c.fail(ctx, sql, r.Err)
		}
	}
	return results, nil
}

// readResult is ResultReader.Read, except that it keeps the column
// descriptions of a result without rows (column names of an empty query
// matter: get_columns_in_query).
func readResult(rr *pgconn.ResultReader) *pgconn.Result {
	r := &pgconn.Result{}
	for rr.NextRow() {
		values := rr.Values()
		row := make([][]byte, len(values))
		for i, v := range values {
			if v != nil {
				row[i] = append(make([]byte, 0, len(v)), v...)
			}
		}
		r.Rows = append(r.Rows, row)
	}
	r.FieldDescriptions = append([]pgconn.FieldDescription(nil), rr.FieldDescriptions()...)
	r.CommandTag, r.Err = rr.Close()
	return r
}

// fail wraps a statement error; a failed statement aborts the transaction,
// so the cache changes it made are gone too.
func (c *Conn) fail(ctx context.Context, sql string, err error) error {
	if IsCancel(err) || c.pc.Conn().PgConn().IsClosed() {
		c.broken = true
	}
	c.pending = nil
	return newError(sql, err)
}

// CopyFrom streams r (CSV with a header) into table with COPY and returns
// the number of rows loaded.
func (c *Conn) CopyFrom(ctx context.Context, copySQL string, r io.Reader) (int64, error) {
	tag, err := c.pc.Conn().PgConn().CopyFrom(ctx, r, copySQL)
	if err != nil {
		return 0, c.fail(ctx, copySQL, err)
	}
	return tag.RowsAffected(), nil
}

// response builds dbt's AdapterResponse from a command tag: the whole tag
// as message, its non-numeric words as code, the row count (-1 when the
// command reports none, as psycopg2's rowcount).
func response(tag pgconn.CommandTag) *dbtctx.Response {
	msg := tag.String()
	var words []string
	hasNum := false
	for _, w := range strings.Fields(msg) {
		if isDigits(w) {
			hasNum = true
			continue
		}
		words = append(words, w)
	}
	rows := int64(-1)
	if hasNum {
		rows = tag.RowsAffected()
	}
	return &dbtctx.Response{Message: msg, Code: strings.Join(words, " "), RowsAffected: rows}
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Columns lists rel's columns as information_schema describes them (the
// query dbt-postgres runs). A relation without a schema is looked up
// among this session's temporary tables.
func (c *Conn) Columns(ctx context.Context, rel *dbtctx.Relation) ([]*dbtctx.Column, error) {
	sql := `select column_name, data_type, character_maximum_length, numeric_precision, numeric_scale
from information_schema.columns
where table_name = ` + Literal(rel.Identifier)
	if rel.Schema != "" {
		sql += ` and table_schema = ` + Literal(rel.Schema)
	} else {
		sql += ` and table_schema = (select nspname from pg_namespace where oid = pg_my_temp_schema())`
	}
	sql += ` order by ordinal_position`
	_, t, err := c.Query(ctx, sql)
	if err != nil {
		return nil, err
	}
	out := make([]*dbtctx.Column, 0, len(t.Rows))
	for _, r := range t.Rows {
		col := &dbtctx.Column{Name: r[0].(string), DataType: r[1].(string)}
		col.CharSize = intPtr(r[2])
		col.NumericPrecision = intPtr(r[3])
		col.NumericScale = intPtr(r[4])
		out = append(out, col)
	}
	return out, nil
}

func intPtr(v any) *int64 {
	if i, ok := v.(int64); ok {
		return &i
	}
	return nil
}

// DropRelation drops rel (with cascade, as dbt does) if it exists. The
// views the cascade drops with it leave the cache too: they are listed
// (recursively, through pg_depend) in the same round trip.
func (c *Conn) DropRelation(ctx context.Context, rel *dbtctx.Relation) error {
	if rel == nil {
		return nil
	}
	kind := "table"
	switch rel.Type {
	case "view":
		kind = "view"
	case "materialized_view":
		kind = "materialized view"
	}
	deps := `with recursive d(oid) as (
  select to_regclass(` + Literal(dbtctx.QuoteIdent(rel.Schema)+"."+dbtctx.QuoteIdent(rel.Identifier)) + `)::oid
  union
  select r.ev_class from pg_depend dep
  join pg_rewrite r on r.oid = dep.objid
  join d on dep.refobjid = d.oid
  where dep.classid = 'pg_rewrite'::regclass and dep.refclassid = 'pg_class'::regclass and r.ev_class <> d.oid
)
select n.nspname, c.relname from d join pg_class c on c.oid = d.oid join pg_namespace n on n.oid = c.relnamespace;
`
	results, err := c.runAll(ctx, deps+"drop "+kind+" if exists "+rel.String()+" cascade")
	if err != nil {
		return err
	}
	var gone [][2]string
	if len(results) > 0 {
		for _, r := range table(results[0]).Rows {
			gone = append(gone, [2]string{r[0].(string), r[1].(string)})
		}
	}
	c.onCommit(func() {
		c.a.cache.remove(rel.Schema, rel.Identifier)
		for _, g := range gone {
			c.a.cache.remove(g[0], g[1])
		}
	})
	return nil
}

// RenameRelation renames from to to's identifier (same schema).
func (c *Conn) RenameRelation(ctx context.Context, from, to *dbtctx.Relation) error {
	kind := "table"
	switch from.Type {
	case "view":
		kind = "view"
	case "materialized_view":
		kind = "materialized view"
	}
	if _, err := c.Exec(ctx, "alter "+kind+" "+from.String()+" rename to "+dbtctx.QuoteIdent(to.Identifier)); err != nil {
		return err
	}
	typ := from.Type
	c.onCommit(func() {
		c.a.cache.remove(from.Schema, from.Identifier)
		c.a.cache.add(to.Schema, to.Identifier, typ)
	})
	return nil
}

// Created records in the cache that rel now exists (after commit).
func (c *Conn) Created(rel *dbtctx.Relation) {
	c.onCommit(func() { c.a.cache.add(rel.Schema, rel.Identifier, rel.Type) })
}

// Dropped records that rel no longer exists (after commit).
func (c *Conn) Dropped(rel *dbtctx.Relation) {
	c.onCommit(func() { c.a.cache.remove(rel.Schema, rel.Identifier) })
}

// CreateSchema creates schema unless the cache knows it exists.
func (c *Conn) CreateSchema(ctx context.Context, schema string) error {
	if ok, exists, _ := c.a.cache.schemaKnown(schema); ok && exists {
		return nil
	}
	if _, err := c.Exec(ctx, "create schema if not exists "+dbtctx.QuoteIdent(schema)); err != nil {
		return err
	}
	c.onCommit(func() { c.a.cache.addSchema(schema) })
	return nil
}

// GetRelation looks rel up in the relation cache.
func (c *Conn) GetRelation(ctx context.Context, schema, identifier string) (*dbtctx.Relation, error) {
	return c.a.GetRelation(ctx, "", schema, identifier)
}

// Adapter returns the pool the session belongs to.
func (c *Conn) Adapter() *Adapter { return c.a }

// Literal quotes s as a SQL string literal.
func Literal(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}
