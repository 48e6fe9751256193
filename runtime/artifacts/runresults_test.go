package artifacts

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestRunResultsFormat(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 123456000, time.UTC)
	msg, code := "Got 1 résult <b>", "x"
	ok := true
	one := int64(1)
	rr := &RunResults{
		Metadata: NewMetadata("inv-1", at, at, []string{"DBT_ENV_CUSTOM_ENV_TEAM=data", "HOME=/x"}),
		Results: []Result{
			{Status: "warn", Timing: []Timing{{Name: "compile", StartedAt: at, CompletedAt: at}}, ThreadID: "Thread-1 (worker)", ExecutionTime: 0.5,
				AdapterResponse: &AdapterResponse{Message: "SELECT 1", Code: "SELECT", RowsAffected: 1}, Message: &msg, Failures: &one,
				UniqueID: "test.p.t", Compiled: &ok, CompiledCode: &code},
			{Status: "skipped", ThreadID: "Thread-1 (worker)", UniqueID: "model.p.m"},
		},
		ElapsedTime: 1.25,
	}
	dir := t.TempDir()
	if err := rr.Write(dir); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "run_results.json"))
	if err != nil {
		t.Fatal(err)
	}
	// Python json.dumps layout, dbt's key order, {} for a missing adapter
	// response, non-ASCII escaped, no HTML escaping.
	want := `{"metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/run-results/v6.json", "dbt_version": "1.12.6", ` +
		`"generated_at": "2026-01-02T03:04:05.123456Z", "invocation_id": "inv-1", "invocation_started_at": "2026-01-02T03:04:05.123456Z", "env": {"TEAM": "data"}}, ` +
		`"results": [{"status": "warn", "timing": [{"name": "compile", "started_at": "2026-01-02T03:04:05.123456Z", "completed_at": "2026-01-02T03:04:05.123456Z"}], ` +
		`"thread_id": "Thread-1 (worker)", "execution_time": 0.5, "adapter_response": {"_message": "SELECT 1", "code": "SELECT", "rows_affected": 1}, ` +
		`"message": "Got 1 r\u00e9sult <b>", "failures": 1, "unique_id": "test.p.t", "compiled": true, "compiled_code": "x", "relation_name": null, ` +
		`"batch_results": null, "overload_results": null}, ` +
		`{"status": "skipped", "timing": [], "thread_id": "Thread-1 (worker)", "execution_time": 0, "adapter_response": {}, "message": null, "failures": null, ` +
		`"unique_id": "model.p.m", "compiled": null, "compiled_code": null, "relation_name": null, "batch_results": null, "overload_results": null}], ` +
		`"elapsed_time": 1.25, "args": {}}`
	if string(b) != want {
		t.Errorf("got\n%s\nwant\n%s", b, want)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}
}

func TestPyJSONEscapes(t *testing.T) {
	cases := map[string]string{
		"a:b, c":  `"a:b, c"`,
		"😀":       `"\ud83d\ude00"`,
		`q"\`:     `"q\"\\"`,
		"tab\tnl": `"tab\tnl"`,
	}
	for in, want := range cases {
		b, err := PyJSON(in)
		if err != nil || string(b) != want {
			t.Errorf("PyJSON(%q) = %s, %v; want %s", in, b, err, want)
		}
	}
	b, _ := PyJSON(map[string]any{"k": []any{1, "x"}})
	if !strings.Contains(string(b), `{"k": [1, "x"]}`) {
		t.Errorf("got %s", b)
	}
}
