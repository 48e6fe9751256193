package conformance

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
)

// Kind classifies a difference; the allow-list keys on it.
type Kind string

const (
	KindExitCode         Kind = "exit-code"
	KindArtifactMissing  Kind = "artifact-missing"
	KindStepError        Kind = "step-error"
	KindManifestNode     Kind = "manifest-node"
	KindManifestSource   Kind = "manifest-source"
	KindManifestExpo     Kind = "manifest-exposure"
	KindManifestMacro    Kind = "manifest-macro"
	KindManifestDoc      Kind = "manifest-doc"
	KindManifestGraph    Kind = "manifest-graph"
	KindManifestGroup    Kind = "manifest-group"
	KindManifestDisabled Kind = "manifest-disabled"
	KindMacroDeps        Kind = "macro-deps"
	KindCompiledSQL      Kind = "compiled-sql"
	KindCompiledSpace    Kind = "compiled-sql-whitespace"
	KindRunResult        Kind = "run-result"
	KindRelationMissing  Kind = "relation-missing"
	KindRelationKind     Kind = "relation-kind"
	KindRelationColumns  Kind = "relation-columns"
	KindRelationRows     Kind = "relation-rows"
	KindCatalog          Kind = "catalog"
	KindGoldenDrift      Kind = "golden-drift"
)

var allKinds = []Kind{KindExitCode, KindArtifactMissing, KindStepError, KindManifestNode, KindManifestSource,
	KindManifestExpo, KindManifestMacro, KindManifestDoc, KindManifestGraph, KindManifestUnit, KindManifestGroup, KindManifestDisabled, KindMacroDeps, KindCompiledSQL,
	KindCompiledSpace, KindRunResult, KindRelationMissing, KindRelationKind, KindRelationColumns,
	KindRelationRows, KindCatalog, KindGoldenDrift}

func knownKind(k string) bool {
	for _, x := range allKinds {
		if string(x) == k {
			return true
		}
	}
	return false
}

func kindNames() []string {
	s := make([]string, len(allKinds))
	for i, k := range allKinds {
		s[i] = string(k)
	}
	return s
}

// Difference is one place where dbt and gdbt disagree.
type Difference struct {
	Step    string `json:"step"`
	Kind    Kind   `json:"kind"`
	ID      string `json:"id"`              // unique_id, schema.relation or compiled path
	Field   string `json:"field,omitempty"` // manifest field, run_results field
	Detail  string `json:"detail"`          // one line
	Diff    string `json:"diff,omitempty"`  // unified diff, dbt (---) against gdbt (+++)
	Allowed string `json:"allowed,omitempty"`
	Repeat  string `json:"repeat_of,omitempty"` // the earlier step that reported the same difference
}

// ToolRun is one tool's execution of one step.
type ToolRun struct {
	Exit    int     `json:"exit"`
	Seconds float64 `json:"seconds"`
	Log     string  `json:"log,omitempty"`
	Err     string  `json:"error,omitempty"` // could not start, timed out
	Skipped bool    `json:"skipped,omitempty"`
}

// Figures count what a step compared.
type Figures struct {
	Nodes              int `json:"nodes"`
	NodesIdentical     int `json:"nodes_identical"`
	Compiled           int `json:"compiled"`
	CompiledExact      int `json:"compiled_exact"`
	CompiledNormalized int `json:"compiled_normalized"` // identical after collapsing whitespace
	MacroDeps          int `json:"macro_deps"`
	MacroDepsIdentical int `json:"macro_deps_identical"`
	Relations          int `json:"relations"`
	RelationsIdentical int `json:"relations_identical"`
	Tests              int `json:"tests"`
	TestsIdentical     int `json:"tests_identical"`
	Results            int `json:"results"`
	ResultsIdentical   int `json:"results_identical"`
}

// StepResult is one step of one project.
type StepResult struct {
	Name    string   `json:"name"`
	Kind    StepKind `json:"kind"`
	Dbt     ToolRun  `json:"dbt"`
	Gdbt    ToolRun  `json:"gdbt"`
	Figures Figures  `json:"figures"`
}

// Ratio is dbt's wall time over gdbt's (how many times faster gdbt is); 0 when unknown.
func (s *StepResult) Ratio() float64 {
	if s.Gdbt.Seconds <= 0 || s.Dbt.Seconds <= 0 || s.Gdbt.Err != "" {
		return 0
	}
	return s.Dbt.Seconds / s.Gdbt.Seconds
}

// Report is the outcome for one project.
type Report struct {
	Project     string        `json:"project"`
	Dir         string        `json:"dir"`
	DbtVersion  string        `json:"dbt_version,omitempty"`
	Steps       []*StepResult `json:"steps"`
	Differences []*Difference `json:"differences"`
}

// Failing returns the differences that are neither allowed nor repeats.
func (r *Report) Failing() []*Difference {
	var out []*Difference
	for _, d := range r.Differences {
		if d.Allowed == "" && d.Repeat == "" {
			out = append(out, d)
		}
	}
	return out
}

// WriteTable prints the per-step table of a project.
func (r *Report) WriteTable(w io.Writer) {
	fmt.Fprintf(w, "\n== %s (%s)\n", r.Project, r.Dir)
	tw := tabwriter.NewWriter(w, 2, 8, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "step\texit dbt/gdbt\tnodes =/n\tcompiled exact/ws/n\trelations =/n\ttests =/n\tresults =/n\tdbt s\tgdbt s\tratio\t")
	var td, tg, cd, cg float64 // totals; c*: steps where both tools exited alike
	for _, s := range r.Steps {
		f := s.Figures
		ratio := "-"
		if x := s.Ratio(); x > 0 {
			ratio = fmt.Sprintf("%.1fx", x)
			if s.Dbt.Exit != s.Gdbt.Exit {
				ratio = "(" + ratio + ")" // gdbt failed differently: not a fair timing
			} else if s.Kind == StepCommand {
				cd += s.Dbt.Seconds
				cg += s.Gdbt.Seconds
			}
		}
		exitG := fmt.Sprint(s.Gdbt.Exit)
		switch {
		case s.Gdbt.Skipped:
			exitG = "-"
		case s.Gdbt.Err != "":
			exitG = "!"
		}
		fmt.Fprintf(tw, "%s\t%d/%s\t%s\t%s\t%s\t%s\t%s\t%.2f\t%.2f\t%s\t\n", s.Name, s.Dbt.Exit, exitG,
			frac(f.NodesIdentical, f.Nodes), frac3(f.CompiledExact, f.CompiledNormalized, f.Compiled),
			frac(f.RelationsIdentical, f.Relations), frac(f.TestsIdentical, f.Tests),
			frac(f.ResultsIdentical, f.Results), s.Dbt.Seconds, s.Gdbt.Seconds, ratio)
		td += s.Dbt.Seconds
		tg += s.Gdbt.Seconds
	}
	fmt.Fprintf(tw, "total\t\t\t\t\t\t\t%.2f\t%.2f\t\t\n", td, tg)
	ratio := "-"
	if cg > 0 {
		ratio = fmt.Sprintf("%.1fx", cd/cg)
	}
	fmt.Fprintf(tw, "same-exit commands\t\t\t\t\t\t\t%.2f\t%.2f\t%s\t\n", cd, cg, ratio)
	tw.Flush()
	fmt.Fprintln(w, "(ratio = dbt wall time / gdbt wall time; in parentheses when the exit codes differ, left out of the totals)")
	allowed, repeats := 0, 0
	for _, d := range r.Differences {
		switch {
		case d.Repeat != "":
			repeats++
		case d.Allowed != "":
			allowed++
		}
	}
	fmt.Fprintf(w, "differences: %d failing, %d allowed, %d repeated from an earlier step\n", len(r.Failing()), allowed, repeats)
	if len(r.Differences) > 0 {
		byKind := map[Kind]int{}
		for _, d := range r.Differences {
			if d.Repeat == "" {
				byKind[d.Kind]++
			}
		}
		var parts []string
		for _, k := range allKinds {
			if byKind[k] > 0 {
				parts = append(parts, fmt.Sprintf("%s %d", k, byKind[k]))
			}
		}
		fmt.Fprintf(w, "by kind: %s\n", strings.Join(parts, ", "))
	}
}

// WriteDifferences prints n failing differences with their diffs, taking them
// round-robin across kinds so one noisy kind does not hide the others.
func (r *Report) WriteDifferences(w io.Writer, n int) {
	fail := pickDiverse(r.Failing(), n)
	for i, d := range fail {
		field := ""
		if d.Field != "" {
			field = " [" + d.Field + "]"
		}
		fmt.Fprintf(w, "\n%d. %s: %s %s%s: %s\n", i+1, d.Step, d.Kind, d.ID, field, d.Detail)
		if d.Diff != "" {
			fmt.Fprint(w, indent(truncateLines(d.Diff, 40), "   "))
		}
	}
	if total := len(r.Failing()); total > len(fail) {
		fmt.Fprintf(w, "\n... %d failing differences in all (see the JSON report)\n", total)
	}
}

// pickDiverse takes up to n differences, one kind at a time in order of first
// appearance, keeping each kind's own order.
func pickDiverse(all []*Difference, n int) []*Difference {
	var kinds []Kind
	byKind := map[Kind][]*Difference{}
	for _, d := range all {
		if byKind[d.Kind] == nil {
			kinds = append(kinds, d.Kind)
		}
		byKind[d.Kind] = append(byKind[d.Kind], d)
	}
	var out []*Difference
	for len(out) < n && len(out) < len(all) {
		for _, k := range kinds {
			if len(byKind[k]) > 0 && len(out) < n {
				out = append(out, byKind[k][0])
				byKind[k] = byKind[k][1:]
			}
		}
	}
	return out
}

func frac(a, n int) string {
	if n == 0 {
		return "-"
	}
	return fmt.Sprintf("%d/%d", a, n)
}

func frac3(a, b, n int) string {
	if n == 0 {
		return "-"
	}
	return fmt.Sprintf("%d/%d/%d", a, b, n)
}

func truncateLines(s string, n int) string {
	lines := strings.SplitAfter(s, "\n")
	if len(lines) <= n {
		return s
	}
	return strings.Join(lines[:n], "") + fmt.Sprintf("... (%d more lines)\n", len(lines)-n)
}

func indent(s, pre string) string {
	lines := strings.SplitAfter(s, "\n")
	var b strings.Builder
	for _, l := range lines {
		if l != "" {
			b.WriteString(pre + l)
		}
	}
	if !strings.HasSuffix(s, "\n") {
		b.WriteByte('\n')
	}
	return b.String()
}

// WriteJSON writes reports as one JSON document.
func WriteJSON(path string, reports []*Report) error {
	b, err := json.MarshalIndent(struct {
		Projects []*Report `json:"projects"`
	}{reports}, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}
