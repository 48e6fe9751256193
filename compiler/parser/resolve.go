package parser

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/gdbt/gdbt/compiler/dbtctx"
	"github.com/gdbt/gdbt/compiler/jinja"
	"github.com/gdbt/gdbt/compiler/manifest"
	"github.com/gdbt/gdbt/compiler/project"
	"github.com/gdbt/gdbt/compiler/source"
)

// defaults returns dbt's default config for a resource type, in the
// order dbt's manifest lists the keys.
// defaultsCache holds the immutable default configs per resource type.
var defaultsCache sync.Map

func defaults(rt manifest.ResourceType) *project.Value {
	if v, ok := defaultsCache.Load(rt); ok {
		return v.(*project.Value)
	}
	v := buildDefaults(rt)
	defaultsCache.Store(rt, v)
	return v
}

func buildDefaults(rt manifest.ResourceType) *project.Value {
	m := jinja.NewDict()
	set := func(k string, v any) { m.Set(k, v) }
	set("enabled", true)
	set("alias", nil)
	if rt == manifest.Test {
		// dbt's default for every data test: failures are stored in
		// <target schema>_dbt_test__audit.
		set("schema", "dbt_test__audit")
	} else {
		set("schema", nil)
	}
	set("database", nil)
	set("tags", jinja.NewList())
	set("meta", jinja.NewDict())
	set("group", nil)
	switch rt {
	case manifest.Test:
		set("materialized", "test")
		set("severity", "ERROR")
		set("store_failures", nil)
		set("store_failures_as", nil)
		set("where", nil)
		set("limit", nil)
		set("fail_calc", "count(*)")
		set("warn_if", "!= 0")
		set("error_if", "!= 0")
		return project.FromJinja(m, source.Position{})
	}
	mat := "view"
	switch rt {
	case manifest.Seed:
		mat = "seed"
	case manifest.Snapshot:
		mat = "snapshot"
	}
	set("materialized", mat)
	set("incremental_strategy", nil)
	set("batch_size", nil)
	set("lookback", int64(1))
	set("begin", nil)
	set("persist_docs", jinja.NewDict())
	set("post-hook", jinja.NewList())
	set("pre-hook", jinja.NewList())
	set("quoting", jinja.NewDict())
	set("column_types", jinja.NewDict())
	set("full_refresh", nil)
	set("unique_key", nil)
	set("on_schema_change", "ignore")
	set("on_configuration_change", "apply")
	set("grants", jinja.NewDict())
	set("packages", jinja.NewList())
	docs := jinja.NewDict()
	docs.Set("show", true)
	docs.Set("node_color", nil)
	set("docs", docs)
	contract := jinja.NewDict()
	contract.Set("enforced", false)
	contract.Set("alias_types", true)
	set("contract", contract)
	set("event_time", nil)
	set("concurrent_batches", nil)
	switch rt {
	case manifest.Model:
		set("access", "protected")
	case manifest.Seed:
		set("delimiter", ",")
		set("quote_columns", nil)
	case manifest.Snapshot:
		for _, k := range []string{"strategy", "target_schema", "target_database", "updated_at", "check_cols", "snapshot_meta_column_names", "dbt_valid_to_current"} {
			set(k, nil)
		}
	}
	return project.FromJinja(m, source.Position{})
}

func patchKey(rt manifest.ResourceType, pkg, name string) string {
	return string(rt) + "\x00" + pkg + "\x00" + name
}

// resolveNodes renders every SQL node with the parse context (in
// parallel), then resolves its config, location and documentation.
func (p *parser) resolveNodes() error {
	patches := make(map[string]*patch, len(p.patches))
	for _, pt := range p.patches {
		patches[patchKey(pt.rt, pt.pkg, pt.name)] = pt
	}
	for _, f := range p.sqlNodes {
		f.patch = patches[patchKey(f.node.ResourceType, f.node.Package, f.node.Name)]
	}
	err := p.parallel(len(p.sqlNodes), func(i int) error {
		f := p.sqlNodes[i]
		if f.tmpl != nil {
			// At parse time config.get returns "" (as dbt's parse
			// provider does), so the node renders before its config is
			// resolved.
			f.node.Config = manifest.Config{}
			if err := p.renderParse(f); err != nil {
				return err
			}
		}
		f.node.Config = p.configFor(f, true)
		f.node.UnrenderedConfig = p.unrenderedConfig(f)
		// Disabled nodes are patched and located too: dbt lists them,
		// complete, in the manifest's disabled section.
		if err := p.applyPatch(f); err != nil {
			return err
		}
		if f.hookTag != "" {
			f.node.Tags = append([]string{f.hookTag}, f.node.Tags...)
		}
		return p.locate(f.node)
	})
	if err != nil {
		return err
	}
	for _, f := range p.sqlNodes {
		n := f.node
		n.Refs = f.refs
		n.Sources = f.sources
		n.DependsOnMacros = append(n.DependsOnMacros, f.called...)
		if !n.Config.Bool("enabled") {
			p.m.Disabled[n.UniqueID] = append(p.m.Disabled[n.UniqueID], n)
			continue
		}
		if old, dup := p.m.Nodes[n.UniqueID]; dup {
			return fmt.Errorf("%s:1:1: dbt found two %ss with the name \"%s\" (also %s); a ref could not tell them apart",
				n.OriginalFilePath, n.ResourceType, n.Name, old.OriginalFilePath)
		}
		if f.tmpl != nil {
			p.tmpls[n.UniqueID] = f.tmpl
		}
		p.m.Nodes[n.UniqueID] = n
	}
	return nil
}

// configFor merges dbt_project.yml, the schema-file patch and (when
// withCalls) the node's config() calls, with dbt's precedence.
func (p *parser) configFor(f *sqlFile, withCalls bool) manifest.Config {
	n := f.node
	own, active := p.root.ProjectConfig(string(n.ResourceType), n.Package, n.FQN)
	var levels []*project.Value // merged over the project-level config, in order
	if f.patch != nil && !f.patch.config.IsNull() {
		levels = append(levels, f.patch.config)
	}
	if f.version != nil && !f.version.config.IsNull() {
		levels = append(levels, f.version.config)
	}
	if withCalls {
		for _, c := range f.configs {
			levels = append(levels, project.FromJinja(c, source.Position{File: n.OriginalFilePath}))
		}
	}
	if active != nil {
		levels = append(levels, active)
	}
	base := p.baseConfig(n.ResourceType, own)
	if len(levels) == 0 {
		return toConfig(base) // converting copies: the shared base stays as it is
	}
	cfg := base.CloneMap() // ours: the levels merge into it in place
	for _, l := range levels {
		project.MergeInto(cfg, l)
	}
	return toConfig(cfg)
}

// baseConfig is the resource type's defaults merged with a project-level
// config. Nodes in one folder share the same project-level config value, so
// the merge is done once per folder; the result is shared, never changed.
func (p *parser) baseConfig(rt manifest.ResourceType, own *project.Value) *project.Value {
	type key struct {
		rt  manifest.ResourceType
		own *project.Value
	}
	k := key{rt, own}
	v, ok := p.bases.Load(k)
	if !ok {
		v, _ = p.bases.LoadOrStore(k, project.MergeConfig(defaults(rt), own))
	}
	return v.(*project.Value)
}

// unrenderedConfig is dbt's unrendered_config: the configs as written in
// dbt_project.yml, the schema file and config() calls (a call's argument
// as its source text, a string literal as its value), later ones
// replacing earlier ones.
func (p *parser) unrenderedConfig(f *sqlFile) manifest.Config {
	n := f.node
	out := manifest.Config{}
	rt := string(n.ResourceType)
	if n.ResourceType == manifest.Analysis {
		rt = "model" // dbt configures analyses from the models: tree
	}
	for _, e := range p.root.UnrenderedConfig(rt, n.Package, n.FQN).Entries {
		out[e.Key] = e.Value.Interface()
	}
	if f.patch != nil && !f.patch.config.IsNull() {
		for _, e := range f.patch.config.Entries {
			out[e.Key] = e.Value.Interface()
		}
	}
	if f.tmpl != nil {
		for _, c := range f.tmpl.StaticCalls("config") {
			for i, kv := range c.Kwargs {
				if i < len(c.KwargText) {
					out[kv.Name] = dbtctx.ToGo(c.KwargText[i])
				}
			}
		}
	}
	return out
}

func toConfig(v *project.Value) manifest.Config {
	m, _ := v.Interface().(map[string]any)
	if m == nil {
		m = map[string]any{}
	}
	// Hooks are lists of {sql, transaction, index} in the manifest.
	for _, key := range []string{"pre-hook", "post-hook"} {
		if raw, ok := m[key]; ok {
			m[key] = hookList(raw)
		}
	}
	if tags, ok := m["tags"]; ok {
		m["tags"] = uniqueStrings(tags)
	}
	return manifest.Config(m)
}

func hookList(raw any) []any {
	var items []any
	switch x := raw.(type) {
	case []any:
		items = x
	case nil:
	default:
		items = []any{x}
	}
	out := make([]any, 0, len(items))
	for _, it := range items {
		h, ok := it.(map[string]any)
		if !ok {
			text := fmt.Sprint(it)
			// before_begin()/after_commit() render a JSON object naming
			// the SQL and whether it runs in the transaction.
			var decoded map[string]any
			if strings.HasPrefix(strings.TrimSpace(text), "{") && json.Unmarshal([]byte(text), &decoded) == nil && decoded["sql"] != nil {
				h = decoded
			} else {
				h = map[string]any{"sql": text}
			}
		}
		tx, ok := h["transaction"].(bool)
		if !ok {
			tx = true
		}
		out = append(out, map[string]any{"sql": fmt.Sprint(h["sql"]), "transaction": tx, "index": nil})
	}
	return out
}

func uniqueStrings(v any) []any {
	var out []any
	seen := map[string]bool{}
	add := func(s string) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			add(fmt.Sprint(e))
		}
	case string:
		add(x)
	}
	if out == nil {
		out = []any{}
	}
	return out
}

func (p *parser) applyPatch(f *sqlFile) error {
	n := f.node
	n.Tags = n.Config.Strings("tags")
	if n.Tags == nil {
		n.Tags = []string{}
	}
	n.Meta, _ = n.Config["meta"].(map[string]any)
	if n.Meta == nil {
		n.Meta = map[string]any{}
	}
	n.Docs, _ = n.Config["docs"].(map[string]any)
	n.Access = n.Config.String("access")
	n.Group = n.Config.String("group")
	pt := f.patch
	if pt == nil {
		return nil
	}
	n.PatchPath = n.Package + "://" + pt.file
	desc, docs, err := p.renderDoc(n.Package, pt.description)
	if err != nil {
		return fmt.Errorf("%s: %w", pt.file, err)
	}
	n.Description = desc
	n.DocBlocks = docs
	cols := pt.columns
	if f.version != nil && f.version.hasCols {
		cols = f.version.columns
	}
	for _, c := range cols {
		cc := *c
		if cc.Description, cc.DocBlocks, err = p.renderDoc(n.Package, c.Description); err != nil {
			return fmt.Errorf("%s: %w", pt.file, err)
		}
		n.Columns = append(n.Columns, &cc)
	}
	for k, v := range pt.meta {
		n.Meta[k] = v
	}
	for _, t := range pt.tags {
		if !containsStr(n.Tags, t) {
			n.Tags = append(n.Tags, t)
		}
	}
	constraints := pt.constraints
	if f.version != nil && len(f.version.constraints) > 0 {
		constraints = f.version.constraints // dbt: the version's, if any, else the model's
	}
	return p.applyContract(f, constraints, pt.file)
}

func containsStr(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// renderDoc renders a description, resolving {{ doc('name') }}, and
// returns the docs it used (dbt's doc_blocks).
func (p *parser) renderDoc(pkg, text string) (string, []string, error) {
	docs := []string{}
	if !strings.Contains(text, "{{") && !strings.Contains(text, "{%") {
		return text, docs, nil
	}
	t, err := p.jinja.Parse("description", text)
	if err != nil {
		return "", nil, err
	}
	ctx := p.env.NewNodeContext(nil, dbtctx.Parse)
	ctx.Set("doc", jinja.Func(func(s *jinja.State, a *jinja.Args) (any, error) {
		var pkgName, name string
		switch a.Len() {
		case 1:
			name = jinja.ToString(a.Pos[0])
		case 2:
			pkgName, name = jinja.ToString(a.Pos[0]), jinja.ToString(a.Pos[1])
		default:
			return nil, fmt.Errorf("doc() takes one or two arguments")
		}
		for _, cand := range []string{pkgName, pkg, p.root.Name} {
			if cand == "" {
				continue
			}
			if d, ok := p.m.Docs["doc."+cand+"."+name]; ok {
				docs = append(docs, d.UniqueID)
				return d.BlockContents, nil
			}
		}
		for _, d := range p.m.Docs {
			if d.Name == name && (pkgName == "" || d.Package == pkgName) {
				docs = append(docs, d.UniqueID)
				return d.BlockContents, nil
			}
		}
		return nil, fmt.Errorf("Documentation for '%s' depends on doc '%s' which was not found", pkg, name)
	}))
	out, err := t.Execute(ctx, nil)
	return out, docs, err
}

// applyVersions turns the files of versioned models into version nodes:
// model.<pkg>.<name>.v<v>, found by defined_in, <name>_v<v>.sql, or the
// unversioned <name>.sql for a version without a file of its own.
func (p *parser) applyVersions() error {
	byStem := map[string]*sqlFile{}
	for _, f := range p.sqlNodes {
		if f.node.ResourceType == manifest.Model {
			byStem[f.node.Package+"\x00"+f.node.Name] = f
		}
	}
	for _, pt := range p.patches {
		if pt.rt != manifest.Model || len(pt.versions) == 0 {
			continue
		}
		used := false
		for _, v := range pt.versions {
			vs := fmt.Sprint(v.v)
			stem := v.definedIn
			if stem == "" {
				stem = pt.name + "_v" + vs
			}
			f := byStem[pt.pkg+"\x00"+stem]
			if f == nil && !used {
				f = byStem[pt.pkg+"\x00"+pt.name]
				used = f != nil
			}
			if f == nil {
				return fmt.Errorf("%s: model '%s' version %s has no file (expected %s.sql)", pt.file, pt.name, vs, stem)
			}
			n := f.node
			n.Name = pt.name
			n.Version = normVersion(v.v)
			n.LatestVersion = normVersion(pt.latest)
			n.UniqueID = "model." + pt.pkg + "." + pt.name + ".v" + vs
			n.FQN = append(n.FQN[:len(n.FQN)-1], pt.name, "v"+vs)
			f.version = v
		}
	}
	return nil
}

func normVersion(v any) any {
	switch x := v.(type) {
	case int64:
		return x
	case float64:
		if x == float64(int64(x)) {
			return int64(x)
		}
	}
	return v
}

// defaultName is what gdbt's built-in generate_schema_name,
// generate_database_name and generate_alias_name return (macros/dbt/naming.sql).
func (p *parser) defaultName(macro string, custom any, n *manifest.Node) string {
	get := func(k string) string { v, _ := p.env.Target.Get(k); return jinja.ToString(v) }
	c, hasCustom := custom.(string)
	switch macro {
	case "generate_schema_name":
		if !hasCustom {
			return get("schema")
		}
		return get("schema") + "_" + strings.TrimSpace(c)
	case "generate_database_name":
		if !hasCustom {
			return get("database")
		}
		return c
	}
	if hasCustom && c != "" {
		return strings.TrimSpace(c)
	}
	if n.Version != nil {
		return n.Name + "_v" + strings.ReplaceAll(jinja.ToString(n.Version), ".", "_")
	}
	return n.Name
}

// locate sets database, schema and alias with the generate_*_name macros
// (the root project's overrides win, as in dbt).
func (p *parser) locate(n *manifest.Node) error {
	call := func(macro string, custom any) (string, error) {
		ref, ok := p.macros.Lookup(p.root.Name, macro)
		if !ok {
			return "", fmt.Errorf("macro %s not found", macro)
		}
		if p.macros.IsInternal(ref.Package) {
			// The built-in macros, computed directly: same result,
			// without a template call per node.
			return p.defaultName(macro, custom, n), nil
		}
		ctx := p.env.NewNodeContext(n, dbtctx.Parse)
		v, err := p.jinja.CallMacro(ctx, nil, ref.Macro, &jinja.Args{Pos: []any{custom, dbtctx.NodeDict(n)}})
		if err != nil {
			return "", fmt.Errorf("%s: %w", n.OriginalFilePath, err)
		}
		return strings.TrimSpace(jinja.ToString(v)), nil
	}
	var err error
	orNone := func(key string) any {
		if s := n.Config.String(key); s != "" {
			return s
		}
		return nil
	}
	customSchema := orNone("schema")
	customDB := orNone("database")
	if n.ResourceType == manifest.Snapshot {
		// Legacy snapshot configs name the schema and database exactly.
		if ts := n.Config.String("target_schema"); ts != "" {
			n.Schema = ts
			customSchema = nil
		}
		if td := n.Config.String("target_database"); td != "" {
			n.Database = td
			customDB = nil
		}
	}
	if n.Schema == "" {
		if n.Schema, err = call("generate_schema_name", customSchema); err != nil {
			return err
		}
	}
	if n.Database == "" {
		if n.Database, err = call("generate_database_name", customDB); err != nil {
			return err
		}
	}
	if n.Alias, err = call("generate_alias_name", orNone("alias")); err != nil {
		return err
	}
	switch {
	case n.ResourceType == manifest.Test, n.ResourceType == manifest.Analysis, n.ResourceType == manifest.Operation:
	case n.Config.String("materialized") == "ephemeral":
	default:
		n.RelationName = dbtctx.NewRelation(n.Database, n.Schema, n.Alias, "").String()
	}
	return nil
}
