package dbtctx

import (
	"strings"
	"testing"
)

// TestMaterializationPrecedence checks which materialization runs, as
// dbt's find_materialization_macro_by_name decides (read from dbt-core
// 1.12's manifest.py): adapter-specific before default, then root project,
// packages, dbt's own; packages cannot replace dbt's own unless the flag
// allows it; equal ranks are ambiguous.
func TestMaterializationPrecedence(t *testing.T) {
	type def struct{ pkg, header string }
	cases := []struct {
		name      string
		defs      []def
		mat       string
		overrides bool
		want      string // "native", "<pkg>.<macro>", or "error: <text>"
	}{
		{"no definitions: native", nil, "table", false, "native"},
		{"unknown name, none defined", nil, "insert_overwrite", false, "native"},
		{"root custom name", []def{{"proj", "insert_overwrite, default"}}, "insert_overwrite", false,
			"proj.materialization_insert_overwrite_default"},
		{"package custom name", []def{{"pkg", "insert_overwrite, default"}}, "insert_overwrite", false,
			"pkg.materialization_insert_overwrite_default"},
		{"root beats package at the same specificity", []def{{"pkg", "m, default"}, {"proj", "m, default"}}, "m", false,
			"proj.materialization_m_default"},
		{"postgres-specific package beats root default", []def{{"proj", "m, default"}, {"pkg", "m, adapter='postgres'"}}, "m", false,
			"pkg.materialization_m_postgres"},
		{"other adapters are not candidates", []def{{"proj", "m, adapter='snowflake'"}}, "m", false, "native"},
		{"root overrides a built-in", []def{{"proj", "table, default"}}, "table", false, "proj.materialization_table_default"},
		{"root postgres override of a built-in", []def{{"proj", "view, adapter='postgres'"}}, "view", false,
			"proj.materialization_view_postgres"},
		{"package cannot override a built-in", []def{{"pkg", "table, default"}}, "table", false, "native"},
		{"package postgres override of a built-in is ignored too", []def{{"pkg", "view, adapter='postgres'"}}, "view", false, "native"},
		{"package override falls back to the root's", []def{{"pkg", "view, adapter='postgres'"}, {"proj", "view, default"}}, "view", false,
			"proj.materialization_view_default"},
		{"flag lets a package override a built-in", []def{{"pkg", "table, default"}}, "table", true, "pkg.materialization_table_default"},
		{"two packages, same rank", []def{{"pkg", "m, default"}, {"pkg2", "m, default"}}, "m", false,
			"error: Found two materializations with the name materialization_m_default (packages pkg and pkg2). dbt cannot resolve this ambiguity"},
		{"ambiguity below the winner still fails", []def{{"pkg", "m, default"}, {"pkg2", "m, default"}, {"proj", "m, adapter='postgres'"}}, "m", false,
			"error: Found two materializations"},
		{"ephemeral-like names are plain names", []def{{"proj", "snapshot, default"}}, "snapshot", false, "proj.materialization_snapshot_default"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			j := NewJinja()
			ms := NewMacros("proj")
			for _, d := range tc.defs {
				tmpl, err := j.Parse(d.pkg+".sql", "{% materialization "+d.header+" %}body{% endmaterialization %}")
				if err != nil {
					t.Fatal(err)
				}
				for _, m := range tmpl.Macros() {
					ms.Add(d.pkg, m)
				}
			}
			ref, ok, err := ms.Materialization(tc.mat, tc.overrides)
			var got string
			switch {
			case err != nil:
				got = "error: " + err.Error()
			case !ok:
				got = "native"
			default:
				got = ref.Package + "." + ref.Macro.Name()
			}
			if strings.HasPrefix(tc.want, "error: ") {
				if !strings.HasPrefix(got, tc.want) {
					t.Fatalf("got %q, want %q", got, tc.want)
				}
				return
			}
			if got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// TestMaterializationContextMembers renders the context members dbt's
// materialization helpers rely on.
func TestMaterializationContextMembers(t *testing.T) {
	env, n := testEnv(t)
	strategy, err := env.Jinja.Parse("proj.sql", `{% macro get_incremental_custom_sql(arg) %}custom {{ arg }}{% endmacro %}`)
	if err != nil {
		t.Fatal(err)
	}
	env.Macros.Add("proj", strategy.Macros()[0])
	cases := []struct{ name, src, want string }{
		{"render renders in the node's context", `{{ render("{{ this }} {{ 1 + 1 }}") }}`, `"warehouse"."analytics"."m" 2`},
		{"diff keeps a's spelling and order", `{{ diff_of_two_dicts({'Select': ['A', 'b', 'c'], 'insert': ['x']}, {'select': ['a'], 'update': ['y']}) }}`,
			`{'Select': ['b', 'c'], 'insert': ['x']}`},
		{"diff drops fully granted privileges", `{{ diff_of_two_dicts({'select': ['a']}, {'SELECT': ['A']}) }}`, `{}`},
		{"index parse and render", `{% set i = adapter.parse_index({'columns': ['a', 'b'], 'unique': true}) %}{{ i.columns | join(',') }} {{ i.unique }} {{ i.type }} {{ i.render(this) | length }}`,
			`a,b True None 32`},
		{"index without columns", `{{ adapter.parse_index({'unique': true}) }}`, `error: Could not parse index config`},
		{"write is silent outside a materialization", `[{{ write('x') }}]`, `[]`},
		{"context is the context as a mapping", `{{ 'this' in context }} {{ 'nothing_here' in context }} {{ context['this'] }} {{ context.get('nope', 'dflt') }}`,
			`True False "warehouse"."analytics"."m" dflt`},
		{"strategy macro for a custom strategy", `{{ adapter.get_incremental_strategy_macro(context, 'greet') }}`,
			`error: dbt could not find an incremental strategy macro with the name "get_incremental_greet_sql" in proj`},
		{"dbt strategy Postgres lacks", `{{ adapter.get_incremental_strategy_macro(context, 'insert_overwrite') }}`,
			`error: The incremental strategy 'insert_overwrite' is not valid for this adapter`},
		{"strategy macro found", `{{ adapter.get_incremental_strategy_macro(context, 'custom')('x') }}`, `custom x`},
		{"columns: expanded type and widening", `{{ short.expanded_data_type }} {{ short.can_expand_to(other_column=long) }} {{ long.can_expand_to(other_column=short) }} {{ short.can_expand_to(other_column=num) }}`,
			`character varying(5) True False False`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tmpl, err := env.Jinja.Parse("t.sql", tc.src)
			if err != nil {
				t.Fatal(err)
			}
			nc := env.NewNodeContext(n, Execute)
			nc.Set("context", nc.ContextMapping())
			five, fifty := int64(5), int64(50)
			nc.Set("short", &Column{Name: "a", DataType: "character varying", CharSize: &five})
			nc.Set("long", &Column{Name: "a", DataType: "character varying", CharSize: &fifty})
			nc.Set("num", &Column{Name: "a", DataType: "numeric"})
			got, err := tmpl.Execute(nc, nil)
			if strings.HasPrefix(tc.want, "error: ") {
				if err == nil || !strings.Contains(err.Error(), strings.TrimPrefix(tc.want, "error: ")) {
					t.Fatalf("got %q, %v; want %s", got, err, tc.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestStandardizeGrants(t *testing.T) {
	env, n := testEnv(t)
	nc := env.NewNodeContext(n, Execute)
	nc.Set("grants", NewTable([]string{"grantee", "privilege_type"}, [][]any{{"alice", "SELECT"}, {"bob", "SELECT"}, {"alice", "INSERT"}}))
	tmpl, err := env.Jinja.Parse("t.sql", `{{ adapter.standardize_grants_dict(grants) }}`)
	if err != nil {
		t.Fatal(err)
	}
	got, err := tmpl.Execute(nc, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{'SELECT': ['alice', 'bob'], 'INSERT': ['alice']}`; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

// TestDispatchSearchOrder: a materialization's helpers reach the root
// project's implementations through adapter.dispatch as in dbt, which
// searches the root project before the namespace's package (dbt's own
// included); a namespace that names no package is a plain name lookup.
func TestDispatchSearchOrder(t *testing.T) {
	j := NewJinja()
	ms := NewMacros("proj")
	add := func(pkg, src string) {
		tmpl, err := j.Parse(pkg+".sql", src)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range tmpl.Macros() {
			ms.Add(pkg, m)
		}
	}
	add(PkgDBT, `{% macro default__create_table_as() %}{% endmacro %}{% macro default__only_dbt() %}{% endmacro %}`)
	add(PkgPostgres, `{% macro postgres__create_table_as() %}{% endmacro %}`)
	add("pkg", `{% macro postgres__star() %}{% endmacro %}{% macro default__helper() %}{% endmacro %}`)
	add("proj", `{% macro default__create_table_as() %}{% endmacro %}{% macro default__star() %}{% endmacro %}`)
	cases := []struct{ name, macro, ns, want string }{
		{"root default beats dbt's postgres", "create_table_as", "dbt", "macro.proj.default__create_table_as"},
		{"dbt's own when the root has none", "only_dbt", "dbt", "macro.dbt.default__only_dbt"},
		{"root beats a package", "star", "pkg", "macro.proj.default__star"},
		{"package when the root has none", "helper", "pkg", "macro.pkg.default__helper"},
		{"unknown namespace: name lookup", "helper", "nowhere", "error: In dispatch: No macro named 'helper' found within namespace: 'nowhere'\n    Searched for: 'postgres__helper', 'default__helper'"},
		{"miss lists what was searched", "nothing", "dbt", "error: In dispatch: No macro named 'nothing' found within namespace: 'dbt'\n    Searched for: 'proj.postgres__nothing', 'proj.default__nothing', 'dbt.postgres__nothing', 'dbt.default__nothing'"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ref, err := ms.Dispatch("proj", tc.macro, tc.ns, nil)
			got := ""
			if err != nil {
				got = "error: " + err.Error()
			} else {
				got = ref.UniqueID()
			}
			if got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}
