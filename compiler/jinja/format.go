package jinja

import (
	"math"
	"math/big"
	"strconv"
	"strings"
	"unicode/utf8"
)

// This file implements Python's two string formatting languages: printf-style
// `%` formatting (str % args, the |format filter) and the str.format
// mini-language (str.format, format_map). Both share the digit generation
// below; they differ in how flags, padding and errors work.

// ---------------------------------------------------------------------------
// Shared number rendering

// floatBody renders |f| for the conversion types e E f F g G (and '%'
// handled by the caller) with precision prec, without sign. alt is the '#'
// flag: keep the decimal point and, for g, trailing zeros.
func floatBody(f float64, typ byte, prec int, alt bool) string {
	f = math.Abs(f)
	upper := typ == 'E' || typ == 'F' || typ == 'G'
	if math.IsInf(f, 0) {
		if upper {
			return "INF"
		}
		return "inf"
	}
	if math.IsNaN(f) {
		if upper {
			return "NAN"
		}
		return "nan"
	}
	var out string
	switch typ {
	case 'f', 'F':
		out = strconv.FormatFloat(f, 'f', prec, 64)
		if alt && prec == 0 {
			out += "."
		}
	case 'e', 'E':
		out = sciBody(f, prec, alt)
	case 'g', 'G':
		out = generalBody(f, prec, alt, false)
	}
	if upper {
		out = strings.ToUpper(out)
	}
	return out
}

// sciBody is %e: d.ddde±XX with at least two exponent digits (Go and Python
// agree on that layout).
func sciBody(f float64, prec int, alt bool) string {
	out := strconv.FormatFloat(f, 'e', prec, 64)
	if alt && prec == 0 {
		i := strings.IndexByte(out, 'e')
		out = out[:i] + "." + out[i:]
	}
	return out
}

// decimalExponent returns the exponent of f once rounded to p significant
// digits.
func decimalExponent(f float64, p int) int {
	if f == 0 {
		return 0
	}
	s := strconv.FormatFloat(f, 'e', p-1, 64)
	e, _ := strconv.Atoi(s[strings.IndexByte(s, 'e')+1:])
	return e
}

// generalBody is %g. With repr set it is the format used by format(x, '.Np')
// without a type: like g, but a fixed-point result keeps at least one digit
// after the point.
func generalBody(f float64, prec int, alt, repr bool) string {
	if prec == 0 {
		prec = 1
	}
	exp := decimalExponent(f, prec)
	var out string
	if exp < -4 || exp >= prec {
		out = strconv.FormatFloat(f, 'e', prec-1, 64)
		if !alt {
			i := strings.IndexByte(out, 'e')
			out = trimFraction(out[:i]) + out[i:]
		} else if prec == 1 {
			i := strings.IndexByte(out, 'e')
			out = out[:i] + "." + out[i:]
		}
		return out
	}
	out = strconv.FormatFloat(f, 'f', prec-1-exp, 64)
	if !alt {
		out = trimFraction(out)
		if repr && !strings.Contains(out, ".") {
			out += ".0"
		}
	} else if !strings.Contains(out, ".") {
		out += "."
	}
	return out
}

// trimFraction drops trailing zeros after a decimal point, and the point.
func trimFraction(s string) string {
	if !strings.Contains(s, ".") {
		return s
	}
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// group inserts sep every n digits from the right of digits, which holds
// only digits. When minLen > 0 the digits are first zero-extended so the
// grouped result is at least minLen long (Python's zero padding with
// grouping, which never starts with a separator).
func group(digits string, sep byte, n, minLen int) string {
	if minLen > 0 {
		l := len(digits)
		for l+(l-1)/n < minLen {
			l++
		}
		digits = strings.Repeat("0", l-len(digits)) + digits
	}
	if sep == 0 {
		return digits
	}
	var b strings.Builder
	first := len(digits) % n
	if first == 0 {
		first = n
	}
	b.WriteString(digits[:first])
	for i := first; i < len(digits); i += n {
		b.WriteByte(sep)
		b.WriteString(digits[i : i+n])
	}
	return b.String()
}

// pyChr is Python's chr for %c and {:c}.
func (s *State) pyChr(n int64) string {
	if n < 0 || n > 0x10ffff {
		s.Throw("OverflowError", "%%c arg not in range(0x110000)")
	}
	return string(rune(n))
}

// maxPad bounds widths and precisions. Python would try to build the
// string (and usually die of MemoryError); we refuse early instead.
const maxPad = 1 << 24

// checkPad raises MemoryError for a width or precision beyond maxPad.
func (s *State) checkPad(n int64) {
	if n > maxPad {
		s.Throw("MemoryError", "")
	}
}

// atoiCapped parses leading decimal digits of s[i:], saturating at
// maxPad+1, and returns the value and the index after the digits.
func atoiCapped(digits string, i int) (int, int) {
	n := 0
	for i < len(digits) && digits[i] >= '0' && digits[i] <= '9' {
		if n <= maxPad {
			n = n*10 + int(digits[i]-'0')
		}
		i++
	}
	return n, i
}

// asciiRepr is Python's ascii(v): repr with non-ASCII escaped.
func asciiRepr(v any) string {
	r := Repr(v)
	var b strings.Builder
	for _, c := range r {
		switch {
		case c < 0x80:
			b.WriteRune(c)
		case c <= 0xff:
			b.WriteString(`\x`)
			writeHex(&b, int64(c), 2)
		case c <= 0xffff:
			b.WriteString(`\u`)
			writeHex(&b, int64(c), 4)
		default:
			b.WriteString(`\U`)
			writeHex(&b, int64(c), 8)
		}
	}
	return b.String()
}

// ---------------------------------------------------------------------------
// printf-style formatting

// percentFormat implements Python's format % arg.
func (s *State) percentFormat(format string, arg any) string {
	var args []any
	argIdx, argLen := -2, -1
	if t, ok := arg.(Tuple); ok {
		args, argIdx, argLen = t, 0, len(t)
	}
	var mapping any
	switch arg.(type) {
	case Tuple, string, Markup:
	case *Dict, *List:
		mapping = arg
	default:
		if _, ok := arg.(interface{ Item(any) (any, bool) }); ok {
			mapping = arg
		}
	}
	next := func() any {
		if argIdx < argLen {
			argIdx++
			if argLen < 0 {
				return arg
			}
			return args[argIdx-1]
		}
		s.Throw("TypeError", "not enough arguments for format string")
		return nil
	}

	var b strings.Builder
	i := 0
	for i < len(format) {
		j := strings.IndexByte(format[i:], '%')
		if j < 0 {
			b.WriteString(format[i:])
			break
		}
		b.WriteString(format[i : i+j])
		i += j + 1
		if i >= len(format) {
			s.Throw("ValueError", "incomplete format")
		}
		start := i - 1
		// %(key)
		var value any
		haveValue := false
		if format[i] == '(' {
			if mapping == nil {
				s.Throw("TypeError", "format requires a mapping")
			}
			depth, k := 1, i+1
			for k < len(format) && depth > 0 {
				switch format[k] {
				case '(':
					depth++
				case ')':
					depth--
				}
				k++
			}
			if depth > 0 {
				s.Throw("ValueError", "incomplete format key")
			}
			key := format[i+1 : k-1]
			value = s.percentLookup(mapping, key)
			haveValue = true
			// After a keyed conversion positional ones find no arguments.
			argIdx, argLen = -1, -1
			arg = mapping
			i = k
		}
		// flags
		var left, plus, space, alt, zero bool
	flags:
		for i < len(format) {
			switch format[i] {
			case '-':
				left = true
			case '+':
				plus = true
			case ' ':
				space = true
			case '#':
				alt = true
			case '0':
				zero = true
			default:
				break flags
			}
			i++
		}
		width, prec := -1, -1
		if i < len(format) && format[i] == '*' {
			w, ok := asInt(next())
			if !ok {
				s.Throw("TypeError", "* wants int")
			}
			if w < 0 {
				left = true
				w = -w
			}
			s.checkPad(w)
			width = int(w)
			i++
		} else {
			if i < len(format) && format[i] >= '0' && format[i] <= '9' {
				width, i = atoiCapped(format, i)
				s.checkPad(int64(width))
			}
		}
		if i < len(format) && format[i] == '.' {
			i++
			prec = 0
			if i < len(format) && format[i] == '*' {
				p, ok := asInt(next())
				if !ok {
					s.Throw("TypeError", "* wants int")
				}
				if p < 0 {
					p = 0
				}
				s.checkPad(p)
				prec = int(p)
				i++
			} else {
				prec, i = atoiCapped(format, i)
				s.checkPad(int64(prec))
			}
		}
		for i < len(format) && (format[i] == 'h' || format[i] == 'l' || format[i] == 'L') {
			i++
		}
		if i >= len(format) {
			s.Throw("ValueError", "incomplete format")
		}
		conv, size := utf8.DecodeRuneInString(format[i:])
		i += size
		if conv == '%' && i-start == 2 {
			b.WriteByte('%')
			continue
		}
		if !haveValue {
			value = next()
		}
		if conv == '%' {
			b.WriteByte('%')
			continue
		}
		var sign, prefix, body string
		numeric := true
		switch conv {
		case 's', 'r', 'a':
			numeric = false
			switch conv {
			case 's':
				body = ToString(value)
			case 'r':
				body = Repr(value)
			default:
				body = asciiRepr(value)
			}
			if prec >= 0 {
				if rs := []rune(body); len(rs) > prec {
					body = string(rs[:prec])
				}
			}
		case 'c':
			numeric = false
			switch x := value.(type) {
			case string:
				if utf8.RuneCountInString(x) != 1 {
					s.Throw("TypeError", "%%c requires int or char")
				}
				body = x
			default:
				n, ok := asInt(value)
				if !ok {
					s.Throw("TypeError", "%%c requires int or char")
				}
				body = s.pyChr(n)
			}
		case 'd', 'i', 'u', 'x', 'X', 'o':
			n := s.percentInt(value, conv)
			if n.Sign() < 0 {
				sign = "-"
			} else if plus {
				sign = "+"
			} else if space {
				sign = " "
			}
			base := 10
			switch conv {
			case 'x', 'X':
				base = 16
				if alt {
					prefix = "0" + string(conv)
				}
			case 'o':
				base = 8
				if alt {
					prefix = "0o"
				}
			}
			body = new(big.Int).Abs(n).Text(base)
			if conv == 'X' {
				body = strings.ToUpper(body)
			}
			if prec > len(body) {
				body = strings.Repeat("0", prec-len(body)) + body
			}
		case 'e', 'E', 'f', 'F', 'g', 'G':
			f := s.percentFloat(value)
			if math.Signbit(f) && !math.IsNaN(f) {
				sign = "-"
			} else if plus {
				sign = "+"
			} else if space {
				sign = " "
			}
			if prec < 0 {
				prec = 6
			}
			body = floatBody(f, byte(conv), prec, alt)
		default:
			s.Throw("ValueError", "unsupported format character '%s' (0x%x) at index %d", string(conv), conv, utf8.RuneCountInString(format[:i])-1)
		}
		total := utf8.RuneCountInString(body) + len(sign) + len(prefix)
		pad := 0
		if width > total {
			pad = width - total
		}
		switch {
		case left:
			b.WriteString(sign + prefix + body + strings.Repeat(" ", pad))
		case zero && numeric:
			b.WriteString(sign + prefix + strings.Repeat("0", pad) + body)
		default:
			b.WriteString(strings.Repeat(" ", pad) + sign + prefix + body)
		}
	}
	if argIdx < argLen && mapping == nil {
		s.Throw("TypeError", "not all arguments converted during string formatting")
	}
	return b.String()
}

// percentLookup resolves %(key)s against the mapping argument.
func (s *State) percentLookup(mapping any, key string) any {
	switch m := mapping.(type) {
	case *Dict:
		v, ok := m.Get(key)
		if !ok {
			s.Throw("KeyError", "%s", Repr(key))
		}
		return v
	case *List:
		s.Throw("TypeError", "list indices must be integers or slices, not str")
	case interface{ Item(any) (any, bool) }:
		v, ok := m.Item(key)
		if !ok {
			s.Throw("KeyError", "%s", Repr(key))
		}
		return Normalize(v)
	}
	s.Throw("TypeError", "format requires a mapping")
	return nil
}

// percentInt converts the argument of %d %x %o like Python: ints and bools
// as is, floats truncated (for %d only), anything else a TypeError.
func (s *State) percentInt(v any, conv rune) *big.Int {
	if n, ok := toBig(v); ok {
		return n
	}
	if u, ok := v.(*Undefined); ok {
		s.failUndefined(u)
	}
	if d, ok := v.(*Decimal); ok && (conv == 'd' || conv == 'i' || conv == 'u') {
		n, _ := toBig(d.Int())
		return n
	}
	if f, ok := v.(float64); ok {
		if conv == 'd' || conv == 'i' || conv == 'u' {
			n, _ := toBig(s.floatToInt(f))
			return n
		}
		s.Throw("TypeError", "%%%c format: an integer is required, not float", conv)
	}
	if conv == 'd' || conv == 'i' || conv == 'u' {
		s.Throw("TypeError", "%%%c format: a real number is required, not %s", conv, typeName(v))
	}
	s.Throw("TypeError", "%%%c format: an integer is required, not %s", conv, typeName(v))
	return nil
}

// floatToInt is Python's int(float): an int64, or a *big.Int when the
// value does not fit.
func (s *State) floatToInt(f float64) any {
	if math.IsInf(f, 0) {
		s.Throw("OverflowError", "cannot convert float infinity to integer")
	}
	if math.IsNaN(f) {
		s.Throw("ValueError", "cannot convert float NaN to integer")
	}
	t := math.Trunc(f)
	if t >= -9.223372036854775808e18 && t < 9.223372036854775807e18 {
		return int64(t)
	}
	b, _ := big.NewFloat(t).Int(nil)
	return b
}

func (s *State) percentFloat(v any) float64 {
	if f, ok := asFloat(v); ok {
		return f
	}
	if b, ok := v.(*big.Int); ok {
		return bigFloat(b)
	}
	if u, ok := v.(*Undefined); ok {
		s.failUndefined(u)
	}
	s.Throw("TypeError", "must be real number, not %s", typeName(v))
	return 0
}

// ---------------------------------------------------------------------------
// str.format mini-language

// formatSpec is a parsed format_spec:
// [[fill]align][sign][z][#][0][width][grouping][.precision][type]
type formatSpec struct {
	fill     rune
	fillSet  bool // whether the spec names a fill character
	align    byte // 0 when not given
	sign     byte // 0 when not given
	z        bool
	alt      bool
	zero     bool
	width    int
	grouping byte // 0, ',' or '_'
	prec     int  // -1 when not given
	typ      byte // 0 when not given
}

// parseFormatSpec parses spec for a value of type typName, raising Python's
// ValueError for malformed specs.
func (s *State) parseFormatSpec(spec, typName string) formatSpec {
	fs := formatSpec{fill: ' ', prec: -1}
	rs := []rune(spec)
	i := 0
	isAlign := func(r rune) bool { return r == '<' || r == '>' || r == '=' || r == '^' }
	if len(rs) >= 2 && isAlign(rs[1]) {
		fs.fill, fs.align, fs.fillSet = rs[0], byte(rs[1]), true
		i = 2
	} else if len(rs) >= 1 && isAlign(rs[0]) {
		fs.align = byte(rs[0])
		i = 1
	}
	if i < len(rs) && (rs[i] == '+' || rs[i] == '-' || rs[i] == ' ') {
		fs.sign = byte(rs[i])
		i++
	}
	if i < len(rs) && rs[i] == 'z' {
		fs.z = true
		i++
	}
	if i < len(rs) && rs[i] == '#' {
		fs.alt = true
		i++
	}
	if i < len(rs) && rs[i] == '0' {
		// The 0 flag means fill '0' unless a fill is given, and '='
		// alignment (left for strings) unless an alignment is given.
		fs.zero = true
		if !fs.fillSet {
			fs.fill = '0'
		}
		if fs.align == 0 {
			fs.align = '='
			if typName == "str" {
				fs.align = '<'
			}
		}
		i++
	}
	for i < len(rs) && rs[i] >= '0' && rs[i] <= '9' {
		if fs.width <= maxPad {
			fs.width = fs.width*10 + int(rs[i]-'0')
		}
		i++
	}
	s.checkPad(int64(fs.width))
	if i < len(rs) && (rs[i] == ',' || rs[i] == '_') {
		fs.grouping = byte(rs[i])
		i++
		if i < len(rs) && (rs[i] == ',' || rs[i] == '_') {
			if rs[i] == ',' && fs.grouping == ',' || rs[i] == '_' && fs.grouping == '_' {
				s.Throw("ValueError", "Cannot specify '%c' with '%c'.", rs[i], rs[i])
			}
			s.Throw("ValueError", "Cannot specify both ',' and '_'.")
		}
	}
	if i < len(rs) && rs[i] == '.' {
		i++
		start := i
		fs.prec = 0
		for i < len(rs) && rs[i] >= '0' && rs[i] <= '9' {
			if fs.prec <= maxPad {
				fs.prec = fs.prec*10 + int(rs[i]-'0')
			}
			i++
		}
		s.checkPad(int64(fs.prec))
		if i == start {
			s.Throw("ValueError", "Format specifier missing precision")
		}
	}
	if len(rs)-i > 1 || (len(rs)-i == 1 && rs[i] > 0x7f) {
		s.Throw("ValueError", "Invalid format specifier '%s' for object of type '%s'", spec, typName)
	}
	if i < len(rs) {
		fs.typ = byte(rs[i])
	}
	if fs.grouping != 0 {
		ok := false
		switch fs.typ {
		case 0, 'd', 'e', 'E', 'f', 'F', 'g', 'G', '%':
			ok = true
		case 'b', 'o', 'x', 'X':
			ok = fs.grouping == '_'
		}
		if !ok {
			s.Throw("ValueError", "Cannot specify '%c' with '%c'.", fs.grouping, fs.typ)
		}
	}
	return fs
}

// pad applies fill, alignment and width to a rendered value. For '='
// alignment the fill goes between prefix (sign, 0x) and body.
func (fs formatSpec) pad(prefix, body string, defAlign byte) string {
	n := utf8.RuneCountInString(prefix) + utf8.RuneCountInString(body)
	if n >= fs.width {
		return prefix + body
	}
	fill := strings.Repeat(string(fs.fill), fs.width-n)
	align := fs.align
	if align == 0 {
		align = defAlign
	}
	switch align {
	case '<':
		return prefix + body + fill
	case '>':
		return fill + prefix + body
	case '=':
		return prefix + fill + body
	default: // '^'
		k := fs.width - n
		l := k / 2
		return strings.Repeat(string(fs.fill), l) + prefix + body + strings.Repeat(string(fs.fill), k-l)
	}
}

// formatValue is Python's format(v, spec) for the engine's values.
func (s *State) formatValue(v any, spec string) string {
	switch x := v.(type) {
	case string:
		return s.formatStr(x, spec)
	case Markup:
		return s.formatStr(string(x), spec)
	case bool:
		if spec == "" {
			return ToString(x)
		}
		n, _ := toBig(x)
		return s.formatInt(n, spec)
	case int64:
		return s.formatInt(big.NewInt(x), spec)
	case *big.Int:
		return s.formatInt(x, spec)
	case float64:
		return s.formatFloatSpec(x, spec)
	case *Decimal:
		if spec == "" {
			return x.String()
		}
		return s.formatFloatSpec(x.Float(), spec)
	case *Undefined:
		if spec == "" {
			return ""
		}
	default:
		if spec == "" {
			return ToString(v)
		}
	}
	s.Throw("TypeError", "unsupported format string passed to %s.__format__", typeName(v))
	return ""
}

func (s *State) formatStr(str, spec string) string {
	if spec == "" {
		return str
	}
	fs := s.parseFormatSpec(spec, "str")
	if fs.typ != 0 && fs.typ != 's' {
		s.Throw("ValueError", "Unknown format code '%c' for object of type 'str'", fs.typ)
	}
	if fs.sign != 0 {
		s.Throw("ValueError", "Sign not allowed in string format specifier")
	}
	if fs.alt {
		s.Throw("ValueError", "Alternate form (#) not allowed in string format specifier")
	}
	if fs.z {
		s.Throw("ValueError", "Negative zero coercion (z) not allowed in format specifier")
	}
	if fs.grouping != 0 {
		s.Throw("ValueError", "Cannot specify '%c' with 's'.", fs.grouping)
	}
	if fs.align == '=' {
		s.Throw("ValueError", "'=' alignment not allowed in string format specifier")
	}
	if fs.prec >= 0 {
		if rs := []rune(str); len(rs) > fs.prec {
			str = string(rs[:fs.prec])
		}
	}
	return fs.pad("", str, '<')
}

func (fs formatSpec) signOf(neg bool) string {
	switch {
	case neg:
		return "-"
	case fs.sign == '+':
		return "+"
	case fs.sign == ' ':
		return " "
	}
	return ""
}

func (s *State) formatInt(n *big.Int, spec string) string {
	fs := s.parseFormatSpec(spec, "int")
	switch fs.typ {
	case 'e', 'E', 'f', 'F', 'g', 'G', '%':
		return s.formatFloatParsed(bigFloat(n), fs)
	case 0, 'd', 'n', 'b', 'o', 'x', 'X', 'c':
	default:
		s.Throw("ValueError", "Unknown format code '%c' for object of type 'int'", fs.typ)
	}
	if fs.prec >= 0 {
		s.Throw("ValueError", "Precision not allowed in integer format specifier")
	}
	if fs.z {
		s.Throw("ValueError", "Negative zero coercion (z) not allowed in integer format specifier")
	}
	if fs.typ == 'c' {
		if fs.sign != 0 {
			s.Throw("ValueError", "Sign not allowed with integer format specifier 'c'")
		}
		if fs.alt {
			s.Throw("ValueError", "Alternate form (#) not allowed with integer format specifier 'c'")
		}
		if !n.IsInt64() {
			s.Throw("OverflowError", "Python int too large to convert to C int")
		}
		return fs.pad("", s.pyChr(n.Int64()), '>')
	}
	base, every, prefix := 10, 3, ""
	switch fs.typ {
	case 'b':
		base, every, prefix = 2, 4, "0b"
	case 'o':
		base, every, prefix = 8, 4, "0o"
	case 'x':
		base, every, prefix = 16, 4, "0x"
	case 'X':
		base, every, prefix = 16, 4, "0X"
	}
	if !fs.alt {
		prefix = ""
	}
	prefix = fs.signOf(n.Sign() < 0) + prefix
	digits := new(big.Int).Abs(n).Text(base)
	if fs.typ == 'X' {
		digits = strings.ToUpper(digits)
	}
	return fs.padNumber(prefix, digits, "", every)
}

// padNumber groups the integer digits and pads; suffix is the fraction,
// exponent or '%' after the integer part.
func (fs formatSpec) padNumber(prefix, digits, suffix string, every int) string {
	minLen := 0
	if fs.grouping != 0 && fs.fill == '0' && fs.align == '=' {
		minLen = fs.width - utf8.RuneCountInString(prefix) - len(suffix)
	}
	if fs.grouping != 0 && digits != "" {
		digits = group(digits, fs.grouping, every, minLen)
	}
	return fs.pad(prefix, digits+suffix, '>')
}

func (s *State) formatFloatSpec(f float64, spec string) string {
	if spec == "" {
		return formatFloat(f)
	}
	return s.formatFloatParsed(f, s.parseFormatSpec(spec, "float"))
}

func (s *State) formatFloatParsed(f float64, fs formatSpec) string {
	switch fs.typ {
	case 0, 'e', 'E', 'f', 'F', 'g', 'G', 'n', '%':
	default:
		s.Throw("ValueError", "Unknown format code '%c' for object of type 'float'", fs.typ)
	}
	if fs.z && f == 0 || fs.z && fs.typ != 0 && isNegZeroAfterRounding(f, fs) {
		f = math.Abs(f)
	}
	neg := math.Signbit(f) && !math.IsNaN(f)
	prec := fs.prec
	var body string
	switch fs.typ {
	case 0:
		if prec < 0 {
			body = formatFloat(math.Abs(f))
		} else {
			body = generalBody(math.Abs(f), prec, fs.alt, true)
			if math.IsInf(f, 0) {
				body = "inf"
			} else if math.IsNaN(f) {
				body = "nan"
			}
		}
	case '%':
		if prec < 0 {
			prec = 6
		}
		body = floatBody(f*100, 'f', prec, fs.alt) + "%"
	case 'n':
		if prec < 0 {
			prec = 6
		}
		body = floatBody(f, 'g', prec, fs.alt)
	default:
		if prec < 0 {
			prec = 6
		}
		body = floatBody(f, fs.typ, prec, fs.alt)
	}
	// Split the integer digits from the rest so grouping applies to them.
	k := 0
	for k < len(body) && body[k] >= '0' && body[k] <= '9' {
		k++
	}
	return fs.padNumber(fs.signOf(neg), body[:k], body[k:], 3)
}

// isNegZeroAfterRounding reports whether f is negative but rounds to zero
// at the spec's precision (what the 'z' option turns into +0).
func isNegZeroAfterRounding(f float64, fs formatSpec) bool {
	if f >= 0 || math.IsNaN(f) {
		return false
	}
	prec := fs.prec
	if prec < 0 {
		prec = 6
	}
	var body string
	switch fs.typ {
	case 'f', 'F', '%':
		if fs.typ == '%' {
			f *= 100
		}
		body = strconv.FormatFloat(-f, 'f', prec, 64)
	default:
		return false
	}
	return strings.Trim(body, "0.") == ""
}

// strFormat implements str.format / format_map with the sandbox's
// formatter: attribute and item lookups in fields go through the engine's
// getattr/getitem (so a missing one is Undefined, not an error).
func (s *State) strFormat(format string, args []any, kwargs *Dict, escapeArgs bool) string {
	auto := 0 // next automatic index; -1 once manual numbering was used
	autoUsed := false
	var render func(format string, depth int) string
	render = func(format string, depth int) string {
		if depth < 0 {
			s.Throw("ValueError", "Max string recursion exceeded")
		}
		var b strings.Builder
		i := 0
		for i < len(format) {
			c := format[i]
			if c == '}' {
				if i+1 < len(format) && format[i+1] == '}' {
					b.WriteByte('}')
					i += 2
					continue
				}
				s.Throw("ValueError", "Single '}' encountered in format string")
			}
			if c != '{' {
				b.WriteByte(c)
				i++
				continue
			}
			if i+1 < len(format) && format[i+1] == '{' {
				b.WriteByte('{')
				i += 2
				continue
			}
			// Find the end of the field, allowing nested {} in the spec
			// and brackets in the field name.
			j, nest := i+1, 1
			inBracket := false
			for j < len(format) {
				ch := format[j]
				if inBracket {
					if ch == ']' {
						inBracket = false
					}
					j++
					continue
				}
				if ch == '[' {
					inBracket = true
				} else if ch == '{' {
					nest++
				} else if ch == '}' {
					nest--
					if nest == 0 {
						break
					}
				}
				j++
			}
			if j >= len(format) {
				s.Throw("ValueError", "expected '}' before end of string")
			}
			if depth == 0 {
				// Python expands every field's spec one level deeper,
				// so a field at the last level already overflows.
				s.Throw("ValueError", "Max string recursion exceeded")
			}
			field := format[i+1 : j]
			i = j + 1
			// Split field name, conversion and spec. The name ends at the
			// first '!' or ':' outside brackets.
			name, conv, spec := field, byte(0), ""
			hasConv := false
			for k := 0; k < len(field); k++ {
				ch := field[k]
				if ch == '[' {
					for k < len(field) && field[k] != ']' {
						k++
					}
					continue
				}
				if ch == '!' || ch == ':' {
					name = field[:k]
					rest := field[k:]
					if ch == '!' {
						hasConv = true
						if len(rest) < 2 {
							s.Throw("ValueError", "end of string while looking for conversion specifier")
						}
						conv = rest[1]
						rest = rest[2:]
						if rest != "" && rest[0] != ':' {
							s.Throw("ValueError", "expected ':' after conversion specifier")
						}
					}
					if rest != "" {
						spec = rest[1:]
					}
					break
				}
			}
			value := s.formatField(name, args, kwargs, &auto, &autoUsed)
			if hasConv {
				switch conv {
				case 'r':
					value = Repr(value)
				case 's':
					value = ToString(value)
				case 'a':
					value = asciiRepr(value)
				default:
					s.Throw("ValueError", "Unknown conversion specifier %s", string(rune(conv)))
				}
			}
			if strings.ContainsAny(spec, "{}") {
				spec = render(spec, depth-1)
			}
			out := s.formatValue(value, spec)
			if escapeArgs {
				if m, ok := value.(Markup); ok && spec == "" {
					out = string(m)
				} else {
					out = htmlEscape(out)
				}
			}
			b.WriteString(out)
		}
		return b.String()
	}
	return render(format, 2)
}

// formatField resolves a replacement field name: arg_name ("." attr | "[" key "]")*.
func (s *State) formatField(name string, args []any, kwargs *Dict, auto *int, autoUsed *bool) any {
	end := len(name)
	for k := 0; k < len(name); k++ {
		if name[k] == '.' || name[k] == '[' {
			end = k
			break
		}
	}
	first, rest := name[:end], name[end:]
	var obj any
	if first == "" {
		if *auto < 0 {
			s.Throw("ValueError", "cannot switch from manual field specification to automatic field numbering")
		}
		*autoUsed = true
		idx := *auto
		*auto++
		if idx >= len(args) {
			s.Throw("IndexError", "tuple index out of range")
		}
		obj = args[idx]
	} else if isDigits(first) {
		if *autoUsed {
			s.Throw("ValueError", "cannot switch from manual field specification to automatic field numbering")
		}
		*auto = -1
		idx, err := strconv.Atoi(first)
		if err != nil || idx >= len(args) {
			s.Throw("IndexError", "tuple index out of range")
		}
		obj = args[idx]
	} else {
		v, ok := kwargs.Get(first)
		if !ok {
			s.Throw("KeyError", "%s", Repr(first))
		}
		obj = v
	}
	for rest != "" {
		if rest[0] == '.' {
			k := 1
			for k < len(rest) && rest[k] != '.' && rest[k] != '[' {
				k++
			}
			attr := rest[1:k]
			if attr == "" {
				s.Throw("ValueError", "Empty attribute in format string")
			}
			obj = s.getattr(obj, attr)
			rest = rest[k:]
			continue
		}
		// rest[0] == '['
		k := strings.IndexByte(rest, ']')
		if k < 0 {
			s.Throw("ValueError", "Missing ']' in format string")
		}
		key := rest[1:k]
		if key == "" {
			s.Throw("ValueError", "Empty attribute in format string")
		}
		if isDigits(key) {
			n, _ := strconv.ParseInt(key, 10, 64)
			obj = s.getitem(obj, n)
		} else {
			obj = s.getitem(obj, key)
		}
		rest = rest[k+1:]
		if rest != "" && rest[0] != '.' && rest[0] != '[' {
			s.Throw("ValueError", "Only '.' or '[' may follow ']' in format field specifier")
		}
	}
	return obj
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
