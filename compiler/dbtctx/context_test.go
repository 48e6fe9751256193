package dbtctx

import (
	"strings"
	"testing"

	"github.com/gdbt/gdbt/compiler/jinja"
	"github.com/gdbt/gdbt/compiler/manifest"
)

// testEnv builds an environment with a root project "proj", a package
// "pkg" and two internal macros, and a model node.
func testEnv(t *testing.T) (*Env, *manifest.Node) {
	t.Helper()
	j := NewJinja()
	macros := NewMacros("proj")
	add := func(pkg, src string) {
		tmpl, err := j.Parse(pkg+".sql", src)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range tmpl.Macros() {
			macros.Add(pkg, m)
		}
	}
	add(PkgDBT, `{% macro greet(x) %}{{ return(adapter.dispatch('greet', 'dbt')(x)) }}{% endmacro %}{% macro default__greet(x) %}hello {{ x }}{% endmacro %}{% macro only_internal() %}internal{% endmacro %}`)
	add(PkgPostgres, `{% macro postgres__greet(x) %}pg hello {{ x }}{% endmacro %}`)
	add("pkg", `{% macro helper() %}pkg helper{% endmacro %}{% macro default__thing() %}pkg thing{% endmacro %}`)
	add("proj", `{% macro only_internal() %}overridden{% endmacro %}{% macro thing() %}{{ adapter.dispatch('thing', 'pkg')() }}{% endmacro %}`)
	target := jinja.NewDict()
	target.Set("schema", "analytics")
	target.Set("database", "warehouse")
	target.Set("name", "dev")
	n := &manifest.Node{UniqueID: "model.proj.m", Name: "m", Package: "proj", ResourceType: manifest.Model,
		Database: "warehouse", Schema: "analytics", Alias: "m", Config: manifest.Config{"materialized": "table", "unique_key": "id"}}
	other := &manifest.Node{UniqueID: "model.proj.other", Name: "other", Package: "proj", ResourceType: manifest.Model,
		Database: "warehouse", Schema: "analytics", Alias: "other_alias", Config: manifest.Config{"materialized": "view"}}
	eph := &manifest.Node{UniqueID: "model.proj.eph", Name: "eph", Package: "proj", ResourceType: manifest.Model,
		Config: manifest.Config{"materialized": "ephemeral"}}
	env := &Env{
		Jinja: j, Macros: macros, ProjectName: "proj", Target: target,
		Var: func(pkg, name string) (any, bool) {
			if name == "answer" {
				return int64(42), true
			}
			return nil, false
		},
		EnvVar: func(name string) (string, bool) {
			if name == "HOME_TOWN" {
				return "Ghent", true
			}
			return "", false
		},
		Relation: func(n *manifest.Node) *Relation { return NewRelation(n.Database, n.Schema, n.Alias, "table") },
		ResolveRef: func(from *manifest.Node, r manifest.Ref) (*manifest.Node, error) {
			switch r.Name {
			case "other":
				return other, nil
			case "eph":
				return eph, nil
			}
			return nil, &CompilationError{"no node " + r.Name}
		},
	}
	return env, n
}

func TestExecuteContext(t *testing.T) {
	env, n := testEnv(t)
	tests := []struct{ name, src, want string }{
		{"ref renders the relation", "{{ ref('other') }}", `"warehouse"."analytics"."other_alias"`},
		{"relation parts", "{{ ref('other').identifier }}.{{ ref('other').schema }}|{{ ref('other').include(database=false) }}", `other_alias.analytics|"analytics"."other_alias"`},
		{"ephemeral ref is a CTE name", "{{ ref('eph') }}", "__dbt__cte__eph"},
		{"this", "{{ this }}", `"warehouse"."analytics"."m"`},
		{"config.get", "{{ config.get('unique_key') }}|{{ config.get('missing', 'dflt') }}", "id|dflt"},
		{"var with default", "{{ var('answer') }}|{{ var('nope', 'd') }}", "42|d"},
		{"env_var", "{{ env_var('HOME_TOWN') }}|{{ env_var('NOPE', 'x') }}", "Ghent|x"},
		{"dispatch prefers postgres__", "{{ greet('you') }}", "pg hello you"},
		{"dbt namespace", "{{ dbt.greet('ns') }}", "pg hello ns"},
		{"root macro overrides internal", "{{ only_internal() }}", "overridden"},
		{"package namespace", "{{ pkg.helper() }}", "pkg helper"},
		{"dispatch into a package", "{{ thing() }}", "pkg thing"},
		{"execute is true", "{{ execute }}", "True"},
		{"target", "{{ target.schema }}@{{ target.name }}", "analytics@dev"},
		{"tojson keeps order unless asked", `{{ tojson({'b': 1, 'a': [1, 'x']}) }}|{{ tojson({'b': 1, 'a': 2}, sort_keys=true) }}`, `{"b": 1, "a": [1, "x"]}|{"a": 2, "b": 1}`},
		{"fromjson", `{{ fromjson('{"k": [1, 2.5, null]}')['k'] }}`, "[1, 2.5, None]"},
		{"fromyaml", "{{ fromyaml('a: 1\\nb: [x, y]') }}", "{'a': 1, 'b': ['x', 'y']}"},
		{"local_md5", "{{ local_md5('abc') }}", "900150983cd24fb0d6963f7d28e17f72"},
		{"zip and set", "{{ zip([1, 2], ['a', 'b']) }}|{{ set([1, 1, 2]) }}", "[(1, 'a'), (2, 'b')]|{1, 2}"},
		{"return from a macro", "{% macro m() %}ignored{{ return([1, 2]) }}{% endmacro %}{{ m()[1] }}", "2"},
		{"modules.re", "{{ modules.re.sub('[0-9]+', '#', 'a1b22') }}", "a#b#"},
		{"api.Relation.create", "{{ api.Relation.create(database='d', schema='s', identifier='t') }}", `"d"."s"."t"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tmpl, err := env.Jinja.Parse("m.sql", tc.src)
			if err != nil {
				t.Fatal(err)
			}
			got, err := tmpl.Execute(env.NewNodeContext(n, Execute), nil)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestParseContextRecords(t *testing.T) {
	env, n := testEnv(t)
	tmpl, err := env.Jinja.Parse("m.sql", "{{ config(materialized='view', tags=['a']) }}select * from {{ ref('other') }} join {{ ref('pkg', 'x', v=2) }} join {{ source('raw', 'orders') }}{{ config.get('x') }}{{ greet('p') }}")
	if err != nil {
		t.Fatal(err)
	}
	ctx := env.NewNodeContext(n, Parse)
	if _, err := tmpl.Execute(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if len(ctx.Refs) != 2 || ctx.Refs[0].Name != "other" || ctx.Refs[1].Package != "pkg" || ctx.Refs[1].Version != int64(2) {
		t.Errorf("refs = %+v", ctx.Refs)
	}
	if len(ctx.Sources) != 1 || ctx.Sources[0] != [2]string{"raw", "orders"} {
		t.Errorf("sources = %v", ctx.Sources)
	}
	if len(ctx.Configs) != 1 || jinja.Repr(ctx.Configs[0]) != "{'materialized': 'view', 'tags': ['a']}" {
		t.Errorf("configs = %v", ctx.Configs)
	}
	if !ctx.Called["macro.dbt.greet"] {
		t.Errorf("called macros = %v", ctx.Called)
	}
}

func TestContextErrors(t *testing.T) {
	env, n := testEnv(t)
	tests := []struct{ name, src, want string }{
		{"missing var", "{{ var('nope') }}", "Required var 'nope' not found"},
		{"missing env var", "{{ env_var('NOPE') }}", "Env var required but not provided: 'NOPE'"},
		{"secret outside profiles", "{{ env_var('DBT_ENV_SECRET_X') }}", "Secret env vars are allowed only"},
		{"compiler error", "{{ exceptions.raise_compiler_error('boom') }}", "boom"},
		{"dispatch miss", "{{ adapter.dispatch('nothing', 'dbt')() }}", "No macro named 'nothing'"},
		{"unknown ref", "{{ ref('ghost') }}", "no node ghost"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tmpl, err := env.Jinja.Parse("m.sql", tc.src)
			if err != nil {
				t.Fatal(err)
			}
			_, err = tmpl.Execute(env.NewNodeContext(n, Execute), nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
			if !strings.Contains(err.Error(), "m.sql:1:") {
				t.Errorf("error has no position: %v", err)
			}
		})
	}
}

// database and schema are the node's once it is located, else the
// target's (a snapshot's target_schema=schema at parse time).
func TestDatabaseSchemaMembers(t *testing.T) {
	env, n := testEnv(t)
	located := *n
	located.Database, located.Schema = "other_db", "custom"
	unlocated := *n
	unlocated.Database, unlocated.Schema = "", ""
	tests := []struct {
		name string
		node *manifest.Node
		want string
	}{
		{"located node", &located, "other_db.custom"},
		{"node not located yet", &unlocated, "warehouse.analytics"},
		{"no node", nil, "warehouse.analytics"},
	}
	tmpl, err := env.Jinja.Parse("m.sql", "{{ database }}.{{ schema }}")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tmpl.Execute(env.NewNodeContext(tc.node, Parse), nil)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}
