package materialize

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/gdbt/gdbt/compiler/dbtctx"
	"github.com/gdbt/gdbt/compiler/jinja"
	"github.com/gdbt/gdbt/compiler/manifest"
)

// materialization returns the project's or a package's materialization
// that builds n instead of gdbt's native one, resolved as dbt resolves
// materialized=<name> (see dbtctx.Macros.Materialization); ok is false
// when the native one runs.
func (r *Runner) materialization(n *manifest.Node) (ref dbtctx.MacroRef, ok bool, err error) {
	switch n.ResourceType {
	case manifest.Model, manifest.Snapshot:
	default:
		return ref, false, nil
	}
	name := n.Config.String("materialized")
	if name == "" || name == "ephemeral" {
		return ref, false, nil
	}
	ref, ok, err = r.C.Env().Macros.Materialization(name, r.PackageOverrides)
	if err != nil {
		return ref, false, &NodeError{Kind: CompilationError, Node: n, Err: err}
	}
	return ref, ok, nil
}

// custom runs a materialization macro in the node's session with the
// context dbt gives materializations. As in dbt, the node's result is the
// response of its statement('main'), and the relations it returns are
// added to the relation cache.
func (x *exec) custom(ctx context.Context, ref dbtctx.MacroRef) (*Result, error) {
	if err := x.schema(ctx); err != nil {
		return nil, err
	}
	env := x.r.C.Env()
	nc := env.NewNodeContext(x.n, dbtctx.Execute).Bind(dbtctx.WithWarehouse(ctx, x.conn.Warehouse()))
	nc.Set("sql", x.sql)
	nc.Set("compiled_code", x.sql)
	nc.Set("pre_hooks", x.hookDicts("pre-hook"))
	nc.Set("post_hooks", x.hookDicts("post-hook"))
	var written string
	nc.Set("write", jinja.Func(func(s *jinja.State, a *jinja.Args) (any, error) {
		written = jinja.ToString(a.Bind(s, "write", "payload")[0])
		// An error in the main statement is located in the compiled
		// code when the statement embeds it.
		if from := strings.Index(written, x.sql); from >= 0 {
			x.mainSQL, x.mainFrom = written, from
		}
		return "", nil
	}))
	nc.Set("context", nc.ContextMapping())
	base, _ := nc.Builtin("adapter")
	nc.Set("adapter", &sessionAdapter{base: base.(jinja.Object), x: x, ctx: ctx})

	out, err := env.Jinja.CallMacro(nc, nil, ref.Macro, &jinja.Args{})
	if err != nil {
		return nil, err
	}
	rels, err := returnedRelations(out, x.n)
	if err != nil {
		return nil, &NodeError{Kind: CompilationError, Node: x.n, Err: err}
	}
	for _, rel := range rels {
		x.conn.Created(rel)
	}
	main := nc.Result("main")
	if main == nil {
		return nil, &NodeError{Kind: RuntimeError, Node: x.n, Err: errors.New("main is not being called during running model")}
	}
	resp, _ := main.Get("response")
	r, ok := resp.(*dbtctx.Response)
	if !ok {
		r = &dbtctx.Response{Message: jinja.ToString(resp)}
	}
	return &Result{Status: Success, Message: r.Message, Response: r, MainSQL: written}, nil
}

// hookConfig is one pre- or post-hook of the node.
type hookConfig struct {
	index int
	sql   string
	inTx  bool // runs inside the transaction (the default)
}

// hookConfigs lists the node's pre- or post-hooks (key "pre-hook" or
// "post-hook").
func (x *exec) hookConfigs(key string) []hookConfig {
	list, _ := x.cfg(key).([]any)
	out := make([]hookConfig, 0, len(list))
	for i, h := range list {
		m, ok := h.(map[string]any)
		if !ok {
			continue
		}
		tx, ok := m["transaction"].(bool)
		if !ok {
			tx = true
		}
		text, _ := m["sql"].(string)
		out = append(out, hookConfig{index: i, sql: text, inTx: tx})
	}
	return out
}

// hookDicts lists the node's pre- or post-hooks as dbt's pre_hooks and
// post_hooks do: {sql, transaction, index}.
func (x *exec) hookDicts(key string) *jinja.List {
	out := &jinja.List{}
	for _, h := range x.hookConfigs(key) {
		d := jinja.NewDict()
		d.Set("sql", h.sql)
		d.Set("transaction", h.inTx)
		d.Set("index", int64(h.index))
		out.Items = append(out.Items, d)
	}
	return out
}

// returnedRelations checks what a materialization returned: dbt wants
// return({'relations': [relation, …]}).
func returnedRelations(v any, n *manifest.Node) ([]*dbtctx.Relation, error) {
	d, ok := v.(*jinja.Dict)
	if !ok {
		if _, isStr := v.(string); isStr {
			return nil, fmt.Errorf("The materialization (\"%s\") did not explicitly return a list of relations to add to the cache.", n.Config.String("materialized"))
		}
		return nil, fmt.Errorf("Invalid return value from materialization, expected a dict with key \"relations\", got: %s", jinja.ToString(v))
	}
	raw, ok := d.Get("relations")
	if !ok {
		return nil, fmt.Errorf("Invalid return value from materialization, \"relations\" not found, got keys: %s", jinja.Repr(jinja.NewList(d.Keys()...)))
	}
	list, ok := raw.(*jinja.List)
	if !ok {
		return nil, fmt.Errorf("Invalid return value from materialization, \"relations\" not a list, got: %s", jinja.ToString(raw))
	}
	rels := make([]*dbtctx.Relation, 0, len(list.Items))
	for _, it := range list.Items {
		rel, ok := it.(*dbtctx.Relation)
		if !ok {
			return nil, fmt.Errorf("Invalid return value from materialization, \"relations\" contains non-Relation: %s", jinja.ToString(it))
		}
		rels = append(rels, rel)
	}
	return rels, nil
}

// sessionAdapter is the adapter a materialization sees: dbt's adapter
// object, with the transaction of the node's session behind it (statements
// that ask for it open one, adapter.commit() ends it) and the relation
// cache told about what the materialization says it changed.
type sessionAdapter struct {
	base jinja.Object
	x    *exec
	ctx  context.Context
}

// Attr implements jinja.Object.
func (a *sessionAdapter) Attr(name string) (any, bool) {
	x, ctx := a.x, a.ctx
	rels := func(s *jinja.State, args *jinja.Args, params ...string) ([]*dbtctx.Relation, error) {
		v := args.Bind(s, name, params...)
		out := make([]*dbtctx.Relation, len(v))
		for i, e := range v {
			r, ok := e.(*dbtctx.Relation)
			if !ok {
				return nil, &dbtctx.CompilationError{Msg: fmt.Sprintf("adapter.%s: %s must be a relation, got %s", name, params[i], jinja.Repr(e))}
			}
			out[i] = r
		}
		return out, nil
	}
	switch name {
	case "execute":
		return jinja.Func(func(s *jinja.State, args *jinja.Args) (any, error) {
			v := args.Bind(s, "execute", "sql", "auto_begin", "fetch", "limit")
			if jinja.Truth(v[1]) && !jinja.IsMissing(v[1]) {
				if err := x.conn.Begin(ctx); err != nil {
					return nil, err
				}
			}
			resp, table, err := x.conn.Query(ctx, jinja.ToString(v[0]))
			if err != nil {
				return nil, err
			}
			if !jinja.Truth(v[2]) || jinja.IsMissing(v[2]) {
				table = dbtctx.NewTable(nil, nil)
			}
			return jinja.Tuple{resp, table}, nil
		}), true
	case "commit":
		return jinja.Func(func(s *jinja.State, args *jinja.Args) (any, error) {
			return "", x.conn.Commit(ctx)
		}), true
	case "rename_relation", "truncate_relation":
		// dbt runs both as statements that open the transaction.
		inner, ok := a.base.Attr(name)
		if !ok {
			return nil, false
		}
		return jinja.Func(func(s *jinja.State, args *jinja.Args) (any, error) {
			if err := x.conn.Begin(ctx); err != nil {
				return nil, err
			}
			return s.Call(inner, args), nil
		}), true
	case "expand_target_column_types":
		return jinja.Func(func(s *jinja.State, args *jinja.Args) (any, error) {
			r, err := rels(s, args, "from_relation", "to_relation")
			if err != nil {
				return nil, err
			}
			return "", x.expandColumnTypes(ctx, r[0], r[1])
		}), true
	case "cache_added", "cache_dropped":
		return jinja.Func(func(s *jinja.State, args *jinja.Args) (any, error) {
			r, err := rels(s, args, "relation")
			if err != nil {
				return nil, err
			}
			if name == "cache_added" {
				x.conn.Created(r[0])
			} else {
				x.conn.Dropped(r[0])
			}
			return "", nil
		}), true
	case "cache_renamed":
		return jinja.Func(func(s *jinja.State, args *jinja.Args) (any, error) {
			r, err := rels(s, args, "from_relation", "to_relation")
			if err != nil {
				return nil, err
			}
			x.conn.Dropped(r[0])
			to := *r[1]
			if to.Type == "" {
				to.Type = r[0].Type
			}
			x.conn.Created(&to)
			return "", nil
		}), true
	}
	return a.base.Attr(name)
}
