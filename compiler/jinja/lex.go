package jinja

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/gdbt/gdbt/compiler/source"
)

type tokenKind uint8

const (
	tEOF tokenKind = iota
	tText
	tVarBegin   // {{
	tVarEnd     // }}
	tBlockBegin // {%
	tBlockEnd   // %}
	tName
	tString
	tInt
	tFloat
	tOp
)

var tokenNames = [...]string{
	tEOF: "end of template", tText: "template data", tVarBegin: "begin of print statement",
	tVarEnd: "end of print statement", tBlockBegin: "begin of statement block",
	tBlockEnd: "end of statement block", tName: "name", tString: "string",
	tInt: "integer", tFloat: "float", tOp: "operator",
}

// token is one lexeme. val holds the decoded text: the data of tText, the
// name, the operator, or the string literal's value.
type token struct {
	kind tokenKind
	pos  source.Pos
	val  string
}

// lexer turns template text into tokens in one pass; the parser indexes the
// resulting slice, so backtracking is free.
type lexer struct {
	file   *source.File
	src    string
	toks   []token
	lstrip bool // the previous tag ended with "-": strip leading whitespace
}

// lexError is raised (panicked) inside the lexer and parser and turned into
// an *Error by Parse.
type lexError struct {
	pos  source.Pos
	msg  string
	kind string // "" means TemplateSyntaxError
}

func (l *lexer) fail(p int, msg string) {
	panic(&lexError{pos: source.Pos(p), msg: msg})
}

func (l *lexer) emit(kind tokenKind, p int, val string) {
	l.toks = append(l.toks, token{kind: kind, pos: source.Pos(p), val: val})
}

// emitText adds template data, applying a pending "-" strip from the tag
// before it and, when rstrip is set, the one from the tag after it.
func (l *lexer) emitText(p int, text string, rstrip bool) {
	if l.lstrip {
		trimmed := strings.TrimLeftFunc(text, unicode.IsSpace)
		p += len(text) - len(trimmed)
		text = trimmed
		l.lstrip = false
	}
	if rstrip {
		text = strings.TrimRightFunc(text, unicode.IsSpace)
	}
	if text != "" {
		l.emit(tText, p, text)
	}
}

// lexRange lexes file.Text[start:end] into buf, which it may grow;
// positions stay offsets into the whole file, so errors keep their real
// line numbers.
func lexRange(file *source.File, start, end int, buf []token) []token {
	l := lexer{file: file, src: file.Text[:end], toks: buf[:0]}
	l.run(start)
	return l.toks
}

// tokenBufs recycles token slices: tokens live only while a template is
// parsed (nodes copy what they keep), and parsing thousands of model files
// would otherwise allocate and grow a fresh slice for each.
var tokenBufs = sync.Pool{New: func() any { return new([]token) }}

func (l *lexer) run(i int) {
	src := l.src
	for i < len(src) {
		j := nextTagStart(src, i)
		if j < 0 {
			l.emitText(i, src[i:], false)
			break
		}
		strip := j+2 < len(src) && src[j+2] == '-'
		l.emitText(i, src[i:j], strip)
		switch src[j+1] {
		case '#':
			i = l.comment(j)
		case '%':
			if end, ok := l.raw(j); ok {
				i = end
				continue
			}
			i = l.tag(j, tBlockBegin, tBlockEnd, '%')
		default:
			i = l.tag(j, tVarBegin, tVarEnd, '}')
		}
	}
	// Jinja2 reports an unexpected end of template on the line where the
	// last token starts.
	end := len(src)

	if n := len(l.toks); n > 0 {
		end = int(l.toks[n-1].pos)
	}
	l.emit(tEOF, end, "")
}

// nextTagStart finds the next "{{", "{%" or "{#" at or after i.
func nextTagStart(src string, i int) int {
	for {
		k := strings.IndexByte(src[i:], '{')
		if k < 0 || i+k+1 >= len(src) {
			return -1
		}
		k += i
		switch src[k+1] {
		case '{', '%', '#':
			return k
		}
		i = k + 1
	}
}

func (l *lexer) comment(start int) int {
	end := strings.Index(l.src[start+2:], "#}")
	if end < 0 {
		l.fail(start, "Missing end of comment tag")
	}
	end += start + 2
	if end > start+2 && l.src[end-1] == '-' {
		l.lstrip = true
	}
	return end + 2
}

// raw handles {% raw %}…{% endraw %}, whose body is data.
func (l *lexer) raw(start int) (int, bool) {
	src := l.src
	p := start + 2
	if p < len(src) && (src[p] == '-' || src[p] == '+') {
		p++
	}
	p = skipSpace(src, p)
	if !strings.HasPrefix(src[p:], "raw") {
		return 0, false
	}
	p += 3
	p = skipSpace(src, p)
	stripBody := false
	switch {
	case strings.HasPrefix(src[p:], "-%}"):
		stripBody = true
		p += 3
	case strings.HasPrefix(src[p:], "%}"):
		p += 2
	default:
		return 0, false
	}
	// Find {%[-+]? endraw [-+]?%}.
	for q := p; ; {
		k := strings.Index(src[q:], "{%")
		if k < 0 {
			if p == len(src) {
				return p, true // Jinja2 accepts a bare {% raw %} at the very end
			}
			l.fail(start, "Missing end of raw directive")
		}
		k += q
		e := k + 2
		rstrip := false
		if e < len(src) && (src[e] == '-' || src[e] == '+') {
			rstrip = src[e] == '-'
			e++
		}
		e = skipSpace(src, e)
		if !strings.HasPrefix(src[e:], "endraw") {
			q = k + 2
			continue
		}
		e = skipSpace(src, e+6)
		lstripAfter := false
		switch {
		case strings.HasPrefix(src[e:], "-%}"):
			lstripAfter = true
			e += 3
		case strings.HasPrefix(src[e:], "+%}"):
			e += 3
		case strings.HasPrefix(src[e:], "%}"):
			e += 2
		default:
			q = k + 2
			continue
		}
		l.lstrip = stripBody
		l.emitText(p, src[p:k], rstrip)
		l.lstrip = lstripAfter
		return e, true
	}
}

func skipSpace(src string, p int) int {
	for p < len(src) {
		r, size := utf8.DecodeRuneInString(src[p:])
		if !unicode.IsSpace(r) {
			break
		}
		p += size
	}
	return p
}

// tag lexes the inside of {{ … }} or {% … %} starting at the opening brace.
func (l *lexer) tag(start int, begin, end tokenKind, closer byte) int {
	src := l.src
	l.emit(begin, start, "")
	p := start + 2
	if p < len(src) && (src[p] == '-' || src[p] == '+') {
		p++
	}
	var stack [16]byte
	balance := stack[:0] // open brackets; the closing tag only counts at depth 0
	for {
		p = skipSpace(src, p)
		if p >= len(src) {
			what := "end of print statement"
			if end == tBlockEnd {
				what = "end of statement block"
			}
			l.fail(p, "unexpected end of template, expected '"+what+"'.")
		}
		if len(balance) == 0 {
			if src[p] == '-' && p+2 < len(src) && src[p+1] == closer && src[p+2] == '}' {
				l.emit(end, p, "")
				l.lstrip = true
				return p + 3
			}
			if src[p] == '+' && closer == '%' && p+2 < len(src) && src[p+1] == '%' && src[p+2] == '}' {
				l.emit(end, p, "")
				return p + 3
			}
			if src[p] == closer && p+1 < len(src) && src[p+1] == '}' {
				l.emit(end, p, "")
				return p + 2
			}
		}
		c := src[p]
		switch {
		case c >= '0' && c <= '9':
			p = l.number(p)
		case c == '\'' || c == '"':
			p = l.str(p)
		case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= utf8.RuneSelf:
			q := p
			for q < len(src) {
				if b := src[q]; b < utf8.RuneSelf { // the common case, without decoding runes
					if !isASCIIIdent(b) {
						break
					}
					q++
					continue
				}
				r, size := utf8.DecodeRuneInString(src[q:])
				if r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) || (q > p && unicode.In(r, unicode.Mn, unicode.Mc, unicode.Nd, unicode.Pc)) {
					q += size
					continue
				}
				break
			}
			if q == p {
				r, _ := utf8.DecodeRuneInString(src[p:])
				l.fail(p, "unexpected char '"+string(r)+"' at "+itoa(p))
			}
			l.emit(tName, p, src[p:q])
			p = q
		default:
			op := operatorAt(src, p)
			if op == "" {
				r, _ := utf8.DecodeRuneInString(src[p:])
				l.fail(p, "unexpected char "+Repr(string(r))+" at "+itoa(p))
			}
			switch op {
			case "(", "[", "{":
				balance = append(balance, op[0])
			case ")", "]", "}":
				if len(balance) == 0 {
					l.fail(p, "unexpected '"+op+"'")
				}
				want := closerOf(balance[len(balance)-1])
				if op[0] != want {
					l.fail(p, "unexpected '"+op+"', expected '"+string(want)+"'")
				}
				balance = balance[:len(balance)-1]
			}
			l.emit(tOp, p, op)
			p += len(op)
		}
	}
}

func closerOf(open byte) byte {
	switch open {
	case '(':
		return ')'
	case '[':
		return ']'
	}
	return '}'
}

// operators, longest first.
// operators are Jinja's, two-character ones first so they win.
var operators = []string{
	"//", "**", "==", "!=", ">=", "<=",
	"+", "-", "/", "*", "%", "~", "[", "]", "(", ")", "{", "}", ">", "<", "=", ".", ":", "|", ",", ";",
}

// opIndex lists, per first byte, the operators that start with it.
var opIndex = func() (idx [128][]string) {
	for _, op := range operators {
		idx[op[0]] = append(idx[op[0]], op)
	}
	return idx
}()

// operatorAt is the operator at src[p:], or "".
func operatorAt(src string, p int) string {
	if c := src[p]; c < utf8.RuneSelf {
		for _, op := range opIndex[c] {
			if strings.HasPrefix(src[p:], op) {
				return op
			}
		}
	}
	return ""
}

func isASCIIIdent(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

func isDigitOrUnderscore(c byte) bool { return c >= '0' && c <= '9' || c == '_' }

// number lexes an int or float literal as Jinja2 does (underscores, 0b/0o/0x
// prefixes, exponents; no leading-dot floats).
func (l *lexer) number(p int) int {
	src := l.src
	if src[p] == '0' && p+1 < len(src) {
		switch src[p+1] | 0x20 {
		case 'b', 'o', 'x':
			q := p + 2
			for q < len(src) && (isHexDigit(src[q]) || src[q] == '_') {
				q++
			}
			if q > p+2 {
				l.emit(tInt, p, src[p:q])
				return q
			}
		}
	}
	q := p
	if src[p] == '0' {
		// A decimal integer may not have leading zeros: "007" lexes as
		// 00 followed by 7, which the parser rejects, as Jinja2 does.
		for q < len(src) && (src[q] == '0' || src[q] == '_') {
			q++
		}
		if q < len(src) && (src[q] == '.' || src[q]|0x20 == 'e') {
			for q < len(src) && isDigitOrUnderscore(src[q]) {
				q++
			}
		}
	} else {
		for q < len(src) && isDigitOrUnderscore(src[q]) {
			q++
		}
	}
	isFloat := false
	// Like Jinja2's (?<!\.) lookbehind: after a dot (x.0.1) numbers are
	// attribute indices, never floats.
	afterDot := p > 0 && src[p-1] == '.'
	if afterDot {
		l.emit(tInt, p, src[p:q])
		return q
	}
	if q+1 < len(src) && src[q] == '.' && src[q+1] >= '0' && src[q+1] <= '9' {
		isFloat = true
		q++
		for q < len(src) && isDigitOrUnderscore(src[q]) {
			q++
		}
	}
	if q < len(src) && src[q]|0x20 == 'e' {
		r := q + 1
		if r < len(src) && (src[r] == '+' || src[r] == '-') {
			r++
		}
		if r < len(src) && src[r] >= '0' && src[r] <= '9' {
			for r < len(src) && isDigitOrUnderscore(src[r]) {
				r++
			}
			q = r
			isFloat = true
		}
	}
	if isFloat {
		l.emit(tFloat, p, src[p:q])
	} else {
		l.emit(tInt, p, src[p:q])
	}
	return q
}

func isHexDigit(c byte) bool {
	return c >= '0' && c <= '9' || c|0x20 >= 'a' && c|0x20 <= 'f'
}

// str lexes a quoted string and decodes its escapes like Python's
// unicode_escape codec, which is what Jinja2 applies.
func (l *lexer) str(p int) int {
	src := l.src
	quote := src[p]
	q := p + 1
	for q < len(src) && src[q] != quote {
		if src[q] == '\\' {
			q++
		}
		q++
	}
	if q >= len(src) {
		l.fail(p, "unexpected char "+Repr(string(quote))+" at "+itoa(p))
	}
	l.emit(tString, p, unescape(src[p+1:q]))
	return q + 1
}

func unescape(s string) string {
	if strings.IndexByte(s, '\\') < 0 {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			b.WriteByte(c)
			continue
		}
		i++
		switch e := s[i]; e {
		case '\n':
		case '\\', '\'', '"':
			b.WriteByte(e)
		case 'a':
			b.WriteByte(7)
		case 'b':
			b.WriteByte(8)
		case 'f':
			b.WriteByte(12)
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'v':
			b.WriteByte(11)
		case 'x', 'u', 'U':
			n := map[byte]int{'x': 2, 'u': 4, 'U': 8}[e]
			if i+n < len(s)+0 && i+n <= len(s)-1+1 && allHex(s[i+1:min(i+1+n, len(s))]) && i+1+n <= len(s) {
				var r rune
				for _, h := range s[i+1 : i+1+n] {
					r = r*16 + rune(hexVal(byte(h)))
				}
				b.WriteRune(r)
				i += n
			} else {
				b.WriteByte('\\')
				b.WriteByte(e)
			}
		case '0', '1', '2', '3', '4', '5', '6', '7':
			r := rune(e - '0')
			k := 1
			for k < 3 && i+k < len(s) && s[i+k] >= '0' && s[i+k] <= '7' {
				r = r*8 + rune(s[i+k]-'0')
				k++
			}
			b.WriteRune(r)
			i += k - 1
		default:
			b.WriteByte('\\')
			b.WriteByte(e)
		}
	}
	return b.String()
}

func allHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isHexDigit(s[i]) {
			return false
		}
	}
	return true
}

func hexVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c|0x20 >= 'a' && c|0x20 <= 'f':
		return int(c|0x20-'a') + 10
	}
	return 0
}
