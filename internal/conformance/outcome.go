package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/jackc/pgx/v5"
)

// Recorded outcomes let CI check gdbt against dbt without running dbt, which
// costs seconds per command: a run with -update-goldens and the scenario's own
// steps writes what dbt did at each step into <fixture>/expected/outcomes.json
// (exit code, run results, every relation with its rows, the catalog), and a
// run with -gdbt-only replays the steps with gdbt alone and compares each step
// with that recording, reporting the same kinds of differences as a live run.

// OutcomesFile is the recording's name inside <fixture>/expected.
const OutcomesFile = "outcomes.json"

// Outcomes is expected/outcomes.json.
type Outcomes struct {
	DbtVersion string         `json:"dbt_version"`
	Note       string         `json:"note"`
	Steps      []*StepOutcome `json:"steps"`
}

// StepOutcome is what one tool left behind after one step.
type StepOutcome struct {
	Name      string                       `json:"name"`
	Exit      int                          `json:"exit"`
	Results   map[string]RunResult         `json:"results"`   // run_results.json; null when not written
	Relations map[string]*RecordedRelation `json:"relations"` // null after read-only commands
	Catalog   *CatalogSubset               `json:"catalog"`   // catalog.json; null when not written
}

// RecordedRelation is one relation with its rows.
type RecordedRelation struct {
	Kind       string   `json:"kind"`
	Columns    []string `json:"columns"`              // "name type" in ordinal order
	RowColumns []string `json:"row_columns"`          // the columns Rows hold: all but the scenario's ignored ones
	Rows       []string `json:"rows"`                 // COPY text lines, sorted
	ReadError  string   `json:"read_error,omitempty"` // the rows could not be read (a view that fails)
}

// readRelations reads every relation of a database with its rows, leaving
// out the columns ignored returns for a schema.name key.
func readRelations(ctx context.Context, dbURL string, ignored func(key string) []string) (map[string]*RecordedRelation, error) {
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return nil, err
	}
	defer conn.Close(ctx)
	rels, err := listRelations(ctx, conn)
	if err != nil {
		return nil, err
	}
	out := make(map[string]*RecordedRelation, len(rels))
	for key, r := range rels {
		rec := &RecordedRelation{Kind: r.Kind, Columns: r.Columns, RowColumns: []string{}}
		skip := ignored(key)
		for _, n := range r.names {
			if !slices.Contains(skip, n) {
				rec.RowColumns = append(rec.RowColumns, n)
			}
		}
		rec.Rows = []string{}
		out[key] = rec
		rows, _, err := dumpRows(ctx, conn, r, rec.RowColumns)
		if err != nil {
			rec.ReadError = err.Error()
			continue
		}
		for line, n := range rows {
			for range n {
				rec.Rows = append(rec.Rows, line)
			}
		}
		sort.Strings(rec.Rows)
	}
	return out, nil
}

// compareRelationSets compares the relations of dbt (a) and gdbt (b): kind,
// columns and the rows on the columns both hold.
func (c *stepCompare) compareRelationSets(ra, rb map[string]*RecordedRelation) {
	for _, key := range unionKeys(ra, rb) {
		a, b := ra[key], rb[key]
		c.fig.Relations++
		switch {
		case b == nil:
			c.add(KindRelationMissing, key, "", fmt.Sprintf("only dbt made this %s", a.Kind), "")
			continue
		case a == nil:
			c.add(KindRelationMissing, key, "", fmt.Sprintf("only gdbt made this %s", b.Kind), "")
			continue
		}
		same := true
		if a.Kind != b.Kind {
			same = false
			c.add(KindRelationKind, key, "", fmt.Sprintf("dbt %s, gdbt %s", a.Kind, b.Kind), "")
		}
		if !slices.Equal(a.Columns, b.Columns) {
			same = false
			c.add(KindRelationColumns, key, "", "columns or types differ",
				UnifiedDiff("dbt/"+key, "gdbt/"+key, strings.Join(a.Columns, "\n")+"\n", strings.Join(b.Columns, "\n")+"\n"))
		}
		var common []string
		for _, n := range a.RowColumns {
			if slices.Contains(b.RowColumns, n) {
				common = append(common, n)
			}
		}
		onlyA, onlyB := multisetDiff(projectRows(a, common), projectRows(b, common))
		switch {
		case a.ReadError != b.ReadError:
			same = false
			c.add(KindRelationRows, key, "", fmt.Sprintf("cannot read rows: dbt: %q; gdbt: %q", a.ReadError, b.ReadError), "")
		case a.ReadError != "": // the same failing view on both sides
		case len(onlyA)+len(onlyB) > 0:
			same = false
			what := "rows differ"
			if len(common) < len(a.Columns) {
				what = fmt.Sprintf("rows differ on the %d compared columns", len(common))
			}
			c.add(KindRelationRows, key, "", fmt.Sprintf("%s: dbt %d rows, gdbt %d; %d only in dbt, %d only in gdbt",
				what, len(a.Rows), len(b.Rows), len(onlyA), len(onlyB)), rowsDiff(key, onlyA, onlyB))
		}
		if same {
			c.fig.RelationsIdentical++
		}
	}
}

// projectRows counts a relation's rows as a multiset over cols.
func projectRows(r *RecordedRelation, cols []string) map[string]int {
	out := map[string]int{}
	if slices.Equal(cols, r.RowColumns) {
		for _, line := range r.Rows {
			out[line]++
		}
		return out
	}
	idx := make([]int, len(cols))
	for i, n := range cols {
		idx[i] = slices.Index(r.RowColumns, n)
	}
	for _, line := range r.Rows {
		// COPY text escapes tabs inside values: a tab always separates fields.
		fields := strings.Split(line, "\t")
		pick := make([]string, len(idx))
		for i, j := range idx {
			if j < len(fields) {
				pick[i] = fields[j]
			}
		}
		out[strings.Join(pick, "\t")]++
	}
	return out
}

// readOutcome collects what one side left behind after step st.
func readOutcome(ctx context.Context, s *side, st Step, run ToolRun, rw *strings.Replacer, ignored func(string) []string) (*StepOutcome, error) {
	o := &StepOutcome{Name: st.Name, Exit: run.Exit}
	if st.Kind == StepCommand {
		t := targetDir(s.project)
		rr, err := LoadRunResults(filepath.Join(t, "run_results.json"), rw)
		switch {
		case err == nil:
			for id, r := range rr {
				if r.Status == "success" || r.Status == "pass" {
					r.Message = "" // "SELECT 10", "INSERT 0 10": rows_affected says it
				} else {
					r.Message = strings.ReplaceAll(r.Message, s.project, "<project>")
				}
				rr[id] = r
			}
			o.Results = rr
		case !errors.Is(err, errNoArtifact):
			return nil, err
		}
		cat, err := LoadCatalog(filepath.Join(t, "catalog.json"), rw)
		switch {
		case err == nil:
			o.Catalog = cat
		case !errors.Is(err, errNoArtifact):
			return nil, err
		}
	}
	if st.Kind != StepCommand || !readOnlyCommands[st.Args[0]] {
		rels, err := readRelations(ctx, s.url, ignored)
		if err != nil {
			return nil, fmt.Errorf("step %s: reading relations: %w", st.Name, err)
		}
		o.Relations = rels
	}
	return o, nil
}

// compareOutcome compares gdbt's outcome of a step with dbt's recorded one.
func (c *stepCompare) compareOutcome(want, got *StepOutcome, gdbtLog string) {
	if want.Exit != got.Exit {
		c.add(KindExitCode, c.step, "", fmt.Sprintf("dbt exited %d, gdbt %d", want.Exit, got.Exit), logTail(gdbtLog, 15))
	}
	switch {
	case want.Results != nil && got.Results != nil:
		c.compareRunResults(want.Results, got.Results)
	case want.Results != nil:
		c.add(KindArtifactMissing, "run_results.json", "", "written by dbt only", "")
	case got.Results != nil:
		c.add(KindArtifactMissing, "run_results.json", "", "written by gdbt only", "")
	}
	switch {
	case want.Catalog != nil && got.Catalog != nil:
		c.compareCatalogs(want.Catalog, got.Catalog)
	case want.Catalog != nil:
		c.add(KindArtifactMissing, "catalog.json", "", "written by dbt only", "")
	case got.Catalog != nil:
		c.add(KindArtifactMissing, "catalog.json", "", "written by gdbt only", "")
	}
	if want.Relations != nil {
		c.compareRelationSets(want.Relations, got.Relations)
	}
}

// LoadOutcomes reads a recording.
func LoadOutcomes(path string) (*Outcomes, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var o Outcomes
	if err := json.Unmarshal(b, &o); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	// The recording is indented: raw JSON values compare as the compact
	// canonical form the loaders produce.
	for _, st := range o.Steps {
		for id, r := range st.Results {
			r.Failures, r.RowsAffected, r.BatchResults = canonOrNull(r.Failures), canonOrNull(r.RowsAffected), canonOrNull(r.BatchResults)
			st.Results[id] = r
		}
		if cat := st.Catalog; cat != nil {
			cat.Errors = canonOrNull(cat.Errors)
			for _, m := range []map[string]json.RawMessage{cat.Nodes, cat.Sources} {
				for id, v := range m {
					m[id] = canonicalJSON(v)
				}
			}
		}
	}
	return &o, nil
}

// outcomeRecorder keeps dbt's outcomes of a run's steps and, at the end,
// writes them (GoldensUpdate) or reports drift from the recording (GoldensCheck).
type outcomeRecorder struct {
	mode    string
	path    string
	version string
	steps   []*StepOutcome
}

func (r *outcomeRecorder) finish(c *stepCompare) error {
	rec := &Outcomes{DbtVersion: r.version, Steps: r.steps,
		Note: "what dbt did at each step of conformance.yml, written by internal/conformance; regenerate with: go run ./internal/conformance/cmd/conformance -update-goldens -dbt-only <project>"}
	b, err := marshalGolden(rec)
	if err != nil {
		return err
	}
	switch r.mode {
	case GoldensUpdate:
		if err := os.MkdirAll(filepath.Dir(r.path), 0o755); err != nil {
			return err
		}
		return os.WriteFile(r.path, b, 0o644)
	case GoldensCheck:
		old, err := os.ReadFile(r.path)
		if err != nil {
			return err
		}
		if !bytes.Equal(old, b) {
			c.add(KindGoldenDrift, OutcomesFile, "", "dbt's outcomes drifted from the recording (run with -update-goldens)",
				UnifiedDiff("golden/"+OutcomesFile, "dbt/"+OutcomesFile, string(old), string(b)))
		}
	}
	return nil
}
