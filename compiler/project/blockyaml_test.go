package project

import (
	"strings"
	"testing"
)

func dump(v *Value) string {
	var b strings.Builder
	dumpValue(&b, v, "")
	return b.String()
}

// checkBlockYAML holds parseBlockYAML to yaml.v3: when the fast path takes
// a text, the Value (positions included) must be the one the yaml.v3 path
// gives, and yaml.v3 must accept the text.
func checkBlockYAML(t *testing.T, text string) (taken bool) {
	t.Helper()
	got, ok := parseBlockYAML("s.yml", []byte(text))
	if !ok {
		return false
	}
	want, err := serialParse("s.yml", []byte(text))
	if err != nil {
		t.Fatalf("fast path accepted %q, which yaml.v3 rejects: %v", text, err)
	}
	if g, w := dump(got), dump(want); g != w {
		t.Fatalf("%q:\nfast path:\n%s\nyaml.v3:\n%s", text, g, w)
	}
	return true
}

func TestBlockYAML(t *testing.T) {
	cases := []struct {
		name, text string
		taken      bool // the fast path must take it (else it must decline)
	}{
		{"schema", bigSchema(20, nil), true},
		{"scalars", "a: 1\nb: -2\nc: 1.5\nd: yes\ne: ~\nf: null\ng: 2024-01-02\nh: 0x1f\ni: 017\nj: .inf\nk: text with spaces  \nl: 'it''s'\nm: \"q\\\"\\n\\u00e9\"\nn: a:b\no: #c\np:\nq: x # comment\nr: 'x' # c\n", true},
		{"keys", "yes: 1\nnull: 2\n1: 3\nfoo bar : 4\n", true},
		{"sequence at key indent", "a:\n- x\n- y\nb: 1\n", true},
		{"items", "- a\n-\n- b: 1\n  c: 2\n-   d: 3\n    e:\n      - f\n- # c\n  g: 1\n", true},
		{"repeated key", "a: 1\nb: 2\na: 3\n", true},
		{"comments", "# c\na: # c\n  # c\n  b: 1 # c\n\n#c\n", true},
		{"top indent", "  a: 1\n  b: 2\n", true},
		{"flow", "a: [1, 2]\n", false},
		{"anchor", "a: &x 1\nb: *x\n", false},
		{"block scalar", "a: |\n  x\n", false},
		{"multi-line plain", "a: x\n  y\n", false},
		{"multi-line quoted", "a: \"x\n  y\"\n", false},
		{"tab", "a:\t1\n", false},
		{"document marker", "---\na: 1\n", false},
		{"merge key", "a: 1\n<<: {b: 1}\n", false},
		{"scalar document", "just text\n", false},
		{"empty", "# nothing\n", false},
		{"bad indentation", "a:\n  b: 1\n c: 2\n", false},
		{"mapping in scalar", "a: b: c\n", false},
		{"nested compact sequence", "- - a\n", false},
		{"tag", "a: !!str 1\n", false},
		{"unknown escape", "a: \"\\x41\"\n", false},
		{"text after quote", "a: 'x' y\n", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if taken := checkBlockYAML(t, c.text); taken != c.taken {
				t.Fatalf("fast path taken = %v, want %v", taken, c.taken)
			}
		})
	}
}

func FuzzBlockYAML(f *testing.F) {
	for _, s := range []string{bigSchema(2, nil), "a: 1\n- b\n", "- a: 1\n  b:\n  - c\n", "a:\n  b: 'x'\n c: 1\n", "k: \"\\u00e9\" # c\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { checkBlockYAML(t, s) })
}

func BenchmarkBlockYAML(b *testing.B) {
	data := []byte(bigSchema(10000, nil))
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, ok := parseBlockYAML("s.yml", data); !ok {
			b.Fatal("declined")
		}
	}
}

func BenchmarkYAMLv3(b *testing.B) {
	data := []byte(bigSchema(10000, nil))
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := serialParse("s.yml", data); err != nil {
			b.Fatal(err)
		}
	}
}
