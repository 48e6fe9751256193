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

// TestCheckSQLPositions checks that problems found in compiled SQL are
// reported at the original file's line and column (counted by hand from
// the fixture files).
func TestCheckSQLPositions(t *testing.T) {
	c := loadFixture(t, "lineage_errors")
	var ids []string
	for id := range c.Manifest().Nodes {
		ids = append(ids, id)
	}
	ds, err := CheckSQL(context.Background(), c, ids, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		sev  source.Severity
		at   string // file:line:col
		msg  string // prefix of the message
		note string // "" or a substring of the message
	}{
		{source.Error, "models/crlf.sql:3:7", `syntax error at or near "c"`, ""},
		{source.Error, "models/end_of_input.sql:1:39", "syntax error at end of input", ""},
		// The ephemeral's own file, not the model that injects it.
		{source.Error, "models/eph_bad.sql:2:18", `syntax error at or near "from"`, ""},
		{source.Warning, "models/fine.sql:2:16", "relation warehouse.analytics.base is model base but not in depends_on: expected {{ ref('base') }}", "only when execute is true"},
		// raw_code is stripped; positions still count from the file.
		{source.Error, "models/leading_blank.sql:3:12", `syntax error at or near ","`, ""},
		{source.Error, "models/macro_bad.sql:1:8", `syntax error at or near ","`, "in the output of this expression"},
		{source.Error, "models/multibyte.sql:2:24", `syntax error at or near "w"`, ""},
		{source.Error, "models/trailing_comma.sql:5:1", `syntax error at or near "from"`, ""},
		{source.Error, "models/typo.sql:4:6", `syntax error at or near ""warehouse""`, "in the output of this expression"},
		// Snapshot bodies start inside their file.
		{source.Error, "snapshots/snap.sql:3:11", `syntax error at or near ","`, ""},
		// Generic tests have no .sql of their own: the compiled file.
		{source.Error, "target/compiled/lineage_errors/models/schema.yml/broken_base_id.sql:3:1", "syntax error at end of input", "compiled SQL of this generic test"},
		{source.Error, "tests/bad_singular.sql:1:38", `syntax error at or near "id"`, ""},
	}
	if len(ds) != len(want) {
		t.Fatalf("got %d diagnostics, want %d:\n%s", len(ds), len(want), diagLines(ds))
	}
	for i, w := range want {
		d := ds[i]
		if got := d.Position().String(); got != w.at {
			t.Errorf("diagnostic %d at %s, want %s (%s)", i, got, w.at, d.Msg)
		}
		if d.Severity != w.sev {
			t.Errorf("%s: severity %v, want %v", w.at, d.Severity, w.sev)
		}
		if !strings.HasPrefix(d.Msg, w.msg) {
			t.Errorf("%s: message %q, want prefix %q", w.at, d.Msg, w.msg)
		}
		if w.note != "" && !strings.Contains(d.Msg, w.note) {
			t.Errorf("%s: message %q lacks %q", w.at, d.Msg, w.note)
		} else if w.note == "" && strings.Contains(d.Msg, "(") {
			t.Errorf("%s: exact position but the message has a note: %q", w.at, d.Msg)
		}
	}
	// Build reports the same problems and keeps going.
	g, err := Build(context.Background(), c, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := diagLines(g.Diagnostics), diagLines(ds); got != want {
		t.Errorf("Build diagnostics differ from CheckSQL's:\n%s\nwant\n%s", got, want)
	}
	if n := g.Node("model.lineage_errors.typo"); n == nil || n.Analyzed {
		t.Errorf("typo.sql has a syntax error but is marked analyzed: %+v", n)
	}
	// Unanalyzed nodes keep their depends_on edges.
	found := false
	for _, e := range g.Edges {
		found = found || (e == Edge{From: "model.lineage_errors.base", To: "model.lineage_errors.typo"})
	}
	if !found {
		t.Error("typo's depends_on edge from base is missing")
	}
}

// TestEdgesEqualDependsOn: on projects that use ref() and source()
// throughout, the edges read from the SQL are exactly depends_on.
func TestEdgesEqualDependsOn(t *testing.T) {
	for _, name := range []string{"basic", "rt_basic", "cmd_basic", "lineage_basic"} {
		t.Run(name, func(t *testing.T) {
			c := loadFixture(t, name)
			g, err := Build(context.Background(), c, Options{})
			if err != nil {
				t.Fatal(err)
			}
			fromSQL := map[Edge]bool{}
			for _, e := range g.Edges {
				fromSQL[e] = true
			}
			analyzed := 0
			for id, n := range c.Manifest().Nodes {
				if nd := g.Node(id); nd == nil || !nd.Analyzed {
					continue
				}
				analyzed++
				for _, d := range n.DependsOnNodes {
					e := Edge{From: d, To: id}
					if !fromSQL[e] && !hasMismatch(g, id, d, Unread) {
						t.Errorf("depends_on edge %v neither read from the SQL nor reported", e)
					}
					delete(fromSQL, e)
				}
			}
			for e := range fromSQL {
				if nd := g.Node(e.To); nd.Analyzed && !hasMismatch(g, e.To, e.From, Unreferenced) {
					t.Errorf("SQL edge %v not in depends_on and not reported", e)
				}
			}
			if analyzed == 0 {
				t.Fatal("nothing analyzed")
			}
			if name != "lineage_basic" && (len(g.Mismatches) > 0 || len(g.Diagnostics) > 0) {
				t.Errorf("mismatches %v, diagnostics:\n%s", g.Mismatches, diagLines(g.Diagnostics))
			}
		})
	}
}

func hasMismatch(g *Graph, node, dep string, kind MismatchKind) bool {
	for _, m := range g.Mismatches {
		if m == (Mismatch{Node: node, Dep: dep, Kind: kind}) {
			return true
		}
	}
	return false
}
