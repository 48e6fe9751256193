package parser

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/gdbt/gdbt/compiler/project"
)

func fixtureEnv(k string) (string, bool) {
	switch k {
	case "GDBT_PG_PORT":
		return "5432", true
	case "GDBT_PG_SCHEMA":
		return "basic_dbt", true
	}
	return "", false
}

func parseFixture(t *testing.T, name string) *Result {
	t.Helper()
	dir := filepath.Join("..", "..", "fixtures", "projects", name)
	return mustParse(t, dir, dir)
}

// loadAndParse loads the project in dir, with profiles.yml from
// profilesDir, and parses it; the error is loading's or parsing's.
func loadAndParse(dir, profilesDir string) (*Result, error) {
	p, err := project.Load(dir, project.Options{ProfilesDir: profilesDir, Env: fixtureEnv})
	if err != nil {
		return nil, err
	}
	return Parse(p, Options{})
}

// mustParse is loadAndParse failing the test on an error.
func mustParse(t *testing.T, dir, profilesDir string) *Result {
	t.Helper()
	res, err := loadAndParse(dir, profilesDir)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// checkGolden compares got with testdata/name; UPDATE_GOLDEN=1 rewrites it.
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	golden := filepath.Join("testdata", name)
	if os.Getenv("UPDATE_GOLDEN") != "" {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (UPDATE_GOLDEN=1 rewrites it):\n--- want\n%s--- got\n%s", golden, want, got)
	}
}

// The expected ids, aliases, schemas and dependencies below were produced
// by dbt-core 1.12.6 on fixtures/projects/basic (target/manifest.json).
func TestBasicNodes(t *testing.T) {
	res := parseFixture(t, "basic")
	m := res.Manifest
	tests := []struct {
		id, alias, schema, relation string
		deps                        []string
	}{
		{"model.basic.stg_customers", "stg_customers", "basic_dbt", `"postgres"."basic_dbt"."stg_customers"`, []string{"seed.basic.raw_customers"}},
		{"model.basic.stg_orders", "stg_orders", "basic_dbt", "", []string{"seed.basic.raw_orders"}},
		{"model.basic.customer_orders", "customer_order_totals", "basic_dbt_marts", `"postgres"."basic_dbt_marts"."customer_order_totals"`,
			[]string{"model.basic.stg_orders", "model.basic.stg_payments", "model.basic.stg_customers"}},
		{"snapshot.basic.customers_snapshot", "customers_snapshot", "snapshots", `"postgres"."snapshots"."customers_snapshot"`, []string{"seed.basic.raw_customers"}},
		{"test.basic.accepted_values_stg_payments_payment_method__card__voucher__bank.961604d6f7", "accepted_values_stg_payments_892346824bbe4b323ceeb4fa2b325fd1", "basic_dbt_dbt_test__audit", "", []string{"model.basic.stg_payments"}},
		{"test.basic.at_least_rows_customer_orders_1.5720ad41c4", "at_least_rows_customer_orders_1", "basic_dbt_dbt_test__audit", "", []string{"model.basic.customer_orders"}},
		{"test.basic.not_null_stg_customers_customer_id.e2cfb1f9aa", "not_null_stg_customers_customer_id", "basic_dbt_dbt_test__audit", "", []string{"model.basic.stg_customers"}},
		{"test.basic.not_null_stg_customers_email.d7cf761533", "not_null_stg_customers_email", "basic_dbt_dbt_test__audit", "", []string{"model.basic.stg_customers"}},
		{"test.basic.positive_values_customer_orders_customer_id.49ebf7bbb5", "positive_values_customer_orders_customer_id", "basic_dbt_dbt_test__audit", "", []string{"model.basic.customer_orders"}},
		{"test.basic.relationships_stg_payments_order_id__order_id__ref_orders_incremental_.ca0272d2f9", "relationships_stg_payments_244fd8faa0e4ed60e439bd5ff844f765", "basic_dbt_dbt_test__audit", "",
			[]string{"model.basic.orders_incremental", "model.basic.stg_payments"}},
		{"test.basic.unique_stg_payments_payment_id.3744510712", "unique_stg_payments_payment_id", "basic_dbt_dbt_test__audit", "", []string{"model.basic.stg_payments"}},
	}
	for _, tc := range tests {
		n := m.Nodes[tc.id]
		if n == nil {
			var ids []string
			for id := range m.Nodes {
				ids = append(ids, id)
			}
			sort.Strings(ids)
			t.Errorf("%s: missing; have:\n%s", tc.id, strings.Join(ids, "\n"))
			continue
		}
		if n.Alias != tc.alias || n.Schema != tc.schema || n.RelationName != tc.relation {
			t.Errorf("%s: alias/schema/relation = %q %q %q, want %q %q %q", tc.id, n.Alias, n.Schema, n.RelationName, tc.alias, tc.schema, tc.relation)
		}
		if strings.Join(n.DependsOnNodes, ",") != strings.Join(tc.deps, ",") {
			t.Errorf("%s: depends_on %v, want %v", tc.id, n.DependsOnNodes, tc.deps)
		}
	}
	if got := len(m.Nodes); got != 21 {
		t.Errorf("nodes: got %d, want 21 (5 models, 3 seeds, 1 snapshot, 1 analysis, 10 generic and 1 singular test)", got)
	}
}

// Configs merge dbt_project.yml, schema.yml and config() with dbt's rules.
func TestBasicConfig(t *testing.T) {
	m := parseFixture(t, "basic").Manifest
	tests := []struct {
		id, key string
		want    any
	}{
		{"model.basic.stg_orders", "materialized", "ephemeral"},
		{"model.basic.stg_customers", "materialized", "view"},
		{"model.basic.customer_orders", "materialized", "table"},
		{"model.basic.customer_orders", "schema", "marts"},
		{"model.basic.orders_incremental", "unique_key", "order_id"},
		{"seed.basic.raw_payments", "quote_columns", false},
		{"test.basic.not_null_stg_customers_email.d7cf761533", "severity", "warn"},
		{"test.basic.not_null_stg_customers_customer_id.e2cfb1f9aa", "severity", "ERROR"},
	}
	for _, tc := range tests {
		n := m.Nodes[tc.id]
		if n == nil {
			t.Errorf("%s missing", tc.id)
			continue
		}
		if got := n.Config[tc.key]; got != tc.want {
			t.Errorf("%s config[%s] = %#v, want %#v", tc.id, tc.key, got, tc.want)
		}
	}
	tags := m.Nodes["model.basic.customer_orders"].Tags
	if strings.Join(tags, ",") != "finance" {
		t.Errorf("customer_orders tags = %v, want [finance]", tags)
	}
	if ct := m.Nodes["seed.basic.raw_payments"].Config["column_types"].(map[string]any); ct["amount"] != "numeric(10,2)" {
		t.Errorf("column_types = %v", ct)
	}
}

func TestSynthesizeTestNames(t *testing.T) {
	args := newKV()
	args.set("values", []any{"card", "voucher", "bank"})
	args.set("column_name", "payment_method")
	args.set("model", "{{ get_where_subquery(ref('stg_payments')) }}")
	short, full := synthesizeTestNames("accepted_values", "stg_payments", args)
	if full != "accepted_values_stg_payments_payment_method__card__voucher__bank" ||
		short != "accepted_values_stg_payments_892346824bbe4b323ceeb4fa2b325fd1" {
		t.Errorf("got %s / %s", short, full)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  string // substring of the error, with its position
	}{
		{"jinja syntax", map[string]string{"models/a.sql": "select {{ 1 +  }}"}, "models/a.sql:1:"},
		{"unknown ref", map[string]string{"models/a.sql": "select * from {{ ref('nope') }}"}, "models/a.sql:1:18: model 'model.p.a' (models/a.sql) depends on a node named 'nope' which was not found"},
		{"bad test entry", map[string]string{"models/a.sql": "select 1 as id", "models/s.yml": "version: 2\nmodels:\n  - name: a\n    columns:\n      - name: id\n        data_tests:\n          - {unique: {}, not_null: {}}\n"}, "s.yml:7:13"},
		{"duplicate macro", map[string]string{"models/a.sql": "select 1", "macros/m.sql": "{% macro m() %}{% endmacro %}{% macro m() %}{% endmacro %}"}, `two macros named "m"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeProject(t, dir, tc.files)
			p, err := project.Load(dir, project.Options{ProfilesDir: dir, Env: fixtureEnv})
			if err != nil {
				t.Fatal(err)
			}
			_, err = Parse(p, Options{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want it to contain %q", err, tc.want)
			}
		})
	}
}
