package compile

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/gdbt/gdbt/compiler/dbtctx"
	"github.com/gdbt/gdbt/compiler/jinja"
	"github.com/gdbt/gdbt/compiler/manifest"
)

// UnitTest is a compiled unit test: the tested model's SQL with each of
// its given inputs replaced by a CTE of fixture rows.
type UnitTest struct {
	// Node is what the test runs as (dbt's UnitTestNode): the model's raw
	// code under the test's name, in the model's database and schema.
	Node *manifest.Node
	Def  *manifest.UnitTestDef
	SQL  string
	// Inputs are the ephemeral stand-ins for the given inputs, with their
	// compiled fixture SQL (dbt writes each to target/compiled).
	Inputs []*manifest.Node
}

// InputError is a failure while building an input's fixture: dbt reports
// it against the stand-in model (named like the input, in the test's
// schema file).
type InputError struct {
	Input *manifest.Node
	Err   error
	Trace []string // dbt's "> in macro …" lines
}

func (e *InputError) Error() string { return e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

// missingInput is a ref() or source() of the tested model that no given
// input stands for.
type missingInput struct{ msg string }

func (e *missingInput) Error() string { return e.msg }

// unitInput is one given input resolved against the project.
type unitInput struct {
	fixture  *manifest.UnitTestFixture
	original string // unique_id of the model, seed, snapshot or source it stands for
	node     *manifest.Node
	rel      *dbtctx.Relation // the original relation, whose columns type the rows
	cte      string
}

// UnitTest compiles unit test n. Fixture columns are typed from the real
// input relations, so the warehouse must hold them.
func (c *Compiler) UnitTest(ctx context.Context, n *manifest.Node) (*UnitTest, error) {
	m := c.res.Manifest
	def := n.Unit
	if def == nil || len(n.DependsOnNodes) == 0 {
		return nil, fmt.Errorf("unit test %s has no tested model", n.UniqueID)
	}
	tested := m.Nodes[n.DependsOnNodes[0]]
	if tested == nil {
		return nil, fmt.Errorf("unit test %s: model %s not found", n.UniqueID, n.DependsOnNodes[0])
	}
	name := def.TestedName
	un := &manifest.Node{
		UniqueID: n.UniqueID, ResourceType: manifest.UnitTest, Package: n.Package, Name: name,
		Path:             path.Join(path.Dir(n.OriginalFilePath), name+".sql"),
		OriginalFilePath: n.OriginalFilePath, FQN: strings.Split(n.UniqueID, "."),
		Database: tested.Database, Schema: tested.Schema, Alias: name,
		RawCode: tested.RawCode, Language: "sql", Tags: n.Tags, Meta: n.Meta,
		Config:         manifest.Config{"materialized": "unit", "enabled": true, "tags": n.Config["tags"], "meta": n.Config["meta"]},
		DependsOnNodes: n.DependsOnNodes, CreatedAt: n.CreatedAt,
	}
	inputs := make([]*unitInput, 0, len(def.Given))
	for _, g := range def.Given {
		in, err := c.resolveInput(un, tested, g)
		if err != nil {
			return nil, err
		}
		inputs = append(inputs, in)
	}

	nc := c.env.NewNodeContext(un, dbtctx.Execute).Bind(ctx)
	// Inputs become CTEs in the order the model's SQL first uses them;
	// their fixtures are built after the render, as dbt injects CTEs.
	var used []*unitInput
	use := func(in *unitInput) *dbtctx.Relation {
		for _, u := range used {
			if u == in {
				return dbtctx.CTERelation(in.cte)
			}
		}
		used = append(used, in)
		return dbtctx.CTERelation(in.cte)
	}
	byOriginal := func(id string) *unitInput {
		var found *unitInput
		for _, in := range inputs {
			if in.original == id {
				found = in // a later input of the same relation wins, as in dbt
			}
		}
		return found
	}
	who := fmt.Sprintf("Unit_Test '%s' (%s)", n.UniqueID, n.OriginalFilePath)
	nc.Set("ref", jinja.Func(func(s *jinja.State, a *jinja.Args) (any, error) {
		r, err := refArgs(a)
		if err != nil {
			return nil, err
		}
		target, err := c.env.ResolveRef(tested, r)
		if err != nil {
			return nil, &missingInput{fmt.Sprintf("%s depends on a node named '%s' which was not found", who, r.Name)}
		}
		in := byOriginal(target.UniqueID)
		if in == nil {
			return nil, &missingInput{fmt.Sprintf("%s depends on a node named '%s' which was not found", who, r.Name)}
		}
		return use(in), nil
	}))
	nc.Set("source", jinja.Func(func(s *jinja.State, a *jinja.Args) (any, error) {
		if a.Len() != 2 {
			return nil, fmt.Errorf("source() takes exactly two arguments (%d given)", a.Len())
		}
		src, tbl := jinja.ToString(a.Pos[0]), jinja.ToString(a.Pos[1])
		def, err := c.env.ResolveSource(tested, src, tbl)
		var in *unitInput
		if err == nil {
			in = byOriginal(def.UniqueID)
		}
		if in == nil {
			return nil, &missingInput{fmt.Sprintf("%s depends on a source named '%s.%s' which was not found", who, src, tbl)}
		}
		return use(in), nil
	}))
	var this *unitInput
	for i, g := range def.Given {
		if strings.TrimSpace(g.Input) == "this" {
			this = inputs[i]
		}
	}
	if this != nil {
		// dbt evaluates `this` as it builds the context, so a 'this'
		// input is always the first CTE, used or not.
		nc.Set("this", use(this))
	} else {
		nc.Set("this", nil)
	}
	c.applyOverrides(nc, def.Overrides)

	tmpl, err := c.env.Jinja.Parse(n.OriginalFilePath, tested.RawCode)
	if err != nil {
		return nil, err
	}
	out, err := tmpl.Execute(nc, nil)
	if err != nil {
		var mi *missingInput
		if errors.As(err, &mi) {
			return nil, mi // dbt says it without a template position
		}
		return nil, err
	}
	var ctes []manifest.CTE
	for _, in := range used {
		sql, err := c.fixtureSQL(ctx, un, in)
		if err != nil {
			return nil, err
		}
		in.node.Compiled, in.node.CompiledCode = true, sql
		ctes = append(ctes, manifest.CTE{ID: in.node.UniqueID, SQL: " __dbt__cte__" + in.cte + " as (\n" + sql + "\n)"})
	}
	ut := &UnitTest{Node: un, Def: def, SQL: InjectCTEs(out, ctes)}
	un.Compiled, un.CompiledCode, un.ExtraCTEs, un.ExtraCTEsInjected = true, ut.SQL, ctes, true
	for _, in := range used {
		ut.Inputs = append(ut.Inputs, in.node)
	}
	return ut, nil
}

func refArgs(a *jinja.Args) (manifest.Ref, error) {
	r := manifest.Ref{}
	switch len(a.Pos) {
	case 1:
		r.Name = jinja.ToString(a.Pos[0])
	case 2:
		r.Package, r.Name = jinja.ToString(a.Pos[0]), jinja.ToString(a.Pos[1])
	default:
		return r, fmt.Errorf("ref() takes at most two arguments (%d given)", len(a.Pos))
	}
	for _, kv := range a.Kw {
		switch kv.Name {
		case "v", "version":
			r.Version = kv.Value
		case "package":
			r.Package = jinja.ToString(kv.Value)
		default:
			return r, fmt.Errorf("ref() got an unexpected keyword argument '%s'", kv.Name)
		}
	}
	return r, nil
}

// resolveInput finds what a given input (ref(...), source(...) or this)
// stands for, and makes its ephemeral stand-in as dbt names it.
func (c *Compiler) resolveInput(un, tested *manifest.Node, g *manifest.UnitTestFixture) (*unitInput, error) {
	in := &unitInput{fixture: g}
	stand := func(pkg, id, name, alias string) {
		in.node = &manifest.Node{
			UniqueID: id, ResourceType: manifest.Model, Package: pkg, Name: name,
			Path: name + ".sql", OriginalFilePath: un.OriginalFilePath, Alias: alias,
			Config: manifest.Config{"materialized": "ephemeral", "enabled": true}, Language: "sql",
		}
	}
	bad := fmt.Errorf("Unit test given inputs must be either a 'ref', 'source' or 'this' call. Got: '%s'.", g.Input)
	if strings.TrimSpace(g.Input) == "this" {
		in.original, in.rel, in.cte = tested.UniqueID, c.env.Relation(tested), tested.Alias
		stand(tested.Package, "model."+tested.Package+"."+tested.Name, tested.Name, tested.Alias)
		in.node.Database, in.node.Schema = tested.Database, tested.Schema
		return in, nil
	}
	t, err := c.env.Jinja.Parse(un.OriginalFilePath, "{{ "+g.Input+" }}")
	if err != nil {
		return nil, bad
	}
	calls := t.StaticCalls("ref", "source")
	if len(calls) == 0 {
		return nil, bad
	}
	call := calls[0]
	notFound := fmt.Errorf("Unit test '%s' had an input (%s) which was not found in the manifest.", un.Name, g.Input)
	switch call.Name {
	case "ref":
		r := manifest.Ref{}
		switch len(call.Args) {
		case 1:
			r.Name = jinja.ToString(call.Args[0])
		case 2:
			r.Package, r.Name = jinja.ToString(call.Args[0]), jinja.ToString(call.Args[1])
		default:
			return nil, bad
		}
		for _, kv := range call.Kwargs {
			switch kv.Name {
			case "v", "version":
				r.Version = kv.Value
			case "package":
				r.Package = jinja.ToString(kv.Value)
			}
		}
		target, err := c.env.ResolveRef(tested, r)
		if err != nil {
			return nil, notFound
		}
		in.original, in.rel, in.cte = target.UniqueID, c.env.Relation(target), target.Alias
		stand(target.Package, "model."+target.Package+"."+target.Name, target.Name, target.Alias)
		in.node.Database, in.node.Schema = target.Database, target.Schema
		in.node.Version, in.node.LatestVersion = target.Version, target.LatestVersion
	default:
		if len(call.Args) != 2 {
			return nil, bad
		}
		src, err := c.env.ResolveSource(tested, jinja.ToString(call.Args[0]), jinja.ToString(call.Args[1]))
		if err != nil {
			return nil, notFound
		}
		in.original, in.rel = src.UniqueID, c.env.SourceRelation(src)
		in.cte = src.SourceName + "__" + src.Name
		stand(src.Package, "model."+src.Package+"."+in.cte, src.Name, src.Identifier)
		in.node.Database, in.node.Schema = src.Database, src.Schema
	}
	return in, nil
}

// applyOverrides makes var(), env_var() and the overridden macros answer
// what the unit test says. An overridden macro stays callable and returns
// the given value (is_incremental: true).
func (c *Compiler) applyOverrides(nc *dbtctx.NodeContext, o *manifest.UnitTestOverrides) {
	if o == nil {
		return
	}
	if len(o.Vars) > 0 {
		orig, _ := nc.Resolve("var")
		nc.Set("var", jinja.Func(func(s *jinja.State, a *jinja.Args) (any, error) {
			if a.Len() > 0 {
				if v, ok := o.Vars.Get(jinja.ToString(a.Pos[0])); ok {
					return dbtctx.TemplateValue(v), nil
				}
			}
			return callValue(s, orig, a), nil
		}))
	}
	if len(o.EnvVars) > 0 {
		orig, _ := nc.Resolve("env_var")
		nc.Set("env_var", jinja.Func(func(s *jinja.State, a *jinja.Args) (any, error) {
			if a.Len() > 0 {
				if v, ok := o.EnvVars.Get(jinja.ToString(a.Pos[0])); ok {
					return dbtctx.TemplateValue(v), nil
				}
			}
			return callValue(s, orig, a), nil
		}))
	}
	// As dbt: an override of a name the context has replaces it (a
	// macro stays callable and returns the value); pkg.name overrides
	// that package's namespace entry, dbt.name also the global name, and
	// a global override of one of dbt's macros reaches dbt.name too.
	nsOver := map[string]map[string]any{}
	override := func(ns, name string, v any) {
		if nsOver[ns] == nil {
			nsOver[ns] = map[string]any{}
		}
		nsOver[ns][name] = v
	}
	var globals []manifest.Field
	for _, f := range o.Macros {
		pkg, name, qualified := strings.Cut(f.Key, ".")
		if !qualified {
			globals = append(globals, f)
			continue
		}
		base, ok := nc.Resolve(pkg)
		item, isNS := base.(interface{ Item(any) (any, bool) })
		if !ok || !isNS {
			continue
		}
		orig, ok := item.Item(name)
		if !ok {
			continue
		}
		v := overrideValue(orig, f.Value)
		override(pkg, name, v)
		if pkg == dbtctx.PkgDBT {
			nc.Set(name, v)
		}
	}
	for _, f := range globals {
		orig, ok := nc.Resolve(f.Key)
		if !ok {
			continue
		}
		v := overrideValue(orig, f.Value)
		nc.Set(f.Key, v)
		if ns, ok := nc.Resolve(dbtctx.PkgDBT); ok {
			if item, ok := ns.(interface{ Item(any) (any, bool) }); ok {
				if _, has := item.Item(f.Key); has {
					override(dbtctx.PkgDBT, f.Key, v)
				}
			}
		}
	}
	for pkg, over := range nsOver {
		base, _ := nc.Resolve(pkg)
		nc.Set(pkg, &overriddenNamespace{base: base.(interface{ Item(any) (any, bool) }), over: over})
	}
}

// overrideValue is what an overridden name becomes: a macro (anything
// callable) turns into a call that returns the value.
func overrideValue(orig, value any) any {
	v := dbtctx.TemplateValue(value)
	if _, callable := orig.(jinja.Callable); callable {
		return jinja.Func(func(s *jinja.State, a *jinja.Args) (any, error) { return v, nil })
	}
	return v
}

// overriddenNamespace is a package's macro namespace with some entries
// replaced by a unit test's overrides.
type overriddenNamespace struct {
	base interface{ Item(any) (any, bool) }
	over map[string]any
}

// Item implements the template engine's mapping access.
func (n *overriddenNamespace) Item(key any) (any, bool) {
	if k, ok := key.(string); ok {
		if v, ok := n.over[k]; ok {
			return v, true
		}
	}
	return n.base.Item(key)
}

func callValue(s *jinja.State, fn any, a *jinja.Args) any {
	if c, ok := fn.(jinja.Callable); ok {
		return c.Call(s, a)
	}
	return nil
}
