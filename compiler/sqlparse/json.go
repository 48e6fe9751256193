package sqlparse

import (
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// jsonDec is a forward-only reader over the JSON parse tree that libpg_query
// prints. Decoding only what the analysis needs, straight from the text, is
// several times cheaper than pg_query.Parse: the C protobuf packer alone costs
// more than parsing, and the generated Go structs cost hundreds of
// allocations per model (see bench_test.go).
//
// The input comes from libpg_query, not from users, so malformed JSON is an
// internal error: methods panic with badTree and Analyze recovers.
type jsonDec struct {
	s     string
	i     int
	stack []*expr // nodes being collected for the node under construction
}

// badTree is the panic value for JSON we cannot read.
type badTree struct{ msg string }

func (d *jsonDec) fail(what string) {
	panic(badTree{what + " at JSON offset " + strconv.Itoa(d.i)})
}

func (d *jsonDec) ws() {
	// libpg_query prints compact JSON: usually nothing to skip.
	if d.i < len(d.s) && d.s[d.i] > ' ' {
		return
	}
	for d.i < len(d.s) {
		switch d.s[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

func (d *jsonDec) peek() byte {
	d.ws()
	if d.i >= len(d.s) {
		d.fail("unexpected end")
	}
	return d.s[d.i]
}

func (d *jsonDec) expect(c byte) {
	if d.peek() != c {
		d.fail("expected " + string(c))
	}
	d.i++
}

// more reports whether another element follows in an object or array whose
// opening bracket was consumed; it consumes the separating comma.
func (d *jsonDec) more(end byte, first *bool) bool {
	c := d.peek()
	if c == end {
		d.i++
		return false
	}
	if !*first {
		if c != ',' {
			d.fail("expected ,")
		}
		d.i++
	}
	*first = false
	return true
}

// objStart consumes '{'.
func (d *jsonDec) objStart() { d.expect('{') }

// key reads the next key of an object, or returns "" at its end.
func (d *jsonDec) key(first *bool) string {
	if !d.more('}', first) {
		return ""
	}
	k := d.str()
	d.expect(':')
	return k
}

// arrStart consumes '['.
func (d *jsonDec) arrStart() { d.expect('[') }

// elem reports whether another array element follows.
func (d *jsonDec) elem(first *bool) bool { return d.more(']', first) }

// str reads a string. Strings without escapes are sliced from the input
// without copying.
func (d *jsonDec) str() string {
	d.expect('"')
	start := d.i
	j := strings.IndexByte(d.s[start:], '"')
	if j < 0 {
		d.fail("unterminated string")
	}
	s := d.s[start : start+j]
	if strings.IndexByte(s, '\\') >= 0 {
		return d.strSlow(start)
	}
	d.i = start + j + 1
	return s
}

func (d *jsonDec) strSlow(start int) string {
	b := []byte(d.s[start:d.i])
	for d.i < len(d.s) {
		c := d.s[d.i]
		switch {
		case c == '"':
			d.i++
			return string(b)
		case c != '\\':
			b = append(b, c)
			d.i++
			continue
		}
		d.i++
		if d.i >= len(d.s) {
			break
		}
		e := d.s[d.i]
		d.i++
		switch e {
		case '"', '\\', '/':
			b = append(b, e)
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r := d.hex4()
			if utf16.IsSurrogate(r) && d.i+1 < len(d.s) && d.s[d.i] == '\\' && d.s[d.i+1] == 'u' {
				d.i += 2
				r = utf16.DecodeRune(r, d.hex4())
			}
			b = utf8.AppendRune(b, r)
		default:
			d.fail("bad escape")
		}
	}
	d.fail("unterminated string")
	return ""
}

func (d *jsonDec) hex4() rune {
	if d.i+4 > len(d.s) {
		d.fail("short \\u escape")
	}
	v, err := strconv.ParseUint(d.s[d.i:d.i+4], 16, 32)
	if err != nil {
		d.fail("bad \\u escape")
	}
	d.i += 4
	return rune(v)
}

// int reads an integer.
func (d *jsonDec) int() int {
	d.ws()
	start := d.i
	if d.i < len(d.s) && d.s[d.i] == '-' {
		d.i++
	}
	n := 0
	for d.i < len(d.s) && d.s[d.i] >= '0' && d.s[d.i] <= '9' {
		n = n*10 + int(d.s[d.i]-'0')
		d.i++
	}
	if d.i == start {
		d.fail("expected number")
	}
	if d.s[start] == '-' {
		return -n
	}
	return n
}

// bool reads true or false.
func (d *jsonDec) bool() bool {
	d.ws()
	switch {
	case len(d.s)-d.i >= 4 && d.s[d.i:d.i+4] == "true":
		d.i += 4
		return true
	case len(d.s)-d.i >= 5 && d.s[d.i:d.i+5] == "false":
		d.i += 5
		return false
	}
	d.fail("expected bool")
	return false
}

// skip consumes one value of any type.
func (d *jsonDec) skip() {
	switch d.peek() {
	case '"':
		d.i++
		for d.i < len(d.s) {
			switch d.s[d.i] {
			case '\\':
				d.i += 2
				continue
			case '"':
				d.i++
				return
			}
			d.i++
		}
		d.fail("unterminated string")
	case '{', '[':
		depth := 0
		for d.i < len(d.s) {
			switch d.s[d.i] {
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					d.i++
					return
				}
			case '"':
				d.skip()
				continue
			}
			d.i++
		}
		d.fail("unterminated value")
	default:
		for d.i < len(d.s) {
			switch d.s[d.i] {
			case ',', '}', ']', ' ', '\n', '\t', '\r':
				return
			}
			d.i++
		}
	}
}
