package cli

import (
	"os"
	"path/filepath"
	"testing"
)

// TestRunOperation calls the fixture's macros; the goldens follow
// `dbt run-operation` 1.12.6's lines (the LINE number of database errors is
// one lower: gdbt sends no query comment).
func TestRunOperation(t *testing.T) {
	f := newCmdFixture(t)
	f.mustRun("seed")
	cases := []struct {
		name   string
		args   []string
		code   int
		status string // run_results.json, "" when none is written
	}{
		{"op_greet", []string{"run-operation", "greet"}, 0, "success"},
		{"op_greet_args", []string{"run-operation", "greet", "--args", "{name: Bob, times: 2}"}, 0, "success"},
		{"op_count", []string{"run-operation", "cmd_basic.count_people"}, 0, "success"},
		{"op_make_table", []string{"run-operation", "make_table", "--args", "{schema_name: cmd_ops}"}, 0, "success"},
		{"op_explode", []string{"run-operation", "explode"}, 1, "error"},
		{"op_bad_sql", []string{"run-operation", "bad_sql"}, 1, "error"},
		{"op_missing", []string{"run-operation", "nope"}, 2, ""},
		{"op_bad_args", []string{"run-operation", "greet", "--args", "[1, 2]"}, 2, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rr := filepath.Join(f.dir, "target", "run_results.json")
			_ = removeFile(rr)
			code, out := f.gdbt(c.args...)
			if code != c.code {
				t.Errorf("exit %d, want %d", code, c.code)
			}
			golden(t, c.name, out)
			if c.status == "" {
				if fileExists(rr) {
					t.Error("run_results.json written")
				}
				return
			}
			var res struct {
				Results []struct {
					Status   string `json:"status"`
					UniqueID string `json:"unique_id"`
					Failures int    `json:"failures"`
				} `json:"results"`
				Args map[string]any `json:"args"`
			}
			readJSON(t, rr, &res)
			if len(res.Results) != 1 || res.Results[0].Status != c.status {
				t.Fatalf("results %+v, want one %s", res.Results, c.status)
			}
			if res.Args["which"] != "run-operation" || res.Args["macro"] != c.args[1] {
				t.Errorf("args %v", res.Args)
			}
		})
	}
	if got := f.query("select table_schema || '.' || table_name from information_schema.tables where table_name = 'op_made'"); len(got) != 1 || got[0] != "cmd_ops.op_made" {
		t.Errorf("make_table created %v, want cmd_ops.op_made", got)
	}
}

func removeFile(p string) error { return os.Remove(p) }
