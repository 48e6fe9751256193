package materialize

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gdbt/gdbt/compiler/dbtctx"
	"github.com/gdbt/gdbt/compiler/jinja"
)

// TestUnitDiffMatchesDaff renders the diff of each case in
// testdata/unitdiff/cases.json and compares it, ANSI codes included, with
// what daff prints for dbt (daff.golden, written by
// scripts/daff_oracle.py).
func TestUnitDiffMatchesDaff(t *testing.T) {
	dir := filepath.Join("testdata", "unitdiff")
	data, err := os.ReadFile(filepath.Join(dir, "cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct {
		Name             string
		Header           []string
		Expected, Actual [][]any
	}
	if err := json.Unmarshal(data, &cases); err != nil {
		t.Fatal(err)
	}
	golden, err := os.ReadFile(filepath.Join(dir, "daff.golden"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	for _, block := range strings.Split(string(golden), "== ")[1:] {
		name, body, _ := strings.Cut(block, "\n")
		want[name] = body
	}
	rows := func(in [][]any) [][]any {
		out := make([][]any, len(in))
		for i, r := range in {
			out[i] = make([]any, len(r))
			for k, v := range r {
				out[i][k] = fromCase(t, v)
			}
		}
		sortRows(out)
		return out
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			got, ok := unitDiff(c.Header, rows(c.Expected), rows(c.Actual), true)
			if !ok {
				got = "(no difference)\n"
			}
			if w, found := want[c.Name]; !found || got != w {
				t.Errorf("diff differs from daff's\n--- daff\n%s--- gdbt\n%s", w, got)
			}
		})
	}
}

// fromCase turns a JSON cell into the value a query result holds.
func fromCase(t *testing.T, v any) any {
	switch x := v.(type) {
	case float64:
		return int64(x)
	case map[string]any:
		if d, ok := x["dec"].(string); ok {
			dec, ok := jinja.ParseDecimal(d)
			if !ok {
				t.Fatalf("bad decimal %q", d)
			}
			return dec
		}
		if d, ok := x["date"].(string); ok {
			tm, err := time.Parse("2006-01-02", d)
			if err != nil {
				t.Fatal(err)
			}
			return dbtctx.Date(tm)
		}
	}
	return v
}
