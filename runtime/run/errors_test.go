package run

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestErrorScenario: a seed row the declared type rejects (reported with
// file and line); a model whose SQL fails leaves its previous table in
// place and skips its child while independent models go on; bad
// incremental strategies; a project's own strategy macro; tests that pass,
// warn and fail by threshold, with and without --store-failures; --empty.
func TestErrorScenario(t *testing.T) {
	f := newFixture(t, "rt_errors")
	steps := []step{
		{cmd: "seed"},
		{cmd: "run"},
		{cmd: "run", vars: `{flaky_expr: "'v2' frm nowhere"}`},
		{cmd: "run", vars: "{strategy: insert_overwrite}"},
		{cmd: "run", vars: "{strategy: foo}"},
		{cmd: "test", vars: "{bad_rows: 2}"},
		{cmd: "test", vars: "{bad_rows: 5, fail: true}"},
		{cmd: "run", vars: "{custom_rows: 4}"},
		{cmd: "test", vars: "{bad_rows: 5, fail: true}", store: true},
		{cmd: "run", vars: "{custom_rows: 6}", empty: true},
	}
	runScenario(t, f, steps, "error_scenario.golden")
}

// leftovers lists intermediate and backup relations.
func (f *fixture) leftovers() string {
	return f.rows(`select relname from pg_class where relname like '%\_\_dbt\_tmp%' or relname like '%\_\_dbt\_backup%'`)
}

// sleeping lists the server backends running a pg_sleep model.
func (f *fixture) sleeping() string {
	return f.rows(`select pid from pg_stat_activity where query like '%pg_sleep(%' and query not like '%pg_stat_activity%' and state = 'active'`)
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestTerminatedBackendFailsOnlyThatNode kills the server process of a
// running model: that node errors, the others succeed, nothing is left
// half-built.
func TestTerminatedBackendFailsOnlyThatNode(t *testing.T) {
	f := newFixture(t, "rt_errors")
	if code, out := f.run(Run, "", nil); code != 0 {
		t.Fatalf("first run: exit %d\n%s", code, out)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		waitFor(t, "the slow model to start", func() bool { return f.sleeping() != "" })
		f.exec(`select pg_terminate_backend(pid) from pg_stat_activity where query like '%pg_sleep(%' and query not like '%pg_stat_activity%' and state = 'active'`)
	}()
	code, out := f.run(Run, "{sleep: 30}", func(o *Options) { o.Threads = 2 })
	wg.Wait()
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s", code, out)
	}
	if !strings.Contains(out, "ERROR creating sql table model rt.slow") || !strings.Contains(out, "Done. PASS=5 WARN=0 ERROR=1 SKIP=0") {
		t.Errorf("unexpected output:\n%s", out)
	}
	if !strings.Contains(out, "terminating connection due to administrator command") {
		t.Errorf("the error should say the backend was terminated:\n%s", out)
	}
	if l := f.leftovers(); l != "" {
		t.Errorf("left behind: %s", l)
	}
	if got := f.rows("select id from rt.slow"); got != "1\n" {
		t.Errorf("previous slow table: %q", got)
	}
}

type runResultsFile struct {
	Results []struct {
		Status   string `json:"status"`
		UniqueID string `json:"unique_id"`
	} `json:"results"`
}

// TestInterruptCancelsServerQueries cancels the run (as Ctrl-C does) while
// a model sleeps on the server: the query is cancelled there, the run
// exits 2, run_results.json lists what finished, and no __dbt_tmp or
// __dbt_backup relation is left.
func TestInterruptCancelsServerQueries(t *testing.T) {
	f := newFixture(t, "rt_errors")
	if code, out := f.run(Run, "", nil); code != 0 {
		t.Fatalf("first run: exit %d\n%s", code, out)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		waitFor(t, "the slow model to start", func() bool { return f.sleeping() != "" })
		cancel()
	}()
	res := f.parse("{sleep: 30}")
	start := time.Now()
	code := Run(ctx, Options{Parse: res, Threads: 1, TargetDir: f.target, Selected: []string{"model.rt_errors.independent", "model.rt_errors.slow", "model.rt_errors.strategy"}})
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("cancel took %v", d)
	}
	if code != 2 {
		t.Fatalf("exit %d, want 2", code)
	}
	waitFor(t, "the server query to stop", func() bool { return f.sleeping() == "" })
	if l := f.leftovers(); l != "" {
		t.Errorf("left behind: %s", l)
	}
	b, err := os.ReadFile(filepath.Join(f.target, "run_results.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rr runResultsFile
	if err := json.Unmarshal(b, &rr); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rr.Results {
		got = append(got, r.UniqueID+":"+r.Status)
	}
	// independent sorts first and finished; slow was interrupted; strategy
	// never started.
	if strings.Join(got, " ") != "model.rt_errors.independent:success model.rt_errors.slow:error" {
		t.Errorf("run_results: %v", got)
	}
}

// TestFailFast stops at the first failure: the running slow model is
// cancelled and the nodes not yet started are reported as skipped.
func TestFailFast(t *testing.T) {
	f := newFixture(t, "rt_errors")
	start := time.Now()
	code, out := f.run(Run, `{sleep: 30, flaky_expr: "1/0"}`, func(o *Options) { o.Threads = 2; o.FailFast = true })
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("fail-fast took %v", d)
	}
	if code != 1 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	if !strings.Contains(out, "ERROR creating sql table model rt.flaky") || !strings.Contains(out, "SKIP=") {
		t.Errorf("output:\n%s", out)
	}
	waitFor(t, "the server query to stop", func() bool { return f.sleeping() == "" })
	if l := f.leftovers(); l != "" {
		t.Errorf("left behind: %s", l)
	}
}
