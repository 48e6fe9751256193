package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestRecordedOutcomes replays, with gdbt alone, every fixture project that
// holds dbt's recording (fixtures/projects/*/expected/outcomes.json: the
// dbt-tests-adapter ports adapter_*) and fails on each step whose exit code,
// run results (status, failures, rows affected), relations (kind, columns,
// rows) or catalog differ from what dbt did, unless
// docs/conformance-allowlist.yml allows it. It needs PostgreSQL, not dbt:
// the recordings are made with
//
//	go run ./internal/conformance/cmd/conformance -update-goldens -dbt-only <project>
func TestRecordedOutcomes(t *testing.T) {
	repo, env, al := prepareTest(t, PrepareOptions{NoDbt: true, WorkDir: "conformance-recorded"}, "PostgreSQL")
	recs, err := filepath.Glob(filepath.Join(repo, "fixtures", "projects", "*", "expected", OutcomesFile))
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) == 0 {
		t.Fatal("no fixture holds expected/" + OutcomesFile)
	}
	ctx := context.Background()
	for _, rec := range recs {
		dir := filepath.Dir(filepath.Dir(rec))
		name := filepath.Base(dir)
		t.Run(name, func(t *testing.T) {
			rep, err := RunWith(ctx, Config{Project: dir, Name: name, DBURL: env.DBURL, GdbtPath: env.Gdbt,
				WorkDir: env.WorkDir, GdbtOnly: true, Log: t.Logf},
				RunOptions{ShellDir: repo, AllowList: al})
			if err != nil {
				t.Fatal(err)
			}
			checkReport(t, rep, "gdbt and dbt's recording")
		})
	}
}

// TestCompareOutcome checks that each way gdbt can stray from a recorded
// step is reported, with the kind the allow-list keys on.
func TestCompareOutcome(t *testing.T) {
	base := func() *StepOutcome {
		return &StepOutcome{
			Name: "run",
			Results: map[string]RunResult{
				"model.p.m": {Status: "success", Failures: json.RawMessage("null"), RowsAffected: json.RawMessage("10")},
			},
			Relations: map[string]*RecordedRelation{
				"s.m": {Kind: "table", Columns: []string{"id integer", "at timestamp"}, RowColumns: []string{"id", "at"},
					Rows: []string{"1\t2024-01-01", "2\t2024-01-02"}},
			},
			Catalog: &CatalogSubset{Env: map[string]string{}, Nodes: map[string]json.RawMessage{"model.p.m": json.RawMessage(`{"a":1}`)},
				Sources: map[string]json.RawMessage{}, Errors: json.RawMessage("null")},
		}
	}
	tests := []struct {
		name   string
		mutate func(o *StepOutcome)
		want   []Kind
	}{
		{"identical", func(*StepOutcome) {}, nil},
		{"exit code", func(o *StepOutcome) { o.Exit = 1 }, []Kind{KindExitCode}},
		{"status", func(o *StepOutcome) {
			o.Results["model.p.m"] = RunResult{Status: "error", Failures: json.RawMessage("null"), RowsAffected: json.RawMessage("10")}
		}, []Kind{KindRunResult}},
		{"rows affected", func(o *StepOutcome) {
			o.Results["model.p.m"] = RunResult{Status: "success", Failures: json.RawMessage("null"), RowsAffected: json.RawMessage("9")}
		}, []Kind{KindRunResult}},
		{"extra result", func(o *StepOutcome) { o.Results["test.p.t"] = RunResult{Status: "pass"} }, []Kind{KindRunResult}},
		{"no run_results", func(o *StepOutcome) { o.Results = nil }, []Kind{KindArtifactMissing}},
		{"missing relation", func(o *StepOutcome) { delete(o.Relations, "s.m") }, []Kind{KindRelationMissing}},
		{"relation kind", func(o *StepOutcome) { o.Relations["s.m"].Kind = "view" }, []Kind{KindRelationKind}},
		{"one row less", func(o *StepOutcome) { o.Relations["s.m"].Rows = o.Relations["s.m"].Rows[:1] }, []Kind{KindRelationRows}},
		{"a changed value", func(o *StepOutcome) { o.Relations["s.m"].Rows[1] = "2\t2024-01-03" }, []Kind{KindRelationRows}},
		{"an ignored column: rows compared on the rest", func(o *StepOutcome) {
			r := o.Relations["s.m"]
			r.RowColumns, r.Rows = []string{"id"}, []string{"1", "2"}
		}, nil},
		{"an extra column, same rows on the common ones", func(o *StepOutcome) {
			r := o.Relations["s.m"]
			r.Columns = append(r.Columns, "x text")
			r.RowColumns = append(r.RowColumns, "x")
			r.Rows = []string{"1\t2024-01-01\ta", "2\t2024-01-02\tb"}
		}, []Kind{KindRelationColumns}},
		{"catalog entry", func(o *StepOutcome) { o.Catalog.Nodes["model.p.m"] = json.RawMessage(`{"a":2}`) }, []Kind{KindCatalog}},
		{"catalog env", func(o *StepOutcome) { o.Catalog.Env["k"] = "v" }, []Kind{KindCatalog}},
		{"no catalog", func(o *StepOutcome) { o.Catalog = nil }, []Kind{KindArtifactMissing}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := base()
			tt.mutate(got)
			c := &stepCompare{step: "run", badNode: map[string]bool{}, nodes: map[string]bool{}}
			c.compareOutcome(base(), got, "")
			var kinds []Kind
			for _, d := range c.diffs {
				kinds = append(kinds, d.Kind)
			}
			if !slices.Equal(kinds, tt.want) {
				t.Errorf("differences %v, want kinds %v", c.diffs, tt.want)
			}
		})
	}
}

// TestOutcomesRoundTrip: a recording reads back as it was written and
// compares equal to what was recorded.
func TestOutcomesRoundTrip(t *testing.T) {
	want := &Outcomes{DbtVersion: "1.12.6", Steps: []*StepOutcome{{Name: "seed", Exit: 1,
		Results:   map[string]RunResult{"seed.p.s": {Status: "error", Failures: json.RawMessage("null"), RowsAffected: json.RawMessage("null"), BatchResults: json.RawMessage("null"), Message: "boom"}},
		Relations: map[string]*RecordedRelation{"s.x": {Kind: "view", Columns: []string{"id integer"}, RowColumns: []string{"id"}, Rows: []string{"1"}}},
		Catalog: &CatalogSubset{Env: map[string]string{"k": "v"}, Errors: json.RawMessage("null"), Sources: map[string]json.RawMessage{},
			Nodes: map[string]json.RawMessage{"model.p.m": json.RawMessage(`{"columns":{"id":{"index":1}},"unique_id":"model.p.m"}`)}}}}}
	b, err := marshalGolden(want)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), OutcomesFile)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := LoadOutcomes(path)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := marshalGolden(got)
	if !bytes.Equal(b, again) {
		t.Errorf("round trip changed the recording:\n%s", UnifiedDiff("written", "read", string(b), string(again)))
	}
	c := &stepCompare{step: "seed", badNode: map[string]bool{}, nodes: map[string]bool{}}
	c.compareOutcome(want.Steps[0], got.Steps[0], "")
	for _, d := range c.diffs {
		t.Errorf("read back, the recording differs from itself: %s %s: %s", d.Kind, d.ID, d.Detail)
	}
}
