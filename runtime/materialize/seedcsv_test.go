package materialize

import (
	"errors"
	"strings"
	"testing"
)

// Types as dbt infers them for seed columns (agate's type tester with
// dbt's types; checked against dbt 1.12 on the rt_basic fixture).
func TestSeedInference(t *testing.T) {
	cases := []struct {
		name, csv string
		want      string // sql types, comma separated
		cells     string // first row's COPY values, | separated (NULL for null)
	}{
		{"integers", "a\n1\n-2\n", "integer", "1"},
		{"decimals", "a\n1.5\n2\n", "float8", "1.5"},
		{"trailing zeros are integers", "a\n1.0\n2.00\n", "integer", "1"},
		{"grouping and currency", "a\n\"1,000\"\n$5\n", "integer", "1000"},
		{"percent", "a\n50%\n", "integer", "50"},
		{"all null", "a\n\nnull\n", "integer", "NULL"},
		{"dates", "a\n2024-01-02\n2024-1-5\n", "date", "2024-01-02"},
		{"datetimes", "a\n2024-01-02 03:04:05\n", "timestamp without time zone", "2024-01-02 03:04:05"},
		{"iso datetimes", "a\n2024-01-02T03:04:05Z\n", "timestamp without time zone", "2024-01-02T03:04:05Z"},
		{"mixed datetime formats are text", "a\n2024-01-02 03:04:05\n2024-01-02T03:04:05\n", "text", "2024-01-02 03:04:05"},
		{"booleans", "a\nTrue\nfalse\n", "boolean", "t"},
		{"numbers are not booleans", "a\n1\n0\n", "integer", "1"},
		{"text with nulls", "a\nx\nNULL\n", "text", "x"},
		{"invalid date is text", "a\n2024-02-30\n", "text", "2024-02-30"},
		{"several columns", "id,name,ok\n1,Ada,true\n", "integer,text,boolean", "1|Ada|t"},
		{"short rows padded", "a,b\n1\n", "integer,integer", "1|NULL"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tbl, err := readSeed("s.csv", []byte(c.csv), ',', nil)
			if err != nil {
				t.Fatal(err)
			}
			var types, cells []string
			for i := range tbl.names {
				types = append(types, tbl.sqlType(i))
				v, ok := tbl.cell(i, tbl.rows[0][i])
				if !ok {
					v = "NULL"
				}
				cells = append(cells, v)
			}
			if got := strings.Join(types, ","); got != c.want {
				t.Errorf("types %s, want %s", got, c.want)
			}
			if got := strings.Join(cells, "|"); got != c.cells {
				t.Errorf("cells %s, want %s", got, c.cells)
			}
		})
	}
}

func TestSeedForcedText(t *testing.T) {
	tbl, err := readSeed("s.csv", []byte("code,n\n007,1\n"), ',', map[string]bool{"code": true})
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := tbl.cell(0, tbl.rows[0][0]); v != "007" || tbl.sqlType(0) != "text" {
		t.Errorf("forced text: %q %s", v, tbl.sqlType(0))
	}
}

func TestSeedErrors(t *testing.T) {
	cases := []struct{ csv, want string }{
		{"", "s.csv:1:1: expected a header row, found an empty seed file"},
		{"a,a\n1,2\n", `s.csv:1:3: duplicate column name "a"`},
		{"a\n1\n2,3\n", `s.csv:3:3: expected 1 values, one per header column, found 2 (the first extra one is "3")`},
		{"a,b\nü,ö,x\n", `s.csv:2:5: expected 2 values`}, // columns count characters
	}
	for _, c := range cases {
		_, err := readSeed("s.csv", []byte(c.csv), ',', nil)
		var se *SeedRowError
		if !errors.As(err, &se) || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%q: got %v, want %s", c.csv, err, c.want)
		}
	}
}

func FuzzReadSeed(f *testing.F) {
	f.Add("a,b\n1,x\n2.5,\n")
	f.Add("\ufeffid,when\n1,2024-01-02\n\"2\",\"2024-01-02 03:04:05\"\n")
	f.Add("a\n\"unterminated\n")
	f.Fuzz(func(t *testing.T, data string) {
		tbl, err := readSeed("f.csv", []byte(data), ',', nil)
		if err != nil {
			return
		}
		for _, row := range tbl.rows {
			if len(row) != len(tbl.names) {
				t.Fatalf("row width %d, header %d", len(row), len(tbl.names))
			}
			for i, v := range row {
				tbl.cell(i, v) // must not panic
			}
		}
		for i := range tbl.names {
			_ = tbl.sqlType(i)
		}
	})
}
