package sqlparse

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// dump renders an analysis (or error) for golden files. Every offset is
// shown with the text found there, so a wrong offset is visible.
func dump(sql string, a *Analysis, err error) string {
	var b strings.Builder
	at := func(off int) string {
		if off < 0 || off > len(sql) {
			return fmt.Sprintf("@%d", off)
		}
		line := 1 + strings.Count(sql[:off], "\n")
		col := 1 + utf8.RuneCountInString(sql[strings.LastIndexByte(sql[:off], '\n')+1:off])
		rest := sql[off:]
		if i := strings.IndexAny(rest, " \t\n,()"); i >= 0 {
			rest = rest[:i]
		}
		if len(rest) > 40 {
			rest = rest[:40]
		}
		return fmt.Sprintf("@%d %d:%d %q", off, line, col, rest)
	}
	if err != nil {
		var se *SyntaxError
		if errors.As(err, &se) {
			fmt.Fprintf(&b, "syntax error: %s %s\n", se.Message, at(se.Offset))
		} else {
			fmt.Fprintf(&b, "error %T: %v\n", err, err)
		}
		return b.String()
	}
	b.WriteString("statements:\n")
	for _, s := range a.Statements {
		text := s.Text
		if i := strings.IndexByte(text, '\n'); i >= 0 {
			text = text[:i] + " ..."
		}
		fmt.Fprintf(&b, "  %s %s text=%q\n", s.Kind, at(s.Offset), text)
	}
	for _, rs := range []struct {
		title string
		rels  []Relation
	}{{"reads", a.Reads}, {"writes", a.Writes}} {
		if len(rs.rels) == 0 {
			continue
		}
		b.WriteString(rs.title + ":\n")
		for _, r := range rs.rels {
			fmt.Fprintf(&b, "  %s %s\n", r.TableName, at(r.Offset))
		}
	}
	if a.Columns != nil {
		b.WriteString("columns:\n")
	}
	for _, c := range a.Columns {
		name := QuoteIdent(c.Name)
		if c.Star {
			name = "*"
			if c.Qualifier != "" {
				name = c.Qualifier + ".*"
			}
		}
		var src []string
		for _, s := range c.Sources {
			src = append(src, s.Table.String()+"."+QuoteIdent(s.Column))
		}
		partial := ""
		if c.Partial {
			partial = " (partial)"
		}
		fmt.Fprintf(&b, "  %s <- [%s]%s %s\n", name, strings.Join(src, ", "), partial, at(c.Offset))
	}
	return b.String()
}

func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("no cases: %v", err)
	}
	update := os.Getenv("UPDATE_GOLDEN") != ""
	seen := map[string]bool{}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".sql")
		golden := strings.TrimSuffix(f, ".sql") + ".golden"
		seen[golden] = true
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			a, err := Analyze(string(src))
			got := dump(string(src), a, err)
			if update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("missing golden (run with UPDATE_GOLDEN=1): %v", err)
			}
			if got != string(want) {
				t.Errorf("analysis differs from %s\n--- got\n%s--- want\n%s", golden, got, want)
			}
		})
	}
	// A golden file without its input is a test that silently stopped running.
	goldens, _ := filepath.Glob("testdata/*.golden")
	for _, g := range goldens {
		if !seen[g] {
			t.Errorf("%s has no .sql input", g)
		}
	}
}
