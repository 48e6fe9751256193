package lineage

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gdbt/gdbt/compiler/compile"
	"github.com/gdbt/gdbt/compiler/parser"
	"github.com/gdbt/gdbt/compiler/project"
	"github.com/gdbt/gdbt/compiler/source"
)

// loadFixture parses fixtures/projects/<name> (whose profiles.yml uses
// fixed names) and returns a compiler over it.
func loadFixture(t testing.TB, name string) *compile.Compiler {
	t.Helper()
	dir := filepath.Join("..", "..", "fixtures", "projects", name)
	p, err := project.Load(dir, project.Options{ProfilesDir: dir, Env: func(string) (string, bool) { return "", false }})
	if err != nil {
		t.Fatal(err)
	}
	res, err := parser.Parse(p, parser.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return compile.New(res, nil)
}

// golden compares got with testdata/<name>; UPDATE_GOLDEN=1 rewrites it.
func golden(t *testing.T, name string, got []byte) {
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

func diagLines(ds source.Diagnostics) string {
	var b strings.Builder
	for _, d := range ds {
		sev := "error"
		if d.Severity == source.Warning {
			sev = "warning"
		}
		b.WriteString(sev + ": " + d.Error() + "\n")
	}
	return b.String()
}

func TestBuildGolden(t *testing.T) {
	c := loadFixture(t, "lineage_basic")
	g, err := Build(context.Background(), c, Options{})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "lineage_basic/diagnostics.txt", []byte(diagLines(g.Diagnostics)))
	all := func(*Node) bool { return true }
	for _, tc := range []struct {
		file   string
		format string
		view   View
	}{
		{"graph.dot", "dot", View{}},
		{"graph.mmd", "mermaid", View{}},
		{"graph.json", "json", View{}},
		{"columns.dot", "dot", View{Columns: true}},
		{"columns.mmd", "mermaid", View{Columns: true}},
		{"all_columns.json", "json", View{Columns: true, Keep: all}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			var buf bytes.Buffer
			if err := g.Write(&buf, tc.format, tc.view); err != nil {
				t.Fatal(err)
			}
			golden(t, "lineage_basic/"+tc.file, buf.Bytes())
		})
	}
}
