// Package genproject writes synthetic dbt projects of a given size for
// benchmarks: models that ref earlier models, call project macros and
// config(), with schema.yml tests, so parsing does real work.
package genproject

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Options size the project.
type Options struct {
	Models        int  // number of models
	Views         bool // every model a view, in a shallow DAG (runtime benchmarks)
	TestsPerModel int  // generic tests per model in schema.yml (0..2)
}

// Write creates the project under dir (which must not exist or be empty).
func Write(dir string, o Options) error {
	if o.Models <= 0 {
		return fmt.Errorf("genproject: need at least one model")
	}
	files := map[string]string{
		"dbt_project.yml": `name: gen
version: "1.0.0"
config-version: 2
profile: gen
models:
  gen:
    +materialized: view
`,
		"profiles.yml": `gen:
  target: dev
  outputs:
    dev:
      type: postgres
      host: "{{ env_var('GDBT_PG_HOST', '127.0.0.1') }}"
      port: "{{ env_var('GDBT_PG_PORT', '5432') | as_number }}"
      user: "{{ env_var('GDBT_PG_USER', 'postgres') }}"
      password: ""
      dbname: "{{ env_var('GDBT_PG_DBNAME', 'postgres') }}"
      schema: "{{ env_var('GDBT_PG_SCHEMA', 'gen') }}"
      threads: 4
`,
		"macros/helpers.sql": `{% macro gen_label(col, prefix='m') -%}
    '{{ prefix }}_' || cast({{ col }} as text)
{%- endmacro %}

{% macro gen_bucket(col, n=10) -%}
    ({{ col }} % {{ n }})
{%- endmacro %}
`,
	}
	var schema strings.Builder
	schema.WriteString("version: 2\n\nmodels:\n")
	for i := 0; i < o.Models; i++ {
		dir := fmt.Sprintf("models/layer%02d", i%20)
		name := fmt.Sprintf("m%05d", i)
		var b strings.Builder
		mat := "view"
		if !o.Views && i%5 == 4 {
			mat = "table"
		}
		fmt.Fprintf(&b, "{{ config(materialized='%s', tags=['gen', 'layer%02d']) }}\n\n", mat, i%20)
		b.WriteString("{% set cols = ['id', 'amount', 'status'] %}\n\n")
		if i < 3 {
			b.WriteString("select\n    g as id,\n    g * 1.5 as amount,\n    case when g % 2 = 0 then 'even' else 'odd' end as status\nfrom generate_series(1, 10) g\n")
		} else {
			refs := []int{i - 1, i / 2, i / 3}
			if o.Views {
				refs = viewRefs(i)
			}
			b.WriteString("with\n")
			for k, r := range refs {
				fmt.Fprintf(&b, "src%d as (\n    select {%% for c in cols %%}{{ c }}{%% if not loop.last %%}, {%% endif %%}{%% endfor %%}\n    from {{ ref('m%05d') }}\n)", k, r)
				if k < len(refs)-1 {
					b.WriteString(",\n")
				}
			}
			b.WriteString("\nselect\n    src0.id,\n    src0.amount + coalesce(src1.amount, 0) as amount,\n")
			b.WriteString("    {{ gen_label('src0.id') }} as label,\n    {{ gen_bucket('src0.id', 7) }} as bucket,\n    src0.status\n")
			b.WriteString("from src0\nleft join src1 on src1.id = src0.id\nleft join src2 on src2.id = src0.id\n")
			b.WriteString("{% if var('gen_filter', false) %}where src0.amount > 0{% endif %}\n")
		}
		files[filepath.Join(dir, name+".sql")] = b.String()
		fmt.Fprintf(&schema, "  - name: %s\n    description: \"Generated model %d\"\n", name, i)
		if o.TestsPerModel > 0 {
			schema.WriteString("    columns:\n      - name: id\n        data_tests:\n          - not_null\n")
			if o.TestsPerModel > 1 {
				schema.WriteString("          - unique\n")
			}
		}
	}
	files["models/schema.yml"] = schema.String()
	for rel, text := range files {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// viewTiers bounds how deep views stack in Views mode: models [0, 3) select
// from generate_series, [3, viewTiers) read three of those, and every later
// model reads three of the second tier. Postgres expands a view's body into
// each query that reads it, so a deep chain of views that each read three
// others grows as 3^depth and exhausts the server; three tiers stay small.
const viewTiers = 30

// viewRefs are the three models view i (i >= 3) reads in Views mode: distinct
// models of the tier below it.
func viewRefs(i int) []int {
	lo, n := 0, 3
	if i >= viewTiers {
		lo, n = 3, viewTiers-3
	}
	return []int{lo + i%n, lo + (i+n/3)%n, lo + (i+2*n/3)%n}
}
