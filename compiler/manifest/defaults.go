package manifest

import "sort"

// dbt's config classes, as ordered key lists with default values. dbt
// writes every field of the config class of a node's resource type in
// declaration order, then any extra (user) keys; a key missing from
// Node.Config is written with the default below.

// Shapes of small nested objects: key order and defaults. Read-only.
var (
	docsShape         = ordered{{"show", true}, {"node_color", nil}}
	contractShape     = ordered{{"enforced", false}, {"alias_types", true}}
	snapshotMetaShape = ordered{{"dbt_valid_to", nil}, {"dbt_valid_from", nil}, {"dbt_scd_id", nil}, {"dbt_updated_at", nil}, {"dbt_is_deleted", nil}}
	versionPtrShape   = ordered{{"enabled", nil}, {"alias", nil}}
	afterShape        = ordered{{"count", nil}, {"period", nil}}
	freshnessShape    = ordered{{"warn_after", afterShape}, {"error_after", afterShape}, {"filter", nil}}
	hookShape         = ordered{{"sql", ""}, {"transaction", true}, {"index", nil}}
	argumentShape     = ordered{{"name", ""}, {"type", nil}, {"description", ""}}
	ownerShape        = ordered{{"email", nil}, {"name", nil}}
	sourceQuoting     = ordered{{"database", nil}, {"schema", nil}, {"identifier", nil}, {"column", nil}}
	metadataQuoting   = ordered{{"database", true}, {"schema", true}, {"identifier", true}, {"column", nil}}
)

// Fields shared by every SQL/seed node config (dbt's NodeConfig).
var nodeConfigKeys = []kv{
	{"enabled", true},
	{"alias", nil},
	{"schema", nil},
	{"database", nil},
	{"tags", []any{}},
	{"meta", map[string]any{}},
	{"group", nil},
	{"static_analysis", nil},
	{"materialized", "view"},
	{"incremental_strategy", nil},
	{"batch_size", nil},
	{"lookback", int64(1)},
	{"begin", nil},
	{"persist_docs", map[string]any{}},
	{"post-hook", []any{}},
	{"pre-hook", []any{}},
	{"quoting", map[string]any{}},
	{"column_types", map[string]any{}},
	{"full_refresh", nil},
	{"unique_key", nil},
	{"on_schema_change", "ignore"},
	{"on_configuration_change", "apply"},
	{"grants", map[string]any{}},
	{"packages", []any{}},
	{"docs", nil}, // docsDefault
	{"contract", nil},
	{"event_time", nil},
	{"concurrent_batches", nil},
}

func withKeys(base []kv, materialized any, extra ...kv) []kv {
	out := make([]kv, 0, len(base)+len(extra))
	for _, e := range base {
		if e.k == "materialized" && materialized != nil {
			e.v = materialized
		}
		out = append(out, e)
	}
	return append(out, extra...)
}

var (
	modelConfigKeys = withKeys(nodeConfigKeys, nil,
		kv{"access", "protected"},
		kv{"freshness", nil},
		kv{"on_error", nil},
		kv{"latest_version_pointer", nil})
	seedConfigKeys = withKeys(nodeConfigKeys, "seed",
		kv{"delimiter", ","},
		kv{"quote_columns", nil})
	snapshotConfigKeys = withKeys(nodeConfigKeys, "snapshot",
		kv{"strategy", nil},
		kv{"target_schema", nil},
		kv{"target_database", nil},
		kv{"updated_at", nil},
		kv{"check_cols", nil},
		kv{"snapshot_meta_column_names", nil},
		kv{"dbt_valid_to_current", nil})
	testConfigKeys = []kv{
		{"enabled", true},
		{"alias", nil},
		{"schema", "dbt_test__audit"},
		{"database", nil},
		{"tags", []any{}},
		{"meta", map[string]any{}},
		{"group", nil},
		{"static_analysis", nil},
		{"materialized", "test"},
		{"severity", "ERROR"},
		{"store_failures", nil},
		{"store_failures_as", nil},
		{"sql_header", nil},
		{"where", nil},
		{"limit", nil},
		{"fail_calc", "count(*)"},
		{"warn_if", "!= 0"},
		{"error_if", "!= 0"},
	}
	sourceConfigKeys = []kv{
		{"enabled", true},
		{"event_time", nil},
		{"freshness", nil},
		{"loaded_at_field", nil},
		{"loaded_at_query", nil},
		{"meta", map[string]any{}},
		{"tags", []any{}},
		{"static_analysis", nil},
	}
	exposureConfigKeys = []kv{
		{"enabled", true},
		{"tags", []any{}},
		{"meta", map[string]any{}},
	}
)

// configSpec is one config class: its fields and a set for lookups.
type configSpec struct {
	keys   []kv
	set    map[string]bool
	source bool // freshness is a nested object (sources only)

	// Per key, worked out once: its JSON text with the colon, whether it
	// holds hooks, and its nested shape.
	quoted [][]byte
	hooks  []bool
	shapes []ordered
}

func newSpec(keys []kv, source bool) *configSpec {
	s := &configSpec{keys: keys, set: make(map[string]bool, len(keys)), source: source}
	for _, e := range keys {
		s.set[e.k] = true
		s.quoted = append(s.quoted, append(appendPyString(nil, e.k), ':', ' '))
		s.hooks = append(s.hooks, e.k == "pre-hook" || e.k == "post-hook")
		s.shapes = append(s.shapes, nestedShape(e.k, source))
	}
	return s
}

var (
	nodeSpec     = newSpec(nodeConfigKeys, false)
	modelSpec    = newSpec(modelConfigKeys, false)
	seedSpec     = newSpec(seedConfigKeys, false)
	snapshotSpec = newSpec(snapshotConfigKeys, false)
	testSpec     = newSpec(testConfigKeys, false)
	sourceSpec   = newSpec(sourceConfigKeys, true)
	exposureSpec = newSpec(exposureConfigKeys, false)
)

func specFor(rt ResourceType) *configSpec {
	switch rt {
	case Model:
		return modelSpec
	case Seed:
		return seedSpec
	case Snapshot:
		return snapshotSpec
	case Test:
		return testSpec
	}
	return nodeSpec
}

// nestedShape gives the shape of config keys that dbt models as small
// classes with their own field order and defaults.
func nestedShape(key string, source bool) ordered {
	switch key {
	case "docs":
		return docsShape
	case "contract":
		return contractShape
	case "snapshot_meta_column_names":
		return snapshotMetaShape
	case "latest_version_pointer":
		return versionPtrShape
	case "freshness":
		if source {
			return freshnessShape
		}
	}
	return nil
}

// ExplicitNull marks a value the user set to null (a source table's
// `freshness: null`), which dbt writes as null where an absent value is
// written as an object of nulls.
var ExplicitNull any = explicitNull{}

type explicitNull struct{}

// fixedObj writes v (a map, or nil) over shape: shape's keys in shape's
// order with v's values where present (nested shapes applied to nested
// maps), then v's other keys sorted. An ordered v is written as is.
func (w *jw) fixedObj(v any, shape ordered) {
	var m map[string]any
	switch x := v.(type) {
	case explicitNull:
		w.null()
		return
	case map[string]any:
		m = x
	case Config:
		m = x
	case ordered:
		w.value(x)
		return
	}
	w.beginObj()
	matched := 0
	for _, f := range shape {
		w.key(f.k)
		x, ok := m[f.k]
		if ok {
			matched++
		}
		if sub, isShape := f.v.(ordered); isShape {
			if !ok || x == nil {
				w.fixedObj(nil, sub)
			} else if _, isMap := x.(map[string]any); isMap {
				w.fixedObj(x, sub)
			} else {
				w.value(x)
			}
			continue
		}
		if !ok {
			x = f.v
		}
		w.value(x)
	}
	if matched < len(m) {
		for _, k := range sortedKeys(m) {
			if !hasKey(shape, k) {
				w.key(k)
				w.value(m[k])
			}
		}
	}
	w.endObj()
}

func hasKey(o ordered, k string) bool {
	for _, e := range o {
		if e.k == k {
			return true
		}
	}
	return false
}

// writeHooks writes pre-/post-hooks as dbt's Hook objects {sql,
// transaction, index}; config may hold bare SQL strings.
func (w *jw) writeHooks(v any) {
	w.beginArr()
	switch x := v.(type) {
	case string:
		w.fixedObj(map[string]any{"sql": x}, hookShape)
	case []string:
		for _, s := range x {
			w.fixedObj(map[string]any{"sql": s}, hookShape)
		}
	case []any:
		for _, h := range x {
			switch y := h.(type) {
			case string:
				w.fixedObj(map[string]any{"sql": y}, hookShape)
			case map[string]any:
				w.fixedObj(y, hookShape)
			default:
				w.value(h)
			}
		}
	}
	w.endArr()
}

// writeConfig writes cfg in the order of spec, defaults filled in, then
// the keys spec does not know (user configs) sorted.
func writeConfig(e *jw, spec *configSpec, cfg map[string]any) {
	e.beginObj()
	matched := 0
	for i, f := range spec.keys {
		v, ok := cfg[f.k]
		if ok {
			matched++
		} else {
			v = f.v
		}
		e.rawKey(spec.quoted[i])
		if spec.hooks[i] {
			e.writeHooks(v)
			continue
		}
		if shape := spec.shapes[i]; shape != nil {
			if v == nil || isMap(v) {
				e.fixedObj(v, shape)
				continue
			}
		}
		e.value(v)
	}
	if matched < len(cfg) {
		var extra []string
		for k := range cfg {
			if !spec.set[k] {
				extra = append(extra, k)
			}
		}
		sort.Strings(extra)
		for _, k := range extra {
			e.key(k)
			e.value(cfg[k])
		}
	}
	e.endObj()
}

func isMap(v any) bool {
	switch v.(type) {
	case map[string]any, Config:
		return true
	}
	return false
}
