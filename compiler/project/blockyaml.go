package project

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gdbt/gdbt/compiler/source"
)

// Property files are nearly always plain block YAML: indented mappings and
// "- " sequences of one-line scalars and comments. yaml.v3 reads them at a
// few MB/s, which made a 10,000-model schema.yml the slowest file of a
// parse. parseBlockYAML reads that subset directly into Values, with the
// positions yaml.v3 would give, and gives up (ok false) on anything else:
// flow collections, anchors, aliases, tags, block and multi-line scalars,
// tabs, several documents, and every construct it could get wrong. The
// caller then parses with yaml.v3, which also reports the syntax errors.
// FuzzBlockYAML holds the two parsers to the same result.

// blockLine is a line that is neither blank nor only a comment.
type blockLine struct {
	num    int    // 1-based line number
	indent int    // leading spaces
	text   string // the rest, comment and trailing spaces included
	full   string // the whole line, for columns
}

type blockParser struct {
	file  string
	lines []blockLine
	i     int
	count int
	slab  []Value // Values are carved from chunks: one allocation per 256
}

func (p *blockParser) value(v Value) *Value {
	if len(p.slab) == cap(p.slab) {
		p.slab = make([]Value, 0, 256)
	}
	p.slab = append(p.slab, v)
	return &p.slab[len(p.slab)-1]
}

// errNotBlock abandons the fast path.
type errNotBlock struct{}

func parseBlockYAML(file string, data []byte) (v *Value, ok bool) {
	text := string(data)
	if !plainText(text) {
		return nil, false
	}
	p := &blockParser{file: file, lines: make([]blockLine, 0, strings.Count(text, "\n")+1)}
	for num := 1; text != ""; num++ {
		l, rest, _ := strings.Cut(text, "\n")
		text = rest
		t := strings.TrimLeft(l, " ")
		if t == "" || t[0] == '#' {
			continue
		}
		if len(l) == len(t) && (strings.HasPrefix(t, "---") || strings.HasPrefix(t, "...") || t[0] == '%') {
			return nil, false // document markers and directives
		}
		p.lines = append(p.lines, blockLine{num: num, indent: len(l) - len(t), text: t, full: l})
	}
	if len(p.lines) == 0 {
		return nil, false // yaml.v3 decides what an empty document is
	}
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(errNotBlock); !ok {
				panic(r)
			}
			v, ok = nil, false
		}
	}()
	first := p.lines[0]
	if !isSeqItem(first.text) && keyEnd(first.text) < 0 {
		return nil, false // a scalar document
	}
	v = p.node(first.indent)
	if p.i < len(p.lines) {
		return nil, false // a line less indented than the first
	}
	return v, true
}

// plainText reports whether text is valid UTF-8 made of characters YAML
// allows in a stream, without tabs, carriage returns or byte order marks
// (whose handling this parser leaves to yaml.v3).
func plainText(text string) bool {
	for _, r := range text {
		switch {
		case r == '\n' || (r >= 0x20 && r < 0x7f):
		case r == utf8.RuneError, r < 0xa0 && r != 0x85, r == 0xfeff, r == 0xfffe, r == 0xffff:
			return false
		}
	}
	return true
}

func (p *blockParser) bail() { panic(errNotBlock{}) }

// pos is the position of byte offset col of line l; yaml.v3 counts
// columns in characters.
func (p *blockParser) pos(l blockLine, col int) source.Position {
	return source.Position{File: p.file, Line: l.num, Column: utf8.RuneCountInString(l.full[:col]) + 1}
}

func (p *blockParser) counted() {
	p.count++
	if p.count > maxNodes {
		p.bail()
	}
}

// node parses the block collection starting at the current line, which is
// indented by ind.
func (p *blockParser) node(ind int) *Value {
	if len(p.lines)-p.i > 0 && isSeqItem(p.lines[p.i].text) {
		return p.seq(ind)
	}
	return p.mapping(ind)
}

func isSeqItem(t string) bool { return t == "-" || strings.HasPrefix(t, "- ") }

// keyEnd is the offset of the ':' that ends a plain mapping key on t, or -1
// when t does not start with a key this parser accepts.
func keyEnd(t string) int {
	if t == "" || strings.IndexByte("-?:,[]{}#&*!|>'\"%@`<", t[0]) >= 0 {
		return -1
	}
	for j := 0; j < len(t) && j < 1000; j++ { // YAML caps implicit keys at 1024 characters
		switch t[j] {
		case ':':
			if j+1 == len(t) || t[j+1] == ' ' {
				return j
			}
		case '#':
			if t[j-1] == ' ' {
				return -1
			}
		}
	}
	return -1
}

func (p *blockParser) mapping(ind int) *Value {
	p.counted()
	m := p.value(Value{Kind: Map, Pos: p.pos(p.lines[p.i], ind)})
	for p.i < len(p.lines) {
		l := p.lines[p.i]
		if l.indent < ind {
			break
		}
		if l.indent > ind {
			p.bail()
		}
		j := keyEnd(l.text)
		if j < 0 {
			p.bail()
		}
		raw := strings.TrimRight(l.text[:j], " ")
		kpos := p.pos(l, ind)
		key := blockKey(raw)
		if key == "<<" {
			p.bail() // merge keys
		}
		p.counted()
		rest := strings.TrimLeft(l.text[j+1:], " ")
		col := ind + len(l.text) - len(rest)
		after := ind + j + 1 // just after the colon
		p.i++
		var val *Value
		switch {
		case rest != "" && rest[0] != '#':
			val = p.inline(l, col, rest)
		case p.i < len(p.lines) && p.lines[p.i].indent > ind:
			val = p.node(p.lines[p.i].indent)
		case p.i < len(p.lines) && p.lines[p.i].indent == ind && isSeqItem(p.lines[p.i].text):
			val = p.seq(ind) // a sequence may sit at its key's indentation
		default:
			val = p.empty(l, after)
		}
		m.set(Entry{Key: key, KeyPos: kpos, Value: val})
	}
	return m
}

func (p *blockParser) seq(ind int) *Value {
	p.counted()
	s := p.value(Value{Kind: List, Pos: p.pos(p.lines[p.i], ind)})
	for p.i < len(p.lines) {
		l := p.lines[p.i]
		if l.indent < ind {
			break
		}
		if l.indent > ind {
			p.bail()
		}
		if !isSeqItem(l.text) {
			break // the next key of a mapping the sequence sat in at its indentation, or an error
		}
		rest := strings.TrimLeft(l.text[1:], " ")
		col := ind + len(l.text) - len(rest)
		var item *Value
		switch {
		case rest == "" || rest[0] == '#':
			p.i++
			if p.i < len(p.lines) && p.lines[p.i].indent > ind {
				item = p.node(p.lines[p.i].indent)
			} else {
				item = p.empty(l, ind+1)
			}
		case isSeqItem(rest):
			p.bail() // "- - x"
		case keyEnd(rest) >= 0:
			// "- key: value" opens a mapping at the key's column: parse
			// the rest of the line as if it stood there on its own.
			p.lines[p.i] = blockLine{num: l.num, indent: col, text: rest, full: l.full}
			item = p.mapping(col)
		default:
			p.i++
			item = p.inline(l, col, rest)
		}
		s.Items = append(s.Items, item)
	}
	return s
}

// empty is the null of a key or item with nothing after it, placed (as
// yaml.v3 does) just after the colon or dash.
func (p *blockParser) empty(l blockLine, col int) *Value {
	p.counted()
	return p.value(Value{Kind: Null, Pos: p.pos(l, col)})
}

// inline parses the one-line scalar s that starts at column col of line l
// and must be the last thing on it (a comment aside).
func (p *blockParser) inline(l blockLine, col int, s string) *Value {
	p.counted()
	if p.i < len(p.lines) && p.lines[p.i].indent > l.indent {
		// A more indented line continues a multi-line plain scalar, or is
		// an error: either way not ours.
		p.bail()
	}
	pos := p.pos(l, col)
	switch s[0] {
	case '"':
		text, end := doubleQuoted(s)
		if end < 0 || !onlyComment(s[end:]) {
			p.bail()
		}
		return p.value(Value{Kind: String, Scalar: text, Quoted: true, Pos: pos})
	case '\'':
		text, end := singleQuoted(s)
		if end < 0 || !onlyComment(s[end:]) {
			p.bail()
		}
		return p.value(Value{Kind: String, Scalar: text, Quoted: true, Pos: pos})
	}
	if strings.IndexByte("-?:,[]{}#&*!|>%@`", s[0]) >= 0 {
		if s[0] != '-' || len(s) < 2 || s[1] == ' ' {
			p.bail()
		}
	}
	if c := strings.Index(s, " #"); c >= 0 {
		s = s[:c]
	}
	s = strings.TrimRight(s, " ")
	if strings.Contains(s, ": ") || strings.HasSuffix(s, ":") {
		p.bail() // a mapping where a scalar must be: an error
	}
	v := p.value(plainValue(s))
	v.Pos = pos
	return v
}

// onlyComment reports whether rest, what follows a quoted scalar, is
// spaces and at most a comment.
func onlyComment(rest string) bool {
	t := strings.TrimLeft(rest, " ")
	return t == "" || (t[0] == '#' && len(t) < len(rest))
}

// doubleQuoted reads a one-line double-quoted scalar with the common
// escapes; end is the offset after the closing quote, -1 when it is
// missing or an escape is one this parser leaves to yaml.v3.
func doubleQuoted(s string) (string, int) {
	var b strings.Builder
	for j := 1; j < len(s); j++ {
		switch c := s[j]; c {
		case '"':
			return b.String(), j + 1
		case '\\':
			if j+1 >= len(s) {
				return "", -1
			}
			j++
			switch s[j] {
			case '\\', '"':
				b.WriteByte(s[j])
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			case '0':
				b.WriteByte(0)
			case 'u':
				if j+4 >= len(s) {
					return "", -1
				}
				r, err := strconv.ParseUint(s[j+1:j+5], 16, 32)
				if err != nil || (r >= 0xd800 && r < 0xe000) {
					return "", -1
				}
				b.WriteRune(rune(r))
				j += 4
			default:
				return "", -1
			}
		default:
			b.WriteByte(c)
		}
	}
	return "", -1
}

// singleQuoted reads a one-line single-quoted scalar, in which a doubled
// quote stands for one.
func singleQuoted(s string) (string, int) {
	var b strings.Builder
	for j := 1; j < len(s); j++ {
		if s[j] == '\'' {
			if j+1 < len(s) && s[j+1] == '\'' {
				b.WriteByte('\'')
				j++
				continue
			}
			return b.String(), j + 1
		}
		b.WriteByte(s[j])
	}
	return "", -1
}

// blockKey is the dict key Python would use for a plain key, as
// converter.keyString gives it.
func blockKey(raw string) string {
	v := plainValue(raw)
	switch v.Kind {
	case String:
		return v.Scalar.(string)
	case Null:
		return "None"
	case Bool:
		if v.Scalar.(bool) {
			return "True"
		}
		return "False"
	}
	return raw
}
