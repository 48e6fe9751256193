package selector

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gdbt/gdbt/compiler/graph"
	"github.com/gdbt/gdbt/compiler/manifest"
)

const selectorsYML = `
selectors:
  - name: nightly_models
    description: nightly tag, no tests
    definition:
      union:
        - method: tag
          value: nightly
          indirect_selection: empty
  - name: marts_but_not_orders
    default: true
    definition:
      union:
        - path: models/marts
        - exclude:
            - fqn: orders
            - "dim_customers"
  - name: finance_parents
    definition:
      method: group
      value: finance
      parents: true
      parents_depth: 1
  - name: staging_and_finance
    definition:
      intersection:
        - tag:staging+
        - method: config.materialized
          value: ephemeral
  - name: via_reference
    definition:
      union:
        - method: selector
          value: nightly_models
        - exposure:weekly_dashboard
  - name: cautious_orders
    definition:
      method: fqn
      value: orders
      indirect_selection: cautious
  - name: children_of_stg_orders
    definition:
      method: fqn
      value: stg_orders
      children: true
      children_depth: 1
      exclude:
        - int_order_payments
  - name: loop_a
    definition:
      method: selector
      value: loop_b
  - name: loop_b
    definition: selector:loop_a
`

type selCase struct {
	name     string
	sel, exc []string
	opts     func(*Options)
	selector string // --selector
}

func sp(s ...string) []string { return s }

var selCases = []selCase{
	// defaults and the fqn method
	{name: "everything"},
	{name: "exclude only", exc: sp("tag:staging")},
	{name: "model name", sel: sp("customers")},
	{name: "fqn prefix", sel: sp("jaffle.staging")},
	{name: "fqn method explicit", sel: sp("fqn:jaffle.marts.orders")},
	{name: "fqn unscoped", sel: sp("staging.stg_orders")},
	{name: "fqn package only", sel: sp("utils_pkg")},
	{name: "fqn leading wildcard only from the root", sel: sp("stg_*")},
	{name: "fqn wildcard star", sel: sp("jaffle.staging.stg_*")},
	{name: "fqn wildcard unscoped", sel: sp("staging.stg_*")},
	{name: "fqn wildcard question", sel: sp("jaffle.staging.stg_order?")},
	{name: "fqn wildcard class", sel: sp("jaffle.marts.[co]*")},
	{name: "fqn wildcard mid", sel: sp("jaffle.*.stg_orders")},
	{name: "versioned by name", sel: sp("dim_customers")},
	{name: "versioned dot", sel: sp("dim_customers.v2")},
	{name: "versioned underscore", sel: sp("dim_customers_v3")},
	{name: "exposure by fqn", sel: sp("weekly_dashboard")},
	{name: "unknown name", sel: sp("no_such_model")},
	// graph operators
	{name: "parents", sel: sp("+customers")},
	{name: "parents depth 1", sel: sp("1+customers")},
	{name: "children", sel: sp("stg_orders+")},
	{name: "children depth 1", sel: sp("stg_orders+1")},
	{name: "both", sel: sp("2+int_order_payments+1")},
	{name: "at operator", sel: sp("@stg_payments")},
	{name: "zero depth", sel: sp("0+orders+0")},
	{name: "source children", sel: sp("source:raw.orders+")},
	// set operators
	{name: "union space", sel: sp("stg_orders customers")},
	{name: "union args", sel: sp("stg_orders", "customers")},
	{name: "extra spaces", sel: sp("  stg_orders   customers ")},
	{name: "intersection", sel: sp("tag:nightly,resource_type:model")},
	{name: "intersection of graphs", sel: sp("+customers,+orders")},
	{name: "select and exclude", sel: sp("+orders"), exc: sp("source:*", "stg_payments")},
	{name: "exclude wins", sel: sp("orders"), exc: sp("orders")},
	// methods
	{name: "tag", sel: sp("tag:staging")},
	{name: "tag on sources", sel: sp("tag:nightly")},
	{name: "tag wildcard", sel: sp("tag:fin*")},
	{name: "path dir", sel: sp("path:models/staging")},
	{name: "path default method", sel: sp("models/marts")},
	{name: "path trailing slash", sel: sp("models/intermediate/")},
	{name: "path file", sel: sp("path:models/marts/orders.sql")},
	{name: "path glob", sel: sp("path:models/*/stg_*.sql")},
	{name: "path double star", sel: sp("path:models/**/customers.sql")},
	{name: "path yml", sel: sp("path:models/staging/schema.yml")},
	{name: "file name", sel: sp("file:orders.sql")},
	{name: "file default method", sel: sp("stg_orders.sql")},
	{name: "file stem", sel: sp("file:stg_payments")},
	{name: "file csv", sel: sp("country_codes.csv")},
	{name: "package", sel: sp("package:utils_pkg")},
	{name: "package this", sel: sp("package:this,resource_type:seed")},
	{name: "package glob", sel: sp("package:util*")},
	{name: "config materialized", sel: sp("config.materialized:table")},
	{name: "config nested", sel: sp("config.meta.owner:alice")},
	{name: "config number no match", sel: sp("config.meta.tier:1")},
	{name: "config bool", sel: sp("config.full_refresh:false")},
	{name: "config bool true", sel: sp("config.contract.enforced:TRUE")},
	{name: "config list", sel: sp("config.tags:nightly")},
	{name: "config severity case", sel: sp("config.severity:WARN")},
	{name: "config missing key", sel: sp("config.nope:x")},
	{name: "resource_type", sel: sp("resource_type:snapshot resource_type:analysis")},
	{name: "resource_type test", sel: sp("resource_type:test")},
	{name: "resource_type unit_test", sel: sp("resource_type:unit_test")},
	{name: "source all", sel: sp("source:*")},
	{name: "source name", sel: sp("source:raw")},
	{name: "source table", sel: sp("source:raw.pay*")},
	{name: "source package", sel: sp("source:jaffle.raw.customers")},
	{name: "source other package", sel: sp("source:other.raw.customers")},
	{name: "exposure", sel: sp("exposure:weekly_dashboard")},
	{name: "exposure parents", sel: sp("+exposure:jaffle.weekly*")},
	{name: "test_type generic", sel: sp("test_type:generic")},
	{name: "test_type singular", sel: sp("test_type:singular")},
	{name: "test_type unit", sel: sp("test_type:unit")},
	{name: "test_type data", sel: sp("test_type:data")},
	{name: "test_name", sel: sp("test_name:not_null")},
	{name: "test_name glob", sel: sp("test_name:*_values")},
	{name: "test_name unit", sel: sp("test_name:test_customers_*")},
	{name: "unit_test method", sel: sp("unit_test:test_customers_unit")},
	{name: "version latest", sel: sp("version:latest")},
	{name: "version prerelease", sel: sp("version:prerelease")},
	{name: "version old", sel: sp("version:old")},
	{name: "version none", sel: sp("version:none,path:models/marts")},
	{name: "access public", sel: sp("access:public")},
	{name: "access protected", sel: sp("access:protected,path:models/marts")},
	{name: "access private", sel: sp("access:private")},
	{name: "group", sel: sp("group:fin*")},
	{name: "metric none", sel: sp("metric:revenue semantic_model:x saved_query:y")},
	{name: "disabled never selected", sel: sp("disabled_model orders+")},
	// indirect selection
	{name: "eager", sel: sp("orders")},
	{name: "cautious one parent", sel: sp("orders"), opts: indirect(Cautious)},
	{name: "cautious both parents", sel: sp("orders customers"), opts: indirect(Cautious)},
	{name: "cautious intersection", sel: sp("+orders,+customers"), opts: indirect(Cautious)},
	{name: "buildable", sel: sp("orders+"), opts: indirect(Buildable)},
	{name: "buildable upstream parent", sel: sp("customers+"), opts: indirect(Buildable)},
	{name: "cautious children", sel: sp("customers+"), opts: indirect(Cautious)},
	{name: "empty", sel: sp("orders customers"), opts: indirect(Empty)},
	{name: "exclude model excludes its tests", sel: sp("tag:finance"), exc: sp("customers")},
	{name: "exclude cautious keeps shared test", sel: sp("tag:finance"), exc: sp("customers"), opts: indirect(Cautious)},
	{name: "source tests", sel: sp("source:raw.orders")},
	// command filters
	{name: "run filter", sel: sp("+orders"), opts: command("run")},
	{name: "test filter", sel: sp("orders"), opts: command("test")},
	{name: "test filter default", opts: command("test")},
	{name: "seed filter", opts: command("seed")},
	{name: "snapshot filter", opts: command("snapshot")},
	{name: "build filter", sel: sp("+customers"), opts: command("build")},
	{name: "ls keeps empty", sel: sp("empty_model"), opts: command("ls")},
	{name: "run drops empty", sel: sp("empty_model"), opts: command("run")},
	{name: "ls resource type", opts: command("ls", "source", "exposure")},
	{name: "ls all", sel: sp("revenue"), opts: command("ls", "all")},
	{name: "ls default excludes analysis", sel: sp("revenue"), opts: command("ls")},
	{name: "build exclude resource type", sel: sp("customers"), opts: func(o *Options) {
		o.Filter, _ = CommandFilter("build", nil, []string{"test", "unit_test"})
	}},
	// selectors.yml
	{name: "yaml union indirect empty", selector: "nightly_models"},
	{name: "yaml union exclude", selector: "marts_but_not_orders"},
	{name: "yaml default selector"},
	{name: "yaml parents depth", selector: "finance_parents"},
	{name: "yaml intersection", selector: "staging_and_finance"},
	{name: "yaml selector reference", selector: "via_reference"},
	{name: "yaml cautious", selector: "cautious_orders"},
	{name: "yaml method exclude", selector: "children_of_stg_orders"},
	{name: "cli selector method", sel: sp("selector:nightly_*")},
	{name: "cli selector method and tag", sel: sp("selector:nightly_models,tag:staging")},
	// state and results
	{name: "state new", sel: sp("state:new"), opts: withState},
	{name: "state old", sel: sp("state:old,resource_type:model"), opts: withState},
	{name: "state modified", sel: sp("state:modified"), opts: withState},
	{name: "state modified children", sel: sp("state:modified+"), opts: withState},
	{name: "state unmodified", sel: sp("state:unmodified,resource_type:model"), opts: withState},
	{name: "state modified.body", sel: sp("state:modified.body"), opts: withState},
	{name: "state modified.configs", sel: sp("state:modified.configs"), opts: withState},
	{name: "state modified.relation", sel: sp("state:modified.relation"), opts: withState},
	{name: "state modified.persisted_descriptions", sel: sp("state:modified.persisted_descriptions"), opts: withState},
	{name: "state modified.macros", sel: sp("state:modified.macros"), opts: withState},
	{name: "state modified.contract", sel: sp("state:modified.contract"), opts: withState},
	{name: "result error", sel: sp("result:error"), opts: withState},
	{name: "result fail children", sel: sp("result:fail+"), opts: withState},
	{name: "result warn", sel: sp("result:warn"), opts: withState},
	{name: "result success", sel: sp("result:success"), opts: withState},
	{name: "result skipped", sel: sp("result:skipped"), opts: withState},
	{name: "result error or fail", sel: sp("result:error+ result:fail+"), opts: withState},
}

func indirect(mode Indirect) func(*Options) { return func(o *Options) { o.Indirect = mode } }

func command(cmd string, rt ...string) func(*Options) {
	return func(o *Options) {
		f, err := CommandFilter(cmd, rt, nil)
		if err != nil {
			panic(err)
		}
		o.Filter = f
	}
}

var stateDir string

func withState(o *Options) {
	st, err := LoadState(stateDir)
	if err != nil {
		panic(err)
	}
	o.State = st
}

// writeState writes a previous manifest (the fixture before some edits)
// and run results, as an earlier gdbt/dbt run would have left them.
func writeState(dir string) error {
	prev := fixture()
	// Edits between the previous run and now, seen from now:
	prev.Nodes["model.jaffle.stg_payments"].RawCode = "select 0"                                         // body changed
	prev.Nodes["model.jaffle.stg_customers"].UnrenderedConfig = manifest.Config{"materialized": "table"} // config changed
	prev.Nodes["model.jaffle.stg_customers"].UnrenderedConfig["tags"] = []string{"old"}                  // (tags do not count)
	prev.Nodes["model.jaffle.int_order_payments"].UnrenderedConfig = manifest.Config{"schema": "other"}
	prev.Nodes["model.jaffle.customers"].Description = "Old description"                                       // persisted (persist_docs.relation)
	prev.Nodes["model.jaffle.stg_orders"].Description = "not persisted"                                        // not persisted: no change
	prev.Nodes["model.jaffle.orders"].Columns[1] = &manifest.Column{Name: "amount", DataType: "numeric(12,4)"} // precision only
	prev.Nodes["model.jaffle.dim_customers.v2"].Config = manifest.Config{"contract": map[string]any{"enforced": true}}
	prev.Nodes["test.jaffle.unique_customers_customer_id"].Config["severity"] = "warn"
	prev.Nodes["test.jaffle.unique_customers_customer_id"].UnrenderedConfig = manifest.Config{"severity": "warn"}
	prev.Nodes["seed.jaffle.country_codes"].Checksum = "bbb"
	prev.Nodes["unit_test.jaffle.customers.test_customers_unit"].Checksum = "old" // unit tests compare checksums only
	delete(prev.Nodes, "model.jaffle.util_dates")                                 // new since
	delete(prev.Nodes, "model.utils_pkg.util_dates")
	delete(prev.Sources, "source.jaffle.raw.payments")
	prev.Sources["source.jaffle.raw.customers"].Identifier = "customers_v0"
	prev.Exposures["exposure.jaffle.weekly_dashboard"].Description = "older"
	prev.Macros["macro.jaffle.round2"].MacroSQL = "{% macro round2(x) %}{{ x }}{% endmacro %}"
	prev.Macros["macro.dbt.run_query"].MacroSQL = "dbt's own" // built-in: ignored

	out := map[string]any{}
	nodes := map[string]any{}
	unit := map[string]any{}
	for id, n := range prev.Nodes {
		cols := map[string]any{}
		for _, c := range n.Columns {
			cols[c.Name] = map[string]any{"name": c.Name, "description": c.Description, "data_type": c.DataType, "constraints": []any{}}
		}
		j := map[string]any{
			"resource_type": n.ResourceType, "raw_code": n.RawCode,
			"checksum": map[string]any{"name": "sha256", "checksum": n.Checksum},
			"config":   n.Config, "unrendered_config": n.UnrenderedConfig, "fqn": n.FQN,
			"description": n.Description, "columns": cols, "latest_version": n.LatestVersion,
			"access": n.Access, "depends_on": map[string]any{"macros": n.DependsOnMacros, "nodes": n.DependsOnNodes},
		}
		if n.ResourceType == manifest.UnitTest {
			j["checksum"] = n.Checksum // a unit test's checksum is a plain string
			unit[id] = j
		} else {
			nodes[id] = j
		}
	}
	out["nodes"], out["unit_tests"] = nodes, unit
	srcs := map[string]any{}
	for id, s := range prev.Sources {
		srcs[id] = map[string]any{"database": s.Database, "schema": s.Schema, "identifier": s.Identifier,
			"fqn": s.FQN, "unrendered_config": s.UnrenderedConfig, "quoting": map[string]any{}, "freshness": nil, "loaded_at_field": nil}
	}
	out["sources"] = srcs
	exps := map[string]any{}
	for id, x := range prev.Exposures {
		exps[id] = map[string]any{"fqn": x.FQN, "type": x.Type, "owner": x.Owner, "maturity": nil, "url": nil,
			"description": x.Description, "label": nil, "config": x.Config, "depends_on": map[string]any{"nodes": x.DependsOnNodes}}
	}
	out["exposures"] = exps
	macs := map[string]any{}
	for id, mac := range prev.Macros {
		macs[id] = map[string]any{"macro_sql": mac.MacroSQL}
	}
	out["macros"] = macs
	if err := writeJSON(filepath.Join(dir, "manifest.json"), out); err != nil {
		return err
	}
	results := []map[string]any{
		{"unique_id": "model.jaffle.stg_orders", "status": "success"},
		{"unique_id": "model.jaffle.stg_payments", "status": "error"},
		{"unique_id": "model.jaffle.int_order_payments", "status": "skipped"},
		{"unique_id": "test.jaffle.not_null_stg_orders_order_id", "status": "warn"},
		{"unique_id": "test.jaffle.unique_customers_customer_id", "status": "fail"},
		{"unique_id": "model.jaffle.gone", "status": "error"},
	}
	return writeJSON(filepath.Join(dir, "run_results.json"), map[string]any{"results": results})
}

func writeJSON(path string, v any) error {
	data, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}

func setup(t testing.TB) (*manifest.Manifest, *graph.Graph, *Selectors) {
	t.Helper()
	m := fixture()
	g, err := graph.Build(m)
	if err != nil {
		t.Fatal(err)
	}
	sels, err := ParseSelectors("selectors.yml", []byte(selectorsYML))
	if err != nil {
		t.Fatal(err)
	}
	return m, g, sels
}

func runCase(m *manifest.Manifest, g *graph.Graph, sels *Selectors, tc selCase) (string, error) {
	opts := Options{Selectors: sels}
	if tc.opts != nil {
		tc.opts(&opts)
	}
	spec, err := Choose(sels, tc.selector, tc.sel, tc.exc)
	if err != nil {
		return "", err
	}
	if tc.selector == "" && len(tc.sel) == 0 && len(tc.exc) == 0 && !strings.HasPrefix(tc.name, "yaml") {
		spec, _ = Parse(nil, nil) // the default selector applies only to its own case
	}
	ids, err := spec.Select(m, g, opts)
	if err != nil {
		return "", err
	}
	return strings.Join(ids, "\n"), nil
}

func TestSelectGolden(t *testing.T) {
	stateDir = t.TempDir()
	if err := writeState(stateDir); err != nil {
		t.Fatal(err)
	}
	m, g, sels := setup(t)
	var b strings.Builder
	seen := map[string]bool{}
	for _, tc := range selCases {
		if seen[tc.name] {
			t.Fatalf("duplicate case %q", tc.name)
		}
		seen[tc.name] = true
		got, err := runCase(m, g, sels, tc)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		fmt.Fprintf(&b, "=== %s\n", tc.name)
		if tc.selector != "" {
			fmt.Fprintf(&b, "--selector %s\n", tc.selector)
		}
		if tc.sel != nil {
			fmt.Fprintf(&b, "--select %q\n", tc.sel)
		}
		if tc.exc != nil {
			fmt.Fprintf(&b, "--exclude %q\n", tc.exc)
		}
		b.WriteString(got)
		if got != "" {
			b.WriteByte('\n')
		}
		b.WriteByte('\n')
	}
	golden(t, "testdata/select.golden", b.String())
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	if os.Getenv("UPDATE_GOLDEN") != "" {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with UPDATE_GOLDEN=1)", err)
	}
	if string(want) != got {
		wl, gl := strings.Split(string(want), "\n"), strings.Split(got, "\n")
		for i := 0; i < len(wl) || i < len(gl); i++ {
			var w, g string
			if i < len(wl) {
				w = wl[i]
			}
			if i < len(gl) {
				g = gl[i]
			}
			if w != g {
				t.Fatalf("%s differs at line %d:\nwant %q\n got %q", path, i+1, w, g)
			}
		}
	}
}
