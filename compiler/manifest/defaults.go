package manifest

import "sort"

// dbt's config classes, as ordered key lists with default values. dbt
// writes every field of the config class of a node's resource type in
// declaration order, then any extra (user) keys; a key missing from
// Node.Config is written with the default below.

func docsDefault() ordered { return ordered{{"show", true}, {"node_color", nil}} }

func contractDefault() ordered { return ordered{{"enforced", false}, {"alias_types", true}} }

func snapshotMetaDefault() ordered {
	return ordered{{"dbt_valid_to", nil}, {"dbt_valid_from", nil}, {"dbt_scd_id", nil}, {"dbt_updated_at", nil}, {"dbt_is_deleted", nil}}
}

func freshnessDefault() ordered {
	return ordered{
		{"warn_after", ordered{{"count", nil}, {"period", nil}}},
		{"error_after", ordered{{"count", nil}, {"period", nil}}},
		{"filter", nil},
	}
}

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
}

func newSpec(keys []kv, source bool) *configSpec {
	s := &configSpec{keys: keys, set: make(map[string]bool, len(keys)), source: source}
	for _, e := range keys {
		s.set[e.k] = true
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

// nested normalizes the values of config keys that dbt models as small
// classes with their own field order and defaults.
func nested(key string, v any) any {
	switch key {
	case "docs":
		return fixed(v, docsDefault())
	case "contract":
		return fixed(v, contractDefault())
	case "snapshot_meta_column_names":
		return fixed(v, snapshotMetaDefault())
	case "latest_version_pointer":
		return fixed(v, ordered{{"enabled", nil}, {"alias", nil}})
	case "pre-hook", "post-hook":
		return hooks(v)
	}
	return v
}

// fixed lays m over def: def's keys in def's order, then m's other keys
// sorted. nil m gives def.
func fixed(v any, def ordered) ordered {
	m, _ := v.(map[string]any)
	if c, ok := v.(Config); ok {
		m = c
	}
	if o, ok := v.(ordered); ok {
		return o
	}
	out := make(ordered, 0, len(def)+len(m))
	for _, e := range def {
		if x, ok := m[e.k]; ok {
			e.v = x
		}
		out = append(out, e)
	}
	if len(m) > len(def) {
		for _, k := range sortedKeys(m) {
			if !hasKey(def, k) {
				out = append(out, kv{k, m[k]})
			}
		}
	}
	return out
}

func hasKey(o ordered, k string) bool {
	for _, e := range o {
		if e.k == k {
			return true
		}
	}
	return false
}

// hooks writes pre-/post-hooks as dbt's Hook objects {sql, transaction,
// index}; config may hold bare SQL strings.
func hooks(v any) any {
	var list []any
	switch x := v.(type) {
	case nil:
		return []any{}
	case string:
		list = []any{x}
	case []string:
		for _, s := range x {
			list = append(list, s)
		}
	case []any:
		list = x
	default:
		return v
	}
	out := make([]any, 0, len(list))
	for _, h := range list {
		switch x := h.(type) {
		case string:
			out = append(out, ordered{{"sql", x}, {"transaction", true}, {"index", nil}})
		case map[string]any:
			out = append(out, fixed(x, ordered{{"sql", ""}, {"transaction", true}, {"index", nil}}))
		default:
			out = append(out, h)
		}
	}
	return out
}

// configObject returns cfg in the order of spec, defaults filled in.
func configObject(spec *configSpec, cfg map[string]any) ordered {
	out := make(ordered, 0, len(spec.keys)+4)
	for _, e := range spec.keys {
		v, ok := cfg[e.k]
		if !ok {
			v = e.v
		}
		switch e.k {
		case "docs", "contract", "snapshot_meta_column_names", "latest_version_pointer", "pre-hook", "post-hook":
			v = nested(e.k, v)
		case "freshness":
			if spec.source {
				v = fixed(v, freshnessDefault())
			}
		}
		out = append(out, kv{e.k, v})
	}
	if len(cfg) > 0 {
		var extra []string
		for k := range cfg {
			if !spec.set[k] {
				extra = append(extra, k)
			}
		}
		sort.Strings(extra)
		for _, k := range extra {
			out = append(out, kv{k, cfg[k]})
		}
	}
	return out
}
