package conformance

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

var update = os.Getenv("UPDATE_GOLDEN") == "1"

func TestSplitWords(t *testing.T) {
	tests := []struct {
		in   string
		want []string
		err  bool
	}{
		{"run", []string{"run"}, false},
		{"  build   --full-refresh ", []string{"build", "--full-refresh"}, false},
		{`run --vars '{x: 2, y: "a b"}'`, []string{"run", "--vars", `{x: 2, y: "a b"}`}, false},
		{`run --vars "{x: \"q\"}"`, []string{"run", "--vars", `{x: "q"}`}, false},
		{`a\ b c`, []string{"a b", "c"}, false},
		{`''`, []string{""}, false},
		{`run 'oops`, nil, true},
		{`run "oops`, nil, true},
	}
	for _, tt := range tests {
		got, err := SplitWords(tt.in)
		if (err != nil) != tt.err {
			t.Errorf("SplitWords(%q) error = %v, want error %v", tt.in, err, tt.err)
			continue
		}
		if !tt.err && !reflect.DeepEqual(got, tt.want) {
			t.Errorf("SplitWords(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzSplitWords(f *testing.F) {
	for _, s := range []string{"run --vars '{x: 2}'", `"a\"b" c\ d`, "'", `"\`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		words, err := SplitWords(s)
		if err != nil {
			return
		}
		// Re-quoting every word with single quotes must give the same words back.
		var b strings.Builder
		for _, w := range words {
			b.WriteString("'" + strings.ReplaceAll(w, "'", `'\''`) + "' ")
		}
		again, err := SplitWords(b.String())
		if err != nil || !reflect.DeepEqual(again, words) && !(len(again) == 0 && len(words) == 0) {
			t.Fatalf("round trip of %q: %q -> %q (%v)", s, words, again, err)
		}
	})
}

func TestGlob(t *testing.T) {
	tests := []struct {
		pat, s string
		want   bool
	}{
		{"", "anything", true},
		{"*", "", true},
		{"model.*", "model.basic.x", true},
		{"model.*", "test.basic.x", false},
		{"*.customers_snapshot", "snapshots.customers_snapshot", true},
		{"a?c", "abc", true},
		{"a?c", "ac", false},
		{"*b*b*", "abxxb", true},
		{"*b*b*", "abxx", false},
		{"exact", "exact", true},
		{"exact", "exactly", false},
	}
	for _, tt := range tests {
		if got := glob(tt.pat, tt.s); got != tt.want {
			t.Errorf("glob(%q, %q) = %v, want %v", tt.pat, tt.s, got, tt.want)
		}
	}
}

func TestUnifiedDiff(t *testing.T) {
	cases := []struct{ name, a, b string }{
		{"equal", "a\nb\n", "a\nb\n"},
		{"change_middle", "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n", "1\n2\n3\n4\nfive\n6\n7\n8\n9\n10\n"},
		{"two_hunks", strings.Repeat("x\n", 3) + "a\n" + strings.Repeat("y\n", 10) + "b\n", strings.Repeat("x\n", 3) + "A\n" + strings.Repeat("y\n", 10) + "B\n"},
		{"insert_start", "b\nc\n", "a\nb\nc\n"},
		{"delete_all", "a\nb\n", ""},
		{"no_final_newline", "select 1\n", "select 1"},
		{"sql_whitespace", "select\n    a,\n    b\nfrom t\n", "select\n  a,\n  b\nfrom t\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := UnifiedDiff("dbt", "gdbt", tc.a, tc.b)
			if (got == "") != (tc.a == tc.b) {
				t.Fatalf("UnifiedDiff empty = %v for equal = %v", got == "", tc.a == tc.b)
			}
			golden(t, filepath.Join("testdata", "diff", tc.name+".diff"), got)
			onlyNewline := strings.TrimSuffix(tc.a, "\n") == strings.TrimSuffix(tc.b, "\n")
			if tc.a != tc.b && !onlyNewline && !strings.Contains(got, "@@") {
				t.Fatalf("no hunk header in:\n%s", got)
			}
		})
	}
}

func TestDiffLinesRebuildsBothSides(t *testing.T) {
	pairs := [][2]string{
		{"a\nb\nc\nd\n", "b\nx\nd\ne\n"},
		{"", "a\n"},
		{"same\n", "same\n"},
		{strings.Repeat("l\n", 50) + "m\n", "m\n" + strings.Repeat("l\n", 50)},
	}
	for _, p := range pairs {
		a, b := splitLines(p[0]), splitLines(p[1])
		var ra, rb []string
		for _, o := range diffLines(a, b) {
			if o.kind != '+' {
				ra = append(ra, o.text)
			}
			if o.kind != '-' {
				rb = append(rb, o.text)
			}
		}
		if !reflect.DeepEqual(ra, a) && len(a)+len(ra) > 0 || !reflect.DeepEqual(rb, b) && len(b)+len(rb) > 0 {
			t.Errorf("diffLines(%q, %q) rebuilds %q / %q", p[0], p[1], ra, rb)
		}
	}
}

func TestMultisetDiff(t *testing.T) {
	a := map[string]int{"1\tx": 2, "2\ty": 1}
	b := map[string]int{"1\tx": 1, "3\tz": 1, "2\ty": 1}
	onlyA, onlyB := multisetDiff(a, b)
	if !reflect.DeepEqual(onlyA, []string{"1\tx"}) || !reflect.DeepEqual(onlyB, []string{"3\tz"}) {
		t.Fatalf("multisetDiff = %q, %q", onlyA, onlyB)
	}
}

func TestLoadScenario(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	sc, err := LoadScenario(write("ok.yml", `
setup:
  - sql: create schema raw
scenario:
  - "run --vars '{x: 2}'"
  - sql: update raw.t set a = 1
  - command: build --full-refresh
  - run
ignore_columns:
  snapshots.*: [dbt_updated_at]
`))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range sc.Steps {
		names = append(names, string(s.Kind)+":"+s.Name)
	}
	want := []string{"command:parse", "command:compile", "command:seed", "command:build",
		"command:run --vars {x: 2}", "sql:sql", "command:build --full-refresh", "command:run"}
	if !reflect.DeepEqual(names, want) {
		t.Errorf("steps = %q, want %q", names, want)
	}
	if got := sc.Steps[4].Args; !reflect.DeepEqual(got, []string{"run", "--vars", "{x: 2}"}) {
		t.Errorf("args = %q", got)
	}
	if len(sc.Setup) != 1 || sc.Setup[0].Kind != StepSQL {
		t.Errorf("setup = %+v", sc.Setup)
	}
	if !reflect.DeepEqual(sc.IgnoreColumns["snapshots.*"], []string{"dbt_updated_at"}) {
		t.Errorf("ignore_columns = %v", sc.IgnoreColumns)
	}

	errs := []struct{ name, body, want string }{
		{"unquoted.yml", "scenario:\n  - run --vars '{x: 2}'\n", `ok.yml`},
		{"badkey.yml", "scenario:\n  - bash: ls\n", `badkey.yml:2:5: expected key sql, shell or command, found "bash"`},
		{"setupcmd.yml", "setup:\n  - build\n", `setup: expected sql or shell steps, found command "build"`},
		{"profile.yml", "profile: maybe\n", `profile: expected "project" or "generate", found "maybe"`},
		{"unknown.yml", "stepz: []\n", `field stepz not found`},
	}
	for _, e := range errs {
		_, err := LoadScenario(write(e.name, e.body))
		if e.name == "unquoted.yml" {
			if err == nil || !strings.Contains(err.Error(), "must be quoted in YAML") {
				t.Errorf("%s: error = %v, want a hint to quote", e.name, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), e.want) {
			t.Errorf("%s: error = %v, want it to contain %q", e.name, err, e.want)
		}
	}
}

func TestAllowList(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "allow.yml")
	os.WriteFile(p, []byte(`
allow:
  - kind: macro-deps
    reason: built-in macros differ
  - project: basic
    step: build*
    kind: relation-rows
    id: snapshots.*
    reason: volatile
`), 0o644)
	al, err := LoadAllowList(p)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		project string
		d       Difference
		want    string
	}{
		{"x", Difference{Kind: KindMacroDeps, ID: "model.x.a"}, "built-in macros differ"},
		{"basic", Difference{Step: "build --full-refresh", Kind: KindRelationRows, ID: "snapshots.s"}, "volatile"},
		{"basic", Difference{Step: "run", Kind: KindRelationRows, ID: "snapshots.s"}, ""},
		{"other", Difference{Step: "build", Kind: KindRelationRows, ID: "snapshots.s"}, ""},
	}
	for _, c := range cases {
		got := ""
		if a := al.Match(c.project, &c.d); a != nil {
			got = a.Reason
		}
		if got != c.want {
			t.Errorf("Match(%s, %+v) = %q, want %q", c.project, c.d, got, c.want)
		}
	}
	for body, want := range map[string]string{
		"allow:\n  - kind: macro-deps\n":                 "expected a reason",
		"allow:\n  - kind: nonsense\n    reason: r\n":    `kind: expected one of exit-code`,
		"allow:\n  - kinds: macro-deps\n    reason: r\n": `expected one of project, step, kind, id, field, reason; found "kinds"`,
	} {
		os.WriteFile(p, []byte(body), 0o644)
		if _, err := LoadAllowList(p); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("LoadAllowList(%q) error = %v, want %q", body, err, want)
		}
	}
	// The repository's own allow-list must load: every entry has a reason.
	if _, err := LoadAllowList(filepath.Join("..", "..", "docs", "conformance-allowlist.yml")); err != nil {
		t.Errorf("docs/conformance-allowlist.yml: %v", err)
	}
}

func TestCompareManifests(t *testing.T) {
	rw := strings.NewReplacer("p_gdbt", "<database>", "p_dbt", "<database>")
	a, err := LoadManifest(filepath.Join("testdata", "manifest", "dbt.json"), rw)
	if err != nil {
		t.Fatal(err)
	}
	b, err := LoadManifest(filepath.Join("testdata", "manifest", "gdbt.json"), rw)
	if err != nil {
		t.Fatal(err)
	}
	c := &stepCompare{step: "parse", badNode: map[string]bool{}, nodes: map[string]bool{}}
	c.compareManifests(a, b)
	c.finish()
	var lines []string
	for _, d := range c.diffs {
		lines = append(lines, strings.Join([]string{string(d.Kind), d.ID, d.Field, d.Detail}, " | "))
	}
	fig, _ := json.Marshal(c.fig)
	golden(t, filepath.Join("testdata", "manifest", "differences.txt"), strings.Join(lines, "\n")+"\n"+string(fig)+"\n")
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	if update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with UPDATE_GOLDEN=1)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the golden (UPDATE_GOLDEN=1 rewrites it):\n%s", path, UnifiedDiff("golden", "got", string(want), got))
	}
}

func TestProjectOutput(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "profiles.yml"), []byte(`
p:
  target: ci
  outputs:
    ci:
      type: postgres
      schema: "{{ env_var('SOME_SCHEMA', 'analytics') }}"
      threads: 7
q:
  outputs:
    dev:
      schema: "{{ env_var('NO_DEFAULT') }}"
`), 0o644)
	tests := []struct {
		profile string
		sc      Scenario
		want    outputShape
	}{
		{"p", Scenario{}, outputShape{"ci", "analytics", 7}},
		{"p", Scenario{Schema: "s", Target: "t"}, outputShape{"t", "s", 7}},
		{"q", Scenario{}, outputShape{"dev", "public", 4}},
		{"missing", Scenario{}, outputShape{"dev", "public", 4}},
	}
	for _, tt := range tests {
		if got := projectOutput(dir, tt.profile, &tt.sc); got != tt.want {
			t.Errorf("projectOutput(%s, %+v) = %+v, want %+v", tt.profile, tt.sc, got, tt.want)
		}
	}
}

func TestCopyRoot(t *testing.T) {
	dir := t.TempDir()
	proj := filepath.Join(dir, "repo", "integration_tests")
	os.MkdirAll(filepath.Join(proj, "target"), 0o755)
	os.MkdirAll(filepath.Join(proj, "models", "logs"), 0o755)
	os.WriteFile(filepath.Join(proj, "dbt_project.yml"), []byte("name: t\n"), 0o644)
	os.WriteFile(filepath.Join(proj, "packages.yml"), []byte("packages:\n  - local: ../\n  - package: x/y\n"), 0o644)
	os.WriteFile(filepath.Join(proj, "target", "manifest.json"), []byte("{}"), 0o644)
	os.WriteFile(filepath.Join(proj, "models", "logs", "m.sql"), []byte("select 1"), 0o644)
	root, err := copyRoot(proj)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, "repo"); root != want {
		t.Fatalf("copyRoot = %s, want %s", root, want)
	}
	dst := filepath.Join(dir, "copy")
	if err := copyTree(root, dst); err != nil {
		t.Fatal(err)
	}
	// A project's target/ is tool state and is left behind; a models/logs folder is the user's.
	if _, err := os.Stat(filepath.Join(dst, "integration_tests", "target")); !os.IsNotExist(err) {
		t.Errorf("target/ was copied (stat error %v)", err)
	}
	if _, err := os.Stat(filepath.Join(dst, "integration_tests", "models", "logs", "m.sql")); err != nil {
		t.Errorf("models/logs/m.sql was not copied: %v", err)
	}
}

// Missing tools are failures with a message that says what to run, never skips.
func TestPrepareFailsClearly(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	_, err := Prepare(ctx, PrepareOptions{Repo: dir, WorkDir: filepath.Join(dir, "w")})
	if err == nil || !strings.Contains(err.Error(), "scripts/venv.sh") {
		t.Errorf("no venv: error = %v, want a hint to run scripts/venv.sh", err)
	}
	fakeDbt := filepath.Join(dir, "dbt")
	os.WriteFile(fakeDbt, []byte("#!/bin/sh\n"), 0o755)
	_, err = Prepare(ctx, PrepareOptions{Repo: dir, Dbt: fakeDbt, DBURL: "postgres://postgres@127.0.0.1:1/postgres?sslmode=disable&connect_timeout=2",
		WorkDir: filepath.Join(dir, "w")})
	if err == nil || !strings.Contains(err.Error(), "no PostgreSQL at") || !strings.Contains(err.Error(), "scripts/pg.sh start") {
		t.Errorf("no Postgres: error = %v, want a hint to run scripts/pg.sh start", err)
	}
}
