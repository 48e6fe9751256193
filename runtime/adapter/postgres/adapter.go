// Package postgres is gdbt's warehouse adapter: a pgx pool sized to the
// run's threads, the relation cache, and the statements dbt-postgres runs
// for relations and schemas. It implements dbtctx.Warehouse for templates
// and hands materializations a Conn (one pooled session, with its own
// transaction and temporary tables).
package postgres

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gdbt/gdbt/compiler/dbtctx"
	"github.com/gdbt/gdbt/compiler/project"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Adapter is a connection pool plus the relation cache. It is safe for
// concurrent use.
type Adapter struct {
	pool     *pgxpool.Pool
	database string
	cache    *cache
}

var _ dbtctx.Warehouse = (*Adapter)(nil)

// ConnString turns profile connection fields into a pgx URL.
func ConnString(p *project.Profile) string {
	u := url.URL{Scheme: "postgres", Path: "/" + p.Database}
	host := p.Host
	if host == "" {
		host = "localhost"
	}
	port := p.Port
	if port == 0 {
		port = 5432
	}
	u.Host = net.JoinHostPort(host, strconv.Itoa(port))
	if p.Password != "" {
		u.User = url.UserPassword(p.User, p.Password)
	} else {
		u.User = url.User(p.User)
	}
	q := url.Values{}
	if p.SSLMode != "" {
		q.Set("sslmode", p.SSLMode)
	}
	if p.SSLCert != "" {
		q.Set("sslcert", p.SSLCert)
	}
	if p.SSLKey != "" {
		q.Set("sslkey", p.SSLKey)
	}
	if p.SSLRootCert != "" {
		q.Set("sslrootcert", p.SSLRootCert)
	}
	if p.ConnectTimeout > 0 {
		q.Set("connect_timeout", strconv.Itoa(p.ConnectTimeout))
	}
	if p.ApplicationName != "" {
		q.Set("application_name", p.ApplicationName)
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// Options are connection settings beyond the URL.
type Options struct {
	Threads        int    // pool size is Threads+1 (see Open)
	SearchPath     string // set as a runtime parameter, as dbt-postgres does
	Role           string // "set role" on every new connection
	KeepalivesIdle int    // seconds; 0 keeps the OS default
}

// OpenProfile opens a pool for a profile's target.
func OpenProfile(ctx context.Context, p *project.Profile, threads int) (*Adapter, error) {
	if threads <= 0 {
		threads = p.Threads
	}
	return Open(ctx, ConnString(p), Options{Threads: threads, SearchPath: p.SearchPath, Role: p.Role, KeepalivesIdle: p.KeepalivesIdle})
}

// Open connects to connString. The pool holds one connection per thread
// plus one: a worker holds its own session for a whole node while Jinja it
// renders (hooks, run_query) reaches the warehouse through the pool, so
// with exactly Threads connections every worker could wait on another.
func Open(ctx context.Context, connString string, o Options) (*Adapter, error) {
	cfg, err := pgxpool.ParseConfig(connString)
	if err != nil {
		return nil, &ConnectError{Err: err}
	}
	threads := o.Threads
	if threads <= 0 {
		threads = 1
	}
	cfg.MaxConns = int32(threads + 1)
	cfg.MinConns = 0
	cc := cfg.ConnConfig
	// Cancel a running statement on the server when ctx ends (Ctrl-C,
	// --fail-fast), not just drop the socket.
	cc.BuildContextWatcherHandler = func(pc *pgconn.PgConn) ctxwatch.Handler {
		return &pgconn.CancelRequestContextWatcherHandler{Conn: pc, DeadlineDelay: 2 * time.Second}
	}
	cc.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
	if o.SearchPath != "" {
		cc.RuntimeParams["search_path"] = o.SearchPath
	}
	if o.KeepalivesIdle > 0 {
		d := &net.Dialer{KeepAlive: time.Duration(o.KeepalivesIdle) * time.Second}
		if cc.ConnectTimeout > 0 {
			d.Timeout = cc.ConnectTimeout
		}
		cc.DialFunc = d.DialContext
	}
	if o.Role != "" {
		role := o.Role
		cfg.AfterConnect = func(ctx context.Context, c *pgx.Conn) error {
			_, err := c.Exec(ctx, "set role "+role)
			return err
		}
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, &ConnectError{Err: err}
	}
	a := &Adapter{pool: pool, database: cc.Database, cache: newCache()}
	// Fail now, with the connection error, rather than on the first node.
	c, err := pool.Acquire(ctx)
	if err != nil {
		pool.Close()
		return nil, &ConnectError{Err: err}
	}
	c.Release()
	return a, nil
}

// Close closes every connection.
func (a *Adapter) Close() { a.pool.Close() }

// Database is the database the pool is connected to.
func (a *Adapter) Database() string { return a.database }

// ConnectError is a failure to reach the server.
type ConnectError struct{ Err error }

func (e *ConnectError) Error() string { return "Database Error\n  " + strings.TrimSpace(e.Err.Error()) }
func (e *ConnectError) Unwrap() error { return e.Err }

// Acquire takes a session from the pool. Release it when done.
func (a *Adapter) Acquire(ctx context.Context) (*Conn, error) {
	c, err := a.pool.Acquire(ctx)
	if err != nil {
		return nil, &ConnectError{Err: err}
	}
	return &Conn{a: a, pc: c}, nil
}

// withConn runs fn on a pooled session.
func (a *Adapter) withConn(ctx context.Context, fn func(c *Conn) error) error {
	c, err := a.Acquire(ctx)
	if err != nil {
		return err
	}
	defer c.Release()
	return fn(c)
}

// Execute implements dbtctx.Warehouse (statement, run_query) in autocommit.
func (a *Adapter) Execute(ctx context.Context, sql string, fetch bool) (*dbtctx.Response, *dbtctx.Table, error) {
	var resp *dbtctx.Response
	var tbl *dbtctx.Table
	err := a.withConn(ctx, func(c *Conn) error {
		var err error
		resp, tbl, err = c.Query(ctx, sql)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	if !fetch {
		tbl = dbtctx.NewTable(nil, nil)
	}
	return resp, tbl, nil
}

// GetRelation implements dbtctx.Warehouse from the relation cache.
func (a *Adapter) GetRelation(ctx context.Context, database, schema, identifier string) (*dbtctx.Relation, error) {
	if err := a.checkDatabase(database); err != nil {
		return nil, err
	}
	typ, ok, err := a.cache.lookup(ctx, a, schema, identifier)
	if err != nil || !ok {
		return nil, err
	}
	return dbtctx.NewRelation(a.database, schema, identifier, typ), nil
}

// ListRelations implements dbtctx.Warehouse.
func (a *Adapter) ListRelations(ctx context.Context, database, schema string) ([]*dbtctx.Relation, error) {
	if err := a.checkDatabase(database); err != nil {
		return nil, err
	}
	rels, err := a.cache.list(ctx, a, schema)
	if err != nil {
		return nil, err
	}
	out := make([]*dbtctx.Relation, len(rels))
	for i, r := range rels {
		out[i] = dbtctx.NewRelation(a.database, schema, r.name, r.typ)
	}
	return out, nil
}

// GetColumns implements dbtctx.Warehouse.
func (a *Adapter) GetColumns(ctx context.Context, rel *dbtctx.Relation) ([]*dbtctx.Column, error) {
	var cols []*dbtctx.Column
	err := a.withConn(ctx, func(c *Conn) error {
		var err error
		cols, err = c.Columns(ctx, rel)
		return err
	})
	return cols, err
}

// CreateSchema implements dbtctx.Warehouse.
func (a *Adapter) CreateSchema(ctx context.Context, database, schema string) error {
	if err := a.checkDatabase(database); err != nil {
		return err
	}
	if known, exists, _ := a.cache.schemaKnown(schema); known && exists {
		return nil
	}
	_, err := a.exec(ctx, "create schema if not exists "+dbtctx.QuoteIdent(schema))
	if err != nil {
		return err
	}
	a.cache.addSchema(schema)
	return nil
}

// DropSchema implements dbtctx.Warehouse.
func (a *Adapter) DropSchema(ctx context.Context, database, schema string) error {
	if err := a.checkDatabase(database); err != nil {
		return err
	}
	_, err := a.exec(ctx, "drop schema if exists "+dbtctx.QuoteIdent(schema)+" cascade")
	a.cache.dropSchema(schema)
	return err
}

// DropRelation implements dbtctx.Warehouse.
func (a *Adapter) DropRelation(ctx context.Context, rel *dbtctx.Relation) error {
	return a.withConn(ctx, func(c *Conn) error { return c.DropRelation(ctx, rel) })
}

// RenameRelation implements dbtctx.Warehouse.
func (a *Adapter) RenameRelation(ctx context.Context, from, to *dbtctx.Relation) error {
	return a.withConn(ctx, func(c *Conn) error { return c.RenameRelation(ctx, from, to) })
}

// TruncateRelation implements dbtctx.Warehouse.
func (a *Adapter) TruncateRelation(ctx context.Context, rel *dbtctx.Relation) error {
	_, err := a.exec(ctx, "truncate table "+rel.String())
	return err
}

// SchemaExists implements dbtctx.Warehouse.
func (a *Adapter) SchemaExists(ctx context.Context, database, schema string) (bool, error) {
	if err := a.checkDatabase(database); err != nil {
		return false, err
	}
	if err := a.cache.load(ctx, a, []string{schema}); err != nil {
		return false, err
	}
	_, exists, _ := a.cache.schemaKnown(schema)
	return exists, nil
}

func (a *Adapter) exec(ctx context.Context, sql string) (*dbtctx.Response, error) {
	var resp *dbtctx.Response
	err := a.withConn(ctx, func(c *Conn) error {
		var err error
		resp, err = c.Exec(ctx, sql)
		return err
	})
	return resp, err
}

// checkDatabase rejects cross-database references, which Postgres cannot
// follow (dbt-postgres's verify_database).
func (a *Adapter) checkDatabase(database string) error {
	if database == "" || database == a.database {
		return nil
	}
	return &CrossDatabaseError{Database: database, Expected: a.database}
}

// CrossDatabaseError is a reference to another database.
type CrossDatabaseError struct{ Database, Expected string }

func (e *CrossDatabaseError) Error() string {
	return fmt.Sprintf("Cross-db references not allowed in postgres (%s vs %s)", e.Database, e.Expected)
}

// Prefetch fills the relation cache for schemas with one catalog query, as
// dbt does for the schemas of the selected nodes before a run.
func (a *Adapter) Prefetch(ctx context.Context, schemas []string) error {
	return a.cache.load(ctx, a, schemas)
}

// Forget drops a schema's cached relations; the next lookup reloads them.
func (a *Adapter) Forget(schema string) { a.cache.forget(schema) }

// IsCancel reports whether err comes from a cancelled statement or context.
func IsCancel(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "57014"
}
