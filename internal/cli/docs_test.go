package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestDocsGenerate builds the fixture, generates the catalog and compares
// it byte for byte with the one dbt 1.12.6 (dbt-postgres 1.11.0) wrote for
// the same project and data (testdata/cmd_basic/catalog.dbt.json, with the
// database name and the volatile metadata masked).
func TestDocsGenerate(t *testing.T) {
	f := newCmdFixture(t)
	f.mustRun("build")
	code, out := f.gdbt("docs", "generate")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	golden(t, "docs_generate", out)

	data, err := os.ReadFile(filepath.Join(f.dir, "target", "catalog.json"))
	if err != nil {
		t.Fatal(err)
	}
	got := regexp.MustCompile(`"(generated_at|invocation_id|invocation_started_at)": "[^"]*"`).ReplaceAllString(string(data), `"$1": "X"`)
	got = strings.ReplaceAll(got, `"`+f.dbName+`"`, `"DB"`)
	want, err := os.ReadFile(filepath.Join("testdata", "cmd_basic", "catalog.dbt.json"))
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("catalog.json differs from dbt's:\n--- got\n%s\n--- want\n%s", got, want)
	}

	// The compile step recorded every node but the ephemeral one, whose SQL
	// was injected into its consumer.
	var rr struct {
		Results []struct {
			UniqueID     string  `json:"unique_id"`
			Status       string  `json:"status"`
			CompiledCode *string `json:"compiled_code"`
		} `json:"results"`
		Args map[string]any `json:"args"`
	}
	readJSON(t, filepath.Join(f.dir, "target", "run_results.json"), &rr)
	if rr.Args["which"] != "generate" {
		t.Errorf("run_results args.which = %v, want generate", rr.Args["which"])
	}
	statuses := map[string]string{}
	for _, r := range rr.Results {
		statuses[r.UniqueID] = r.Status
		if r.UniqueID == "model.cmd_basic.fragile" && (r.CompiledCode == nil || !strings.Contains(*r.CompiledCode, "__dbt__cte__eph")) {
			t.Errorf("fragile's compiled code lacks the ephemeral CTE: %v", r.CompiledCode)
		}
	}
	for _, id := range []string{"seed.cmd_basic.people", "model.cmd_basic.people_tbl", "test.cmd_basic.unique_people_tbl_id.4b646b2dd0"} {
		if statuses[id] != "success" {
			t.Errorf("%s: status %q, want success (all: %v)", id, statuses[id], statuses)
		}
	}
	// Ephemeral models are compiled into their callers: dbt lists no result for them.
	if s, ok := statuses["model.cmd_basic.eph"]; ok {
		t.Errorf("model.cmd_basic.eph has a result (%s); dbt records none for ephemeral models", s)
	}
}

// TestDocsGenerateSelect keeps only the selected nodes and sources.
func TestDocsGenerateSelect(t *testing.T) {
	f := newCmdFixture(t)
	f.mustRun("build")
	f.mustRun("docs", "generate", "--select", "people_tbl source:raw.fresh_events")
	var cat struct {
		Nodes   map[string]any `json:"nodes"`
		Sources map[string]any `json:"sources"`
		Errors  []string       `json:"errors"`
	}
	readJSON(t, filepath.Join(f.dir, "target", "catalog.json"), &cat)
	if len(cat.Nodes) != 1 || cat.Nodes["model.cmd_basic.people_tbl"] == nil {
		t.Errorf("nodes = %v, want only people_tbl", keys(cat.Nodes))
	}
	if len(cat.Sources) != 1 || cat.Sources["source.cmd_basic.raw.fresh_events"] == nil {
		t.Errorf("sources = %v, want only raw.fresh_events", keys(cat.Sources))
	}
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// docs generate --no-compile writes the catalog only, as dbt's: no
// manifest.json and no run_results.json; dbt's partial-parse switches are
// accepted anywhere after the command.
func TestDocsGenerateNoCompile(t *testing.T) {
	f := newCmdFixture(t)
	f.mustRun("seed", "--no-partial-parse")
	target := filepath.Join(f.dir, "target")
	for _, name := range []string{"manifest.json", "run_results.json"} {
		if err := os.Remove(filepath.Join(target, name)); err != nil {
			t.Fatal(err)
		}
	}
	code, out := f.gdbt("docs", "generate", "--no-compile", "--partial-parse")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	if _, err := os.Stat(filepath.Join(target, "catalog.json")); err != nil {
		t.Errorf("no catalog: %v", err)
	}
	for _, name := range []string{"manifest.json", "run_results.json"} {
		if _, err := os.Stat(filepath.Join(target, name)); err == nil {
			t.Errorf("%s was written; dbt writes none with --no-compile", name)
		}
	}
}
