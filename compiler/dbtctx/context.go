package dbtctx

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/gdbt/gdbt/compiler/jinja"
	"github.com/gdbt/gdbt/compiler/manifest"
	"gopkg.in/yaml.v3"
)

// Phase says whether a render records dependencies (parse) or resolves
// them against the warehouse (compile and run).
type Phase uint8

const (
	Parse Phase = iota
	Execute
)

// Env is what every node context of one invocation shares.
type Env struct {
	Jinja    *jinja.Environment
	Macros   *Macros
	Manifest *manifest.Manifest // nil while parsing

	ProjectName string
	Target      *jinja.Dict // target.* (no secrets)
	// Var resolves var(name) for a node of package pkg.
	Var func(pkg, name string) (any, bool)
	// EnvVar resolves env_var(name); nil means the process environment.
	EnvVar func(name string) (string, bool)
	// Dispatch maps a macro namespace to its configured search order.
	Dispatch map[string][]string

	Warehouse    Warehouse // nil at parse time and in offline compile
	InvocationID string
	RunStartedAt time.Time
	Flags        *jinja.Dict
	FullRefresh  bool
	Empty        bool
	// Relation returns the relation a node materializes into.
	Relation func(n *manifest.Node) *Relation
	// SourceRelation returns a source's relation.
	SourceRelation func(s *manifest.SourceDef) *Relation
	// Resolve finds the node a ref points to.
	ResolveRef func(from *manifest.Node, ref manifest.Ref) (*manifest.Node, error)
	// ResolveSource finds a source.
	ResolveSource func(from *manifest.Node, src, table string) (*manifest.SourceDef, error)

	// Log receives log() and print() output.
	Log func(msg string, info bool)

	Context context.Context // cancels warehouse calls
}

// NodeContext is the Jinja context of one node render. It implements
// jinja.Context; names are resolved lazily, so building one is cheap.
type NodeContext struct {
	env   *Env
	Node  *manifest.Node
	Phase Phase

	// Recorded while parsing.
	Refs    []manifest.Ref
	Sources [][2]string
	Configs []*jinja.Dict // config() calls, in order
	Called  map[string]bool
	// CalledOrder lists the macros called from the template itself, in
	// call order (dbt's depends_on.macros).
	CalledOrder []string

	// Run-time state.
	Batch   *Batch   // the microbatch being compiled, if any
	CTEs    []string // unique_ids of ephemeral models referenced
	results map[string]*jinja.Dict
	extra   map[string]any
	callCtx context.Context
	wh      Warehouse
	model   any
	mu      sync.Mutex
}

// NewNodeContext returns the context for rendering node in phase.
func (e *Env) NewNodeContext(node *manifest.Node, phase Phase) *NodeContext {
	return &NodeContext{env: e, Node: node, Phase: phase}
}

// Set adds an extra variable (sql for tests, model-specific names).
func (c *NodeContext) Set(name string, v any) {
	if c.extra == nil {
		c.extra = map[string]any{}
	}
	c.extra[name] = jinja.Normalize(v)
}

func (c *NodeContext) pkg() string {
	if c.Node == nil {
		return c.env.ProjectName
	}
	return c.Node.Package
}

// Resolve implements jinja.Context.
func (c *NodeContext) Resolve(name string) (any, bool) {
	if v, ok := c.extra[name]; ok {
		return v, true
	}
	// Macros shadow context functions of the same name, as in dbt (a
	// project may override ref, source or is_incremental).
	if ref, ok := c.env.Macros.Lookup(c.pkg(), name); ok {
		return c.trackable(ref), true
	}
	if v, ok := c.builtin(name); ok {
		return v, true
	}
	if ns, ok := c.env.Macros.Namespace(name); ok {
		return ns, true
	}
	return nil, false
}

// trackable returns the macro, wrapped at parse time so that a call made
// directly from the node's template (not from inside another macro) is
// recorded as a dependency, as dbt records depends_on.macros.
func (c *NodeContext) trackable(ref MacroRef) any {
	if c.Phase != Parse {
		return ref.Macro
	}
	return &trackedMacro{Macro: ref.Macro, ref: ref, c: c}
}

type trackedMacro struct {
	*jinja.Macro
	ref MacroRef
	c   *NodeContext
}

// Call implements jinja.Callable.
func (t *trackedMacro) Call(s *jinja.State, a *jinja.Args) any {
	if s.Depth() == 0 {
		t.c.noteMacro(t.ref)
	}
	return s.CallMacro(t.Macro, a)
}

func (c *NodeContext) noteMacro(ref MacroRef) {
	if c.Phase != Parse {
		return
	}
	id := ref.UniqueID()
	c.mu.Lock()
	for _, seen := range c.CalledOrder {
		if seen == id {
			c.mu.Unlock()
			return
		}
	}
	c.CalledOrder = append(c.CalledOrder, id)
	if c.Called == nil {
		c.Called = map[string]bool{}
	}
	c.Called[id] = true
	c.mu.Unlock()
}

func fn(f func(s *jinja.State, a *jinja.Args) (any, error)) jinja.Func { return jinja.Func(f) }

func (c *NodeContext) builtin(name string) (any, bool) {
	switch name {
	case "ref":
		return fn(c.ref), true
	case "source":
		return fn(c.source), true
	case "config":
		return &configObject{c: c}, true
	case "var":
		return fn(c.varFn), true
	case "env_var":
		return fn(c.envVar), true
	case "execute":
		return c.Phase == Execute, true
	case "target":
		return c.env.Target, true
	case "database", "schema":
		// The node's own once it is located (run time); at parse time and
		// outside nodes the target's, as in dbt (a snapshot's
		// target_schema=schema is the target schema).
		if c.Node != nil {
			v := c.Node.Database
			if name == "schema" {
				v = c.Node.Schema
			}
			if v != "" {
				return v, true
			}
		}
		if c.env.Target == nil {
			return nil, false
		}
		return c.env.Target.Get(name)
	case "this":
		if c.Node == nil || c.env.Relation == nil {
			return nil, false
		}
		return c.env.Relation(c.Node), true
	case "model":
		if c.Node == nil {
			return nil, false
		}
		if c.model == nil {
			d := NodeDict(c.Node)
			d.Set("batch", c.batchValue())
			c.model = d
		}
		return c.model, true
	case "gdbt_is_incremental", "is_incremental":
		return fn(c.isIncremental), true
	case "adapter":
		return &adapterObject{c: c}, true
	case "api":
		return apiObject{}, true
	case "return":
		return fn(func(s *jinja.State, a *jinja.Args) (any, error) {
			var v any
			if a.Len() > 0 {
				v = a.Pos[0]
			}
			return nil, jinja.Return(v)
		}), true
	case "log":
		return fn(func(s *jinja.State, a *jinja.Args) (any, error) {
			v := a.Bind(s, "log", "msg", "info")
			if c.env.Log != nil && c.Phase == Execute {
				c.env.Log(jinja.ToString(v[0]), jinja.Truth(v[1]) && !jinja.IsMissing(v[1]))
			}
			return "", nil
		}), true
	case "print":
		return fn(func(s *jinja.State, a *jinja.Args) (any, error) {
			var parts []string
			for _, p := range a.Pos {
				parts = append(parts, jinja.ToString(p))
			}
			if c.env.Log != nil {
				c.env.Log(strings.Join(parts, " "), true)
			}
			return "", nil
		}), true
	case "exceptions":
		return exceptionsObject{c: c}, true
	case "fromjson":
		return fn(fromJSON), true
	case "tojson":
		return fn(toJSON), true
	case "fromyaml":
		return fn(fromYAML), true
	case "toyaml":
		return fn(toYAML), true
	case "local_md5":
		return fn(func(s *jinja.State, a *jinja.Args) (any, error) {
			sum := md5.Sum([]byte(jinja.ToString(a.Pos[0])))
			return hex.EncodeToString(sum[:]), nil
		}), true
	case "invocation_id":
		return c.env.InvocationID, true
	case "run_started_at":
		return datetimeValue{t: c.env.RunStartedAt.UTC(), aware: true}, true
	case "modules":
		return modulesObject{}, true
	case "flags":
		return c.env.Flags, true
	case "project_name":
		return c.env.ProjectName, true
	case "dbt_version":
		return DBTVersion, true
	case "zip":
		return fn(zipFn), true
	case "set":
		return fn(setFn), true
	case "set_strict":
		return fn(setFn), true
	case "graph":
		return c.graph(), true
	case "load_result":
		return fn(c.loadResult), true
	case "store_result":
		return fn(c.storeResult), true
	case "store_raw_result":
		return fn(c.storeResult), true
	case "run_query":
		// A built-in macro in dbt; resolved as a macro unless missing.
		return nil, false
	case "render":
		return fn(c.render), true
	case "diff_of_two_dicts":
		return fn(diffOfTwoDicts), true
	case "write":
		// dbt writes a node's main statement to target/run; the runtime
		// replaces this with a writer where it runs a materialization.
		return fn(func(s *jinja.State, a *jinja.Args) (any, error) { return "", nil }), true
	case "selected_resources":
		return jinja.NewList(), true
	case "builtins":
		return builtinsObject{c: c}, true
	case "context":
		return nil, false
	}
	return nil, false
}

// DBTVersion is the dbt version gdbt reports to templates.
const DBTVersion = "1.12.6"

// ---------------------------------------------------------------------------
// ref and source

func (c *NodeContext) ref(s *jinja.State, a *jinja.Args) (any, error) {
	r := manifest.Ref{}
	var pos []string
	for _, p := range a.Pos {
		str, ok := p.(string)
		if !ok {
			return nil, fmt.Errorf("The name argument to ref() must be a string, got %s", jinja.Repr(p))
		}
		pos = append(pos, str)
	}
	switch len(pos) {
	case 1:
		r.Name = pos[0]
	case 2:
		r.Package, r.Name = pos[0], pos[1]
	default:
		return nil, fmt.Errorf("ref() takes at most two arguments (%d given)", len(pos))
	}
	for _, kv := range a.Kw {
		switch kv.Name {
		case "v", "version":
			r.Version = kv.Value
		case "package":
			r.Package = jinja.ToString(kv.Value)
		default:
			return nil, fmt.Errorf("ref() got an unexpected keyword argument '%s'", kv.Name)
		}
	}
	if c.Phase == Parse {
		c.Refs = append(c.Refs, r)
		if c.Node != nil && c.env.Relation != nil {
			return c.env.Relation(c.Node), nil
		}
		return NewRelation("", "", r.Name, ""), nil
	}
	target, err := c.env.ResolveRef(c.Node, r)
	if err != nil {
		return nil, err
	}
	if target.Config.String("materialized") == "ephemeral" {
		c.addCTE(target.UniqueID)
		rel := NewRelation("", "", "__dbt__cte__"+target.Name, "cte")
		return rel, nil
	}
	rel := c.env.Relation(target)
	if c.env.Empty && c.Node != nil && c.Node.ResourceType != manifest.Test {
		zero := int64(0)
		rel = rel.clone()
		rel.Limit = &zero
	}
	return c.batchFiltered(rel, target.Config, target.Columns, nil), nil
}

func (c *NodeContext) addCTE(id string) {
	for _, x := range c.CTEs {
		if x == id {
			return
		}
	}
	c.CTEs = append(c.CTEs, id)
}

func (c *NodeContext) source(s *jinja.State, a *jinja.Args) (any, error) {
	if a.Len() != 2 {
		return nil, fmt.Errorf("source() takes exactly two arguments (%d given)", a.Len())
	}
	src, tbl := jinja.ToString(a.Pos[0]), jinja.ToString(a.Pos[1])
	if c.Phase == Parse {
		c.Sources = append(c.Sources, [2]string{src, tbl})
		if c.Node != nil && c.env.Relation != nil {
			return c.env.Relation(c.Node), nil
		}
		return NewRelation("", src, tbl, ""), nil
	}
	def, err := c.env.ResolveSource(c.Node, src, tbl)
	if err != nil {
		return nil, err
	}
	rel := c.env.SourceRelation(def)
	if c.env.Empty && c.Node != nil && c.Node.ResourceType != manifest.Test {
		zero := int64(0)
		rel = rel.clone()
		rel.Limit = &zero
	}
	return c.batchFiltered(rel, def.Config, def.Columns, def.Quoting), nil
}

// ---------------------------------------------------------------------------
// var, env_var

func (c *NodeContext) varFn(s *jinja.State, a *jinja.Args) (any, error) {
	v := a.Bind(s, "var", "var_name", "default")
	name := jinja.ToString(v[0])
	if c.env.Var != nil {
		if val, ok := c.env.Var(c.pkg(), name); ok {
			return val, nil
		}
	}
	if !jinja.IsMissing(v[1]) {
		return v[1], nil
	}
	if c.Phase == Parse && c.Node == nil {
		return nil, nil
	}
	return nil, fmt.Errorf("Required var '%s' not found in config:\nVars supplied to %s = {}", name, c.nodeName())
}

func (c *NodeContext) nodeName() string {
	if c.Node == nil {
		return "<project>"
	}
	return c.Node.Name
}

func (c *NodeContext) envVar(s *jinja.State, a *jinja.Args) (any, error) {
	v := a.Bind(s, "env_var", "var", "default")
	name := jinja.ToString(v[0])
	lookup := c.env.EnvVar
	if lookup == nil {
		lookup = os.LookupEnv
	}
	if strings.HasPrefix(name, "DBT_ENV_SECRET") {
		return nil, fmt.Errorf("Secret env vars are allowed only in profiles.yml or packages.yml. Found '%s' referenced elsewhere.", name)
	}
	if val, ok := lookup(name); ok {
		return val, nil
	}
	if !jinja.IsMissing(v[1]) {
		return v[1], nil
	}
	return nil, fmt.Errorf("Env var required but not provided: '%s'", name)
}

// ---------------------------------------------------------------------------
// is_incremental

func (c *NodeContext) isIncremental(s *jinja.State, a *jinja.Args) (any, error) {
	if c.Phase == Parse || c.Node == nil || c.warehouse() == nil {
		return false, nil
	}
	if c.Node.Config.String("materialized") != "incremental" {
		return false, nil
	}
	if c.env.FullRefresh || c.Node.Config.Bool("full_refresh") {
		if v, ok := c.Node.Config["full_refresh"]; !ok || v == nil || v == true {
			if c.env.FullRefresh || v == true {
				return false, nil
			}
		}
	}
	rel := c.env.Relation(c.Node)
	existing, err := c.warehouse().GetRelation(c.ctx(), rel.Database, rel.Schema, rel.Identifier)
	if err != nil {
		return nil, err
	}
	return existing != nil && existing.Type == "table", nil
}

func (c *NodeContext) ctx() context.Context {
	if c.callCtx != nil {
		return c.callCtx
	}
	if c.env.Context != nil {
		return c.env.Context
	}
	return context.Background()
}

// warehouse is the connection templates of this render use: the node's
// own session when the runtime passed one (so run_query inside a hook sees
// and does not block on the node's open transaction), else the shared one.
func (c *NodeContext) warehouse() Warehouse {
	if c.wh != nil {
		return c.wh
	}
	return c.env.Warehouse
}

type warehouseKey struct{}

// WithWarehouse returns a context whose renders reach the warehouse
// through w (a node's session) instead of the environment's pool.
func WithWarehouse(ctx context.Context, w Warehouse) context.Context {
	return context.WithValue(ctx, warehouseKey{}, w)
}

// Bind makes the render use ctx for cancellation and the warehouse ctx
// carries, if any.
func (c *NodeContext) Bind(ctx context.Context) *NodeContext {
	c.callCtx = ctx
	if w, ok := ctx.Value(warehouseKey{}).(Warehouse); ok {
		c.wh = w
	}
	return c
}

// ---------------------------------------------------------------------------
// statement results

func (c *NodeContext) storeResult(s *jinja.State, a *jinja.Args) (any, error) {
	v := a.Bind(s, "store_result", "name", "response", "agate_table")
	name := jinja.ToString(v[0])
	d := jinja.NewDict()
	resp := v[1]
	if jinja.IsMissing(resp) {
		resp = nil
	}
	d.Set("response", resp)
	table := v[2]
	if jinja.IsMissing(table) || table == nil {
		table = NewTable(nil, nil)
	}
	d.Set("table", table)
	if t, ok := table.(*Table); ok {
		d.Set("data", t.rowsAsTuples())
	}
	c.mu.Lock()
	if c.results == nil {
		c.results = map[string]*jinja.Dict{}
	}
	c.results[name] = d
	c.mu.Unlock()
	return "", nil
}

func (c *NodeContext) loadResult(s *jinja.State, a *jinja.Args) (any, error) {
	name := jinja.ToString(a.Pos[0])
	c.mu.Lock()
	r, ok := c.results[name]
	c.mu.Unlock()
	if !ok {
		return nil, nil
	}
	return r, nil
}

// ---------------------------------------------------------------------------
// graph: the manifest as templates see it (nodes, sources).

func (c *NodeContext) graph() any {
	g := jinja.NewDict()
	nodes := jinja.NewDict()
	sources := jinja.NewDict()
	if m := c.env.Manifest; m != nil && c.Phase == Execute {
		ids := make([]string, 0, len(m.Nodes))
		for id := range m.Nodes {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for _, id := range ids {
			nodes.Set(id, NodeDict(m.Nodes[id]))
		}
		ids = ids[:0]
		for id := range m.Sources {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for _, id := range ids {
			sources.Set(id, SourceDict(m.Sources[id]))
		}
	}
	g.Set("nodes", nodes)
	g.Set("sources", sources)
	g.Set("exposures", jinja.NewDict())
	g.Set("metrics", jinja.NewDict())
	g.Set("groups", jinja.NewDict())
	g.Set("semantic_models", jinja.NewDict())
	g.Set("saved_queries", jinja.NewDict())
	return g
}

// ---------------------------------------------------------------------------
// Serialization helpers

func fromJSON(s *jinja.State, a *jinja.Args) (any, error) {
	v := a.Bind(s, "fromjson", "string", "default")
	x, err := DecodeJSON(jinja.ToString(v[0]))
	if err != nil {
		if !jinja.IsMissing(v[1]) {
			return v[1], nil
		}
		return nil, nil
	}
	return x, nil
}

func toJSON(s *jinja.State, a *jinja.Args) (any, error) {
	v := a.Bind(s, "tojson", "value", "default", "sort_keys")
	b, err := jinja.DumpJSON(v[0], jinja.Truth(v[2]) && !jinja.IsMissing(v[2]))
	if err != nil {
		if !jinja.IsMissing(v[1]) {
			return v[1], nil
		}
		return nil, nil
	}
	return b, nil
}

func fromYAML(s *jinja.State, a *jinja.Args) (any, error) {
	v := a.Bind(s, "fromyaml", "value", "default")
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(jinja.ToString(v[0])), &n); err != nil {
		if !jinja.IsMissing(v[1]) {
			return v[1], nil
		}
		return nil, nil
	}
	return YAMLValue(&n), nil
}

func toYAML(s *jinja.State, a *jinja.Args) (any, error) {
	v := a.Bind(s, "toyaml", "value", "default", "sort_keys")
	out, err := yaml.Marshal(toGo(v[0]))
	if err != nil {
		return nil, nil
	}
	return string(out), nil
}

func zipFn(s *jinja.State, a *jinja.Args) (any, error) {
	var seqs [][]any
	n := -1
	for _, p := range a.Pos {
		items := iterItems(p)
		seqs = append(seqs, items)
		if n < 0 || len(items) < n {
			n = len(items)
		}
	}
	out := &jinja.List{}
	for i := 0; i < n; i++ {
		t := make(jinja.Tuple, len(seqs))
		for j := range seqs {
			t[j] = seqs[j][i]
		}
		out.Items = append(out.Items, t)
	}
	return out, nil
}

func setFn(s *jinja.State, a *jinja.Args) (any, error) {
	out := &pySet{d: jinja.NewDict()}
	if a.Len() == 0 {
		return out, nil
	}
	for _, it := range iterItems(a.Pos[0]) {
		out.add(it)
	}
	return out, nil
}

// pySet is Python's set as dbt's set() returns it: unordered equality,
// membership, len, and the usual set algebra.
type pySet struct{ d *jinja.Dict }

func (p *pySet) add(v any) { p.d.Set(v, true) }

// Iter iterates the members in insertion order.
func (p *pySet) Iter() []any { return append([]any(nil), p.d.Keys()...) }

// Len is len(set).
func (p *pySet) Len() int { return p.d.Len() }

// Contains is `x in set`.
func (p *pySet) Contains(v any) bool { _, ok := p.d.Get(v); return ok }

// Truth is bool(set).
func (p *pySet) Truth() bool { return p.d.Len() > 0 }

// Equal is set equality regardless of order.
func (p *pySet) Equal(o any) bool {
	q, ok := o.(*pySet)
	if !ok || q.Len() != p.Len() {
		return false
	}
	for _, k := range p.d.Keys() {
		if !q.Contains(k) {
			return false
		}
	}
	return true
}

// TypeName is Python's type name.
func (p *pySet) TypeName() string { return "set" }

// Repr prints like Python's set repr.
func (p *pySet) Repr() string {
	if p.Len() == 0 {
		return "set()"
	}
	r := jinja.Repr(jinja.NewList(p.Iter()...))
	return "{" + r[1:len(r)-1] + "}"
}

// Attr implements the set methods templates use.
func (p *pySet) Attr(name string) (any, bool) {
	other := func(a *jinja.Args) *pySet {
		q := &pySet{d: jinja.NewDict()}
		for _, x := range a.Pos {
			for _, it := range iterItems(x) {
				q.add(it)
			}
		}
		return q
	}
	switch name {
	case "union":
		return fn(func(s *jinja.State, a *jinja.Args) (any, error) {
			out := &pySet{d: p.d.Copy()}
			for _, it := range other(a).Iter() {
				out.add(it)
			}
			return out, nil
		}), true
	case "difference", "intersection":
		return fn(func(s *jinja.State, a *jinja.Args) (any, error) {
			q := other(a)
			out := &pySet{d: jinja.NewDict()}
			for _, it := range p.Iter() {
				if q.Contains(it) == (name == "intersection") {
					out.add(it)
				}
			}
			return out, nil
		}), true
	case "add":
		return fn(func(s *jinja.State, a *jinja.Args) (any, error) {
			for _, x := range a.Pos {
				p.add(x)
			}
			return nil, nil
		}), true
	case "issubset":
		return fn(func(s *jinja.State, a *jinja.Args) (any, error) {
			q := other(a)
			for _, it := range p.Iter() {
				if !q.Contains(it) {
					return false, nil
				}
			}
			return true, nil
		}), true
	}
	return nil, false
}

func iterItems(v any) []any {
	switch x := v.(type) {
	case *jinja.List:
		return x.Items
	case jinja.Tuple:
		return x
	case *jinja.Dict:
		return x.Keys()
	case string:
		var out []any
		for _, r := range x {
			out = append(out, string(r))
		}
		return out
	case interface{ Iter() []any }:
		return x.Iter()
	}
	return nil
}
