package postgres

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gdbt/gdbt/compiler/dbtctx"
	"github.com/gdbt/gdbt/compiler/jinja"
	"github.com/gdbt/gdbt/internal/pgtest"
)

func open(t *testing.T, threads int) *Adapter {
	t.Helper()
	ctx := context.Background()
	a, err := Open(ctx, pgtest.NewDatabase(t), Options{Threads: threads})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	return a
}

func TestExecuteValues(t *testing.T) {
	a := open(t, 1)
	ctx := context.Background()
	resp, tbl, err := a.Execute(ctx, `select 1::int as i, 12345678901234567890::numeric as big, 1.50::numeric as n, 7::numeric as whole,
		2.5::float8 as f, true as b, 'x' as s, null::text as z, date '2024-01-02' as d,
		timestamp '2024-01-02 03:04:05' as ts, timestamptz '2024-01-02 03:04:05+00' as tz, '{"b": 1, "a": [1.5, "é"]}'::jsonb as j,
		0.1::float8 as f1, 1e-5::float8 as f2, 123::float8 as f3, array[1, null] as ai, array['a', 'b "c"'] as at,
		interval '1 day 2 hours' as iv, interval '-1 mons 3 days -00:00:01.5' as iv2`, true)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Message != "SELECT 1" || resp.Code != "SELECT" || resp.RowsAffected != 1 {
		t.Errorf("response %+v", resp)
	}
	// What templates see, as Python's repr of the agate values dbt hands them.
	want := []string{"1", "Decimal('12345678901234567890')", "Decimal('1.50')", "Decimal('7')", "Decimal('2.5')", "True", "'x'", "None",
		"datetime.date(2024, 1, 2)", "datetime.datetime(2024, 1, 2, 3, 4, 5)",
		"datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)", `'{"a": [1.5, "\\u00e9"], "b": 1}'`,
		"Decimal('0.1')", "Decimal('0.00001')", "Decimal('123.0')", "'[1, null]'", `'["a", "b \\"c\\""]'`,
		"'1 day, 2:00:00'", "'-28 days, 23:59:58.500000'"}
	for i, w := range want {
		if got := jinja.Repr(tbl.Rows[0][i]); got != w {
			t.Errorf("%s = %s, want %s", tbl.Names[i], got, w)
		}
	}
	if got := jinja.ToString(tbl.Rows[0][10]); got != "2024-01-02 03:04:05+00:00" {
		t.Errorf("str(tz) = %s", got)
	}
	if strings.Join(tbl.Names[:12], ",") != "i,big,n,whole,f,b,s,z,d,ts,tz,j" {
		t.Errorf("names %v", tbl.Names)
	}
	// A query without rows still has columns (get_columns_in_query).
	_, tbl, err = a.Execute(ctx, "select 1 as a, 2 as b where false", true)
	if err != nil || strings.Join(tbl.Names, ",") != "a,b" || len(tbl.Rows) != 0 {
		t.Errorf("empty result: %v %v", tbl.Names, err)
	}
}

func TestResponses(t *testing.T) {
	a := open(t, 1)
	ctx := context.Background()
	cases := []struct {
		sql       string
		msg, code string
		rows      int64
	}{
		{"create table t as select generate_series(1, 3) as x", "SELECT 3", "SELECT", 3},
		{"insert into t values (4), (5)", "INSERT 0 2", "INSERT", 2},
		{"create view v as select * from t", "CREATE VIEW", "CREATE VIEW", -1},
		{"delete from t where x > 3; update t set x = x", "UPDATE 3", "UPDATE", 3},
	}
	for _, c := range cases {
		resp, _, err := a.Execute(ctx, c.sql, false)
		if err != nil {
			t.Fatalf("%s: %v", c.sql, err)
		}
		if resp.Message != c.msg || resp.Code != c.code || resp.RowsAffected != c.rows {
			t.Errorf("%s: got %+v", c.sql, resp)
		}
	}
}

func TestErrorPosition(t *testing.T) {
	a := open(t, 1)
	_, _, err := a.Execute(context.Background(), "select 1 as a,\n  2 as b\nfrm nowhere", false)
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("want *Error, got %T %v", err, err)
	}
	if e.Pg() == nil || e.Pg().Code != "42601" {
		t.Fatalf("pg error %+v", e.Pg())
	}
	want := "syntax error at or near \"frm\"\nLINE 3: frm nowhere\n        ^"
	if err.Error() != want {
		t.Errorf("got\n%s\nwant\n%s", err.Error(), want)
	}
	// A multi-byte character before the error: Position counts characters.
	_, _, err = a.Execute(context.Background(), "select 'é' as x, nope()", false)
	errors.As(err, &e)
	_, line, col := LineAt(e.SQL, e.Offset())
	if line != 1 || col != 18 {
		t.Errorf("line %d col %d (%v)", line, col, err)
	}
}

func TestRelationCache(t *testing.T) {
	a := open(t, 2)
	ctx := context.Background()
	if ok, err := a.SchemaExists(ctx, "", "s1"); err != nil || ok {
		t.Fatalf("schema exists before create: %v %v", ok, err)
	}
	if err := a.CreateSchema(ctx, "", "s1"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := a.Execute(ctx, `create table s1."T1" (x int); create view s1.v1 as select 1 as x`, false); err != nil {
		t.Fatal(err)
	}
	a.Forget("s1")
	if err := a.Prefetch(ctx, []string{"s1", "missing"}); err != nil {
		t.Fatal(err)
	}
	rels, err := a.ListRelations(ctx, "", "s1")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rels {
		got = append(got, r.Identifier+":"+r.Type)
	}
	if strings.Join(got, " ") != "T1:table v1:view" {
		t.Errorf("relations %v", got)
	}
	// A rename inside a rolled-back transaction leaves the cache alone; a
	// committed one updates it.
	c, err := a.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Release()
	v1 := dbtctx.NewRelation("", "s1", "v1", "view")
	v2 := dbtctx.NewRelation("", "s1", "v2", "view")
	for _, commit := range []bool{false, true} {
		if err := c.Begin(ctx); err != nil {
			t.Fatal(err)
		}
		if err := c.RenameRelation(ctx, v1, v2); err != nil {
			t.Fatal(err)
		}
		if commit {
			err = c.Commit(ctx)
		} else {
			err = c.Rollback(ctx)
		}
		if err != nil {
			t.Fatal(err)
		}
		r1, _ := a.GetRelation(ctx, "", "s1", "v1")
		r2, _ := a.GetRelation(ctx, "", "s1", "v2")
		if (r1 == nil) != commit || (r2 != nil) != commit {
			t.Errorf("commit=%v: v1=%v v2=%v", commit, r1, r2)
		}
	}
	if _, err := a.GetRelation(ctx, "otherdb", "s1", "v1"); err == nil {
		t.Error("cross-database lookup must fail")
	}
}

func TestCancelStopsServerQuery(t *testing.T) {
	a := open(t, 2)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, _, err := a.Execute(ctx, "select pg_sleep(30)", false)
	if err == nil || !IsCancel(err) {
		t.Fatalf("want cancel error, got %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("cancel took %v", d)
	}
	// The server no longer runs it.
	_, tbl, err := a.Execute(context.Background(), "select count(*) from pg_stat_activity where query = 'select pg_sleep(30)' and state = 'active'", true)
	if err != nil {
		t.Fatal(err)
	}
	if tbl.Rows[0][0] != int64(0) {
		t.Errorf("query still running on the server: %v", tbl.Rows)
	}
}

func TestColumnsOfTempTable(t *testing.T) {
	a := open(t, 1)
	ctx := context.Background()
	c, err := a.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Release()
	if _, err := c.Exec(ctx, `create temporary table "m__dbt_tmp" as select 1::int as id, 'a'::varchar(10) as name, 1.5::numeric(8,2) as amt`); err != nil {
		t.Fatal(err)
	}
	cols, err := c.Columns(ctx, &dbtctx.Relation{Identifier: "m__dbt_tmp"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, col := range cols {
		got = append(got, col.Name+" "+col.FullType())
	}
	if strings.Join(got, ", ") != "id integer, name character varying(10), amt numeric(8,2)" {
		t.Errorf("columns %v", got)
	}
}
