package parser

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"github.com/gdbt/gdbt/compiler/manifest"
)

// pySpace is Python's str.isspace for one code point: Unicode White_Space
// plus the ASCII separators 0x1c–0x1f, which Go's unicode.IsSpace leaves out.
func pySpace(r rune) bool { return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f) }

// wantSpaceChecksum is the plain statement of dbt's rule: " ".join(s.split()).
func wantSpaceChecksum(s string) string {
	return checksum([]byte(strings.Join(strings.FieldsFunc(s, pySpace), " ")))
}

func TestSpaceChecksum(t *testing.T) {
	for _, tc := range []struct{ in, collapsed string }{
		{"", ""},
		{"   \n\t ", ""},
		{"select 1", "select 1"},
		{"  select\n\n  1 \r\n", "select 1"},
		{"a\u00a0b\u3000c", "a b c"}, // NBSP and ideographic space are whitespace
		{"a\x1cb\x1fc", "a b c"},     // so are the ASCII separators, for Python
		{"caf\u00e9  au\tlait", "caf\u00e9 au lait"},
		{"bad \xff utf8", "bad \xff utf8"}, // invalid bytes are kept, not split on
	} {
		if got, want := spaceChecksum(tc.in), checksum([]byte(tc.collapsed)); got != want {
			t.Errorf("spaceChecksum(%q) = %s, want checksum(%q) = %s", tc.in, got, tc.collapsed, want)
		}
	}
}

func FuzzSpaceChecksum(f *testing.F) {
	for _, s := range []string{"", "select  1\n", " a\u2028b ", "x\x1dy", "\xffz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := spaceChecksum(s), wantSpaceChecksum(s); got != want {
			t.Fatalf("spaceChecksum(%q) = %s, want %s", s, got, want)
		}
	})
}

// TestBetterSource: the root project's definition of a source table wins,
// then the smallest unique id, whatever order the definitions come in.
func TestBetterSource(t *testing.T) {
	def := func(pkg string) *manifest.SourceDef {
		return &manifest.SourceDef{Package: pkg, UniqueID: "source." + pkg + ".raw.orders"}
	}
	root, a, b := def("proj"), def("pkg_a"), def("pkg_b")
	for _, order := range [][]*manifest.SourceDef{{root, a, b}, {b, a, root}, {a, root, b}, {b, a}, {a, b}} {
		var found *manifest.SourceDef
		for _, s := range order {
			if betterSource("proj", s, found) {
				found = s
			}
		}
		want := root
		if len(order) == 2 {
			want = a
		}
		if found != want {
			t.Errorf("order %v: chose %s, want %s", order, found.UniqueID, want.UniqueID)
		}
	}
}

// TestReadWhole: files of every size read whole, including ones whose
// size fstat does not know (/proc files report 0).
func TestReadWhole(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []int{0, 1, 4095, 4096, 4097, 1 << 20} {
		want := strings.Repeat("x", n)
		name := filepath.Join(dir, fmt.Sprint(n))
		if err := os.WriteFile(name, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := readWhole(name)
		if err != nil || string(got) != want {
			t.Errorf("%d bytes: got %d bytes, %v", n, len(got), err)
		}
	}
	if want, err := os.ReadFile("/proc/self/mountinfo"); err == nil && len(want) > 0 {
		got, err := readWhole("/proc/self/mountinfo")
		if err != nil || len(got) == 0 {
			t.Errorf("/proc/self/mountinfo: got %d bytes, %v", len(got), err)
		}
	}
	if _, err := readWhole(filepath.Join(dir, "missing")); !os.IsNotExist(err) {
		t.Errorf("missing file: got %v, want a not-exist error", err)
	}
}
