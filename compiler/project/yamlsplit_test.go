package project

import (
	"fmt"
	"strings"
	"testing"
)

// dumpValue prints a value with every position, so two parses compare
// exactly.
func dumpValue(b *strings.Builder, v *Value, ind string) {
	if v == nil {
		b.WriteString(ind + "<nil>\n")
		return
	}
	fmt.Fprintf(b, "%s%v @%d:%d q=%v %v\n", ind, v.Kind, v.Pos.Line, v.Pos.Column, v.Quoted, v.Scalar)
	for _, e := range v.Entries {
		fmt.Fprintf(b, "%s %q @%d:%d\n", ind, e.Key, e.KeyPos.Line, e.KeyPos.Column)
		dumpValue(b, e.Value, ind+"  ")
	}
	for _, it := range v.Items {
		dumpValue(b, it, ind+"  ")
	}
}

func bigSchema(n int, extra func(i int) string) string {
	var b strings.Builder
	b.WriteString("# generated\nversion: 2\n\nmodels:\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "  - name: m%05d\n    description: \"Model %d: totals\"\n", i, i)
		if extra != nil {
			b.WriteString(extra(i))
		}
		b.WriteString("    columns:\n      - name: id\n        data_tests:\n          - not_null\n          - unique\n")
	}
	return b.String()
}

// TestSplitParseEqualsSerialParse: a large property file parsed in parts
// gives exactly the value (positions included) of the one-piece parse, and
// shapes the split cannot prove safe fall back to it.
func TestSplitParseEqualsSerialParse(t *testing.T) {
	cases := []struct {
		name  string
		text  string
		split bool // the parallel path must be taken
	}{
		{"plain", bigSchema(3000, nil), true},
		{"comments and blank lines between items", bigSchema(3000, func(i int) string {
			if i%7 == 0 {
				return "\n  # a comment at the item indentation\n# and one at column 0\n\n"
			}
			return ""
		}), true},
		{"keys after the list and a second list", bigSchema(2000, nil) + "sources:\n  - name: raw\n    tables:\n      - name: a\n      - name: b\n" +
			strings.Repeat("  - name: s\n    schema: x\n", 0) + "exposures: []\n", true},
		{"block scalar inside items", bigSchema(2500, func(i int) string {
			return "    meta:\n      sql: |\n        select 1\n        - not an item\n"
		}), true},
		{"nested sequences at deeper indentation", bigSchema(2500, func(i int) string { return "    tags:\n    - a\n    - b\n" }), true},
		{"anchor falls back", bigSchema(3000, nil) + "defaults: &d {a: 1}\n", false},
		{"small file stays serial", bigSchema(10, nil), false},
		{"repeated top-level key falls back", bigSchema(3000, nil) + "models:\n  - name: again\n", false},
		{"top-level flow value falls back", "seeds: [\n  a]\n" + bigSchema(3000, nil), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			parts, ok := splitYAML([]byte(c.text))
			var got *Value
			if ok {
				v, ok2, err := parseYAMLSplit("s.yml", parts)
				if err != nil || !ok2 {
					ok = false
				}
				got = v
			}
			if ok != c.split {
				t.Fatalf("split path taken = %v, want %v", ok, c.split)
			}
			if !ok {
				return
			}
			want, err := serialParse("s.yml", []byte(c.text))
			if err != nil {
				t.Fatal(err)
			}
			var gb, wb strings.Builder
			dumpValue(&gb, got, "")
			dumpValue(&wb, want, "")
			if gb.String() != wb.String() {
				g, w := strings.Split(gb.String(), "\n"), strings.Split(wb.String(), "\n")
				for i := range w {
					if i >= len(g) || g[i] != w[i] {
						t.Fatalf("first difference at dump line %d:\n got  %q\n want %q", i+1, g[min(i, len(g)-1)], w[i])
					}
				}
				t.Fatalf("split parse has %d more dump lines", len(g)-len(w))
			}
		})
	}
}
