package selector

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseStructure(t *testing.T) {
	cases := []struct {
		sel  []string
		exc  []string
		want string
	}{
		{nil, nil, "difference[eager](union(intersection(fqn:*) intersection(source:*) intersection(exposure:*) intersection(metric:*) intersection(semantic_model:*)) union())"},
		{[]string{"a b,c"}, nil, "difference[eager](union(intersection(fqn:a) intersection(fqn:b fqn:c)) union())"},
		{[]string{"@a", "2+tag:x+3", "+b+"}, []string{"models/x", "y.sql"},
			"difference[eager](union(intersection(@fqn:a) intersection(2+tag:x+3) intersection(+fqn:b+)) union(intersection(path:models/x) intersection(file:y.sql)))"},
		{[]string{"config.meta.owner:a:b"}, nil, "difference[eager](union(intersection(config.meta.owner:a:b)) union())"},
		{[]string{"12+x"}, nil, "difference[eager](union(intersection(12+fqn:x)) union())"},
		{[]string{"x+y"}, nil, "difference[eager](union(intersection(fqn:x+y)) union())"},
		{[]string{"++x"}, nil, "difference[eager](union(intersection(+fqn:+x)) union())"},
		{[]string{"@+x"}, nil, "difference[eager](union(intersection(@+fqn:x)) union())"},
		{[]string{"a/b:c"}, nil, "difference[eager](union(intersection(path:a/b:c)) union())"},
		{[]string{"Model.SQL"}, nil, "difference[eager](union(intersection(file:Model.SQL)) union())"},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprint(tc.sel, tc.exc), func(t *testing.T) {
			s, err := Parse(tc.sel, tc.exc)
			if err != nil {
				t.Fatal(err)
			}
			if s.String() != tc.want {
				t.Fatalf("got  %s\nwant %s", s, tc.want)
			}
		})
	}
}

// Every error names the flag, the argument, the column and the token.
var errorCases = []struct {
	name     string
	sel, exc []string
}{
	{"unknown method", sp("tag:a tagg:nightly"), nil},
	{"empty method", sp(":x"), nil},
	{"at and children", sp("a @b+"), nil},
	{"missing value", sp("tag:"), nil},
	{"only plus", sp("+"), nil},
	{"empty intersection part", sp("a,,b"), nil},
	{"trailing comma", sp("a,"), nil},
	{"config without key", sp("config:table"), nil},
	{"args on other method", sp("tag.x:y"), nil},
	{"empty config key", sp("config..x:y"), nil},
	{"bad state", sp("state:changed"), nil},
	{"bad test type", sp("test_type:schema_test"), nil},
	{"bad version", sp("version:newest"), nil},
	{"bad resource type", sp("resource_type:models"), nil},
	{"source too many parts", sp("source:a.b.c.d"), nil},
	{"exposure too many parts", sp("exposure:a.b.c"), nil},
	{"source_status unsupported", sp("source_status:fresher+"), nil},
	{"depth too large", sp("99999999999999999999+a"), nil},
	{"in exclude second arg", sp("a"), sp("b", "c d,versionx:1")},
}

func TestParseErrors(t *testing.T) {
	var b strings.Builder
	for _, tc := range errorCases {
		_, err := Parse(tc.sel, tc.exc)
		var se *Error
		if !errors.As(err, &se) {
			t.Errorf("%s: err = %v, want *Error", tc.name, err)
			continue
		}
		if se.Token == "" || se.Column < 1 || se.Arg < 1 {
			t.Errorf("%s: incomplete error %+v", tc.name, se)
		}
		fmt.Fprintf(&b, "%s: --select %q --exclude %q\n  %v\n", tc.name, tc.sel, tc.exc, err)
	}
	golden(t, "testdata/errors.golden", b.String())
}

func TestSelectErrors(t *testing.T) {
	m, g, sels := setup(t)
	cases := []struct {
		name string
		sel  string
		opts Options
		want string
	}{
		{"state without state", "a state:modified", Options{}, "--select argument 1, column 3: selector \"state:modified\" needs a comparison manifest: pass --state with a directory holding manifest.json"},
		{"result without results", "result:error", Options{State: &State{Manifest: &PrevManifest{}}}, "--select argument 1, column 1: selector \"result:error\" needs run results: pass --state with a directory holding run_results.json"},
		{"selector without file", "selector:x", Options{}, "--select argument 1, column 1: selector \"selector:x\" refers to selectors.yml, but the project has none"},
		{"unknown selector", "tag:a,selector:nope*", Options{Selectors: sels}, "--select argument 1, column 7: selector \"nope*\" did not match any selector in selectors.yml (have cautious_orders, children_of_stg_orders, finance_parents, loop_a, loop_b, marts_but_not_orders, nightly_models, staging_and_finance, via_reference)"},
		{"selector loop", "selector:loop_a", Options{Selectors: sels}, "selectors.yml:54:17: circular dependency in selector \"loop_a\": loop_a --> loop_b --> loop_a"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Parse([]string{tc.sel}, nil)
			if err != nil {
				t.Fatal(err)
			}
			_, err = s.Select(m, g, tc.opts)
			if err == nil || err.Error() != tc.want {
				t.Fatalf("err = %v\nwant %s", err, tc.want)
			}
		})
	}
}

func TestSelectorsFileErrors(t *testing.T) {
	cases := []struct{ name, yml string }{
		{"not a mapping", "- a\n"},
		{"no selectors", "version: 2\n"},
		{"unknown top key", "selectors: []\nextra: 1\n"},
		{"selectors not list", "selectors: {a: 1}\n"},
		{"selector not mapping", "selectors:\n  - just_a_string\n"},
		{"missing name", "selectors:\n  - definition: a\n"},
		{"missing definition", "selectors:\n  - name: a\n"},
		{"unknown selector key", "selectors:\n  - name: a\n    definiton: b\n"},
		{"bad default", "selectors:\n  - name: a\n    default: maybe\n    definition: a\n"},
		{"two defaults", "selectors:\n  - name: a\n    default: true\n    definition: a\n  - name: b\n    default: true\n    definition: b\n"},
		{"duplicate name", "selectors:\n  - name: a\n    definition: a\n  - name: a\n    definition: b\n"},
		{"root union plus key", "selectors:\n  - name: a\n    definition:\n      union: [a]\n      method: tag\n"},
		{"union not list", "selectors:\n  - name: a\n    definition:\n      union: a\n"},
		{"two excludes", "selectors:\n  - name: a\n    definition:\n      union:\n        - a\n        - exclude: [b]\n        - exclude: [c]\n"},
		{"exclude not list", "selectors:\n  - name: a\n    definition:\n      union:\n        - a\n        - exclude: b\n"},
		{"spaces in string", "selectors:\n  - name: a\n    definition:\n      union:\n        - \"tag:a tag:b\"\n"},
		{"bad method in dict", "selectors:\n  - name: a\n    definition:\n      method: tags\n      value: x\n"},
		{"bad method key", "selectors:\n  - name: a\n    definition:\n      tagz: x\n"},
		{"method without value", "selectors:\n  - name: a\n    definition:\n      method: tag\n"},
		{"unknown dict key", "selectors:\n  - name: a\n    definition:\n      method: tag\n      value: x\n      chidren: true\n"},
		{"bad bool", "selectors:\n  - name: a\n    definition:\n      method: tag\n      value: x\n      children: yes please\n"},
		{"bad depth", "selectors:\n  - name: a\n    definition:\n      method: tag\n      value: x\n      parents: true\n      parents_depth: -2\n"},
		{"bad indirect", "selectors:\n  - name: a\n    definition:\n      method: tag\n      value: x\n      indirect_selection: lazy\n"},
		{"value is a list", "selectors:\n  - name: a\n    definition:\n      method: tag\n      value: [x]\n"},
		{"bad value", "selectors:\n  - name: a\n    definition:\n      method: state\n      value: changed\n"},
		{"childrens parents and children", "selectors:\n  - name: a\n    definition:\n      method: tag\n      value: x\n      childrens_parents: true\n      children: true\n"},
		{"bad string spec", "selectors:\n  - name: a\n    definition: \"@a+\"\n"},
		{"yaml syntax", "selectors:\n  - name: [\n"},
	}
	var b strings.Builder
	for _, tc := range cases {
		_, err := ParseSelectors("selectors.yml", []byte(tc.yml))
		if err == nil {
			t.Errorf("%s: no error", tc.name)
			continue
		}
		if !strings.HasPrefix(err.Error(), "selectors.yml:") {
			t.Errorf("%s: error without position: %v", tc.name, err)
		}
		fmt.Fprintf(&b, "%s\n  %v\n", tc.name, err)
	}
	golden(t, "testdata/selectors_errors.golden", b.String())
}

func TestChoose(t *testing.T) {
	_, _, sels := setup(t)
	cases := []struct {
		selector string
		sel, exc []string
		want     string
	}{
		{"", nil, nil, "difference[eager](union[eager](path:models/marts) union[eager](fqn:orders fqn:dim_customers))"},
		{"", []string{"a"}, nil, "difference[eager](union(intersection(fqn:a)) union())"},
		{"", nil, []string{"a"}, "difference[eager](union(intersection(fqn:*) intersection(source:*) intersection(exposure:*) intersection(metric:*) intersection(semantic_model:*)) union(intersection(fqn:a)))"},
		{"finance_parents", []string{"ignored"}, nil, "1+group:finance"},
		{"nightly_models", nil, nil, "union[eager](tag:nightly[empty])"},
	}
	for _, tc := range cases {
		s, err := Choose(sels, tc.selector, tc.sel, tc.exc)
		if err != nil {
			t.Fatal(err)
		}
		if s.String() != tc.want {
			t.Errorf("Choose(%q, %v, %v)\n got %s\nwant %s", tc.selector, tc.sel, tc.exc, s, tc.want)
		}
	}
	if _, err := Choose(sels, "nope", nil, nil); err == nil || !strings.Contains(err.Error(), "expected one of cautious_orders") {
		t.Errorf("unknown selector: %v", err)
	}
	if _, err := Choose(nil, "x", nil, nil); err == nil {
		t.Error("want error without selectors.yml")
	}
	if s, err := Choose(nil, "", nil, nil); err != nil || !strings.HasPrefix(s.String(), "difference[eager](union(intersection(fqn:*)") {
		t.Errorf("no selectors.yml: %v %v", s, err)
	}
}

func TestFnmatch(t *testing.T) {
	cases := []struct {
		name, pat string
		want      bool
	}{
		{"abc", "abc", true},
		{"abc", "ab", false},
		{"abc", "*", true},
		{"", "*", true},
		{"", "?", false},
		{"a.b/c", "a*c", true},
		{"abc", "a?c", true},
		{"ac", "a?c", false},
		{"abc", "[ab]bc", true},
		{"cbc", "[!ab]bc", true},
		{"abc", "[!ab]bc", false},
		{"b", "[a-c]", true},
		{"d", "[a-c]", false},
		{"]", "[]]", true},
		{"-", "[a-]", true},
		{"[x", "[x", true},
		{"aXbXc", "a*b*c", true},
		{"aXbX", "a*b*c", false},
		{"mississippi", "*sip*", true},
		{"ünï", "?n?", true},
		{"Abc", "abc", false},
	}
	for _, tc := range cases {
		if got := fnmatch(tc.name, tc.pat); got != tc.want {
			t.Errorf("fnmatch(%q, %q) = %v", tc.name, tc.pat, got)
		}
	}
}

func TestLoadState(t *testing.T) {
	dir := t.TempDir()
	if _, err := LoadState(dir); err == nil || !strings.Contains(err.Error(), "neither manifest.json nor run_results.json") {
		t.Fatalf("empty dir: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "manifest.json"), []byte("{\n \"nodes\": {,}\n}"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := LoadState(dir)
	if err == nil || !strings.Contains(err.Error(), "manifest.json:2:") {
		t.Fatalf("bad JSON: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "manifest.json"), []byte(`{"nodes": {}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	st, err := LoadState(dir)
	if err != nil || st.Manifest == nil || st.Results != nil {
		t.Fatalf("manifest only: %+v %v", st, err)
	}
}

func TestCommandFilterErrors(t *testing.T) {
	if _, err := CommandFilter("run2", nil, nil); err == nil {
		t.Error("unknown command")
	}
	if _, err := CommandFilter("ls", []string{"modle"}, nil); err == nil || !strings.Contains(err.Error(), `"modle"`) {
		t.Errorf("bad resource type: %v", err)
	}
	if _, err := CommandFilter("build", nil, []string{"x"}); err == nil {
		t.Error("bad exclude resource type")
	}
	f, err := CommandFilter("test", []string{"model", "unit_test"}, nil)
	if err != nil || fmt.Sprint(f.ResourceTypes) != "[unit_test]" {
		t.Errorf("test keeps only test types: %v %v", f, err)
	}
}

func FuzzParseSelector(f *testing.F) {
	for _, s := range []string{"a", "+a+", "2+tag:x+3", "@a", "a,b c", "config.meta.x:y", "source:a.b.c",
		"state:modified.body", ":", "+", "@+", "a,,b", "1+", "tag:", "ü:ü", "path:models/**/x.sql", "[", "*?[!a-"} {
		f.Add(s, "")
	}
	f.Add("a", "b c,d")
	m, g, sels := setup(f)
	f.Fuzz(func(t *testing.T, sel, exc string) {
		s, err := Parse([]string{sel}, []string{exc})
		if err != nil {
			var se *Error
			if !errors.As(err, &se) {
				t.Fatalf("untyped error %v", err)
			}
			if se.Column < 1 || se.Column > len(sel)+len(exc)+1 {
				t.Fatalf("column %d out of range for %q / %q", se.Column, sel, exc)
			}
			return
		}
		_ = s.String()
		if _, err := s.Select(m, g, Options{Selectors: sels}); err != nil {
			var se *Error
			if !errors.As(err, &se) {
				t.Fatalf("untyped select error %v", err)
			}
		}
		fnmatch(sel, exc)
		pathMatch(sel, exc, true)
	})
}

func FuzzParseSelectors(f *testing.F) {
	f.Add([]byte(selectorsYML))
	f.Add([]byte("selectors:\n  - name: a\n    definition: {union: [{exclude: [x]}]}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = ParseSelectors("selectors.yml", data)
	})
}
