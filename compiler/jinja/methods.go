package jinja

import (
	"math/big"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Python methods of the builtin types that templates call: "a,b".split(","),
// xs.append(1), d.items(), …  Only methods dbt projects plausibly use are
// provided; anything else is not an attribute (so it is Undefined, as an
// unknown attribute is in Jinja2).

var strMethods = setOf("upper", "lower", "strip", "lstrip", "rstrip", "split", "rsplit",
	"replace", "startswith", "endswith", "format", "format_map", "join", "title",
	"capitalize", "casefold", "swapcase", "find", "rfind", "index", "rindex", "count",
	"isdigit", "isdecimal", "isnumeric", "isalpha", "isalnum", "isupper", "islower",
	"isspace", "istitle", "isascii", "isidentifier", "isprintable", "zfill", "center",
	"ljust", "rjust", "splitlines", "partition", "rpartition", "expandtabs",
	"removeprefix", "removesuffix", "encode")

// markupWrapped are the str methods Markup overrides to return Markup.
var markupWrapped = setOf("upper", "lower", "strip", "lstrip", "rstrip", "split", "rsplit",
	"replace", "format", "format_map", "join", "title", "capitalize", "casefold",
	"swapcase", "zfill", "center", "ljust", "rjust", "splitlines", "partition",
	"rpartition", "expandtabs", "removeprefix", "removesuffix")

var listMethods = setOf("append", "extend", "insert", "remove", "pop", "index", "count",
	"reverse", "sort", "copy", "clear")

var dictMethods = setOf("items", "keys", "values", "get", "pop", "popitem", "setdefault",
	"update", "copy", "clear", "fromkeys")

var tupleMethods = setOf("index", "count")

func setOf(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// hasMethod reports whether recv has a builtin method name.
func hasMethod(recv any, name string) bool {
	switch recv.(type) {
	case string, Markup:
		return strMethods[name]
	case *List:
		return listMethods[name]
	case *Dict:
		return dictMethods[name]
	case Tuple:
		return tupleMethods[name]
	case Bytes:
		return name == "decode"
	}
	return false
}

// callMethod calls recv.name(args). It returns false when recv has no such
// method.
func callMethod(s *State, recv any, name string, args *Args) (any, bool) {
	if !hasMethod(recv, name) {
		return nil, false
	}
	if args == nil {
		args = &Args{}
	}
	switch r := recv.(type) {
	case string:
		return s.strMethod(r, name, args), true
	case Markup:
		return s.markupMethod(r, name, args), true
	case *List:
		return s.listMethod(r, name, args), true
	case *Dict:
		return s.dictMethod(r, name, args), true
	case Tuple:
		return s.tupleMethod(r, name, args), true
	case Bytes:
		args.Bind(s, "decode", "encoding", "errors")
		return string(r), true
	}
	return nil, false
}

// ---------------------------------------------------------------------------
// argument helpers

// posArgs checks a positional-only signature and returns the arguments,
// padded with Missing up to max.
func posArgs(s *State, fn string, args *Args, min, max int) []any {
	if len(args.Kw) > 0 {
		s.Throw("TypeError", "%s() takes no keyword arguments", shortName(fn))
	}
	n := len(args.Pos)
	if n < min || n > max {
		short := shortName(fn)
		switch {
		case max == 0:
			s.Throw("TypeError", "%s() takes no arguments (%d given)", fn, n)
		case min == max:
			s.Throw("TypeError", "%s() takes exactly one argument (%d given)", short, n)
		case n < min:
			s.Throw("TypeError", "%s() takes at least %d argument (%d given)", short, min, n)
		default:
			s.Throw("TypeError", "%s() takes at most %d arguments (%d given)", short, max, n)
		}
	}
	out := make([]any, max)
	for i := range out {
		out[i] = Missing
	}
	copy(out, args.Pos)
	return out
}

func shortName(fn string) string {
	if i := strings.IndexByte(fn, '.'); i >= 0 {
		return fn[i+1:]
	}
	return fn
}

func noArgs(s *State, fn string, args *Args) { posArgs(s, fn, args, 0, 0) }

// argInt requires an integer argument (Python's __index__).
func (s *State) argInt(v any) int64 {
	if n, ok := asInt(v); ok {
		return n
	}
	if _, ok := v.(*big.Int); ok {
		s.Throw("OverflowError", "Python int too large to convert to C ssize_t")
	}
	// Undefined has no __index__, so this is a TypeError, not UndefinedError.
	s.Throw("TypeError", "'%s' object cannot be interpreted as an integer", pyTypeName(v))
	return 0
}

func (s *State) argFillChar(v any) rune {
	if IsMissing(v) {
		return ' '
	}
	str, ok := asString(v)
	if !ok {
		s.Throw("TypeError", "The fill character must be a unicode character, not %s", typeName(v))
	}
	if utf8.RuneCountInString(str) != 1 {
		s.Throw("TypeError", "The fill character must be exactly one character long")
	}
	r, _ := utf8.DecodeRuneInString(str)
	return r
}

// sliceBounds is Python's slice index adjustment for str.find & co: start
// and end may be Missing or None.
func (s *State) sliceBounds(start, end any, n int) (int, int) {
	norm := func(v any, def int) int {
		if IsMissing(v) || v == nil {
			return def
		}
		i := int(s.argInt(v))
		if i < 0 {
			i += n
			if i < 0 {
				i = 0
			}
		}
		return i
	}
	st, en := norm(start, 0), norm(end, n)
	if en > n {
		en = n
	}
	return st, en
}

// ---------------------------------------------------------------------------
// str

// pyIsSpace is Python's str.isspace for one character.
func pyIsSpace(r rune) bool {
	return unicode.IsSpace(r) || r >= 0x1c && r <= 0x1f
}

// isCased reports whether r has case (Python's Py_UNICODE_ISCASED).
func isCased(r rune) bool {
	return unicode.IsUpper(r) || unicode.IsLower(r) || unicode.IsTitle(r)
}

// pyUpper is str.upper, including the expansions Go's ToUpper lacks.
func pyUpper(s string) string {
	if strings.ContainsRune(s, 'ß') {
		s = strings.ReplaceAll(s, "ß", "SS")
	}
	return strings.ToUpper(s)
}

func pyLower(s string) string { return strings.ToLower(s) }

// pyTitle is str.title: a cased character following an uncased one starts
// a word ("they're" → "They'Re").
func pyTitle(s string) string {
	var b strings.Builder
	prevCased := false
	for _, r := range s {
		switch {
		case prevCased:
			b.WriteString(pyLower(string(r)))
		case r == 'ß':
			b.WriteString("Ss")
		default:
			b.WriteRune(unicode.ToTitle(r))
		}
		prevCased = isCased(r)
	}
	return b.String()
}

// pyCapitalize is str.capitalize: first character title-cased, rest lower.
func pyCapitalize(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	if size == 0 {
		return s
	}
	first := string(unicode.ToTitle(r))
	if r == 'ß' {
		first = "Ss"
	}
	return first + pyLower(s[size:])
}

func pySwapcase(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == 'ß':
			b.WriteString("SS")
		case unicode.IsUpper(r):
			b.WriteRune(unicode.ToLower(r))
		case unicode.IsLower(r):
			b.WriteRune(unicode.ToUpper(r))
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// pyStrip is str.strip/lstrip/rstrip; chars nil means whitespace.
func pyStrip(str string, chars *string, left, right bool) string {
	cut := pyIsSpace
	if chars != nil {
		set := *chars
		cut = func(r rune) bool { return strings.ContainsRune(set, r) }
	}
	if left {
		str = strings.TrimLeftFunc(str, cut)
	}
	if right {
		str = strings.TrimRightFunc(str, cut)
	}
	return str
}

// pySplitWhitespace is str.split() / rsplit() without a separator.
func pySplitWhitespace(str string, maxsplit int, fromRight bool) []string {
	rs := []rune(str)
	var out []string
	if !fromRight {
		i := 0
		for {
			for i < len(rs) && pyIsSpace(rs[i]) {
				i++
			}
			if i >= len(rs) {
				break
			}
			if maxsplit >= 0 && len(out) == maxsplit {
				out = append(out, string(rs[i:]))
				break
			}
			j := i
			for j < len(rs) && !pyIsSpace(rs[j]) {
				j++
			}
			out = append(out, string(rs[i:j]))
			i = j
		}
		return out
	}
	i := len(rs)
	for {
		for i > 0 && pyIsSpace(rs[i-1]) {
			i--
		}
		if i <= 0 {
			break
		}
		if maxsplit >= 0 && len(out) == maxsplit {
			out = append(out, string(rs[:i]))
			break
		}
		j := i
		for j > 0 && !pyIsSpace(rs[j-1]) {
			j--
		}
		out = append(out, string(rs[j:i]))
		i = j
	}
	for l, r := 0, len(out)-1; l < r; l, r = l+1, r-1 {
		out[l], out[r] = out[r], out[l]
	}
	return out
}

// pySplitSep is str.split(sep) / rsplit(sep).
func pySplitSep(str, sep string, maxsplit int, fromRight bool) []string {
	if maxsplit < 0 {
		return strings.Split(str, sep)
	}
	if !fromRight {
		return strings.SplitN(str, sep, maxsplit+1)
	}
	var out []string
	for len(out) < maxsplit {
		i := strings.LastIndex(str, sep)
		if i < 0 {
			break
		}
		out = append(out, str[i+len(sep):])
		str = str[:i]
	}
	out = append(out, str)
	for l, r := 0, len(out)-1; l < r; l, r = l+1, r-1 {
		out[l], out[r] = out[r], out[l]
	}
	return out
}

// isLineBreak reports Python's str.splitlines boundaries.
func isLineBreak(r rune) bool {
	switch r {
	case '\n', '\r', '\v', '\f', 0x1c, 0x1d, 0x1e, 0x85, 0x2028, 0x2029:
		return true
	}
	return false
}

// pySplitlines is str.splitlines(keepends).
func pySplitlines(str string, keepends bool) []string {
	var out []string
	start := 0
	for i := 0; i < len(str); {
		r, size := utf8.DecodeRuneInString(str[i:])
		if !isLineBreak(r) {
			i += size
			continue
		}
		end := i + size
		if r == '\r' && end < len(str) && str[end] == '\n' {
			end++
		}
		if keepends {
			out = append(out, str[start:end])
		} else {
			out = append(out, str[start:i])
		}
		start, i = end, end
	}
	if start < len(str) {
		out = append(out, str[start:])
	}
	return out
}

// pyCenter is str.center, which puts the odd extra fill on the left when
// the width is odd.
func pyCenter(str string, width int, fill rune) string {
	n := utf8.RuneCountInString(str)
	if width <= n {
		return str
	}
	marg := width - n
	left := marg/2 + (marg & width & 1)
	f := string(fill)
	return strings.Repeat(f, left) + str + strings.Repeat(f, marg-left)
}

func pyZfill(str string, width int) string {
	n := utf8.RuneCountInString(str)
	if width <= n {
		return str
	}
	pad := strings.Repeat("0", width-n)
	if str != "" && (str[0] == '+' || str[0] == '-') {
		return str[:1] + pad + str[1:]
	}
	return pad + str
}

func pyExpandtabs(str string, tab int) string {
	var b strings.Builder
	col := 0
	for _, r := range str {
		switch {
		case r == '\t':
			if tab > 0 {
				n := tab - col%tab
				b.WriteString(strings.Repeat(" ", n))
				col += n
			}
		case r == '\n' || r == '\r':
			b.WriteRune(r)
			col = 0
		default:
			b.WriteRune(r)
			col++
		}
	}
	return b.String()
}

// strPredicate implements the str.isxxx methods.
func strPredicate(name, str string) bool {
	if str == "" {
		return name == "isascii" || name == "isprintable"
	}
	switch name {
	case "isupper", "islower":
		cased := false
		for _, r := range str {
			if unicode.IsUpper(r) || unicode.IsTitle(r) {
				if name == "islower" {
					return false
				}
				cased = true
			} else if unicode.IsLower(r) {
				if name == "isupper" {
					return false
				}
				cased = true
			}
		}
		return cased
	case "istitle":
		cased, prevCased := false, false
		for _, r := range str {
			switch {
			case unicode.IsUpper(r) || unicode.IsTitle(r):
				if prevCased {
					return false
				}
				prevCased, cased = true, true
			case unicode.IsLower(r):
				if !prevCased {
					return false
				}
				prevCased, cased = true, true
			default:
				prevCased = false
			}
		}
		return cased
	case "isidentifier":
		for i, r := range str {
			if !(r == '_' || unicode.IsLetter(r) || i > 0 && (unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r) || unicode.Is(unicode.Pc, r))) {
				return false
			}
		}
		return true
	}
	for _, r := range str {
		var ok bool
		switch name {
		case "isdigit":
			ok = unicode.IsDigit(r) || unicode.Is(unicode.No, r) && isSuperOrSubscriptDigit(r)
		case "isdecimal":
			ok = unicode.IsDigit(r)
		case "isnumeric":
			ok = unicode.IsNumber(r) || unicode.Is(unicode.Han, r) && isHanNumeral(r)
		case "isalpha":
			ok = unicode.IsLetter(r)
		case "isalnum":
			ok = unicode.IsLetter(r) || unicode.IsNumber(r)
		case "isspace":
			ok = pyIsSpace(r)
		case "isascii":
			ok = r < 0x80
		case "isprintable":
			ok = r == ' ' || isPyPrintable(r)
		}
		if !ok {
			return false
		}
	}
	return true
}

// isSuperOrSubscriptDigit covers the characters Python counts as digits
// but not decimals (², ₃, ①…): numeric type "Digit".
func isSuperOrSubscriptDigit(r rune) bool {
	switch {
	case r == 0xb2 || r == 0xb3 || r == 0xb9:
		return true
	case r >= 0x2070 && r <= 0x2079, r >= 0x2080 && r <= 0x2089:
		return true
	case r >= 0x2460 && r <= 0x2468, r >= 0x2474 && r <= 0x247c, r >= 0x2488 && r <= 0x2490:
		return true
	case r >= 0x24f5 && r <= 0x24fd, r == 0x24ea, r == 0x24ff:
		return true
	case r >= 0x2776 && r <= 0x277e, r >= 0x2780 && r <= 0x2788, r >= 0x278a && r <= 0x2792:
		return true
	}
	return false
}

func isHanNumeral(r rune) bool {
	return strings.ContainsRune("〇一二三四五六七八九十百千万億兆零壹贰叁肆伍陆柒捌玖拾佰仟", r)
}

// markupMethod runs a str method on Markup the way markupsafe does: the
// wrapped methods escape plain-str fill/replacement/join arguments and
// return Markup.
func (s *State) markupMethod(m Markup, name string, args *Args) any {
	if !markupWrapped[name] {
		return s.strMethod(string(m), name, args)
	}
	switch name {
	case "replace":
		if len(args.Pos) >= 2 {
			a := *args
			a.Pos = append([]any(nil), args.Pos...)
			a.Pos[1] = escapeValue(a.Pos[1])
			args = &a
		}
	case "center", "ljust", "rjust":
		if len(args.Pos) >= 2 {
			a := *args
			a.Pos = append([]any(nil), args.Pos...)
			a.Pos[1] = escapeValue(a.Pos[1])
			args = &a
		}
	case "join":
		if len(args.Pos) == 1 && len(args.Kw) == 0 {
			items := s.iterate(args.Pos[0])
			esc := make([]any, len(items))
			for i, it := range items {
				esc[i] = escapeValue(it)
			}
			args = &Args{Pos: []any{&List{Items: esc}}}
		}
	case "format", "format_map":
		return Markup(s.strFormatMethod(string(m), name, args, true))
	}
	return toMarkup(s.strMethod(string(m), name, args))
}

// toMarkup converts the str results of a Markup method to Markup.
func toMarkup(v any) any {
	switch x := v.(type) {
	case string:
		return Markup(x)
	case *List:
		for i, e := range x.Items {
			if str, ok := e.(string); ok {
				x.Items[i] = Markup(str)
			}
		}
		return x
	case Tuple:
		out := make(Tuple, len(x))
		for i, e := range x {
			out[i] = toMarkup(e)
		}
		return out
	}
	return v
}

func (s *State) strFormatMethod(str, name string, args *Args, escape bool) string {
	if name == "format_map" {
		if len(args.Kw) > 0 {
			s.Throw("TypeError", "format_map() takes no keyword arguments")
		}
		if len(args.Pos) != 1 {
			s.Throw("TypeError", "format_map() takes exactly one argument (%d given)", len(args.Pos))
		}
		d, ok := args.Pos[0].(*Dict)
		if !ok {
			// Only dicts are supported as mappings here.
			s.Throw("TypeError", "'%s' object is not subscriptable", typeName(args.Pos[0]))
		}
		return s.strFormat(str, nil, d, escape)
	}
	kw := NewDict()
	for _, kv := range args.Kw {
		kw.Set(kv.Name, kv.Value)
	}
	return s.strFormat(str, args.Pos, kw, escape)
}

func strList(items []string) *List {
	out := make([]any, len(items))
	for i, it := range items {
		out[i] = it
	}
	return &List{Items: out}
}

func (s *State) strMethod(str, name string, args *Args) any {
	fn := "str." + name
	switch name {
	case "upper", "lower", "title", "capitalize", "casefold", "swapcase":
		noArgs(s, fn, args)
		switch name {
		case "upper":
			return pyUpper(str)
		case "lower":
			return pyLower(str)
		case "title":
			return pyTitle(str)
		case "capitalize":
			return pyCapitalize(str)
		case "casefold":
			return strings.ReplaceAll(pyLower(str), "ß", "ss")
		default:
			return pySwapcase(str)
		}
	case "strip", "lstrip", "rstrip":
		a := posArgs(s, fn, args, 0, 1)
		var chars *string
		if !IsMissing(a[0]) && a[0] != nil {
			c, ok := asString(a[0])
			if !ok {
				s.Throw("TypeError", "%s arg must be None or str", name)
			}
			chars = &c
		}
		return pyStrip(str, chars, name != "rstrip", name != "lstrip")
	case "split", "rsplit":
		a := args.Bind(s, name, "sep", "maxsplit")
		maxsplit := -1
		if !IsMissing(a[1]) {
			maxsplit = int(s.argInt(a[1]))
		}
		if IsMissing(a[0]) || a[0] == nil {
			return strList(pySplitWhitespace(str, maxsplit, name == "rsplit"))
		}
		sep, ok := asString(a[0])
		if !ok {
			s.Throw("TypeError", "must be str or None, not %s", typeName(a[0]))
		}
		if sep == "" {
			s.Throw("ValueError", "empty separator")
		}
		return strList(pySplitSep(str, sep, maxsplit, name == "rsplit"))
	case "splitlines":
		a := args.Bind(s, name, "keepends")
		return strList(pySplitlines(str, !IsMissing(a[0]) && Truth(a[0])))
	case "replace":
		a := posArgs(s, fn, args, 2, 3)
		old, ok1 := asString(a[0])
		if !ok1 {
			s.Throw("TypeError", "replace() argument 1 must be str, not %s", typeName(a[0]))
		}
		nw, ok2 := asString(a[1])
		if !ok2 {
			s.Throw("TypeError", "replace() argument 2 must be str, not %s", typeName(a[1]))
		}
		count := -1
		if !IsMissing(a[2]) {
			count = int(s.argInt(a[2]))
		}
		return strings.Replace(str, old, nw, count)
	case "startswith", "endswith":
		a := posArgs(s, fn, args, 1, 3)
		rs := []rune(str)
		st, en := s.sliceBounds(a[1], a[2], len(rs))
		var cands []any
		if t, ok := a[0].(Tuple); ok {
			cands = t
		} else {
			cands = []any{a[0]}
		}
		for _, c := range cands {
			p, ok := asString(c)
			if !ok {
				if _, isTuple := a[0].(Tuple); isTuple {
					s.Throw("TypeError", "tuple for %s must only contain str, not %s", name, typeName(c))
				}
				s.Throw("TypeError", "%s first arg must be str or a tuple of str, not %s", name, typeName(c))
			}
			if st > len(rs) || st > en {
				continue
			}
			sub := string(rs[st:en])
			if name == "startswith" && strings.HasPrefix(sub, p) || name == "endswith" && strings.HasSuffix(sub, p) {
				return true
			}
		}
		return false
	case "format", "format_map":
		return s.strFormatMethod(str, name, args, false)
	case "join":
		a := posArgs(s, fn, args, 1, 1)
		items := s.iterate(a[0])
		parts := make([]string, len(items))
		for i, it := range items {
			p, ok := asString(it)
			if !ok {
				s.Throw("TypeError", "sequence item %d: expected str instance, %s found", i, typeName(it))
			}
			parts[i] = p
		}
		return strings.Join(parts, str)
	case "find", "rfind", "index", "rindex", "count":
		a := posArgs(s, fn, args, 1, 3)
		sub, ok := asString(a[0])
		if !ok {
			s.Throw("TypeError", "must be str, not %s", typeName(a[0]))
		}
		rs := []rune(str)
		st, en := s.sliceBounds(a[1], a[2], len(rs))
		if name == "count" {
			if st > len(rs) || st > en {
				return int64(0)
			}
			seg := string(rs[st:en])
			if sub == "" {
				return int64(utf8.RuneCountInString(seg) + 1)
			}
			return int64(strings.Count(seg, sub))
		}
		idx := -1
		if st <= len(rs) && st <= en {
			seg := string(rs[st:en])
			var b int
			if name == "find" || name == "index" {
				b = strings.Index(seg, sub)
			} else {
				b = strings.LastIndex(seg, sub)
			}
			if b >= 0 {
				idx = st + utf8.RuneCountInString(seg[:b])
			}
		}
		if idx < 0 && (name == "index" || name == "rindex") {
			s.Throw("ValueError", "substring not found")
		}
		return int64(idx)
	case "isdigit", "isdecimal", "isnumeric", "isalpha", "isalnum", "isupper", "islower",
		"isspace", "istitle", "isascii", "isidentifier", "isprintable":
		noArgs(s, fn, args)
		return strPredicate(name, str)
	case "zfill":
		a := posArgs(s, fn, args, 1, 1)
		w := s.argInt(a[0])
		s.checkPad(w)
		return pyZfill(str, int(w))
	case "center", "ljust", "rjust":
		a := posArgs(s, fn, args, 1, 2)
		w := s.argInt(a[0])
		s.checkPad(w)
		width := int(w)
		fill := s.argFillChar(a[1])
		n := utf8.RuneCountInString(str)
		if width <= n {
			return str
		}
		switch name {
		case "center":
			return pyCenter(str, width, fill)
		case "ljust":
			return str + strings.Repeat(string(fill), width-n)
		default:
			return strings.Repeat(string(fill), width-n) + str
		}
	case "partition", "rpartition":
		a := posArgs(s, fn, args, 1, 1)
		sep, ok := asString(a[0])
		if !ok {
			s.Throw("TypeError", "must be str, not %s", typeName(a[0]))
		}
		if sep == "" {
			s.Throw("ValueError", "empty separator")
		}
		var i int
		if name == "partition" {
			i = strings.Index(str, sep)
			if i < 0 {
				return Tuple{str, "", ""}
			}
		} else {
			i = strings.LastIndex(str, sep)
			if i < 0 {
				return Tuple{"", "", str}
			}
		}
		return Tuple{str[:i], sep, str[i+len(sep):]}
	case "expandtabs":
		a := args.Bind(s, name, "tabsize")
		tab := 8
		if !IsMissing(a[0]) {
			t := s.argInt(a[0])
			s.checkPad(t)
			tab = int(t)
		}
		return pyExpandtabs(str, tab)
	case "removeprefix", "removesuffix":
		a := posArgs(s, fn, args, 1, 1)
		p, ok := asString(a[0])
		if !ok {
			s.Throw("TypeError", "%s() argument must be str, not %s", name, typeName(a[0]))
		}
		if name == "removeprefix" {
			return strings.TrimPrefix(str, p)
		}
		return strings.TrimSuffix(str, p)
	case "encode":
		// Only UTF-8 is supported (the default, and what dbt uses).
		args.Bind(s, name, "encoding", "errors")
		return Bytes(str)
	}
	return nil
}

// ---------------------------------------------------------------------------
// list, tuple

func (s *State) indexOf(items []any, x any, startV, endV any) int {
	st, en := s.sliceBounds(startV, endV, len(items))
	for i := st; i < en && i < len(items); i++ {
		if Equal(items[i], x) {
			return i
		}
	}
	return -1
}

func countOf(items []any, x any) int64 {
	var n int64
	for _, it := range items {
		if Equal(it, x) {
			n++
		}
	}
	return n
}

func (s *State) listMethod(l *List, name string, args *Args) any {
	fn := "list." + name
	switch name {
	case "append":
		a := posArgs(s, fn, args, 1, 1)
		l.Items = append(l.Items, a[0])
	case "extend":
		a := posArgs(s, fn, args, 1, 1)
		items := s.iterate(a[0])
		l.Items = append(l.Items, items...)
	case "insert":
		a := posArgs(s, fn, args, 2, 2)
		i := int(s.argInt(a[0]))
		n := len(l.Items)
		if i < 0 {
			i += n
			if i < 0 {
				i = 0
			}
		}
		if i > n {
			i = n
		}
		l.Items = append(l.Items, nil)
		copy(l.Items[i+1:], l.Items[i:])
		l.Items[i] = a[1]
	case "remove":
		a := posArgs(s, fn, args, 1, 1)
		i := s.indexOf(l.Items, a[0], Missing, Missing)
		if i < 0 {
			s.Throw("ValueError", "list.remove(x): x not in list")
		}
		l.Items = append(l.Items[:i], l.Items[i+1:]...)
	case "pop":
		a := posArgs(s, fn, args, 0, 1)
		if len(l.Items) == 0 {
			s.Throw("IndexError", "pop from empty list")
		}
		i := len(l.Items) - 1
		if !IsMissing(a[0]) {
			i = int(s.argInt(a[0]))
			if i < 0 {
				i += len(l.Items)
			}
			if i < 0 || i >= len(l.Items) {
				s.Throw("IndexError", "pop index out of range")
			}
		}
		v := l.Items[i]
		l.Items = append(l.Items[:i], l.Items[i+1:]...)
		return v
	case "index":
		a := posArgs(s, fn, args, 1, 3)
		i := s.indexOf(l.Items, a[0], a[1], a[2])
		if i < 0 {
			s.Throw("ValueError", "%s is not in list", Repr(a[0]))
		}
		return int64(i)
	case "count":
		a := posArgs(s, fn, args, 1, 1)
		return countOf(l.Items, a[0])
	case "reverse":
		noArgs(s, fn, args)
		for i, j := 0, len(l.Items)-1; i < j; i, j = i+1, j-1 {
			l.Items[i], l.Items[j] = l.Items[j], l.Items[i]
		}
	case "sort":
		if len(args.Pos) > 0 {
			s.Throw("TypeError", "sort() takes no positional arguments")
		}
		a := args.Bind(s, "sort", "key", "reverse")
		if !IsMissing(a[0]) && a[0] != nil {
			s.Throw("TypeError", "list.sort(key=...) is not supported in templates")
		}
		reverse := !IsMissing(a[1]) && Truth(a[1])
		s.sortValues(l.Items, nil, reverse)
	case "copy":
		noArgs(s, fn, args)
		return &List{Items: append([]any{}, l.Items...)}
	case "clear":
		noArgs(s, fn, args)
		l.Items = []any{}
	}
	return nil
}

func (s *State) tupleMethod(t Tuple, name string, args *Args) any {
	fn := "tuple." + name
	switch name {
	case "index":
		a := posArgs(s, fn, args, 1, 3)
		i := s.indexOf(t, a[0], a[1], a[2])
		if i < 0 {
			s.Throw("ValueError", "tuple.index(x): x not in tuple")
		}
		return int64(i)
	case "count":
		a := posArgs(s, fn, args, 1, 1)
		return countOf(t, a[0])
	}
	return nil
}

// ---------------------------------------------------------------------------
// dict

// DictView is what dict.items(), keys() and values() return: a live view
// that iterates like a list and prints like Python's dict_items([...]).
type DictView struct {
	d    *Dict
	kind string // "items", "keys" or "values"
}

// Iter returns the view's current elements.
func (v *DictView) Iter() []any {
	switch v.kind {
	case "keys":
		return append([]any(nil), v.d.Keys()...)
	case "values":
		return append([]any(nil), v.d.Values()...)
	}
	keys, vals := v.d.Keys(), v.d.Values()
	out := make([]any, len(keys))
	for i := range keys {
		out[i] = Tuple{keys[i], vals[i]}
	}
	return out
}

// Len is len(view).
func (v *DictView) Len() int { return v.d.Len() }

// Contains is `x in view`.
func (v *DictView) Contains(x any) bool {
	switch v.kind {
	case "keys":
		_, ok := v.d.Get(x)
		return ok
	case "items":
		t, ok := x.(Tuple)
		if !ok || len(t) != 2 {
			return false
		}
		val, ok := v.d.Get(t[0])
		return ok && Equal(val, t[1])
	}
	for _, e := range v.d.Values() {
		if Equal(e, x) {
			return true
		}
	}
	return false
}

// Repr prints dict_items([('a', 1)]).
func (v *DictView) Repr() string {
	return "dict_" + v.kind + "(" + Repr(&List{Items: v.Iter()}) + ")"
}

// TypeName is Python's type name of the view.
func (v *DictView) TypeName() string { return "dict_" + v.kind }

func (s *State) dictMethod(d *Dict, name string, args *Args) any {
	fn := "dict." + name
	switch name {
	case "items", "keys", "values":
		noArgs(s, fn, args)
		return &DictView{d: d, kind: name}
	case "get":
		a := posArgs(s, fn, args, 1, 2)
		s.mustHash(a[0])
		if v, ok := d.Get(a[0]); ok {
			return v
		}
		if IsMissing(a[1]) {
			return nil
		}
		return a[1]
	case "pop":
		a := posArgs(s, fn, args, 1, 2)
		s.mustHash(a[0])
		if v, ok := d.Get(a[0]); ok {
			d.Delete(a[0])
			return v
		}
		if IsMissing(a[1]) {
			s.Throw("KeyError", "%s", Repr(a[0]))
		}
		return a[1]
	case "popitem":
		noArgs(s, fn, args)
		if d.Len() == 0 {
			s.Throw("KeyError", "'popitem(): dictionary is empty'")
		}
		k, v := d.Keys()[d.Len()-1], d.Values()[d.Len()-1]
		d.Delete(k)
		return Tuple{k, v}
	case "setdefault":
		a := posArgs(s, fn, args, 1, 2)
		s.mustHash(a[0])
		if v, ok := d.Get(a[0]); ok {
			return v
		}
		def := a[1]
		if IsMissing(def) {
			def = nil
		}
		d.Set(a[0], def)
		return def
	case "update":
		if len(args.Pos) > 1 {
			s.Throw("TypeError", "update expected at most 1 argument, got %d", len(args.Pos))
		}
		if len(args.Pos) == 1 {
			s.dictUpdate(d, args.Pos[0])
		}
		for _, kv := range args.Kw {
			d.Set(kv.Name, kv.Value)
		}
	case "copy":
		noArgs(s, fn, args)
		return d.Copy()
	case "clear":
		noArgs(s, fn, args)
		d.Clear()
	case "fromkeys":
		// A classmethod: the receiver only supplies the type.
		a := posArgs(s, fn, args, 1, 2)
		val := a[1]
		if IsMissing(val) {
			val = nil
		}
		out := NewDict()
		for _, k := range s.iterate(a[0]) {
			s.mustHash(k)
			out.Set(k, val)
		}
		return out
	}
	return nil
}

func (s *State) mustHash(k any) {
	if _, ok := hashKey(k); !ok {
		s.Throw("TypeError", "unhashable type: '%s'", typeName(k))
	}
}

// dictUpdate merges a dict or an iterable of pairs into d (dict.update and
// dict(iterable)).
func (s *State) dictUpdate(d *Dict, src any) {
	if o, ok := src.(*Dict); ok {
		keys, vals := o.Keys(), o.Values()
		for i := range keys {
			d.Set(keys[i], vals[i])
		}
		return
	}
	if u, ok := src.(*Undefined); ok {
		s.failUndefined(u)
	}
	switch src.(type) {
	case *List, Tuple, string, Markup, *DictView:
	default:
		if _, ok := src.(interface{ Iter() []any }); !ok {
			s.Throw("TypeError", "'%s' object is not iterable", typeName(src))
		}
	}
	for i, el := range s.iterate(src) {
		var pair []any
		switch p := el.(type) {
		case Tuple:
			pair = p
		case *List:
			pair = p.Items
		case string, Markup:
			pair = s.iterate(p)
		default:
			s.Throw("TypeError", "cannot convert dictionary update sequence element #%d to a sequence", i)
		}
		if len(pair) != 2 {
			s.Throw("ValueError", "dictionary update sequence element #%d has length %d; 2 is required", i, len(pair))
		}
		s.mustHash(pair[0])
		d.Set(pair[0], pair[1])
	}
}

// Bytes is Python's bytes, produced by str.encode(): it prints as b'...'.
type Bytes string

// Repr is Python's repr(bytes).
func (b Bytes) Repr() string {
	quote := byte('\'')
	if strings.IndexByte(string(b), '\'') >= 0 && strings.IndexByte(string(b), '"') < 0 {
		quote = '"'
	}
	var sb strings.Builder
	sb.WriteString("b")
	sb.WriteByte(quote)
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case c == quote || c == '\\':
			sb.WriteByte('\\')
			sb.WriteByte(c)
		case c == '\n':
			sb.WriteString(`\n`)
		case c == '\r':
			sb.WriteString(`\r`)
		case c == '\t':
			sb.WriteString(`\t`)
		case c < 0x20 || c >= 0x7f:
			sb.WriteString(`\x`)
			writeHex(&sb, int64(c), 2)
		default:
			sb.WriteByte(c)
		}
	}
	sb.WriteByte(quote)
	return sb.String()
}

// String is str(bytes), the same as its repr.
func (b Bytes) String() string { return b.Repr() }

// Len is len(bytes).
func (b Bytes) Len() int { return len(b) }

// Iter yields the byte values.
func (b Bytes) Iter() []any {
	out := make([]any, len(b))
	for i := 0; i < len(b); i++ {
		out[i] = int64(b[i])
	}
	return out
}

// TypeName is Python's type name.
func (b Bytes) TypeName() string { return "bytes" }
