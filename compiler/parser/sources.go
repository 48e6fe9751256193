package parser

import (
	"fmt"

	"github.com/gdbt/gdbt/compiler/manifest"
	"github.com/gdbt/gdbt/compiler/project"
)

// Source table configs as dbt resolves them: dbt_project.yml's sources:
// tree, then what the schema file says (the source's config:, the table's
// config: and the properties that are configs too: freshness,
// loaded_at_field, loaded_at_query, meta and tags), then, for a package's
// source, the root project's tree.

// sourceProps is a source table's resolved config and the properties
// dbt copies from it.
type sourceProps struct {
	config     manifest.Config
	unrendered manifest.Config
	meta       map[string]any // config.meta: tree, source, table
	sourceMeta map[string]any // the source's own meta and config.meta
	tags       []string
	freshness  any // the merged threshold, ExplicitNull, or nil when never set
	loadedAt   any
}

// sourceConfig computes the configs of table t of source s, whose fqn is
// fqn. Schema files are rendered before dbt reads them (except
// loaded_at_query), so the schema-file part is rendered in both configs;
// only the tree's values stay as written in the unrendered one.
func (p *parser) sourceConfig(pkg string, s, t *project.Value, fqn []string) (*sourceProps, error) {
	sc, err := p.renderedMap(s.Get("config"), "loaded_at_query")
	if err != nil {
		return nil, err
	}
	tc, err := p.renderedMap(t.Get("config"), "loaded_at_query")
	if err != nil {
		return nil, err
	}
	// What the schema file sets, with dbt's precedence: the table's config
	// over the source's, then the properties merged from every level.
	patch := map[string]any{}
	for k, v := range sc {
		patch[k] = v
	}
	for k, v := range tc {
		patch[k] = v
	}
	fresh := mergeFreshness([]*project.Value{s.Get("freshness"), s.Get("config").Get("freshness"),
		t.Get("freshness"), t.Get("config").Get("freshness")})
	switch {
	case fresh == nil:
		patch["freshness"] = manifest.ExplicitNull
	case fresh.set():
		patch["freshness"] = fresh.value()
	default:
		delete(patch, "freshness")
	}
	loadedAt, loadedAtQuery, err := p.loadedAt(s, t, sc, tc)
	if err != nil {
		return nil, err
	}
	patch["loaded_at_field"] = loadedAt
	patch["loaded_at_query"] = loadedAtQuery
	sourceMeta := map[string]any{}
	meta := map[string]any{}
	for i, m := range []any{s.Get("meta"), sc["meta"], t.Get("meta"), tc["meta"]} {
		var mm map[string]any
		switch x := m.(type) {
		case *project.Value:
			r, err := p.renderedMap(x)
			if err != nil {
				return nil, err
			}
			mm = r
		case map[string]any:
			mm = x
		}
		for k, v := range mm {
			meta[k] = v
			if i < 2 {
				sourceMeta[k] = v
			}
		}
	}
	patch["meta"] = meta
	tagSet := map[string]bool{}
	for _, list := range []any{s.Get("tags").Interface(), sc["tags"], t.Get("tags").Interface(), tc["tags"]} {
		for _, tag := range manifest.StringList(list) {
			tagSet[tag] = true
		}
	}
	tags := sortedKeys(tagSet)
	patch["tags"] = toAnyStrings(tags)

	// The rendered config merges as dbt's SourceConfig does: meta key by
	// key, every other key replaced.
	own, active := p.root.ProjectConfig("source", pkg, fqn)
	cfg := manifest.Config{}
	for _, layer := range []map[string]any{plainMap(own), patch, plainMap(active)} {
		for k, v := range layer {
			if old, ok := cfg["meta"].(map[string]any); ok && k == "meta" {
				merged := map[string]any{}
				for mk, mv := range old {
					merged[mk] = mv
				}
				for mk, mv := range asMap(v) {
					merged[mk] = mv
				}
				v = merged
			}
			cfg[k] = v
		}
	}
	if _, ok := cfg["enabled"]; !ok {
		cfg["enabled"] = true
	}
	// A freshness the tree sets (the root's over the schema file, the
	// package's under it) is taken whole, in dbt's shape.
	_, patched := patch["freshness"]
	if tf := active.Get("freshness"); tf != nil {
		cfg["freshness"] = freshnessFrom(tf).value()
	} else if tf := own.Get("freshness"); tf != nil && !patched {
		cfg["freshness"] = freshnessFrom(tf).value()
	}
	// The unrendered config (dbt compares it for state:modified) replaces
	// key by key: the tree as written, then the schema file's part.
	unrendered := manifest.Config{}
	for _, e := range p.root.UnrenderedConfig("source", pkg, fqn).Entries {
		unrendered[e.Key] = e.Value.Interface()
	}
	for k, v := range patch {
		unrendered[k] = v
	}
	props := &sourceProps{config: cfg, unrendered: unrendered, meta: asMap(cfg["meta"]), sourceMeta: sourceMeta,
		tags: manifest.StringList(cfg["tags"]), loadedAt: cfg["loaded_at_field"]}
	if props.tags == nil {
		props.tags = []string{}
	}
	if f, ok := cfg["freshness"]; ok {
		props.freshness = f
	}
	if freshnessSet(props.freshness) && isFalsy(props.loadedAt) && isFalsy(cfg["loaded_at_query"]) {
		// Postgres has no metadata-based freshness: dbt warns (at parse
		// time, in the order it reads sources).
		p.warnings = append(p.warnings, warning(fmt.Sprintf("The configured adapter does not support metadata-based freshness. "+
			"A loaded_at_field must be specified for source '%s.%s'.", str(s.Get("name")), str(t.Get("name")))))
	}
	return props, nil
}

// freshnessSet reports whether a resolved freshness has a threshold dbt
// can check (a warn_after or error_after with both count and period).
func freshnessSet(v any) bool {
	m, _ := v.(map[string]any)
	for _, k := range []string{"warn_after", "error_after"} {
		if a, ok := m[k].(map[string]any); ok && a["count"] != nil && a["period"] != nil {
			return true
		}
	}
	return false
}

// loadedAt is dbt's choice of loaded_at_field and loaded_at_query: the
// table's when it sets either (a table's explicit loaded_at_field, even
// null, also clears the source's query), else the source's. A key may sit
// on the entry or under config:.
func (p *parser) loadedAt(s, t *project.Value, sc, tc map[string]any) (field, query any, err error) {
	top := func(v *project.Value, key string) any {
		x := v.Get(key)
		if x.IsNull() {
			return nil
		}
		if key == "loaded_at_query" {
			return x.Interface()
		}
		r, err2 := p.renderedValue(x)
		if err2 != nil {
			err = err2
		}
		return r
	}
	or := func(a, b any) any {
		if a != nil && a != "" {
			return a
		}
		return b
	}
	tableField := t.Get("loaded_at_field")
	if tableField != nil || tc["loaded_at_field"] != nil {
		field = or(top(t, "loaded_at_field"), tc["loaded_at_field"])
	} else {
		field = or(top(s, "loaded_at_field"), sc["loaded_at_field"])
	}
	switch {
	case top(t, "loaded_at_query") != nil || tc["loaded_at_query"] != nil:
		query = or(top(t, "loaded_at_query"), tc["loaded_at_query"])
	case tableField != nil:
		query = nil
	default:
		query = or(top(s, "loaded_at_query"), sc["loaded_at_query"])
	}
	return field, query, err
}

// renderedMap renders the strings of a schema-file mapping (keys in skip
// stay as written); a missing or non-mapping value gives an empty map.
func (p *parser) renderedMap(v *project.Value, skip ...string) (map[string]any, error) {
	out := map[string]any{}
	if v.IsNull() || v.Kind != project.Map {
		return out, nil
	}
	for _, e := range v.Entries {
		if containsStr(skip, e.Key) {
			out[e.Key] = e.Value.Interface()
			continue
		}
		r, err := p.renderedValue(e.Value)
		if err != nil {
			return nil, err
		}
		out[e.Key] = r
	}
	return out, nil
}

// renderedValue is v as plain Go values with Jinja in its strings
// rendered, as dbt renders schema files.
func (p *parser) renderedValue(v *project.Value) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch v.Kind {
	case project.Map:
		return p.renderedMap(v)
	case project.List:
		out := make([]any, len(v.Items))
		for i, it := range v.Items {
			r, err := p.renderedValue(it)
			if err != nil {
				return nil, err
			}
			out[i] = r
		}
		return out, nil
	}
	if s, ok := v.Scalar.(string); ok {
		return p.renderYAMLString(s, v.Pos)
	}
	return v.Scalar, nil
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

// ---------------------------------------------------------------------------
// Freshness

// threshold is dbt's FreshnessThreshold; a nil *threshold or *afterTime
// is an explicit null.
type threshold struct {
	warn, err *afterTime
	filter    any
}

// afterTime is dbt's Time: count and period, each possibly unset (nil).
type afterTime struct{ count, period any }

func (t *afterTime) set() bool { return t != nil && t.count != nil && t.period != nil }

func (f *threshold) set() bool { return f != nil && (f.warn.set() || f.err.set()) }

// freshnessFrom reads one freshness: value; a missing one is an empty
// threshold, an explicit null is nil.
func freshnessFrom(v *project.Value) *threshold {
	if v == nil {
		return &threshold{warn: &afterTime{}, err: &afterTime{}}
	}
	if v.IsNull() {
		return nil
	}
	after := func(key string) *afterTime {
		x := v.Get(key)
		if x == nil {
			return &afterTime{}
		}
		if x.IsNull() {
			return nil
		}
		return &afterTime{count: x.Get("count").Interface(), period: x.Get("period").Interface()}
	}
	return &threshold{warn: after("warn_after"), err: after("error_after"), filter: v.Get("filter").Interface()}
}

// mergeFreshness merges the freshness of a source, its config, the table
// and its config in that order, as dbt's merge_source_freshness: later
// values win field by field, one level into warn_after and error_after; a
// null clears everything before it unless a later level sets a threshold.
func mergeFreshness(levels []*project.Value) *threshold {
	cur := freshnessFrom(levels[0])
	for _, l := range levels[1:] {
		up := freshnessFrom(l)
		switch {
		case cur != nil && up != nil:
			merged := &threshold{warn: mergeAfter(cur.warn, up.warn), err: mergeAfter(cur.err, up.err), filter: cur.filter}
			if up.filter != nil {
				merged.filter = up.filter
			}
			cur = merged
		case cur == nil && up.set():
			cur = up
		default:
			cur = nil
		}
	}
	return cur
}

func mergeAfter(base, up *afterTime) *afterTime {
	switch {
	case base.set() && up.set():
		return up
	case up == nil:
		return nil
	case up.set():
		return up
	}
	return base
}

// value is the threshold as the manifest writes it.
func (f *threshold) value() any {
	if f == nil {
		return manifest.ExplicitNull
	}
	after := func(t *afterTime) any {
		if t == nil {
			return manifest.ExplicitNull
		}
		return map[string]any{"count": t.count, "period": t.period}
	}
	return map[string]any{"warn_after": after(f.warn), "error_after": after(f.err), "filter": f.filter}
}
