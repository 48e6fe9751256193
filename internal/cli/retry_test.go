package cli

import (
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

type resultsFile struct {
	Results []struct {
		UniqueID string `json:"unique_id"`
		Status   string `json:"status"`
	} `json:"results"`
	Args map[string]any `json:"args"`
}

func (f *cmdFixture) results(t *testing.T) (map[string]string, map[string]any) {
	t.Helper()
	var rr resultsFile
	readJSON(t, filepath.Join(f.dir, "target", "run_results.json"), &rr)
	out := map[string]string{}
	for _, r := range rr.Results {
		out[r.UniqueID] = r.Status
	}
	return out, rr.Args
}

// TestRetry follows dbt's retry loop: a build breaks fragile (downstream
// skipped); retry re-runs just those two with the same vars and fails
// again; retry with fixed --vars succeeds; a further retry has nothing to
// do; then there is no previous run left to retry.
func TestRetry(t *testing.T) {
	f := newCmdFixture(t)
	code, _ := f.gdbt("build", "--vars", "{broken: true}")
	if code != 1 {
		t.Fatalf("broken build: exit %d, want 1", code)
	}
	got, _ := f.results(t)
	if got["model.cmd_basic.fragile"] != "error" || got["model.cmd_basic.downstream"] != "skipped" {
		t.Fatalf("broken build results %v", got)
	}

	code, out := f.gdbt("retry")
	if code != 1 {
		t.Errorf("retry with the same vars: exit %d, want 1", code)
	}
	golden(t, "retry_still_broken", out)
	got, args := f.results(t)
	want := map[string]string{"model.cmd_basic.fragile": "error", "model.cmd_basic.downstream": "skipped"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("retry results %v, want %v", got, want)
	}
	if args["which"] != "build" || args["vars"] != "{broken: true}" {
		t.Errorf("retry args %v: want the previous command and vars", args)
	}

	code, out = f.gdbt("retry", "--vars", "{broken: false}")
	if code != 0 {
		t.Errorf("retry with fixed vars: exit %d\n%s", code, out)
	}
	golden(t, "retry_fixed", out)
	got, _ = f.results(t)
	ids := make([]string, 0, len(got))
	for id, st := range got {
		ids = append(ids, id+"="+st)
	}
	sort.Strings(ids)
	if strings.Join(ids, " ") != "model.cmd_basic.downstream=success model.cmd_basic.fragile=success" {
		t.Errorf("fixed retry results %v", ids)
	}

	code, out = f.gdbt("retry")
	if code != 0 || !strings.Contains(out, "Nothing to do") {
		t.Errorf("retry after success: exit %d\n%s", code, out)
	}
	code, out = f.gdbt("retry")
	if code != 2 || !strings.Contains(out, "Could not find previous run in 'target' target directory") {
		t.Errorf("retry without results: exit %d\n%s", code, out)
	}
}

// TestRetryRunOperation re-runs a failed operation with its arguments and
// does nothing after a successful one.
func TestRetryRunOperation(t *testing.T) {
	f := newCmdFixture(t)
	f.mustRun("seed")
	if code, out := f.gdbt("run-operation", "greet", "--args", "{name: Ann}"); code != 0 {
		t.Fatalf("greet: %d\n%s", code, out)
	}
	code, out := f.gdbt("retry")
	if code != 0 || strings.Contains(out, "Hello") {
		t.Errorf("retry of a successful operation: exit %d, want 0 and no output:\n%s", code, out)
	}
	if code, _ := f.gdbt("run-operation", "bad_sql"); code != 1 {
		t.Fatalf("bad_sql: exit %d", code)
	}
	f.exec("create table no_such_table_xyz (id int)")
	code, out = f.gdbt("retry")
	if code != 0 {
		t.Errorf("retry of the fixed operation: exit %d\n%s", code, out)
	}
	got, args := f.results(t)
	if got["macro.cmd_basic.bad_sql"] != "success" || args["macro"] != "bad_sql" {
		t.Errorf("results %v args %v", got, args)
	}
}
