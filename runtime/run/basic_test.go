package run

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// A scenario is a list of steps: SQL run on the fixture database, or a
// command with vars. Each command's console output and the database
// contents after it go to one golden file. The goldens match what dbt
// 1.12.6 + dbt-postgres 1.11 print and build for the same steps (checked
// side by side when they were written).
type step struct {
	sql   string
	cmd   string // seed, run, test, snapshot, build
	vars  string
	full  bool
	empty bool     // --empty
	store bool     // --store-failures
	sel   []string // --select, as unique_ids
}

func runScenario(t *testing.T, f *fixture, steps []step, golden string) {
	t.Helper()
	cmds := map[string]invoke{"seed": Seed, "run": Run, "test": Test, "snapshot": Snapshot, "build": Build}
	var b strings.Builder
	for i, s := range steps {
		if s.sql != "" {
			f.exec(s.sql)
			fmt.Fprintf(&b, "=== step %d: sql\n%s\n", i+1, strings.TrimSpace(s.sql))
			continue
		}
		code, out := f.run(cmds[s.cmd], s.vars, func(o *Options) {
			o.Threads, o.FullRefresh, o.Empty, o.StoreFailures, o.Selected = 1, s.full, s.empty, s.store, s.sel
		})
		flags := ""
		if s.full {
			flags += " --full-refresh"
		}
		if s.empty {
			flags += " --empty"
		}
		if s.store {
			flags += " --store-failures"
		}
		for _, id := range s.sel {
			flags += " --select " + id
		}
		fmt.Fprintf(&b, "=== step %d: %s%s vars=%q exit=%d\n%s", i+1, s.cmd, flags, s.vars, code, out)
		b.WriteString(f.dump())
	}
	checkGolden(t, golden, b.String())
}

func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
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
		t.Fatalf("%v (run with UPDATE_GOLDEN=1 to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the golden file:\n%s", path, lineDiff(string(want), got))
	}
}

// lineDiff shows the first differing lines.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	shown := 0
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			fmt.Fprintf(&b, "line %d:\n  want %q\n  got  %q\n", i+1, wl, gl)
			if shown++; shown == 10 {
				break
			}
		}
	}
	return b.String()
}

var (
	md5Text = regexp.MustCompile(`"?[0-9a-f]{32}"?`)
	tsText  = regexp.MustCompile(`20\d\d-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?`)
)

// dump prints every relation of the fixture's rt* schemas (columns, then
// rows ordered by the first column), with hashes and timestamps masked,
// plus indexes and comments.
func (f *fixture) dump() string {
	var b strings.Builder
	b.WriteString("--- columns\n")
	b.WriteString(f.rows(`select c.table_schema || '.' || c.table_name || '.' || c.column_name || ' ' || c.data_type || coalesce('(' || c.character_maximum_length || ')', '')
		from information_schema.columns c where c.table_schema like 'rt%' and c.table_schema <> 'rt_raw' order by 1`))
	tables := f.rows(`select table_schema || '.' || table_name from information_schema.tables where table_schema like 'rt%' and table_schema not in ('rt_raw') order by 1`)
	for _, tbl := range strings.Fields(tables) {
		fmt.Fprintf(&b, "--- %s\n", tbl)
		order := "1"
		if strings.HasPrefix(tbl, "rt_hooks.") {
			order = "1, 2"
		}
		rows := f.rows("select * from " + tbl + " order by " + order)
		rows = md5Text.ReplaceAllString(rows, "MD5")
		b.WriteString(tsText.ReplaceAllString(rows, "TS"))
	}
	b.WriteString("--- indexes\n")
	idx := f.rows(`select indexdef from pg_indexes where schemaname like 'rt%' order by 1`)
	b.WriteString(md5Text.ReplaceAllString(idx, "MD5"))
	return b.String()
}

const rawSetup = `
create schema rt_raw;
create table rt_raw.events (id int, kind text, amount numeric(10,2));
insert into rt_raw.events select g, case when g % 2 = 0 then 'even' else 'odd' end, g * 1.5 from generate_series(1, 5) g;
create table rt_raw.customers (id int, name text, tier text, points int, updated_at timestamp);
insert into rt_raw.customers select g, 'c' || g, 'bronze', 10, timestamp '2024-01-01' from generate_series(1, 10) g;
`

// TestBasicScenario: seeds with inferred and declared types; views, tables,
// an ephemeral model, hooks, indexes, persist_docs; three incremental
// strategies run twice with new rows and a new column
// (on_schema_change=append_new_columns); one model swapped between view,
// table and incremental through a var; check and timestamp snapshots with
// updates, inserts and a hard delete; tests passing and warning; a full
// refresh.
func TestBasicScenario(t *testing.T) {
	f := newFixture(t, "rt_basic")
	steps := []step{
		{sql: rawSetup},
		{cmd: "seed"},
		{cmd: "build"},
		{sql: `insert into rt_raw.events values (6, 'even', 9), (7, 'odd', 10.5); update rt_raw.events set amount = 100 where id = 5;
update rt_raw.customers set name = 'x' || id, updated_at = '2024-02-01' where id <= 3; update rt_raw.customers set tier = 'gold', points = 20 where id = 4;
delete from rt_raw.customers where id = 10; insert into rt_raw.customers values (11, 'c11', 'bronze', 10, '2024-02-01');`},
		{cmd: "run", vars: "{extra_col: true, swap_mat: table}"},
		{cmd: "snapshot"},
		{sql: `insert into rt_raw.events values (8, 'even', 12); update rt_raw.customers set tier = 'silver', updated_at = '2024-03-01' where id in (1, 4); update rt_raw.customers set points = 30 where id = 5;`},
		{cmd: "run", vars: "{extra_col: true, swap_mat: incremental}"},
		{cmd: "snapshot"},
		{cmd: "run", vars: "{extra_col: true, swap_mat: incremental}"},
		{cmd: "run", vars: "{swap_mat: view}", full: true},
		{cmd: "test"},
	}
	runScenario(t, f, steps, "basic_scenario.golden")
}
