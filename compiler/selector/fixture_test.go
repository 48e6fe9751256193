package selector

import (
	"strings"

	"github.com/gdbt/gdbt/compiler/manifest"
)

// fixture is a small jaffle-shop-like project with a package, tags, paths,
// configs, versions, tests on one and on two models, a singular and a unit
// test, sources, a seed, a snapshot, an analysis and an exposure.
//
//	raw.customers → stg_customers ─┐
//	raw.orders → stg_orders ─┬─ int_order_payments ─┬→ customers → dim_customers v1 v2 v3
//	raw.payments → stg_payments ┘                   └→ orders
//	country_codes (seed) → customers; customers, orders → weekly_dashboard (exposure)
func fixture() *manifest.Manifest {
	m := manifest.New()
	m.ProjectName = "jaffle"
	src := func(table string, tags ...string) {
		id := "source.jaffle.raw." + table
		m.Sources[id] = &manifest.SourceDef{
			UniqueID: id, Package: "jaffle", SourceName: "raw", Name: table,
			Path: "models/staging/sources.yml", OriginalFilePath: "models/staging/sources.yml",
			FQN: []string{"jaffle", "staging", "raw", table}, Tags: tags,
			Database: "db", Schema: "raw", Identifier: table,
			Config: manifest.Config{"enabled": true}, UnrenderedConfig: manifest.Config{},
		}
	}
	src("customers", "raw")
	src("orders", "raw", "nightly")
	src("payments", "raw")

	node := func(rt manifest.ResourceType, pkg, name, ofp string, deps []string, cfg manifest.Config, tags ...string) *manifest.Node {
		id := string(rt) + "." + pkg + "." + name
		dir := ofp[strings.IndexByte(ofp, '/')+1:]
		fqn := []string{pkg}
		if i := strings.LastIndexByte(dir, '/'); i >= 0 {
			fqn = append(fqn, strings.Split(dir[:i], "/")...)
		}
		fqn = append(fqn, name)
		if cfg == nil {
			cfg = manifest.Config{}
		}
		if _, ok := cfg["enabled"]; !ok {
			cfg["enabled"] = true
		}
		cfg["tags"] = tags
		n := &manifest.Node{
			UniqueID: id, ResourceType: rt, Package: pkg, Name: name,
			Path: dir, OriginalFilePath: ofp, FQN: fqn, Config: cfg,
			UnrenderedConfig: manifest.Config{}, Tags: tags,
			RawCode: "select 1 as " + name, DependsOnNodes: deps,
		}
		m.Nodes[id] = n
		return n
	}
	view := func() manifest.Config { return manifest.Config{"materialized": "view"} }

	node(manifest.Seed, "jaffle", "country_codes", "seeds/country_codes.csv", nil, manifest.Config{"materialized": "seed"}).Checksum = "aaa"
	stgC := node(manifest.Model, "jaffle", "stg_customers", "models/staging/stg_customers.sql",
		[]string{"source.jaffle.raw.customers"}, view(), "staging")
	stgC.PatchPath = "jaffle://models/staging/schema.yml"
	node(manifest.Model, "jaffle", "stg_orders", "models/staging/stg_orders.sql",
		[]string{"source.jaffle.raw.orders"}, view(), "staging", "nightly")
	node(manifest.Model, "jaffle", "stg_payments", "models/staging/stg_payments.sql",
		[]string{"source.jaffle.raw.payments"}, view(), "staging")
	node(manifest.Model, "jaffle", "int_order_payments", "models/intermediate/int_order_payments.sql",
		[]string{"model.jaffle.stg_orders", "model.jaffle.stg_payments"},
		manifest.Config{"materialized": "ephemeral"})
	cust := node(manifest.Model, "jaffle", "customers", "models/marts/customers.sql",
		[]string{"model.jaffle.stg_customers", "model.jaffle.int_order_payments", "seed.jaffle.country_codes"},
		manifest.Config{"materialized": "table", "group": "finance", "meta": map[string]any{"owner": "alice", "tier": int64(1)},
			"persist_docs": map[string]any{"relation": true}},
		"finance")
	cust.Access = "public"
	cust.Group = "finance"
	cust.Description = "One row per customer"
	ord := node(manifest.Model, "jaffle", "orders", "models/marts/orders.sql",
		[]string{"model.jaffle.stg_orders", "model.jaffle.int_order_payments"},
		manifest.Config{"materialized": "incremental", "contract": map[string]any{"enforced": true},
			"on_schema_change": "fail", "full_refresh": false},
		"nightly", "finance")
	ord.Columns = []*manifest.Column{{Name: "order_id", DataType: "integer"}, {Name: "amount", DataType: "numeric(10,2)"}}
	ord.DependsOnMacros = []string{"macro.jaffle.cents_to_dollars"}
	for _, v := range []int{1, 2, 3} {
		n := node(manifest.Model, "jaffle", "dim_customers", "models/marts/dim_customers.sql",
			[]string{"model.jaffle.customers"}, manifest.Config{"materialized": "table"})
		delete(m.Nodes, n.UniqueID)
		n.UniqueID += ".v" + string(rune('0'+v))
		n.FQN = append(n.FQN, "v"+string(rune('0'+v)))
		n.OriginalFilePath = "models/marts/dim_customers_v" + string(rune('0'+v)) + ".sql"
		n.Version = int64(v)
		n.LatestVersion = int64(2)
		n.Access = "protected"
		if v == 1 {
			n.Access = "private"
		}
		m.Nodes[n.UniqueID] = n
	}
	node(manifest.Model, "utils_pkg", "util_dates", "models/util_dates.sql", nil, nil, "utils")
	node(manifest.Model, "jaffle", "empty_model", "models/empty_model.sql", nil, nil).RawCode = "  \n"
	node(manifest.Model, "jaffle", "disabled_model", "models/disabled_model.sql",
		[]string{"model.jaffle.orders"}, manifest.Config{"enabled": false})
	node(manifest.Snapshot, "jaffle", "orders_snapshot", "snapshots/orders_snapshot.sql",
		[]string{"source.jaffle.raw.orders"}, manifest.Config{"materialized": "snapshot"})
	node(manifest.Analysis, "jaffle", "revenue", "analyses/revenue.sql",
		[]string{"model.jaffle.orders"}, nil)

	generic := func(name, test string, severity string, deps ...string) {
		yml := "models/marts/schema.yml"
		if strings.Contains(deps[0], "stg_") || strings.HasPrefix(deps[0], "source.") {
			yml = "models/staging/schema.yml"
		}
		n := node(manifest.Test, "jaffle", name, yml, deps,
			manifest.Config{"severity": severity, "materialized": "test"})
		n.TestMetadata = &manifest.TestMetadata{Name: test}
		n.RawCode = "{{ test_" + test + "(**_dbt_generic_test_kwargs) }}"
		n.FQN = []string{"jaffle", strings.Split(yml, "/")[1], name}
	}
	generic("not_null_stg_orders_order_id", "not_null", "warn", "model.jaffle.stg_orders")
	generic("unique_customers_customer_id", "unique", "ERROR", "model.jaffle.customers")
	generic("relationships_orders_customer_id__customer_id__ref_customers_", "relationships", "ERROR",
		"model.jaffle.orders", "model.jaffle.customers")
	generic("accepted_values_stg_payments_method", "accepted_values", "ERROR", "model.jaffle.stg_payments")
	generic("source_not_null_raw_orders_id", "not_null", "ERROR", "source.jaffle.raw.orders")
	node(manifest.Test, "jaffle", "assert_positive_total", "tests/assert_positive_total.sql",
		[]string{"model.jaffle.orders"}, manifest.Config{"severity": "ERROR"})
	ut := node(manifest.UnitTest, "jaffle", "test_customers_unit", "models/marts/schema.yml",
		[]string{"model.jaffle.customers"}, nil)
	delete(m.Nodes, ut.UniqueID)
	ut.UniqueID = "unit_test.jaffle.customers.test_customers_unit"
	ut.FQN = []string{"jaffle", "marts", "customers", "test_customers_unit"}
	m.Nodes[ut.UniqueID] = ut

	m.Exposures["exposure.jaffle.weekly_dashboard"] = &manifest.ExposureDef{
		UniqueID: "exposure.jaffle.weekly_dashboard", Package: "jaffle", Name: "weekly_dashboard",
		Path: "models/exposures.yml", OriginalFilePath: "models/exposures.yml",
		FQN: []string{"jaffle", "weekly_dashboard"}, Type: "dashboard", Tags: []string{"bi"},
		Owner:          map[string]any{"name": "Ann"},
		DependsOnNodes: []string{"model.jaffle.customers", "model.jaffle.orders"},
		Config:         manifest.Config{"enabled": true},
	}
	m.Macros["macro.jaffle.cents_to_dollars"] = &manifest.MacroDef{
		UniqueID: "macro.jaffle.cents_to_dollars", Package: "jaffle", Name: "cents_to_dollars",
		MacroSQL:        "{% macro cents_to_dollars(c) %}{{ c }} / 100{% endmacro %}",
		DependsOnMacros: []string{"macro.jaffle.round2"},
	}
	m.Macros["macro.jaffle.round2"] = &manifest.MacroDef{
		UniqueID: "macro.jaffle.round2", Package: "jaffle", Name: "round2",
		MacroSQL: "{% macro round2(x) %}round({{ x }}, 2){% endmacro %}",
	}
	m.Macros["macro.dbt.run_query"] = &manifest.MacroDef{UniqueID: "macro.dbt.run_query", Package: "dbt", MacroSQL: "gdbt's own"}
	return m
}
