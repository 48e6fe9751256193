package parser

import "testing"

func TestConfigPos(t *testing.T) {
	dir := t.TempDir()
	writeProject(t, dir, map[string]string{
		"dbt_project.yml": projectYML + "models:\n  p:\n    +materialized: table\n    +tags: [x]\n",
		"models/call.sql": "select 1 as a\n{{ config(materialized='view') }}\n{{ config(materialized='incremental') }}\nselect 1",
		"models/yml.sql":  "select 1 as id",
		"models/proj.sql": "select 1 as id",
		"models/s.yml":    "models:\n  - name: yml\n    config:\n      materialized: view\n",
	})
	res := mustParse(t, dir, dir)
	cases := []struct{ node, key, want string }{
		{"model.p.call", "materialized", "models/call.sql:3:4"}, // the last call wins
		{"model.p.yml", "materialized", "models/s.yml:4:21"},
		{"model.p.proj", "materialized", "dbt_project.yml:7:20"},
		{"model.p.call", "tags", "dbt_project.yml:8:12"},
		{"model.p.call", "schema", ""},
	}
	for _, c := range cases {
		n := res.Manifest.Nodes[c.node]
		if n == nil {
			t.Fatalf("no node %s", c.node)
		}
		got := res.ConfigPos(n, c.key)
		if got.String() != c.want {
			t.Errorf("%s %s: got %q, want %q", c.node, c.key, got, c.want)
		}
	}
}

func TestDependsOnPos(t *testing.T) {
	dir := t.TempDir()
	writeProject(t, dir, map[string]string{
		"models/a.sql":   "select 1 as id",
		"models/b.sql":   "select *\nfrom {{ ref('p', 'a') }}\njoin {{ source('raw', 't') }} using (id)",
		"models/src.yml": "sources:\n  - name: raw\n    tables:\n      - name: t\n",
	})
	res := mustParse(t, dir, dir)
	b := res.Manifest.Nodes["model.p.b"]
	for dep, want := range map[string]string{"model.p.a": "models/b.sql:2:9", "source.p.raw.t": "models/b.sql:3:9", "model.p.gone": ""} {
		if got := res.DependsOnPos(b, dep).String(); got != want {
			t.Errorf("%s: got %q, want %q", dep, got, want)
		}
	}
}
