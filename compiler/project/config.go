package project

import "strings"

// Resource config trees in dbt_project.yml are keyed like
//
//	models:
//	  +materialized: view      # config for every model
//	  my_project:              # a folder level: the package name first
//	    staging:
//	      +schema: stg
//	      tags: [x]            # plain non-mapping keys are configs too
//
// A plain key whose value is a mapping is a sub-folder (so `meta: {…}`
// without + is a folder, as in dbt).

// ConfigLevels returns the configs set at each level of p's tree for a
// resource on its fqn path (the package name is fqn[0]), shallowest first:
// the top level, then fqn[0], fqn[0]/fqn[1], … while the path exists.
// Each level holds only config keys, with the + removed.
func (p *Project) ConfigLevels(resource string, fqn []string) []*Value {
	return configLevels(p.Configs[configKey(resource)], fqn)
}

// UnrenderedConfig is ConfigFor over the trees as written, before Jinja
// (dbt's unrendered_config), merged with the same rules.
func (p *Project) UnrenderedConfig(resource, pkg string, fqn []string) *Value {
	root := p.Root0()
	proj := root.Dependency(pkg)
	if proj == nil {
		proj = root
	}
	key := configKey(resource)
	out := proj.mergedLevels("unrendered "+key, proj.Unrendered[key], fqn)
	if proj != root {
		out = MergeConfig(out, root.mergedLevels("unrendered "+key, root.Unrendered[key], fqn))
	}
	return out
}

// mergedLevels merges configLevels(tree, fqn), memoized: the result only
// depends on the part of fqn the tree's nested mappings match, which is
// the same for every model of a folder (tens of thousands of nodes share a
// handful of results). Results are shared: callers never modify them.
func (p *Project) mergedLevels(kind string, tree *Value, fqn []string) *Value {
	if tree == nil {
		return &Value{Kind: Map}
	}
	depth := 0
	for node := tree; depth < len(fqn); depth++ {
		next := node.Get(fqn[depth])
		if next == nil || next.Kind != Map || strings.HasPrefix(fqn[depth], "+") {
			break
		}
		node = next
	}
	key := kind + "\x00" + strings.Join(fqn[:depth], "\x00")
	if v, ok := p.merged.Load(key); ok {
		return v.(*Value)
	}
	out := &Value{Kind: Map}
	for _, l := range configLevels(tree, fqn[:depth]) {
		out = MergeConfig(out, l)
	}
	p.merged.Store(key, out)
	return out
}

func configLevels(tree *Value, fqn []string) []*Value {
	if tree == nil {
		return nil
	}
	var out []*Value
	node := tree
	for i := 0; ; i++ {
		lvl := &Value{Kind: Map, Pos: node.Pos}
		for _, e := range node.Entries {
			if strings.HasPrefix(e.Key, "+") {
				e.Key = strings.TrimSpace(e.Key[1:])
				lvl.set(e)
			} else if e.Value.Kind != Map {
				lvl.set(e)
			}
		}
		out = append(out, lvl)
		if i >= len(fqn) {
			break
		}
		next := node.Get(fqn[i])
		if next == nil || next.Kind != Map || strings.HasPrefix(fqn[i], "+") {
			break
		}
		node = next
	}
	return out
}

// configKey maps resource type names to their dbt_project.yml key.
func configKey(resource string) string {
	switch resource {
	case "model", "operation": // dbt configures project hooks from the models: tree
		return "models"
	case "seed":
		return "seeds"
	case "snapshot":
		return "snapshots"
	case "test", "tests", "data_test":
		return "data_tests"
	case "source":
		return "sources"
	case "exposure":
		return "exposures"
	case "unit_test":
		return "unit_tests"
	case "analysis":
		return "analyses"
	case "metric":
		return "metrics"
	case "semantic_model", "semantic_models":
		return "semantic-models"
	case "saved_query", "saved_queries":
		return "saved-queries"
	case "function":
		return "functions"
	}
	return resource
}

// ProjectConfig returns the dbt_project.yml configs for a resource of
// package pkg with the given fqn: own is the merge of the package's own
// tree, active the merge of the root project's tree (nil when pkg is the
// root). dbt applies own, then the schema-file patch, then config() calls,
// then active.
func (p *Project) ProjectConfig(resource, pkg string, fqn []string) (own, active *Value) {
	root := p.Root0()
	proj := root.Dependency(pkg)
	if proj == nil {
		proj = root
	}
	key := configKey(resource)
	own = proj.mergedLevels(key, proj.Configs[key], fqn)
	if proj == root {
		return own, nil
	}
	return own, root.mergedLevels(key, root.Configs[key], fqn)
}

// ConfigFor merges the package's own and the root project's configs for a
// resource (without schema-file patches or config() calls).
func (p *Project) ConfigFor(resource, pkg string, fqn []string) *Value {
	own, active := p.ProjectConfig(resource, pkg, fqn)
	if active != nil {
		return MergeConfig(own, active)
	}
	return own
}

// mergeRule is how dbt combines a config key set at two levels.
type mergeRule uint8

const (
	clobber mergeRule = iota
	appendList
	updateDict
	dictKeyAppend
)

// mergeRules follows dbt's MergeBehavior metadata on NodeConfig: lists
// append, some dicts update key by key, grants append per key, the rest
// replace.
var mergeRules = map[string]mergeRule{
	"tags":                   appendList,
	"pre-hook":               appendList,
	"post-hook":              appendList,
	"packages":               appendList,
	"meta":                   updateDict,
	"quoting":                updateDict,
	"column_types":           updateDict,
	"docs":                   updateDict,
	"contract":               updateDict,
	"latest_version_pointer": updateDict,
	"grants":                 dictKeyAppend,
}

// canonicalConfigKey spells the hook keys the way dbt's manifest does.
func canonicalConfigKey(k string) string {
	switch k {
	case "pre_hook":
		return "pre-hook"
	case "post_hook":
		return "post-hook"
	}
	return k
}

// MergeConfig returns dst updated with src under dbt's merge rules; neither
// input is modified. Append-rule keys (tags, hooks) always come out as lists.
func MergeConfig(dst, src *Value) *Value {
	out := &Value{Kind: Map}
	if n := len(dst.entries()) + len(src.entries()); n > 0 {
		out.Entries = make([]Entry, 0, n)
	}
	if dst != nil {
		out.Pos = dst.Pos
		for _, e := range dst.Entries {
			e.Key = canonicalConfigKey(e.Key)
			if mergeRules[e.Key] == appendList {
				var items []*Value
				if old := out.Get(e.Key); old != nil {
					items = append(items, listify(old)...)
				}
				e.Value = &Value{Kind: List, Pos: e.Value.Pos, Items: append(items, listify(e.Value)...)}
			}
			out.set(e)
		}
	}
	MergeInto(out, src)
	return out
}

// CloneMap copies a mapping's entry list, so the copy can be the dst of
// MergeInto while v, whose values both share, stays as it was.
func (v *Value) CloneMap() *Value {
	c := &Value{Kind: v.Kind, Pos: v.Pos}
	c.Entries = append(make([]Entry, 0, len(v.Entries)+2), v.Entries...)
	return c
}

// MergeInto updates dst, a mapping the caller owns (such as MergeConfig's
// result), with src under dbt's merge rules. Values are shared, never
// modified: merging several levels into one result copies nothing twice.
func MergeInto(out, src *Value) {
	if src == nil {
		return
	}
	for _, e := range src.Entries {
		e.Key = canonicalConfigKey(e.Key)
		old := out.Get(e.Key)
		if old == nil {
			if mergeRules[e.Key] == appendList {
				e.Value = &Value{Kind: List, Pos: e.Value.Pos, Items: listify(e.Value)}
			}
			out.set(e)
			continue
		}
		switch mergeRules[e.Key] {
		case appendList:
			l := &Value{Kind: List, Pos: e.Value.Pos}
			l.Items = append(append(l.Items, listify(old)...), listify(e.Value)...)
			e.Value = l
		case updateDict:
			if old.Kind == Map && e.Value.Kind == Map {
				e.Value = MergeConfigUpdate(old, e.Value)
			}
		case dictKeyAppend:
			if old.Kind == Map && e.Value.Kind == Map {
				m := &Value{Kind: Map, Pos: e.Value.Pos}
				for _, x := range old.Entries {
					x.Value = &Value{Kind: List, Pos: x.Value.Pos, Items: listify(x.Value)}
					m.set(x)
				}
				for _, x := range e.Value.Entries {
					items := listify(x.Value)
					if prev := m.Get(x.Key); prev != nil {
						items = append(append([]*Value(nil), prev.Items...), items...)
					}
					m.set(Entry{Key: x.Key, KeyPos: x.KeyPos, Value: &Value{Kind: List, Pos: x.Value.Pos, Items: items}})
				}
				e.Value = m
			}
		}
		out.set(e)
	}
}

// MergeConfigUpdate is a shallow dict update (Python's dict.update).
func MergeConfigUpdate(a, b *Value) *Value {
	m := &Value{Kind: Map, Pos: b.Pos, Entries: make([]Entry, 0, len(a.Entries)+len(b.Entries))}
	m.Entries = append(m.Entries, a.Entries...)
	for _, x := range b.Entries {
		m.set(x)
	}
	return m
}

// entries is v's mapping entries (none for nil or non-mappings).
func (v *Value) entries() []Entry {
	if v == nil {
		return nil
	}
	return v.Entries
}

func listify(v *Value) []*Value {
	if v.IsNull() {
		return nil
	}
	if v.Kind == List {
		return v.Items
	}
	return []*Value{v}
}

// ---------------------------------------------------------------------------
// Vars

// Var looks a variable up for a resource of package pkg with dbt's
// precedence, highest first: --vars; the root project's vars scoped to pkg;
// the root's global vars; then, for a package other than the root, the
// package's own vars scoped to itself and its own global vars. The value
// is returned as a template value, unrendered.
func (p *Project) Var(name, pkg string) (any, bool) {
	v, ok := p.VarValue(name, pkg)
	if !ok {
		return nil, false
	}
	return v.ToJinja(), true
}

// VarValue is Var returning the YAML value with its position.
func (p *Project) VarValue(name, pkg string) (*Value, bool) {
	root := p.Root0()
	if v := root.cliVars.Get(name); v != nil {
		return v, true
	}
	lookup := func(proj *Project) *Value {
		if scoped := proj.Vars.Get(pkg); scoped != nil && scoped.Kind == Map {
			if v := scoped.Get(name); v != nil {
				return v
			}
		}
		return proj.Vars.Get(name)
	}
	if v := lookup(root); v != nil {
		return v, true
	}
	if pkg != root.Name {
		if d := root.Dependency(pkg); d != nil {
			if v := lookup(d); v != nil {
				return v, true
			}
		}
	}
	return nil, false
}

// CLIVars returns the parsed --vars mapping.
func (p *Project) CLIVars() *Value { return p.Root0().cliVars }
