package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDeprecationsMatchDBT runs gdbt parse on fixtures and compares its
// warnings with what dbt-core 1.12.6 printed for the same command
// (testdata/deprecations/<case>.golden: the [WARNING] blocks of
// .venv/bin/dbt --no-use-colors parse --no-partial-parse, without their
// timestamps; dbt's own output, never gdbt's): the first warning of each
// deprecation only, unless --show-all-deprecations, among the other
// warnings in dbt's order, and the summary of every deprecation met,
// counted, at the end of the command.
func TestDeprecationsMatchDBT(t *testing.T) {
	for _, tc := range []struct {
		name, fixture string
		args          []string
	}{
		{"parse", "deprecations", nil},
		{"parse_show_all", "deprecations", []string{"--show-all-deprecations"}},
		{"rt_basic_parse", "rt_basic", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			copyTree(t, filepath.Join("..", "..", "fixtures", "projects", tc.fixture), dir)
			var stdout, stderr bytes.Buffer
			args := append([]string{"parse", "--project-dir", dir, "--profiles-dir", dir}, tc.args...)
			if code := Main(args, nil, &stdout, &stderr); code != 0 {
				t.Fatalf("exit %d\n%s%s", code, stdout.String(), stderr.String())
			}
			want, err := os.ReadFile(filepath.Join("testdata", "deprecations", tc.name+".golden"))
			if err != nil {
				t.Fatal(err)
			}
			if got := warningBlocks(stdout.String()); got != string(want) {
				t.Errorf("warnings differ from dbt's:\n--- dbt\n%s--- gdbt\n%s", want, got)
			}
		})
	}
}

// warningBlocks keeps the warnings of a command's output: each log line
// tagged [WARNING] and the lines that continue it, without timestamps.
func warningBlocks(out string) string {
	var b strings.Builder
	in := false
	for _, l := range strings.SplitAfter(out, "\n") {
		if l == "" {
			continue
		}
		if clockPrefix.MatchString(l) {
			l = clockPrefix.ReplaceAllString(l, "")
			in = strings.HasPrefix(l, "[WARNING")
		}
		if in {
			b.WriteString(l)
		}
	}
	return b.String()
}
