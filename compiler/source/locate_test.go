package source

import (
	"strings"
	"testing"
)

func TestLocateFailure(t *testing.T) {
	// The fake parsers fail once the prefix holds a '!', or only on the
	// whole text, or once a line holds a '(' and ends.
	bang := func(p string) bool { return strings.Contains(p, "!") }
	never := func(string) bool { return false }
	openLine := func(p string) bool { return strings.Contains(p, "(\n") }
	cases := []struct {
		name, text string
		fails      func(string) bool
		line, col  int
	}{
		{"token mid line", "a\nb\nc ! d\ne\n", bang, 3, 3},
		{"blanks before the end of the prefix", "a\n  x   !\n", bang, 2, 7},
		{"first line", "!\n", bang, 1, 1},
		{"long line", "a\n" + strings.Repeat("x", 2000) + "!\n", bang, 2, 2001},
		{"after a multibyte rune", "ü !\n", bang, 1, 3},
		{"only at the end of the text", "a\n(b\nc\n", never, 4, 1},
		{"only at the end of a line", "a\n  (\nc\n", openLine, 2, 3},
		{"empty", "", never, 1, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := NewFile("f", c.text)
			fails := func(p string) bool { return len(p) == len(c.text) || c.fails(p) }
			p := f.Position(LocateFailure(c.text, fails))
			if p.Line != c.line || p.Column != c.col {
				t.Errorf("got %d:%d, want %d:%d", p.Line, p.Column, c.line, c.col)
			}
		})
	}
}
