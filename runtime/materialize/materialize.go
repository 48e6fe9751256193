// Package materialize builds one node in the warehouse the way
// dbt-postgres's materializations do: the same statements in the same
// order (temporary and backup relations, renames, one transaction), so a
// failing node leaves the previous relation untouched. Where a project
// overrides a helper macro dbt calls (create_table_as, the incremental
// strategies, …) the override renders the SQL instead of our Go code.
package materialize

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/gdbt/gdbt/compiler/compile"
	"github.com/gdbt/gdbt/compiler/dbtctx"
	"github.com/gdbt/gdbt/compiler/jinja"
	"github.com/gdbt/gdbt/compiler/manifest"
	"github.com/gdbt/gdbt/runtime/adapter/postgres"
)

// Runner materializes nodes of one invocation. Safe for concurrent use:
// each Execute takes its own session.
type Runner struct {
	C *compile.Compiler
	A *postgres.Adapter

	FullRefresh   bool
	Empty         bool
	StoreFailures bool   // --store-failures
	ProjectRoot   string // for seed files (root of the node's package)
	// PackageRoot returns the root directory of a package (seeds live there).
	PackageRoot func(pkg string) string
	// Log receives informational messages (on_schema_change logs, …).
	Log func(msg string)
	// PackageOverrides lets a package's materialization replace one of
	// dbt's own (the project flag
	// require_explicit_package_overrides_for_builtin_materializations: false).
	PackageOverrides bool
}

// Result is what a node's execution produced.
type Result struct {
	Status   Status
	Message  string // dbt's result message ("CREATE VIEW", "Got 1 result, …")
	Response *dbtctx.Response
	Failures *int64 // tests
	// MainSQL is the main statement sent (dbt writes it to target/run).
	MainSQL string
}

// Status is a node result status as run_results.json spells it.
type Status string

const (
	Success Status = "success"
	Error   Status = "error"
	Skipped Status = "skipped"
	Pass    Status = "pass"
	Fail    Status = "fail"
	Warn    Status = "warn"
	NoOp    Status = "no-op" // exposures in build
	// PartialSuccess: some of a microbatch model's batches failed.
	PartialSuccess Status = "partial success"
)

// Kind classifies node errors as dbt's exception classes do.
type Kind string

const (
	DatabaseError    Kind = "Database Error"
	CompilationError Kind = "Compilation Error"
	RuntimeError     Kind = "Runtime Error"
)

// NodeError is a node's failure. Line and Col locate a database error in
// the node's compiled code when the server gave a position inside it.
type NodeError struct {
	Kind      Kind
	Node      *manifest.Node
	Err       error
	Line, Col int
	// Detail replaces Err's text (e.g. with a LINE/caret block relative
	// to the compiled code).
	Detail string
}

func (e *NodeError) Unwrap() error { return e.Err }

func (e *NodeError) Error() string {
	msg := e.Detail
	if msg == "" {
		msg = e.Err.Error()
	}
	return string(e.Kind) + " in " + string(e.Node.ResourceType) + " " + e.Node.Name + " (" + e.Node.OriginalFilePath + ")\n  " +
		strings.ReplaceAll(strings.TrimRight(msg, "\n"), "\n", "\n  ")
}

// Compile renders the node's SQL with the run-time context.
func (r *Runner) Compile(ctx context.Context, n *manifest.Node) (string, error) {
	switch n.ResourceType {
	case manifest.Seed:
		return "", nil
	}
	sql, err := r.C.Node(ctx, n)
	if err != nil {
		return "", &NodeError{Kind: CompilationError, Node: n, Err: err}
	}
	return sql, nil
}

// Execute materializes n from its compiled SQL.
func (r *Runner) Execute(ctx context.Context, n *manifest.Node, compiled string) (*Result, error) {
	conn, err := r.A.Acquire(ctx)
	if err != nil {
		return nil, &NodeError{Kind: DatabaseError, Node: n, Err: err}
	}
	defer conn.Release()
	x := &exec{r: r, n: n, conn: conn, sql: compiled, this: r.C.Env().Relation(n)}
	var res *Result
	// A materialization the project or a package defines runs instead of
	// the native one (custom.go).
	ref, custom, err := r.materialization(n)
	if err != nil {
		return nil, err
	}
	switch {
	case custom:
		res, err = x.custom(ctx, ref)
	case n.ResourceType == manifest.Seed:
		res, err = x.seed(ctx)
	case n.ResourceType == manifest.Snapshot:
		res, err = x.snapshot(ctx)
	case n.ResourceType == manifest.Test:
		res, err = x.test(ctx)
	case n.ResourceType == manifest.Model:
		switch m := n.Config.String("materialized"); m {
		case "view":
			res, err = x.view(ctx)
		case "table":
			res, err = x.table(ctx)
		case "incremental":
			res, err = x.incremental(ctx)
		case "materialized_view":
			res, err = x.materializedView(ctx)
		case "ephemeral":
			return &Result{Status: Success, Message: "", Response: &dbtctx.Response{}}, nil
		default:
			msg := fmt.Sprintf("No materialization '%s' was found for adapter postgres! (searched types 'default' and 'postgres')", m)
			if at := r.C.ConfigPos(n, "materialized"); at.Line > 0 {
				msg = at.String() + ": " + msg
			}
			err = &NodeError{Kind: CompilationError, Node: n, Err: errors.New(msg)}
		}
	default:
		err = fmt.Errorf("cannot run a %s", n.ResourceType)
	}
	if err != nil {
		return nil, x.wrap(err)
	}
	return res, nil
}

// exec is one node's execution state.
type exec struct {
	r    *Runner
	n    *manifest.Node
	conn *postgres.Conn
	sql  string           // compiled SQL
	this *dbtctx.Relation // the target relation
	// batch is the microbatch being run (microbatch.go), or nil.
	batch *batchState
	// Where the compiled SQL sits inside the statement being sent, to map
	// a server error position back to it.
	mainSQL  string
	mainFrom int
}

// wrap turns an error into a NodeError, locating database errors in the
// compiled code.
func (x *exec) wrap(err error) error {
	var ne *NodeError
	if errors.As(err, &ne) {
		return err
	}
	var de *postgres.Error
	if errors.As(err, &de) {
		e := &NodeError{Kind: DatabaseError, Node: x.n, Err: err, Detail: de.Message()}
		if off := de.Offset(); off >= 0 {
			if de.SQL == x.mainSQL && off >= x.mainFrom && off <= x.mainFrom+len(x.sql) {
				block, line, col := postgres.LineAt(x.sql, off-x.mainFrom)
				e.Line, e.Col = line, col
				e.Detail += "\n" + block
			} else {
				block, _, _ := postgres.LineAt(de.SQL, off)
				e.Detail += "\n" + block
			}
		}
		return e
	}
	if isTemplateError(err) {
		return &NodeError{Kind: CompilationError, Node: x.n, Err: err}
	}
	return &NodeError{Kind: RuntimeError, Node: x.n, Err: err}
}

func isTemplateError(err error) bool {
	var je *jinja.Error
	return errors.As(err, &je)
}

// main runs the node's main statement, which embeds the compiled SQL at
// byte offset from (or -1).
func (x *exec) main(ctx context.Context, sql string, from int) (*dbtctx.Response, error) {
	x.mainSQL, x.mainFrom = sql, from
	return x.conn.Exec(ctx, sql)
}

// cfg reads a config value.
func (x *exec) cfg(key string) any { return x.n.Config[key] }

// rel returns a relation like this with another identifier and type.
func (x *exec) rel(identifier, typ string) *dbtctx.Relation {
	r := dbtctx.NewRelation(x.this.Database, x.this.Schema, identifier, typ)
	return r
}

// override returns the first of names a project or package defines.
func (x *exec) override(names ...string) string {
	for _, name := range names {
		if x.r.C.HasMacro(x.n.Package, name) {
			return name
		}
	}
	return ""
}

// call renders macro name with args in the node's context.
func (x *exec) call(ctx context.Context, name string, args ...any) (string, error) {
	v, err := x.r.C.CallMacro(dbtctx.WithWarehouse(ctx, x.conn.Warehouse()), x.n, name, args...)
	if err != nil {
		return "", err
	}
	return jinja.ToString(v), nil
}

// hooks runs the node's pre- or post-hooks whose transaction flag is
// inside.
func (x *exec) hooks(ctx context.Context, key string, inside bool) error {
	for _, h := range x.hookConfigs(key) {
		if h.inTx != inside {
			continue
		}
		sql, err := x.r.C.Render(dbtctx.WithWarehouse(ctx, x.conn.Warehouse()), x.n, fmt.Sprintf("%s %d of %s", key, h.index, x.n.UniqueID), h.sql)
		if err != nil {
			return &NodeError{Kind: CompilationError, Node: x.n, Err: err}
		}
		if strings.TrimSpace(sql) == "" {
			continue
		}
		if _, err := x.conn.Exec(ctx, sql); err != nil {
			return err
		}
	}
	return nil
}

// begin opens the node's transaction.
func (x *exec) begin(ctx context.Context) error { return x.conn.Begin(ctx) }

// commit commits it.
func (x *exec) commit(ctx context.Context) error { return x.conn.Commit(ctx) }

// schema makes sure the target schema exists (dbt creates the schemas of
// selected nodes up front; this covers nodes run on their own).
func (x *exec) schema(ctx context.Context) error {
	return x.conn.CreateSchema(ctx, x.this.Schema)
}

// existing returns the cached relation named like rel, or nil.
func (x *exec) existing(ctx context.Context, identifier string) (*dbtctx.Relation, error) {
	return x.conn.GetRelation(ctx, x.this.Schema, identifier)
}

// suffixed is dbt-postgres's make_relation_with_suffix: the identifier cut
// so that identifier+suffix fits in 63 characters.
func suffixed(identifier, suffix string) string {
	const max = 63
	if len(identifier)+len(suffix) > max {
		identifier = identifier[:max-len(suffix)]
	}
	return identifier + suffix
}
