package extract

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gdbt/gdbt/internal/pgtest"
	"github.com/jackc/pgx/v5"
)

func testPool(t *testing.T) *pgx.Conn {
	t.Helper()
	pool, err := pgx.Connect(context.Background(), pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pool.Close(context.Background()) })
	return pool
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// csvSpec builds a spec the way the CLI does: from a decoded YAML mapping.
func csvSpec(t *testing.T, table string, load map[string]any) Spec {
	t.Helper()
	if load["format"] == nil {
		load["format"] = "csv"
	}
	dir, _ := filepath.Abs("testdata")
	s, err := ParseSpec(Decl{Source: "raw", Table: table, ProjectDir: dir}, load)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// dump renders a table's columns and rows (without _loaded_at, which
// changes every run) as text for golden comparison.
func dump(t *testing.T, pool *pgx.Conn, rel string) string {
	t.Helper()
	ctx := context.Background()
	var b strings.Builder
	if _, err := pool.Exec(ctx, `set timezone = 'UTC'`); err != nil {
		t.Fatal(err)
	}
	rows, err := pool.Query(ctx, `select attname, format_type(atttypid, atttypmod) from pg_attribute
where attrelid = $1::regclass and attnum > 0 and not attisdropped order by attnum`, rel)
	if err != nil {
		t.Fatal(err)
	}
	var cols []string
	for rows.Next() {
		var n, typ string
		if err := rows.Scan(&n, &typ); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "column %s %s\n", n, typ)
		if n != colLoadedAt {
			cols = append(cols, ident(n))
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows, err = pool.Query(ctx, `select row_to_json(x)::text from (select `+strings.Join(cols, ", ")+` from `+rel+` order by 1) x`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		b.WriteString(s + "\n")
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with UPDATE_GOLDEN=1)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs:\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

func count(t *testing.T, pool *pgx.Conn, sql string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

func tableExists(t *testing.T, pool *pgx.Conn, rel string) bool {
	t.Helper()
	var ok bool
	if err := pool.QueryRow(context.Background(), `select to_regclass($1) is not null`, rel).Scan(&ok); err != nil {
		t.Fatal(err)
	}
	return ok
}

func TestCSVLoad(t *testing.T) {
	t.Parallel()
	pool := testPool(t)
	tests := []struct {
		name string
		load map[string]any
	}{
		{"inferred", map[string]any{"path": "csv/happy.csv"}},
		{"declared", map[string]any{"path": "csv/happy.csv", "columns": map[string]any{
			"id": "integer", "zip": "text", "amount": "numeric(10,2)", "signup_date": "text", "note": "varchar(40)"}}},
		{"noheader", map[string]any{"path": "csv/noheader.csv", "header": false, "delimiter": ";", "quote": "'"}},
		{"noheader_declared", map[string]any{"path": "csv/noheader.csv", "header": false, "delimiter": ";", "quote": "'",
			"columns": []any{map[string]any{"n": "smallint"}, map[string]any{"label": "text"}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := testCtx(t)
			spec := csvSpec(t, tc.name, tc.load)
			rep, err := Run(ctx, pool, []Spec{spec}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			tr := rep.Tables[0]
			if tr.Status != StatusLoaded || tr.Rows == 0 || len(tr.Files) != 1 || len(tr.Files[0].SHA256) != 64 {
				t.Errorf("report %+v", tr)
			}
			golden(t, "csv_"+tc.name+".txt", dump(t, pool, relation("raw", tc.name)))
		})
	}
}

func TestCSVSameFileTwice(t *testing.T) {
	t.Parallel()
	pool := testPool(t)
	ctx := testCtx(t)
	spec := csvSpec(t, "items", map[string]any{"path": "csv/good.csv"})
	for run := 1; run <= 2; run++ {
		rep, err := Run(ctx, pool, []Spec{spec}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		wantStatus, wantRows := StatusLoaded, int64(10)
		if run == 2 {
			wantStatus, wantRows = StatusUpToDate, 0
		}
		if tr := rep.Tables[0]; tr.Status != wantStatus || tr.Rows != wantRows {
			t.Errorf("run %d: status %s rows %d, want %s %d", run, tr.Status, tr.Rows, wantStatus, wantRows)
		}
		if n := count(t, pool, `select count(*) from raw.items`); n != 10 {
			t.Errorf("run %d: %d rows in table, want 10", run, n)
		}
	}
	// The same bytes under another name are the same load.
	dir := t.TempDir()
	b, _ := os.ReadFile("testdata/csv/good.csv")
	os.WriteFile(filepath.Join(dir, "copy.csv"), b, 0o644)
	spec2 := csvSpec(t, "items", map[string]any{"path": filepath.Join(dir, "*.csv")})
	if _, err := Run(ctx, pool, []Spec{spec2}, Options{}); err != nil {
		t.Fatal(err)
	}
	if n := count(t, pool, `select count(*) from raw.items`); n != 10 {
		t.Errorf("renamed copy: %d rows, want 10", n)
	}
	if n := count(t, pool, `select count(*) from raw._gdbt_load_ledger where target = 'items'`); n != 1 {
		t.Errorf("ledger has %d rows, want 1", n)
	}
	// _source_row is the file line, _source_file the project-relative path.
	var file string
	var line int
	if err := pool.QueryRow(ctx, `select _source_file, _source_row from raw.items where sku = 'SKU-003'`).Scan(&file, &line); err != nil {
		t.Fatal(err)
	}
	if file != "csv/good.csv" || line != 4 {
		t.Errorf("metadata %q line %d, want csv/good.csv line 4", file, line)
	}
}

func TestCSVBadRow(t *testing.T) {
	t.Parallel()
	declared := map[string]any{"sku": "text", "qty": "bigint", "label": "text"}
	tests := []struct {
		name    string
		file    string
		columns map[string]any
		want    string
	}{
		{"bad value", "bad57.csv", declared,
			`csv/bad57.csv:57:9: expected a bigint value for column qty, found "5x" (invalid input syntax for type bigint: "5x")`},
		{"extra field", "bad57_fields.csv", nil, `csv/bad57_fields.csv:57:20: expected 3 fields, found 4`},
		{"extra field declared", "bad57_fields.csv", declared, `csv/bad57_fields.csv:57:20: expected 3 fields, found 4`},
		{"invalid utf8", "bad57_utf8.csv", declared, `csv/bad57_utf8.csv:57:17: expected UTF-8 text, found byte 0xff`},
	}
	for _, tc := range tests {
		for _, preexisting := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/existing=%v", tc.name, preexisting), func(t *testing.T) {
				pool := testPool(t)
				ctx := testCtx(t)
				load := map[string]any{"path": "csv/" + tc.file}
				if tc.columns != nil {
					load["columns"] = tc.columns
				}
				if preexisting {
					good := map[string]any{"path": "csv/good.csv", "columns": declared}
					if _, err := Run(ctx, pool, []Spec{csvSpec(t, "items", good)}, Options{}); err != nil {
						t.Fatal(err)
					}
				}
				rep, err := Run(ctx, pool, []Spec{csvSpec(t, "items", load)}, Options{})
				var re *RowError
				if !errors.As(err, &re) {
					t.Fatalf("got %v, want a *RowError", err)
				}
				if re.Line != 57 || re.Error() != tc.want {
					t.Errorf("got  %s\nwant %s", re, tc.want)
				}
				if tr := rep.Tables[0]; tr.Status != StatusError || tr.Rows != 0 || !strings.Contains(tr.Error, tc.want) {
					t.Errorf("report %+v", tr)
				}
				if !preexisting {
					if tableExists(t, pool, "raw.items") {
						t.Errorf("table raw.items exists after a failed first load")
					}
					return
				}
				if n := count(t, pool, `select count(*) from raw.items`); n != 10 {
					t.Errorf("table has %d rows after a failed load, want the 10 from before", n)
				}
				if n := count(t, pool, `select count(*) from raw._gdbt_load_ledger`); n != 1 {
					t.Errorf("ledger has %d rows, want 1", n)
				}
			})
		}
	}
}

func TestCSVIncompatibleTable(t *testing.T) {
	t.Parallel()
	pool := testPool(t)
	ctx := testCtx(t)
	if _, err := pool.Exec(ctx, `create schema raw; create table raw.items (sku text, qty integer, _loaded_at timestamptz, _source_file text, _source_row int)`); err != nil {
		t.Fatal(err)
	}
	_, err := Run(ctx, pool, []Spec{csvSpec(t, "items", map[string]any{"path": "csv/good.csv"})}, Options{})
	if err == nil || !strings.Contains(err.Error(), `expected table "raw"."items" to have column "label" (it is in the file)`) {
		t.Errorf("got %v", err)
	}
	_, err = Run(ctx, pool, []Spec{csvSpec(t, "items", map[string]any{"path": "csv/good.csv", "columns": map[string]any{"qty": "bigint"}})}, Options{})
	if err == nil || !strings.Contains(err.Error(), "to have the declared type bigint, found integer") {
		t.Errorf("got %v", err)
	}
	_, err = Run(ctx, pool, []Spec{csvSpec(t, "nothing", map[string]any{"path": "csv/nothing*.csv"})}, Options{})
	if err == nil || !strings.Contains(err.Error(), "expected path csv/nothing*.csv to match at least one file, found none") {
		t.Errorf("got %v", err)
	}
}
