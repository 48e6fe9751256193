package source

import (
	"sort"
	"unicode/utf8"
)

// maxColumnScan bounds the character-by-character search inside one line;
// longer lines are searched by halving.
const maxColumnScan = 512

// LocateFailure finds where a parser that gives no reliable position (yaml.v3
// reports the line of the enclosing block, not of the offending token) met
// its error: the offset of the last byte of the shortest prefix of text on
// which fails still reports the same problem. fails must be true for the
// whole text. The search halves over whole lines first, so that a prefix
// rarely ends inside a token, then walks the failing line; a problem that
// only shows at the line's end is put at its first non-blank character, one
// that only shows at the end of the text at the end.
func LocateFailure(text string, fails func(prefix string) bool) Pos {
	var ends []int // ends[i] is the offset just past line i+1 (its newline included)
	for i := 0; i < len(text); i++ {
		if text[i] == '\n' {
			ends = append(ends, i+1)
		}
	}
	if len(ends) == 0 || ends[len(ends)-1] != len(text) {
		ends = append(ends, len(text))
	}
	k := sort.Search(len(ends)-1, func(i int) bool { return fails(text[:ends[i]]) })
	start := 0
	if k > 0 {
		start = ends[k-1]
	}
	end := ends[k]
	content := end
	for content > start && (text[content-1] == '\n' || text[content-1] == '\r') {
		content--
	}
	var c int
	if content-start <= maxColumnScan {
		c = start + 1
		for c <= content && !fails(text[:c]) {
			c++
		}
	} else {
		c = start + 1 + sort.Search(content-start, func(i int) bool { return fails(text[:start+1+i]) })
	}
	if c > content {
		if end == len(text) {
			// Only the end of the text completes the error.
			return Pos(len(text))
		}
		// Only the line break completes the error: point at the line.
		c = start
		for c < content && (text[c] == ' ' || text[c] == '\t') {
			c++
		}
		return Pos(c)
	}
	c--
	// A blank completes the token before it; it does not start one.
	for c > start && (text[c] == ' ' || text[c] == '\t') {
		c--
	}
	for c > start && !utf8.RuneStart(text[c]) {
		c--
	}
	return Pos(c)
}
