// Package compile renders nodes with the run-time context: ref() and
// source() become relation names, ephemeral models become CTEs injected
// the way dbt injects them, and hooks and macros can be rendered for the
// runtime. It reaches the warehouse only through dbtctx.Warehouse.
package compile

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/gdbt/gdbt/compiler/dbtctx"
	"github.com/gdbt/gdbt/compiler/jinja"
	"github.com/gdbt/gdbt/compiler/manifest"
	"github.com/gdbt/gdbt/compiler/parser"
	"github.com/gdbt/gdbt/compiler/source"
)

// Compiler compiles nodes of one parsed project. It is safe for concurrent
// use; each node is compiled once.
type Compiler struct {
	res *parser.Result
	env *dbtctx.Env

	mu    sync.Mutex
	locks map[string]*sync.Mutex
	done  map[string]*compiled
}

type compiled struct {
	sql  string // after CTE injection
	pre  string // before CTE injection
	ctes []manifest.CTE
}

// New returns a compiler over a parse result. wh may be nil for offline
// compilation (is_incremental() is then false and run_query returns none).
func New(res *parser.Result, wh dbtctx.Warehouse) *Compiler {
	env := res.Env
	env.Manifest = res.Manifest
	env.Warehouse = wh
	return &Compiler{res: res, env: env, locks: map[string]*sync.Mutex{}, done: map[string]*compiled{}}
}

// Env returns the shared rendering environment.
func (c *Compiler) Env() *dbtctx.Env { return c.env }

// Manifest returns the manifest being compiled.
func (c *Compiler) Manifest() *manifest.Manifest { return c.res.Manifest }

// ConfigPos returns where n's value for config key was written, for an
// error about it (see parser.Result.ConfigPos).
func (c *Compiler) ConfigPos(n *manifest.Node, key string) source.Position {
	return c.res.ConfigPos(n, key)
}

func (c *Compiler) lock(id string) *sync.Mutex {
	c.mu.Lock()
	defer c.mu.Unlock()
	l := c.locks[id]
	if l == nil {
		l = &sync.Mutex{}
		c.locks[id] = l
	}
	return l
}

// Node compiles n (and the ephemeral models it uses), records the result on
// the node (CompiledCode, ExtraCTEs, RelationName) and returns the SQL.
func (c *Compiler) Node(ctx context.Context, n *manifest.Node) (string, error) {
	r, err := c.node(ctx, n)
	if err != nil {
		return "", err
	}
	return r.sql, nil
}

func (c *Compiler) node(ctx context.Context, n *manifest.Node) (*compiled, error) {
	l := c.lock(n.UniqueID)
	l.Lock()
	defer l.Unlock()
	if r, ok := c.result(n.UniqueID); ok {
		return r, nil
	}
	r, err := c.render(ctx, n, nil)
	if err != nil {
		return nil, err
	}
	n.Compiled = true
	n.CompiledCode = r.sql
	n.ExtraCTEs = r.ctes
	n.ExtraCTEsInjected = true
	c.mu.Lock()
	c.done[n.UniqueID] = r
	c.mu.Unlock()
	return r, nil
}

// render renders n, for batch when not nil, with its ephemeral models
// injected.
func (c *Compiler) render(ctx context.Context, n *manifest.Node, batch *dbtctx.Batch) (*compiled, error) {
	nc := c.env.NewNodeContext(n, dbtctx.Execute).Bind(ctx)
	nc.Batch = batch
	if n.TestMetadata != nil {
		kw, err := c.testKwargs(n, nc)
		if err != nil {
			return nil, err
		}
		nc.Set("_dbt_generic_test_kwargs", kw)
	}
	tmpl, err := c.env.Jinja.Parse(n.OriginalFilePath, n.RawCode)
	if err != nil {
		return nil, err
	}
	out, err := tmpl.Execute(nc, nil)
	if err != nil {
		return nil, err
	}
	r := &compiled{sql: out, pre: out}
	// Ephemeral models referenced become CTEs, recursively, in dbt's order:
	// an ephemeral's own CTEs come before it.
	for _, id := range nc.CTEs {
		dep := c.res.Manifest.Nodes[id]
		if dep == nil {
			return nil, fmt.Errorf("During compilation, found a cte reference that could not be resolved: %s", id)
		}
		dr, err := c.node(ctx, dep)
		if err != nil {
			return nil, err
		}
		for _, cte := range dr.ctes {
			r.ctes = addCTE(r.ctes, cte)
		}
		r.ctes = addCTE(r.ctes, manifest.CTE{ID: id, SQL: " __dbt__cte__" + dep.Name + " as (\n" + dr.pre + "\n)"})
	}
	r.sql = InjectCTEs(out, r.ctes)
	if err := c.resolveForeignKeys(n); err != nil {
		return nil, err
	}
	return r, nil
}

// NodeBatch compiles a microbatch model for one batch: ref() and source()
// of nodes with an event_time select the batch's rows. Nothing is recorded
// on the node (dbt compiles each batch on a copy of it).
func (c *Compiler) NodeBatch(ctx context.Context, n *manifest.Node, batch *dbtctx.Batch) (string, error) {
	r, err := c.render(ctx, n, batch)
	if err != nil {
		return "", err
	}
	return r.sql, nil
}

func (c *Compiler) result(id string) (*compiled, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r, ok := c.done[id]
	return r, ok
}

func addCTE(list []manifest.CTE, cte manifest.CTE) []manifest.CTE {
	for _, x := range list {
		if x.ID == cte.ID {
			return list
		}
	}
	return append(list, cte)
}

// testKwargs renders a generic test's keyword arguments natively, as dbt
// does: a value that looks like ref(...), source(...), var(...),
// env_var(...) or doc(...) is evaluated, and Jinja in strings is rendered
// to the value it produces (a relation stays a relation).
func (c *Compiler) testKwargs(n *manifest.Node, nc *dbtctx.NodeContext) (*jinja.Dict, error) {
	d := jinja.NewDict()
	for _, k := range sortedKeys(n.TestMetadata.Kwargs) {
		v, err := c.renderKwarg(n, nc, k, n.TestMetadata.Kwargs[k])
		if err != nil {
			return nil, err
		}
		d.Set(k, v)
	}
	return d, nil
}

var looksLikeFunc = regexp.MustCompile(`^\s*(env_var|ref|var|source|doc)\s*\(.+\)\s*$`)

func (c *Compiler) renderKwarg(n *manifest.Node, nc *dbtctx.NodeContext, key string, v any) (any, error) {
	switch x := v.(type) {
	case string:
		if key == "column_name" {
			return x, nil
		}
		if looksLikeFunc.MatchString(x) {
			x = "{{ " + x + " }}"
		}
		if !strings.Contains(x, "{{") && !strings.Contains(x, "{%") {
			return x, nil
		}
		t, err := c.env.Jinja.Parse(n.OriginalFilePath, x)
		if err != nil {
			return nil, err
		}
		out, err := t.ExecuteNative(nc, nil)
		if err != nil {
			return nil, err
		}
		return dbtctx.NativeValue(out), nil
	case []any:
		items := make([]any, len(x))
		for i, it := range x {
			r, err := c.renderKwarg(n, nc, "", it)
			if err != nil {
				return nil, err
			}
			items[i] = r
		}
		return &jinja.List{Items: items}, nil
	case map[string]any:
		d := jinja.NewDict()
		for _, k := range sortedKeys(x) {
			r, err := c.renderKwarg(n, nc, "", x[k])
			if err != nil {
				return nil, err
			}
			d.Set(k, r)
		}
		return d, nil
	}
	return dbtctx.FromGo(v), nil
}

// Render renders a snippet (a hook, an inline query) in n's run-time
// context; n may be nil for project-level hooks.
func (c *Compiler) Render(ctx context.Context, n *manifest.Node, name, text string) (string, error) {
	t, err := c.env.Jinja.Parse(name, text)
	if err != nil {
		return "", err
	}
	return t.Execute(c.env.NewNodeContext(n, dbtctx.Execute).Bind(ctx), nil)
}

// CallMacro calls a macro by name in n's run-time context (as dbt calls
// materialization helpers); args are positional.
func (c *Compiler) CallMacro(ctx context.Context, n *manifest.Node, name string, args ...any) (any, error) {
	pkg := c.env.ProjectName
	if n != nil {
		pkg = n.Package
	}
	ref, ok := c.env.Macros.Lookup(pkg, name)
	if !ok {
		return nil, fmt.Errorf("macro '%s' not found", name)
	}
	return c.env.Jinja.CallMacro(c.env.NewNodeContext(n, dbtctx.Execute).Bind(ctx), nil, ref.Macro, &jinja.Args{Pos: args})
}

// HasMacro reports whether name resolves, for a node of package pkg, to a
// macro defined by the project or a package (not a built-in): the runtime
// then calls it instead of its own implementation.
func (c *Compiler) HasMacro(pkg, name string) bool {
	ref, ok := c.env.Macros.Lookup(pkg, name)
	return ok && !c.env.Macros.IsInternal(ref.Package)
}
