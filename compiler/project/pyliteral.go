package project

import (
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gdbt/gdbt/compiler/jinja"
)

// literalEval evaluates a Python literal (what dbt's as_native, as_bool and
// as_number filters do with ast.literal_eval): numbers, strings, True, False,
// None, lists, tuples and dicts. It returns an error when s is not a literal.
func literalEval(s string) (any, error) {
	p := &litParser{s: strings.TrimLeft(s, " \t")}
	v, err := p.expr(0)
	if err != nil {
		return nil, err
	}
	p.space()
	if p.i != len(p.s) {
		return nil, errNotLiteral
	}
	return v, nil
}

var errNotLiteral = errors.New("not a Python literal")

type litParser struct {
	s string
	i int
}

func (p *litParser) space() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r', '\f':
			p.i++
		default:
			return
		}
	}
}

func (p *litParser) peek() byte {
	p.space()
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

func (p *litParser) expr(depth int) (any, error) {
	if depth > 200 {
		return nil, errNotLiteral
	}
	c := p.peek()
	switch {
	case c == '-' || c == '+':
		p.i++
		v, err := p.expr(depth + 1)
		if err != nil {
			return nil, err
		}
		switch x := v.(type) {
		case int64:
			if c == '-' {
				return -x, nil
			}
			return x, nil
		case float64:
			if c == '-' {
				return -x, nil
			}
			return x, nil
		}
		return nil, errNotLiteral
	case c == '[':
		p.i++
		items, err := p.seq(']', depth)
		if err != nil {
			return nil, err
		}
		return &jinja.List{Items: items}, nil
	case c == '(':
		p.i++
		start := p.i
		items, err := p.seq(')', depth)
		if err != nil {
			return nil, err
		}
		// (x) is x, (x,) is a tuple.
		if len(items) == 1 && !strings.Contains(p.s[start:p.i], ",") {
			return items[0], nil
		}
		return jinja.Tuple(items), nil
	case c == '{':
		p.i++
		d := jinja.NewDict()
		for {
			if p.peek() == '}' {
				p.i++
				return d, nil
			}
			k, err := p.expr(depth + 1)
			if err != nil {
				return nil, err
			}
			if p.peek() != ':' {
				return nil, errNotLiteral
			}
			p.i++
			v, err := p.expr(depth + 1)
			if err != nil {
				return nil, err
			}
			if _, ok := k.(*jinja.List); ok {
				return nil, errNotLiteral
			}
			if _, ok := k.(*jinja.Dict); ok {
				return nil, errNotLiteral
			}
			d.Set(k, v)
			switch p.peek() {
			case ',':
				p.i++
			case '}':
			default:
				return nil, errNotLiteral
			}
		}
	case c == '\'' || c == '"':
		var b strings.Builder
		for p.peek() == '\'' || p.peek() == '"' {
			s, err := p.str()
			if err != nil {
				return nil, err
			}
			b.WriteString(s)
		}
		return b.String(), nil
	case c >= '0' && c <= '9' || c == '.':
		return p.number()
	case c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '_':
		start := p.i
		for p.i < len(p.s) && (isIdent(p.s[p.i])) {
			p.i++
		}
		switch p.s[start:p.i] {
		case "True":
			return true, nil
		case "False":
			return false, nil
		case "None":
			return nil, nil
		}
	}
	return nil, errNotLiteral
}

func isIdent(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_'
}

func (p *litParser) seq(end byte, depth int) ([]any, error) {
	items := []any{}
	for {
		if p.peek() == end {
			p.i++
			return items, nil
		}
		v, err := p.expr(depth + 1)
		if err != nil {
			return nil, err
		}
		items = append(items, v)
		switch p.peek() {
		case ',':
			p.i++
		case end:
		default:
			return nil, errNotLiteral
		}
	}
}

func (p *litParser) number() (any, error) {
	start := p.i
	for p.i < len(p.s) {
		c := p.s[p.i]
		if isIdent(c) || c == '.' {
			p.i++
			continue
		}
		if (c == '+' || c == '-') && p.i > start && (p.s[p.i-1] == 'e' || p.s[p.i-1] == 'E') && !strings.HasPrefix(strings.ToLower(p.s[start:]), "0x") {
			p.i++
			continue
		}
		break
	}
	t := p.s[start:p.i]
	if strings.Contains(t, "__") || strings.HasSuffix(t, "_") {
		return nil, errNotLiteral
	}
	clean := strings.ReplaceAll(t, "_", "")
	lower := strings.ToLower(clean)
	switch {
	case strings.HasPrefix(lower, "0x"), strings.HasPrefix(lower, "0o"), strings.HasPrefix(lower, "0b"):
		base := map[byte]int{'x': 16, 'o': 8, 'b': 2}[lower[1]]
		i, err := strconv.ParseInt(clean[2:], base, 64)
		if err != nil {
			return nil, errNotLiteral
		}
		return i, nil
	case strings.ContainsAny(lower, ".e"):
		if strings.ContainsAny(lower, "abcdfghijklmnopqrstuvwxyz") {
			return nil, errNotLiteral
		}
		f, err := strconv.ParseFloat(clean, 64)
		if err != nil {
			return nil, errNotLiteral
		}
		return f, nil
	}
	// Python forbids leading zeros in decimal ints (except 0 itself).
	if len(clean) > 1 && clean[0] == '0' && strings.Trim(clean, "0") != "" {
		return nil, errNotLiteral
	}
	i, err := strconv.ParseInt(clean, 10, 64)
	if err != nil {
		if f, ferr := strconv.ParseFloat(clean, 64); ferr == nil && strings.Trim(clean, "0123456789") == "" {
			return f, nil // beyond int64: keep magnitude
		}
		return nil, errNotLiteral
	}
	return i, nil
}

// str reads one quoted string literal (with an optional r/b prefix not
// supported: dbt values never use them).
func (p *litParser) str() (string, error) {
	q := p.s[p.i]
	triple := strings.HasPrefix(p.s[p.i:], strings.Repeat(string(q), 3))
	if triple {
		p.i += 3
	} else {
		p.i++
	}
	var b strings.Builder
	for p.i < len(p.s) {
		c := p.s[p.i]
		if triple && strings.HasPrefix(p.s[p.i:], strings.Repeat(string(q), 3)) {
			p.i += 3
			return b.String(), nil
		}
		if !triple && c == q {
			p.i++
			return b.String(), nil
		}
		if !triple && c == '\n' {
			return "", errNotLiteral
		}
		if c == '\\' && p.i+1 < len(p.s) {
			p.i++
			e := p.s[p.i]
			p.i++
			switch e {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			case '\\', '\'', '"':
				b.WriteByte(e)
			case '\n':
			case '0':
				b.WriteByte(0)
			case 'x', 'u', 'U':
				n := map[byte]int{'x': 2, 'u': 4, 'U': 8}[e]
				if p.i+n > len(p.s) {
					return "", errNotLiteral
				}
				r, err := strconv.ParseUint(p.s[p.i:p.i+n], 16, 32)
				if err != nil || !utf8.ValidRune(rune(r)) {
					return "", errNotLiteral
				}
				b.WriteRune(rune(r))
				p.i += n
			default:
				b.WriteByte('\\')
				b.WriteByte(e)
			}
			continue
		}
		b.WriteByte(c)
		p.i++
	}
	return "", errNotLiteral
}
