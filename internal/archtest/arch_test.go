// Package archtest checks the import rules ARCHITECTURE.md promises, so a
// change that breaks them fails the build instead of quietly eroding them.
package archtest

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

type pkg struct {
	ImportPath string
	Imports    []string
}

func listPackages(t *testing.T) []pkg {
	t.Helper()
	out, err := exec.Command("go", "list", "-json", "github.com/gdbt/gdbt/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var pkgs []pkg
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for dec.More() {
		var p pkg
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) < 10 {
		t.Fatalf("go list found only %d packages", len(pkgs))
	}
	return pkgs
}

func TestImportRules(t *testing.T) {
	const mod = "github.com/gdbt/gdbt/"
	rules := []struct {
		name    string
		applies func(p string) bool
		banned  func(imp string) bool
	}{
		{"the compiler never imports the runtime",
			func(p string) bool { return strings.HasPrefix(p, mod+"compiler/") },
			func(imp string) bool {
				return strings.HasPrefix(imp, mod+"runtime/") || strings.HasPrefix(imp, mod+"internal/cli")
			}},
		{"the compiler never imports pgx",
			func(p string) bool { return strings.HasPrefix(p, mod+"compiler/") },
			func(imp string) bool { return strings.HasPrefix(imp, "github.com/jackc/") }},
		{"only compiler/sqlparse imports pg_query",
			func(p string) bool { return p != mod+"compiler/sqlparse" },
			func(imp string) bool { return strings.HasPrefix(imp, "github.com/pganalyze/pg_query_go") }},
		{"built-in macros depend on nothing of ours",
			func(p string) bool { return p == mod+"macros" },
			func(imp string) bool { return strings.HasPrefix(imp, mod) }},
	}
	for _, p := range listPackages(t) {
		for _, r := range rules {
			if !r.applies(p.ImportPath) {
				continue
			}
			for _, imp := range p.Imports {
				if r.banned(imp) {
					t.Errorf("%s: %s imports %s", r.name, p.ImportPath, imp)
				}
			}
		}
	}
}
