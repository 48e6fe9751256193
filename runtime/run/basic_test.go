package run

import (
	"strings"
	"testing"
)

const rawSetup = `
create schema rt_raw;
create table rt_raw.events (id int, kind text, amount numeric(10,2));
insert into rt_raw.events select g, case when g % 2 = 0 then 'even' else 'odd' end, g * 1.5 from generate_series(1, 5) g;
create table rt_raw.customers (id int, name text, tier text, points int, updated_at timestamp);
insert into rt_raw.customers select g, 'c' || g, 'bronze', 10, timestamp '2024-01-01' from generate_series(1, 10) g;
`

func TestBasicSeedBuild(t *testing.T) {
	f := newFixture(t, "rt_basic")
	f.exec(rawSetup)
	code, out := f.run(Seed, "", nil)
	t.Log(out)
	if code != 0 {
		t.Fatalf("seed exit %d", code)
	}
	cols := f.rows(`select table_name, column_name, data_type from information_schema.columns where table_schema = 'rt' order by table_name, ordinal_position`)
	t.Log(cols)
	code, out = f.run(Build, "", nil)
	t.Log(out)
	if code != 0 && !strings.Contains(out, "ERROR") {
		t.Fatalf("build exit %d", code)
	}
}
