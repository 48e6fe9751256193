package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// TestLineageCommand runs `gdbt lineage` in-process over the lineage
// fixtures and compares stdout and stderr with testdata/lineage/<case>.*
// (UPDATE_GOLDEN=1 rewrites them).
func TestLineageCommand(t *testing.T) {
	basic := filepath.Join("..", "..", "fixtures", "projects", "lineage_basic")
	errs := filepath.Join("..", "..", "fixtures", "projects", "lineage_errors")
	tests := []struct {
		name string
		dir  string
		args []string
		code int
	}{
		{"default_dot", basic, nil, exitOK},
		{"mermaid_select", basic, []string{"--format", "mermaid", "--select", "+customer_orders"}, exitOK},
		{"json_columns_select", basic, []string{"--format", "json", "--columns", "--select", "stg_customers+", "--exclude", "refund_report"}, exitOK},
		{"dot_columns", basic, []string{"--columns"}, exitOK},
		{"tests_by_resource_type", basic, []string{"--format", "mermaid", "--resource-type", "test", "--resource-type", "model"}, exitOK},
		{"bad_format", basic, []string{"--format", "svg"}, exitCrash},
		{"syntax_errors", errs, []string{"--format", "mermaid"}, exitFailure},
	}
	stamp := regexp.MustCompile(`(?m)^\d\d:\d\d:\d\d  `)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			args := append([]string{"lineage", "--project-dir", tt.dir, "--profiles-dir", tt.dir}, tt.args...)
			code := Main(args, nil, &out, &errb)
			if code != tt.code {
				t.Errorf("exit code %d, want %d\nstderr:\n%s", code, tt.code, errb.String())
			}
			cliGolden(t, "lineage/"+tt.name+".out", out.Bytes())
			cliGolden(t, "lineage/"+tt.name+".err", stamp.ReplaceAll(errb.Bytes(), []byte("HH:MM:SS  ")))
		})
	}
}

func cliGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if os.Getenv("UPDATE_GOLDEN") != "" {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with UPDATE_GOLDEN=1)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (UPDATE_GOLDEN=1 rewrites it)\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}
