package parser

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// accessCases are projects that break (or keep) dbt's group and access
// rules, or trip over disabled nodes. testdata/access_errors.golden holds, per case, the parse error
// (file:line:col first) or "ok"; the semantics were checked against
// dbt-core 1.12.6 (`dbt parse` on the same files). UPDATE_GOLDEN=1
// rewrites the golden file.
var accessCases = []struct {
	name  string
	files map[string]string
}{
	{"private ref from another group", map[string]string{
		"models/priv.sql": "{{ config(group='a', access='private') }}\nselect 1 as id",
		"models/user.sql": "{{ config(group='b') }}\nselect *\nfrom {{ ref('priv') }}",
	}},
	{"private ref from a node in no group", map[string]string{
		"models/priv.sql": "{{ config(group='a', access='private') }}\nselect 1 as id",
		"models/user.sql": "select * from {{ ref('priv') }}",
	}},
	{"private model in no group", map[string]string{
		"models/priv.sql": "{{ config(access='private') }}\nselect 1 as id",
		"models/user.sql": "{{ config(group='a') }}\nselect * from {{ ref('priv') }}",
	}},
	{"private model in no group, unreferenced", map[string]string{
		"models/priv.sql": "{{ config(access='private') }}\nselect 1 as id",
	}},
	{"private ref within the group", map[string]string{
		"models/priv.sql":   "select 1 as id",
		"models/user.sql":   "select * from {{ ref('priv') }}",
		"models/schema.yml": "models:\n  - name: priv\n    access: private\n    group: a\n    columns:\n      - name: id\n        data_tests: [unique]\n  - name: user\n    config:\n      group: a\n",
	}},
	{"private ref from a generic test of another group", map[string]string{
		"models/priv.sql": "{{ config(group='a', access='private') }}\nselect 1 as id",
		"models/user.sql": "{{ config(group='b') }}\nselect 1 as id",
		"models/schema.yml": "models:\n  - name: user\n    columns:\n      - name: id\n        data_tests:\n" +
			"          - relationships:\n              to: ref('priv')\n              field: id\n",
	}},
	{"private ref from an exposure", map[string]string{
		"models/priv.sql": "{{ config(group='a', access='private') }}\nselect 1 as id",
		"models/exp.yml":  "exposures:\n  - name: dash\n    type: dashboard\n    owner: {email: x@y}\n    depends_on:\n      - ref('priv')\n",
	}},
	{"private ref from a snapshot", map[string]string{
		"models/priv.sql": "{{ config(group='a', access='private') }}\nselect 1 as id",
		"snapshots/s.sql": "-- history\n{% snapshot snap %}\n{{ config(unique_key='id', strategy='check', check_cols='all') }}\nselect * from {{ ref('priv') }}\n{% endsnapshot %}\n",
	}},
	{"private by dbt_project.yml from another group", map[string]string{
		"dbt_project.yml":   projectYML + "models:\n  p:\n    core:\n      +group: a\n      +access: private\n",
		"models/core/c.sql": "select 1 as id",
		"models/user.sql":   "{{ config(group='b') }}\nselect * from {{ ref('c') }}",
	}},
	{"protected ref across a restricted package", map[string]string{
		"packages.yml":         "packages:\n  - local: pkg\n",
		"pkg/dbt_project.yml":  "name: pkg\nversion: '1.0.0'\nconfig-version: 2\nrestrict-access: true\n",
		"pkg/models/inner.sql": "select 1 as id",
		"models/user.sql":      "select * from {{ ref('pkg', 'inner') }}",
	}},
	{"protected ref across an open package", map[string]string{
		"packages.yml":         "packages:\n  - local: pkg\n",
		"pkg/dbt_project.yml":  "name: pkg\nversion: '1.0.0'\nconfig-version: 2\n",
		"pkg/models/inner.sql": "select 1 as id",
		"models/user.sql":      "select * from {{ ref('pkg', 'inner') }}",
	}},
	{"public ref across a restricted package", map[string]string{
		"packages.yml":         "packages:\n  - local: pkg\n",
		"pkg/dbt_project.yml":  "name: pkg\nversion: '1.0.0'\nconfig-version: 2\nrestrict-access: true\n",
		"pkg/models/inner.sql": "{{ config(access='public') }}\nselect 1 as id",
		"models/user.sql":      "select * from {{ ref('pkg', 'inner') }}",
	}},
	{"undefined group in config()", map[string]string{
		"models/m.sql": "-- m\n  {{ config(group='nope') }}\nselect 1 as id",
	}},
	{"undefined group in a schema file", map[string]string{
		"models/m.sql":      "select 1 as id",
		"models/schema.yml": "models:\n  - name: m\n    config:\n      group: nope\n",
	}},
	{"undefined group in dbt_project.yml", map[string]string{
		"dbt_project.yml": projectYML + "models:\n  p:\n    +group: nope\n",
		"models/m.sql":    "select 1 as id",
	}},
	{"group both top-level and under config", map[string]string{
		"models/m.sql":      "select 1 as id",
		"models/schema.yml": "models:\n  - name: m\n    group: a\n    config:\n      group: a\n",
	}},
	{"group owner without name or email", map[string]string{
		"models/m.sql":    "select 1 as id",
		"models/more.yml": "groups:\n  - name: c\n    owner:\n      slack: '#c'\n",
	}},
	{"invalid access value", map[string]string{
		"models/m.sql":      "select 1 as id",
		"models/schema.yml": "models:\n  - name: m\n    access: secret\n",
	}},
	{"public ephemeral model", map[string]string{
		"models/m.sql": "{{ config(access='public', materialized='ephemeral') }}\nselect 1 as id",
	}},
	{"two enabled models with one name", map[string]string{
		"models/a/x.sql": "select 1 as id",
		"models/b/x.sql": "select 2 as id",
	}},
	{"one name, one enabled model", map[string]string{
		"models/a/x.sql":  "{{ config(enabled=false) }}\nselect 1 as id",
		"models/b/x.sql":  "select 2 as id",
		"models/c/x.sql":  "{{ config(enabled=false) }}\nselect 3 as id",
		"models/user.sql": "select * from {{ ref('x') }}",
	}},
	{"ref to a disabled model", map[string]string{
		"models/off.sql":  "{{ config(enabled=false) }}\nselect 1 as id",
		"models/user.sql": "select 1 as x\nunion all select * from {{ ref('off') }}",
	}},
}

const projectYML = "name: p\nversion: '1.0.0'\nconfig-version: 2\nprofile: p\n"

// writeProject lays out a project with groups a and b under dir.
func writeProject(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	all := map[string]string{
		"dbt_project.yml":   projectYML,
		"profiles.yml":      "p:\n  target: dev\n  outputs:\n    dev: {type: postgres, host: h, port: 5432, user: u, password: '', dbname: d, schema: s, threads: 1}\n",
		"models/groups.yml": "groups:\n  - name: a\n    owner: {name: A}\n  - name: b\n    owner: {email: b@example.com}\n",
	}
	for k, v := range files {
		all[k] = v
	}
	for rel, text := range all {
		path := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestAccessErrors(t *testing.T) {
	var got strings.Builder
	for _, tc := range accessCases {
		dir := t.TempDir()
		writeProject(t, dir, tc.files)
		result := "ok"
		if _, err := loadAndParse(dir, dir); err != nil {
			result = strings.ReplaceAll(err.Error(), dir+string(filepath.Separator), "")
		}
		fmt.Fprintf(&got, "== %s\n%s\n\n", tc.name, result)
	}
	checkGolden(t, "access_errors.golden", got.String())
}

// The groups fixture (dbt's goldens in fixtures/projects/groups/expected)
// parses to the groups, access levels and disabled resources dbt found.
func TestGroupsFixture(t *testing.T) {
	m := parseFixture(t, "groups").Manifest
	for _, tc := range []struct{ id, group, access string }{
		{"model.groups.stg_payments", "finance", "private"},
		{"model.groups.stg_customers", "marketing", "protected"},
		{"model.groups.fin_order_totals", "finance", "private"},
		{"model.groups.fin_revenue", "finance", "public"},
		{"model.groups.mkt_customer_revenue", "marketing", "public"},
		{"model.groups.report", "", "protected"},
		{"seed.groups.payments", "finance", ""},
		{"snapshot.groups.payments_snapshot", "finance", ""},
		{"test.groups.assert_payments_positive", "finance", ""},
		{"test.groups.unique_stg_payments_id.74793dfa8f", "finance", ""},
	} {
		n := m.Nodes[tc.id]
		if n == nil {
			t.Errorf("%s missing", tc.id)
			continue
		}
		if n.Group != tc.group || n.Access != tc.access {
			t.Errorf("%s: group %q access %q, want %q %q", tc.id, n.Group, n.Access, tc.group, tc.access)
		}
	}
	var disabled []string
	for id := range m.Disabled {
		disabled = append(disabled, id)
	}
	for id := range m.DisabledSources {
		disabled = append(disabled, id)
	}
	sort.Strings(disabled)
	want := "model.groups.stg_legacy source.groups.raw.old_events test.groups.assert_disabled test.groups.not_null_stg_customers_id.6bd2c50f02"
	if got := strings.Join(disabled, " "); got != want {
		t.Errorf("disabled = %s, want %s", got, want)
	}
	// dbt's unrendered_config keeps a non-string constant's repr.
	if d := m.Disabled["model.groups.stg_legacy"]; len(d) != 1 || d[0].UnrenderedConfig["enabled"] != "False" || d[0].Description != "Kept for reference only." {
		t.Errorf("disabled stg_legacy: %+v", d)
	}
	// A test on a disabled model stays among the nodes, switched off.
	if n := m.Nodes["test.groups.not_null_stg_legacy_id.95209572b5"]; n == nil || n.Config.Bool("enabled") || n.AttachedNode != "model.groups.stg_legacy" {
		t.Errorf("test on the disabled model: %+v", n)
	}
	if g := m.Groups["group.groups.marketing"]; g == nil || g.Config["access"] != "public" || g.Description != nil {
		t.Errorf("group marketing: %+v", g)
	}
	for _, id := range []string{"operation.groups.groups-on-run-start-0", "operation.groups.groups-on-run-end-1"} {
		if n := m.Nodes[id]; n == nil || n.Path != "hooks/"+strings.TrimPrefix(id, "operation.groups.")+".sql" {
			t.Errorf("%s: %+v", id, n)
		}
	}
}
