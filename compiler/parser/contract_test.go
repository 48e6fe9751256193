package parser

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// contractCases break (or keep) dbt's parse-time rules for model
// contracts and microbatch models. testdata/contract_errors.golden holds,
// per case, the parse error or what the model parsed to; the messages are
// dbt-core 1.12.6's. UPDATE_GOLDEN=1 rewrites the golden file.
var contractCases = []struct {
	name  string
	files map[string]string
}{
	{"constraints parsed, checksum", map[string]string{
		"models/m.sql": "select 1 as id, 'a' as name",
		"models/m.yml": `models:
  - name: m
    config: {contract: {enforced: true}, materialized: table}
    constraints:
      - {type: check, expression: "id > 0", name: positive}
    columns:
      - {name: id, data_type: int, constraints: [{type: primary_key}, {type: not_null, warn_unsupported: false}]}
      - {name: name, data_type: text}
`}},
	{"invalid column constraint type", map[string]string{
		"models/m.sql": "select 1 as id",
		"models/m.yml": "models:\n  - name: m\n    columns:\n      - {name: id, constraints: [{type: nonsense}]}\n",
	}},
	{"invalid model constraint type, enforced", map[string]string{
		"models/m.sql": "select 1 as id",
		"models/m.yml": "models:\n  - name: m\n    config: {contract: {enforced: true}}\n    constraints: [{type: nonsense}]\n    columns: [{name: id, data_type: int}]\n",
	}},
	{"primary keys on two columns", map[string]string{
		"models/m.sql": "select 1 as a, 2 as b",
		"models/m.yml": "models:\n  - name: m\n    columns:\n      - {name: a, constraints: [{type: primary_key}]}\n      - {name: b, constraints: [{type: primary_key}]}\n",
	}},
	{"primary keys on both levels", map[string]string{
		"models/m.sql": "select 1 as a",
		"models/m.yml": "models:\n  - name: m\n    constraints: [{type: primary_key, columns: [a]}]\n    columns:\n      - {name: a, constraints: [{type: primary_key}]}\n",
	}},
	{"foreign key to a table name", map[string]string{
		"models/m.sql": "select 1 as a",
		"models/m.yml": "models:\n  - name: m\n    constraints: [{type: foreign_key, columns: [a], to: other_table, to_columns: [id]}]\n",
	}},
	{"enforced contract without columns", map[string]string{
		"models/m.sql": "select 1 as a",
		"models/m.yml": "models:\n  - name: m\n    config: {contract: {enforced: true}}\n",
	}},
	{"microbatch ok", map[string]string{
		"models/m.sql": "{{ config(materialized='incremental', incremental_strategy='microbatch', event_time='t', begin='2024-01-01 10:00', batch_size='day', unique_key='t') }}\nselect now() as t",
	}},
	{"microbatch without event_time", map[string]string{
		"models/m.sql": "{{ config(materialized='incremental', incremental_strategy='microbatch', begin='2024-01-01', batch_size='day') }}\nselect 1 as t",
	}},
	{"microbatch without begin", map[string]string{
		"models/m.sql": "{{ config(materialized='incremental', incremental_strategy='microbatch', event_time='t', batch_size='day') }}\nselect 1 as t",
	}},
	{"microbatch with a bad begin", map[string]string{
		"models/m.sql": "{{ config(materialized='incremental', incremental_strategy='microbatch', event_time='t', begin='yesterday', batch_size='day') }}\nselect 1 as t",
	}},
	{"microbatch with a bad batch_size", map[string]string{
		"models/m.sql": "{{ config(materialized='incremental', incremental_strategy='microbatch', event_time='t', begin='2024-01-01', batch_size='week') }}\nselect 1 as t",
	}},
	{"microbatch with a string lookback", map[string]string{
		"models/m.sql": "{{ config(materialized='incremental', incremental_strategy='microbatch', event_time='t', begin='2024-01-01', batch_size='day', lookback='2') }}\nselect 1 as t",
	}},
}

func TestContractErrors(t *testing.T) {
	var got strings.Builder
	for _, tc := range contractCases {
		dir := t.TempDir()
		writeProject(t, dir, tc.files)
		var result string
		res, err := loadAndParse(dir, dir)
		if err != nil {
			result = strings.ReplaceAll(err.Error(), dir+string(filepath.Separator), "")
		} else {
			n := res.Manifest.Nodes["model.p.m"]
			cons, _ := json.Marshal(n.Constraints)
			result = fmt.Sprintf("begin=%v checksum=%q\nconstraints=%s", n.Config["begin"], n.ContractChecksum, cons)
			for _, c := range n.Columns {
				cons, _ := json.Marshal(c.Constraints)
				result += fmt.Sprintf("\n%s: %s", c.Name, cons)
			}
		}
		fmt.Fprintf(&got, "== %s\n%s\n\n", tc.name, result)
	}
	checkGolden(t, "contract_errors.golden", got.String())
}
