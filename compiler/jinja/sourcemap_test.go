package jinja_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/gdbt/gdbt/compiler/jinja"
	"github.com/gdbt/gdbt/compiler/source"
)

// checkMap verifies the invariants of a source map over out: segments are
// in order, contiguous from 0 to len(out) (every top-level write is
// recorded), and text segments are the template's own bytes.
func checkMap(t *testing.T, tmpl *jinja.Template, out string, m *jinja.SourceMap) {
	t.Helper()
	text := tmpl.File().Text
	at := 0
	for i, s := range m.Segments() {
		if s.Out != at {
			t.Fatalf("segment %d starts at %d, want %d (gap or overlap); segments %+v", i, s.Out, at, m.Segments())
		}
		if s.Len <= 0 {
			t.Fatalf("segment %d is empty", i)
		}
		at += s.Len
		if at > len(out) {
			t.Fatalf("segment %d ends at %d past the output (%d bytes)", i, at, len(out))
		}
		if s.Text {
			p := int(s.Pos)
			if p < 0 || p+s.Len > len(text) || text[p:p+s.Len] != out[s.Out:at] {
				t.Fatalf("text segment %d (%q) does not match the template at %d", i, out[s.Out:at], p)
			}
		} else if r := text[s.Pos:]; !strings.HasPrefix(r, "{{") && !strings.HasPrefix(r, "call") && !strings.HasPrefix(r, "filter") {
			// Expressions map to their "{{", blocks to their keyword.
			t.Fatalf("output segment %d maps to %q, not a tag", i, text[s.Pos:min(len(text), int(s.Pos)+10)])
		}
	}
	if at != len(out) {
		t.Fatalf("segments cover %d of %d output bytes", at, len(out))
	}
}

// TestSourceMapConformanceCases renders every conformance case with and
// without a map: the output must not change and the map must be complete.
func TestSourceMapConformanceCases(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "cases", "*.txt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no case files: %v", err)
	}
	n := 0
	for _, cf := range files {
		cases, err := readCases(cf, strings.TrimSuffix(filepath.Base(cf), ".txt"))
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cases {
			vars, err := decodeVars(c.vars)
			if err != nil {
				continue
			}
			env := jinja.NewEnvironment()
			tmpl, err := env.Parse(c.name, c.src)
			if err != nil {
				continue
			}
			plain, err := tmpl.Render(vars)
			if err != nil {
				continue
			}
			again, _ := tmpl.Render(vars)
			if again != plain {
				continue // random output
			}
			var m jinja.SourceMap
			mapped, err := tmpl.ExecuteMapped(jinja.Vars(vars), nil, &m)
			if err != nil {
				t.Fatalf("%s: mapped render failed: %v", c.name, err)
			}
			if mapped != plain {
				t.Fatalf("%s: mapped output differs\n got %q\nwant %q", c.name, mapped, plain)
			}
			t.Run(c.name, func(t *testing.T) { checkMap(t, tmpl, mapped, &m) })
			n++
		}
	}
	if n < 100 {
		t.Fatalf("only %d cases rendered; the corpus moved?", n)
	}
}

func TestSourceMapLookup(t *testing.T) {
	const macros = `{% macro cols() %}a,
  b{% endmacro %}`
	tests := []struct {
		name string
		src  string
		vars map[string]any
		// find is a substring of the output; want is the template text the
		// mapped position must start with, exact whether it maps byte for byte.
		find, want string
		exact      bool
	}{
		{"plain text", "select 1\nfrom orders", nil, "orders", "orders", true},
		{"text after expression", "select {{ x }} from t frm u", map[string]any{"x": "col"}, "frm", "frm u", true},
		{"inside expression output", "select {{ x }} from t", map[string]any{"x": "a, b"}, "b", "{{ x }}", false},
		{"macro output maps to the call", macros + "\nselect {{ cols() }} from t", nil, "b", "{{ cols() }}", false},
		{"text after macro output", macros + "\nselect {{ cols() }} from t", nil, "from", "from t", true},
		{"whitespace control", "select\n{%- if true %}\n  x  {%- endif %} from t", nil, "x", "x", true},
		{"loop body", "{% for c in ['p', 'q'] %}{{ c }} as c{{ loop.index }}, {% endfor %}z", nil, "as c2", "as c", true},
		{"set block is not output", "{% set s %}hidden{% endset %}select {{ s }} x", nil, "x", "x", true},
		{"call block", macros + "{% macro w() %}[{{ caller() }}]{% endmacro %}{% call w() %}in{% endcall %} tail", nil, "in", "call w()", false},
		{"filter block", "{% filter upper %}abc{% endfilter %} tail", nil, "ABC", "filter upper", false},
		{"after big output (buffer grows)", "select {{ 'y' * 5000 }}\nfrom big", nil, "from", "from big", true},
		{"multibyte text", "select 'é€' as x, frm", nil, "frm", "frm", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := jinja.NewEnvironment()
			tmpl, err := env.Parse("t.sql", tt.src)
			if err != nil {
				t.Fatal(err)
			}
			var m jinja.SourceMap
			out, err := tmpl.ExecuteMapped(jinja.Vars(tt.vars), nil, &m)
			if err != nil {
				t.Fatal(err)
			}
			checkMap(t, tmpl, out, &m)
			off := strings.LastIndex(out, tt.find)
			if off < 0 {
				t.Fatalf("%q not in output %q", tt.find, out)
			}
			pos, exact, ok := m.Lookup(off)
			if !ok {
				t.Fatalf("offset %d not mapped", off)
			}
			if got := tmpl.File().Text[pos:]; !strings.HasPrefix(got, tt.want) {
				t.Errorf("offset %d of %q maps to %q, want %q", off, out, got, tt.want)
			}
			if exact != tt.exact {
				t.Errorf("exact = %v, want %v", exact, tt.exact)
			}
		})
	}
}

func TestSourceMapLookupOutside(t *testing.T) {
	var m jinja.SourceMap
	if _, _, ok := m.Lookup(0); ok {
		t.Error("empty map resolved an offset")
	}
	tmpl, err := jinja.NewEnvironment().Parse("t.sql", "ab{{ 'cd' }}")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tmpl.ExecuteMapped(nil, nil, &m); err != nil {
		t.Fatal(err)
	}
	// Past the end maps to the last chunk, inexactly.
	pos, exact, ok := m.Lookup(10)
	if !ok || exact || pos != source.Pos(2) {
		t.Errorf("Lookup(10) = %d, %v, %v; want 2, false, true", pos, exact, ok)
	}
	// Just past literal text is the end of that text.
	tmpl, err = jinja.NewEnvironment().Parse("t.sql", "{{ 'cd' }}ab")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tmpl.ExecuteMapped(nil, nil, &m); err != nil {
		t.Fatal(err)
	}
	pos, exact, ok = m.Lookup(4)
	if !ok || !exact || pos != source.Pos(12) {
		t.Errorf("Lookup(4) = %d, %v, %v; want 12, true, true", pos, exact, ok)
	}
	pos, exact, ok = m.Lookup(1)
	if !ok || exact || pos != source.Pos(0) {
		t.Errorf("Lookup(1) = %d, %v, %v; want 0, false, true", pos, exact, ok)
	}
	// A map is reusable: a second render resets it.
	if _, err := tmpl.ExecuteMapped(nil, nil, &m); err != nil {
		t.Fatal(err)
	}
	if n := len(m.Segments()); n != 2 {
		t.Errorf("reused map has %d segments, want 2", n)
	}
}
