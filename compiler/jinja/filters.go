package jinja

import (
	"html"
	"math"
	"math/big"
	"math/rand/v2"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// FilterFunc implements {{ v | name(args) }}.
type FilterFunc func(s *State, v any, args *Args) any

// builtinFilters are Jinja2's default filters with Python Jinja2 3.1
// semantics in dbt's configuration (autoescape off).
//
// Python returns generators from map, select, reject, selectattr,
// rejectattr, unique, reverse, batch, slice and items; here they return
// lists, which print differently ("[1, 2]" instead of "<generator …>") and
// can be iterated more than once.
var builtinFilters map[string]FilterFunc

func init() {
	builtinFilters = map[string]FilterFunc{
		"abs":            filterAbs,
		"attr":           filterAttr,
		"batch":          filterBatch,
		"capitalize":     strFilter("do_capitalize", pyCapitalize),
		"center":         filterCenter,
		"count":          filterLength,
		"d":              filterDefault,
		"default":        filterDefault,
		"dictsort":       filterDictsort,
		"e":              filterEscape,
		"escape":         filterEscape,
		"filesizeformat": filterFilesizeformat,
		"first":          filterFirst,
		"float":          filterFloat,
		"forceescape":    filterForceescape,
		"format":         filterFormat,
		"groupby":        filterGroupby,
		"indent":         filterIndent,
		"int":            filterInt,
		"items":          filterItems,
		"join":           filterJoin,
		"last":           filterLast,
		"length":         filterLength,
		"list":           filterList,
		"lower":          strFilter("do_lower", pyLower),
		"map":            filterMap,
		"max":            func(s *State, v any, a *Args) any { return s.minMax(v, a, "do_max", 1) },
		"min":            func(s *State, v any, a *Args) any { return s.minMax(v, a, "do_min", -1) },
		"pprint":         filterPprint,
		"random":         filterRandom,
		"reject":         func(s *State, v any, a *Args) any { return s.selectOrReject(v, a, false, false) },
		"rejectattr":     func(s *State, v any, a *Args) any { return s.selectOrReject(v, a, false, true) },
		"replace":        filterReplace,
		"reverse":        filterReverse,
		"round":          filterRound,
		"safe":           filterSafe,
		"select":         func(s *State, v any, a *Args) any { return s.selectOrReject(v, a, true, false) },
		"selectattr":     func(s *State, v any, a *Args) any { return s.selectOrReject(v, a, true, true) },
		"slice":          filterSlice,
		"sort":           filterSort,
		"string":         filterString,
		"striptags":      filterStriptags,
		"sum":            filterSum,
		"title":          strFilter("do_title", jinjaTitle),
		"tojson":         filterTojson,
		"trim":           filterTrim,
		"truncate":       filterTruncate,
		"unique":         filterUnique,
		"upper":          strFilter("do_upper", pyUpper),
		"urlencode":      filterUrlencode,
		"urlize":         filterUrlize,
		"wordcount":      filterWordcount,
		"wordwrap":       filterWordwrap,
		"xmlattr":        filterXmlattr,
	}
}

// ---------------------------------------------------------------------------
// helpers shared by filters

// softStr is markupsafe's soft_str: Markup stays Markup, the rest is str().
func softStr(v any) any {
	if m, ok := v.(Markup); ok {
		return m
	}
	return ToString(v)
}

// keepMarkup returns out as Markup when in was Markup.
func keepMarkup(in any, out string) any {
	if _, ok := in.(Markup); ok {
		return Markup(out)
	}
	return out
}

// strFilter adapts a str → str function into a filter that takes no
// arguments and keeps Markup.
func strFilter(name string, f func(string) string) FilterFunc {
	return func(s *State, v any, args *Args) any {
		s.pyBind(args, name, 0, 0)
		return keepMarkup(v, f(ToString(v)))
	}
}

// htmlEscape is markupsafe's escaping of & < > ' ".
func htmlEscape(str string) string {
	if !strings.ContainsAny(str, "&<>'\"") {
		return str
	}
	var b strings.Builder
	for i := 0; i < len(str); i++ {
		switch c := str[i]; c {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '\'':
			b.WriteString("&#39;")
		case '"':
			b.WriteString("&#34;")
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// escapeValue is markupsafe.escape.
func escapeValue(v any) Markup {
	if m, ok := v.(Markup); ok {
		return m
	}
	return Markup(htmlEscape(ToString(v)))
}

// markupPercent is Markup % arg: the arguments are escaped before
// formatting, as markupsafe does.
func (s *State) markupPercent(format Markup, arg any) Markup {
	esc := func(v any) any {
		switch v.(type) {
		case string, Markup, *List, *Dict, Tuple, nil, *Undefined:
			return escapeValue(v)
		}
		return v
	}
	switch a := arg.(type) {
	case Tuple:
		out := make(Tuple, len(a))
		for i, e := range a {
			out[i] = esc(e)
		}
		arg = out
	case *Dict:
		d := NewDict()
		keys, vals := a.Keys(), a.Values()
		for i := range keys {
			d.Set(keys[i], esc(vals[i]))
		}
		arg = d
	default:
		arg = esc(a)
	}
	return Markup(s.percentFormat(string(format), arg))
}

// attrParts splits a dotted attribute path; numeric parts become ints.
func attrParts(attribute any) []any {
	if attribute == nil || IsMissing(attribute) {
		return nil
	}
	if str, ok := asString(attribute); ok {
		var parts []any
		for _, p := range strings.Split(str, ".") {
			if isDigitString(p) {
				n, err := strconv.ParseInt(p, 10, 64)
				if err == nil {
					parts = append(parts, n)
					continue
				}
			}
			parts = append(parts, p)
		}
		return parts
	}
	return []any{attribute}
}

// isDigitString is Python's str.isdigit for the attribute path rule.
func isDigitString(p string) bool {
	if p == "" {
		return false
	}
	for _, r := range p {
		if !unicode.IsDigit(r) {
			return false
		}
	}
	return true
}

func ignoreCase(v any) any {
	switch x := v.(type) {
	case string:
		return pyLower(x)
	case Markup:
		return Markup(pyLower(string(x)))
	}
	return v
}

// attrGetter is Jinja2's make_attrgetter: item lookups (falling back to
// attributes) along a dotted path, an optional default for Undefined
// results, and optional lowercasing.
func (s *State) attrGetter(attribute any, lower bool, def any) func(any) any {
	parts := attrParts(attribute)
	return func(item any) any {
		for _, p := range parts {
			item = s.getitem(item, p)
			if def != nil {
				if _, ok := item.(*Undefined); ok {
					item = def
				}
			}
		}
		if lower {
			item = ignoreCase(item)
		}
		return item
	}
}

// multiAttrGetter is make_multi_attrgetter: "a,b.c" yields [a, b.c].
func (s *State) multiAttrGetter(attribute any, lower bool) func(any) any {
	str, ok := asString(attribute)
	if !ok {
		return s.attrGetter(attribute, lower, nil)
	}
	var getters []func(any) any
	for _, a := range strings.Split(str, ",") {
		getters = append(getters, s.attrGetter(a, lower, nil))
	}
	return func(item any) any {
		out := make([]any, len(getters))
		for i, g := range getters {
			out[i] = g(item)
		}
		return &List{Items: out}
	}
}

// pySort sorts items by keys like Python's sorted(): only `<` is used and
// the sort is stable; reverse keeps equal items in their original order.
// For fewer than 64 items it follows CPython's timsort step by step (a
// natural run, then binary insertion), so the comparisons made — and the
// TypeError raised for unorderable values — are the same.
func (s *State) pySort(items, keys []any, reverse bool) {
	n := len(items)
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	if reverse {
		for i, j := 0, n-1; i < j; i, j = i+1, j-1 {
			idx[i], idx[j] = idx[j], idx[i]
		}
	}
	less := func(a, b int) bool { return s.pyLess(keys[a], keys[b]) }
	if n < 64 {
		if n >= 2 {
			run := 2
			if less(idx[1], idx[0]) {
				for run < n && less(idx[run], idx[run-1]) {
					run++
				}
				for i, j := 0, run-1; i < j; i, j = i+1, j-1 {
					idx[i], idx[j] = idx[j], idx[i]
				}
			} else {
				for run < n && !less(idx[run], idx[run-1]) {
					run++
				}
			}
			for start := run; start < n; start++ {
				pivot := idx[start]
				l, r := 0, start
				for l < r {
					p := l + (r-l)/2
					if less(pivot, idx[p]) {
						r = p
					} else {
						l = p + 1
					}
				}
				copy(idx[l+1:start+1], idx[l:start])
				idx[l] = pivot
			}
		}
	} else {
		sort.SliceStable(idx, func(a, b int) bool { return less(idx[a], idx[b]) })
	}
	if reverse {
		for i, j := 0, n-1; i < j; i, j = i+1, j-1 {
			idx[i], idx[j] = idx[j], idx[i]
		}
	}
	out := make([]any, n)
	for i, k := range idx {
		out[i] = items[k]
	}
	copy(items, out)
}

// pyLess is Python's a < b as sorted() evaluates it: sequences compare
// element-wise, and an Undefined met on the way raises UndefinedError.
func (s *State) pyLess(a, b any) bool {
	var x, y []any
	switch av := a.(type) {
	case *List:
		if bv, ok := b.(*List); ok {
			x, y = av.Items, bv.Items
		}
	case Tuple:
		if bv, ok := b.(Tuple); ok {
			x, y = av, bv
		}
	}
	if x != nil || y != nil {
		for i := 0; i < len(x) && i < len(y); i++ {
			if !Equal(x[i], y[i]) {
				return s.pyLess(x[i], y[i])
			}
		}
		return len(x) < len(y)
	}
	return s.compare("<", a, b) < 0
}

// sortValues sorts items in place by key(item) (identity when key is nil).
func (s *State) sortValues(items []any, key func(any) any, reverse bool) {
	keys := items
	if key != nil {
		keys = make([]any, len(items))
		for i, it := range items {
			keys[i] = key(it)
		}
	} else {
		keys = append([]any(nil), items...)
	}
	// pySort reorders items; keys are indexed by original position.
	s.pySort(items, keys, reverse)
}

// Iterator is a Python iterator or generator returned by a filter (map,
// select, reverse, …): it iterates once, is always true, has no len() and is
// not a sequence, as in Python.
type Iterator struct {
	name  string // Python type name: generator, list_reverseiterator, …
	fn    string // generator function name, for the repr
	items []any
	used  bool
}

func newGenerator(fn string, items []any) *Iterator {
	return &Iterator{name: "generator", fn: fn, items: items}
}

// Iter returns the remaining items; a second iteration yields nothing.
func (it *Iterator) Iter() []any {
	if it.used {
		return nil
	}
	it.used = true
	return it.items
}

// Truth is bool(iterator): always true.
func (it *Iterator) Truth() bool { return true }

// Repr is Python's default repr without the address.
func (it *Iterator) Repr() string {
	if it.fn != "" {
		return "<generator object " + it.fn + ">"
	}
	return "<" + it.name + " object>"
}

// TypeName is Python's type name.
func (it *Iterator) TypeName() string { return it.name }

// pyTypeName is typeName honoring host types that name themselves.
func pyTypeName(v any) string {
	if t, ok := v.(interface{ TypeName() string }); ok {
		return t.TypeName()
	}
	return typeName(v)
}

// iterList is list(v) for filters: a fresh slice of v's items.
func (s *State) iterList(v any) []any {
	return append([]any{}, s.iterate(v)...)
}

// callFilterByName is Environment.call_filter for filters that apply other
// filters (map).
func (s *State) callFilterByName(name, v any, args *Args) any {
	n, _ := name.(string)
	f, ok := s.env.filters[n]
	if !ok {
		s.Throw("TemplateRuntimeError", "%s", unknownCallableMessage(s, "filter", name))
	}
	return f(s, v, args)
}

// callTestByName is Environment.call_test (select, reject, …).
func (s *State) callTestByName(name, v any, args *Args) bool {
	n, _ := name.(string)
	t, ok := s.env.tests[n]
	if !ok {
		s.Throw("TemplateRuntimeError", "%s", unknownCallableMessage(s, "test", name))
	}
	return t(s, v, args)
}

func unknownCallableMessage(s *State, kind string, name any) string {
	msg := "No " + kind + " named " + Repr(name) + "."
	if u, ok := name.(*Undefined); ok {
		msg = "No " + kind + " named Undefined. (" + u.message() + "; did you forget to quote the callable name?)"
	}
	return msg
}

// pyBind binds the arguments of a filter or test implemented in Python as
// fn(<extra context params>, value, names...), of which the first req names
// are required, raising TypeErrors worded as CPython words them.
func (s *State) pyBind(args *Args, fn string, extra, req int, names ...string) []any {
	out := make([]any, len(names))
	for i := range out {
		out[i] = Missing
	}
	if args == nil {
		args = &Args{}
	}
	switch fn {
	case "len", "abs", "callable":
		// C builtins taking exactly the value.
		if len(args.Kw) > 0 {
			s.Throw("TypeError", "%s() takes no keyword arguments", fn)
		}
		if len(args.Pos) > 0 {
			s.Throw("TypeError", "%s() takes exactly one argument (%d given)", fn, len(args.Pos)+1)
		}
		return out
	}
	total, required, given := extra+1+len(names), extra+1+req, extra+1+len(args.Pos)
	if given > total {
		plural := "s"
		if total == 1 {
			plural = ""
		}
		if required == total {
			s.Throw("TypeError", "%s() takes %d positional argument%s but %d were given", fn, total, plural, given)
		}
		s.Throw("TypeError", "%s() takes from %d to %d positional arguments but %d were given", fn, required, total, given)
	}
	copy(out, args.Pos)
	for _, kv := range args.Kw {
		found := false
		for i, n := range names {
			if n == kv.Name {
				if i < len(args.Pos) {
					s.Throw("TypeError", "%s() got multiple values for argument '%s'", fn, n)
				}
				out[i] = kv.Value
				found = true
				break
			}
		}
		if !found {
			s.Throw("TypeError", "%s() got an unexpected keyword argument '%s'", fn, kv.Name)
		}
	}
	var missing []string
	for i := 0; i < req; i++ {
		if IsMissing(out[i]) {
			missing = append(missing, "'"+names[i]+"'")
		}
	}
	switch len(missing) {
	case 0:
	case 1:
		s.Throw("TypeError", "%s() missing 1 required positional argument: %s", fn, missing[0])
	default:
		list := strings.Join(missing[:len(missing)-1], ", ") + " and " + missing[len(missing)-1]
		if len(missing) > 2 {
			list = strings.Join(missing[:len(missing)-1], ", ") + ", and " + missing[len(missing)-1]
		}
		s.Throw("TypeError", "%s() missing %d required positional arguments: %s", fn, len(missing), list)
	}
	return out
}

// ---------------------------------------------------------------------------
// filters

func filterAbs(s *State, v any, args *Args) any {
	s.pyBind(args, "abs", 0, 0)
	switch x := v.(type) {
	case bool:
		if x {
			return int64(1)
		}
		return int64(0)
	case int64:
		if x == math.MinInt64 {
			return new(big.Int).Neg(big.NewInt(x))
		}
		if x < 0 {
			return -x
		}
		return x
	case *big.Int:
		return normBig(new(big.Int).Abs(x))
	case float64:
		return math.Abs(x)
	case *Decimal:
		return x.abs()
	}
	s.Throw("TypeError", "bad operand type for abs(): '%s'", pyTypeName(v))
	return nil
}

func filterAttr(s *State, v any, args *Args) any {
	a := s.pyBind(args, "do_attr", 1, 1, "name")
	if IsMissing(a[0]) {
		s.Throw("TypeError", "do_attr() missing 1 required positional argument: 'name'")
	}
	if u, ok := v.(*Undefined); ok {
		s.failUndefined(u)
	}
	name, ok := asString(a[0])
	if !ok {
		s.Throw("TypeError", "attribute name must be string, not '%s'", typeName(a[0]))
	}
	if strings.HasPrefix(name, "__") && strings.HasSuffix(name, "__") {
		// Python objects all have dunder attributes; the sandbox refuses them.
		return &Undefined{Name: name, Obj: v, Kind: "SecurityError",
			Hint: "access to attribute '" + name + "' of '" + pyTypeName(v) + "' object is unsafe."}
	}
	if _, isDict := v.(*Dict); !isDict {
		if o, ok := v.(Object); ok {
			if r, ok := o.Attr(name); ok {
				if strings.HasPrefix(name, "_") {
					return &Undefined{Name: name, Obj: v, Kind: "SecurityError",
						Hint: "access to attribute '" + name + "' of '" + typeName(v) + "' object is unsafe."}
				}
				return Normalize(r)
			}
		}
	}
	if hasMethod(v, name) {
		return &boundMethod{recv: v, name: name}
	}
	return &Undefined{Name: name, Obj: v}
}

func filterBatch(s *State, v any, args *Args) any {
	a := s.pyBind(args, "do_batch", 0, 1, "linecount", "fill_with")
	if IsMissing(a[0]) {
		s.Throw("TypeError", "do_batch() missing 1 required positional argument: 'linecount'")
	}
	count := s.argInt(a[0])
	fill := a[1]
	var out []any
	var tmp []any
	for _, it := range s.iterate(v) {
		if int64(len(tmp)) == count {
			out = append(out, &List{Items: tmp})
			tmp = nil
		}
		tmp = append(tmp, it)
	}
	if len(tmp) > 0 {
		if !IsMissing(fill) && fill != nil {
			for int64(len(tmp)) < count {
				tmp = append(tmp, fill)
			}
		}
		out = append(out, &List{Items: tmp})
	}
	return newGenerator("do_batch", out)
}

func filterCenter(s *State, v any, args *Args) any {
	a := s.pyBind(args, "do_center", 0, 0, "width")
	width := int64(80)
	if !IsMissing(a[0]) {
		width = s.argInt(a[0])
	}
	s.checkPad(width)
	return keepMarkup(v, pyCenter(ToString(v), int(width), ' '))
}

func filterLength(s *State, v any, args *Args) any {
	s.pyBind(args, "len", 0, 0)
	if n, ok := length(v); ok {
		return int64(n)
	}
	s.Throw("TypeError", "object of type '%s' has no len()", pyTypeName(v))
	return nil
}

func filterDefault(s *State, v any, args *Args) any {
	a := s.pyBind(args, "do_default", 0, 0, "default_value", "boolean")
	def := a[0]
	if IsMissing(def) {
		def = ""
	}
	_, undef := v.(*Undefined)
	if undef || (!IsMissing(a[1]) && Truth(a[1]) && !Truth(v)) {
		return def
	}
	return v
}

func filterDictsort(s *State, v any, args *Args) any {
	a := s.pyBind(args, "do_dictsort", 0, 0, "case_sensitive", "by", "reverse")
	pos := 0
	if !IsMissing(a[1]) {
		switch by, _ := asString(a[1]); by {
		case "key":
		case "value":
			pos = 1
		default:
			s.Throw("FilterArgumentError", "You can only sort by either \"key\" or \"value\"")
		}
	}
	d, ok := v.(*Dict)
	if !ok {
		if u, ok := v.(*Undefined); ok {
			s.failUndefined(u)
		}
		s.Throw("AttributeError", "'%s' object has no attribute 'items'", typeName(v))
	}
	keys, vals := d.Keys(), d.Values()
	items := make([]any, len(keys))
	sortKeys := make([]any, len(keys))
	lower := IsMissing(a[0]) || !Truth(a[0])
	for i := range keys {
		items[i] = Tuple{keys[i], vals[i]}
		k := keys[i]
		if pos == 1 {
			k = vals[i]
		}
		if lower {
			k = ignoreCase(k)
		}
		sortKeys[i] = k
	}
	s.pySort(items, sortKeys, !IsMissing(a[2]) && Truth(a[2]))
	return &List{Items: items}
}

func filterEscape(s *State, v any, args *Args) any {
	s.pyBind(args, "escape", 0, 0)
	return escapeValue(v)
}

func filterForceescape(s *State, v any, args *Args) any {
	s.pyBind(args, "do_forceescape", 0, 0)
	return Markup(htmlEscape(ToString(v)))
}

func filterFilesizeformat(s *State, v any, args *Args) any {
	a := s.pyBind(args, "do_filesizeformat", 0, 0, "binary")
	f := s.pyFloat(v)
	binary := !IsMissing(a[0]) && Truth(a[0])
	base := 1000.0
	prefixes := []string{"kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"}
	if binary {
		base = 1024
		prefixes = []string{"KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"}
	}
	switch {
	case f == 1:
		return "1 Byte"
	case f < base:
		return ToString(s.floatToInt(f)) + " Bytes"
	}
	var unit float64
	for i, p := range prefixes {
		unit = math.Pow(base, float64(i+2))
		if f < unit || i == len(prefixes)-1 {
			return strconv.FormatFloat(base*f/unit, 'f', 1, 64) + " " + p
		}
	}
	return ""
}

// pyFloat is Python's float(v), raising as Python does.
func (s *State) pyFloat(v any) float64 {
	switch x := v.(type) {
	case string, Markup:
		str, _ := asString(x)
		f, ok := parsePyFloat(str)
		if !ok {
			s.Throw("ValueError", "could not convert string to float: %s", Repr(str))
		}
		return f
	case *Undefined:
		s.failUndefined(x)
	case *big.Int:
		return bigFloat(x)
	}
	if f, ok := asFloat(v); ok {
		return f
	}
	s.Throw("TypeError", "float() argument must be a string or a real number, not '%s'", typeName(v))
	return 0
}

var pyFloatRe = regexp.MustCompile(`^[+-]?(?:(?:[0-9](?:_?[0-9])*)?(?:\.(?:[0-9](?:_?[0-9])*)?)?(?:[eE][+-]?[0-9](?:_?[0-9])*)?)$`)

// parsePyFloat parses a string the way Python's float() does: surrounding
// whitespace, underscores between digits, inf/infinity/nan.
func parsePyFloat(str string) (float64, bool) {
	str = strings.TrimFunc(str, pyIsSpace)
	body := strings.TrimLeft(str, "+-")
	if len(str)-len(body) > 1 {
		return 0, false
	}
	switch strings.ToLower(body) {
	case "inf", "infinity":
		if strings.HasPrefix(str, "-") {
			return math.Inf(-1), true
		}
		return math.Inf(1), true
	case "nan":
		return math.NaN(), true
	}
	if !pyFloatRe.MatchString(str) {
		return 0, false
	}
	// A mantissa needs at least one digit.
	mant := body
	if i := strings.IndexAny(mant, "eE"); i >= 0 {
		mant = mant[:i]
	}
	if strings.Trim(mant, "._") == "" {
		return 0, false
	}
	f, err := strconv.ParseFloat(strings.ReplaceAll(str, "_", ""), 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return f, true
		}
		return 0, false
	}
	return f, true
}

// parsePyInt parses a string the way Python's int(str, base) does; the
// result is an int64 or, when it does not fit, a *big.Int.
func parsePyInt(str string, base int) (any, bool) {
	str = strings.TrimFunc(str, pyIsSpace)
	neg := false
	if str != "" && (str[0] == '+' || str[0] == '-') {
		neg = str[0] == '-'
		str = str[1:]
	}
	lower := strings.ToLower(str)
	prefixBase := 0
	if len(lower) >= 2 && lower[0] == '0' {
		switch lower[1] {
		case 'x':
			prefixBase = 16
		case 'o':
			prefixBase = 8
		case 'b':
			prefixBase = 2
		}
	}
	if base == 0 {
		if prefixBase != 0 {
			base = prefixBase
			str = str[2:]
			str = strings.TrimPrefix(str, "_")
		} else {
			base = 10
			// Base 0 forbids leading zeros on non-zero decimals.
			if len(str) > 1 && str[0] == '0' && strings.Trim(str, "0_") != "" {
				return 0, false
			}
		}
	} else if prefixBase == base {
		str = str[2:]
		str = strings.TrimPrefix(str, "_")
	}
	if base < 2 || base > 36 || str == "" || str[0] == '_' || str[len(str)-1] == '_' || strings.Contains(str, "__") {
		return 0, false
	}
	digits := strings.ReplaceAll(str, "_", "")
	if neg {
		digits = "-" + digits
	}
	n, err := strconv.ParseInt(digits, base, 64)
	if err == nil {
		return n, true
	}
	if ne, ok := err.(*strconv.NumError); !ok || ne.Err != strconv.ErrRange {
		return nil, false
	}
	b, ok := new(big.Int).SetString(digits, base)
	if !ok {
		return nil, false
	}
	return b, true
}

func filterFloat(s *State, v any, args *Args) any {
	a := s.pyBind(args, "do_float", 0, 0, "default")
	def := a[0]
	if IsMissing(def) {
		def = 0.0
	}
	switch x := v.(type) {
	case *Undefined:
		s.failUndefined(x)
	case string, Markup:
		str, _ := asString(x)
		if f, ok := parsePyFloat(str); ok {
			return f
		}
		return def
	case *big.Int:
		return bigFloat(x)
	}
	if f, ok := asFloat(v); ok {
		return f
	}
	return def
}

func filterInt(s *State, v any, args *Args) any {
	a := s.pyBind(args, "do_int", 0, 0, "default", "base")
	def := a[0]
	if IsMissing(def) {
		def = int64(0)
	}
	base := int64(10)
	if !IsMissing(a[1]) {
		base = s.argInt(a[1])
	}
	switch x := v.(type) {
	case *Undefined:
		s.failUndefined(x)
	case string, Markup:
		str, _ := asString(x)
		if n, ok := parsePyInt(str, int(base)); ok {
			return n
		}
		if f, ok := parsePyFloat(str); ok && !math.IsInf(f, 0) && !math.IsNaN(f) {
			return s.floatToInt(f)
		}
		return def
	case float64:
		if math.IsNaN(x) {
			return def
		}
		return s.floatToInt(x)
	case *big.Int:
		return x
	case *Decimal:
		return x.Int()
	}
	if n, ok := asInt(v); ok {
		return n
	}
	return def
}

func filterFirst(s *State, v any, args *Args) any {
	s.pyBind(args, "sync_do_first", 1, 0)
	items := s.iterate(v)
	if len(items) == 0 {
		return &Undefined{Hint: "No first item, sequence was empty.", Obj: noObj}
	}
	return items[0]
}

func filterLast(s *State, v any, args *Args) any {
	s.pyBind(args, "do_last", 1, 0)
	switch v.(type) {
	case *List, Tuple, *Dict, string, Markup, *Undefined, *DictView, *Range:
	default:
		s.Throw("TypeError", "'%s' object is not reversible", pyTypeName(v))
	}
	items := s.iterate(v)
	if len(items) == 0 {
		return &Undefined{Hint: "No last item, sequence was empty.", Obj: noObj}
	}
	return items[len(items)-1]
}

func filterFormat(s *State, v any, args *Args) any {
	if len(args.Pos) > 0 && len(args.Kw) > 0 {
		s.Throw("FilterArgumentError", "can't handle positional and keyword arguments at the same time")
	}
	var arg any = Tuple(append([]any{}, args.Pos...))
	if len(args.Kw) > 0 {
		d := NewDict()
		for _, kv := range args.Kw {
			d.Set(kv.Name, kv.Value)
		}
		arg = d
	}
	if m, ok := v.(Markup); ok {
		return s.markupPercent(m, arg)
	}
	return s.percentFormat(ToString(v), arg)
}

// GroupTuple is one group of the groupby filter: it behaves like the tuple
// (grouper, list) and has the attributes grouper and list.
type GroupTuple struct {
	Grouper any
	List    *List
}

// Attr implements Object.
func (g *GroupTuple) Attr(name string) (any, bool) {
	switch name {
	case "grouper":
		return g.Grouper, true
	case "list":
		return g.List, true
	}
	return nil, false
}

// Iter iterates (grouper, list), so {% for k, items in … %} unpacks it.
func (g *GroupTuple) Iter() []any { return []any{g.Grouper, g.List} }

// Len is 2.
func (g *GroupTuple) Len() int { return 2 }

// Item implements g[0] and g[1].
func (g *GroupTuple) Item(key any) (any, bool) {
	if i, ok := asInt(key); ok {
		return indexSeq(g.Iter(), i)
	}
	return nil, false
}

// Repr prints like a plain tuple, as Jinja2's _GroupTuple does.
func (g *GroupTuple) Repr() string { return Repr(Tuple{g.Grouper, g.List}) }

// TypeName is Python's type name.
func (g *GroupTuple) TypeName() string { return "_GroupTuple" }

func filterGroupby(s *State, v any, args *Args) any {
	a := s.pyBind(args, "sync_do_groupby", 1, 1, "attribute", "default", "case_sensitive")
	if IsMissing(a[0]) {
		s.Throw("TypeError", "do_groupby() missing 1 required positional argument: 'attribute'")
	}
	def := a[1]
	if IsMissing(def) {
		def = nil
	}
	caseSensitive := !IsMissing(a[2]) && Truth(a[2])
	expr := s.attrGetter(a[0], !caseSensitive, def)
	items := s.iterList(v)
	s.sortValues(items, expr, false)
	var out []any
	var curKey any
	var cur *GroupTuple
	for _, it := range items {
		k := expr(it)
		if cur == nil || !Equal(k, curKey) {
			cur = &GroupTuple{Grouper: k, List: &List{}}
			curKey = k
			out = append(out, cur)
		}
		cur.List.Items = append(cur.List.Items, it)
	}
	if !caseSensitive {
		orig := s.attrGetter(a[0], false, def)
		for _, g := range out {
			gt := g.(*GroupTuple)
			gt.Grouper = orig(gt.List.Items[0])
		}
	}
	if out == nil {
		out = []any{}
	}
	return &List{Items: out}
}

func filterIndent(s *State, v any, args *Args) any {
	a := s.pyBind(args, "do_indent", 0, 0, "width", "first", "blank")
	indention := "    "
	if !IsMissing(a[0]) {
		if str, ok := asString(a[0]); ok {
			indention = str
		} else if n, ok := asInt(a[0]); ok {
			if n < 0 {
				n = 0
			}
			s.checkPad(n)
			indention = strings.Repeat(" ", int(n))
		} else {
			s.Throw("TypeError", "can't multiply sequence by non-int of type '%s'", typeName(a[0]))
		}
	}
	str, ok := asString(v)
	if !ok {
		if u, isU := v.(*Undefined); isU {
			s.failUndefined(u)
		}
		s.Throw("TypeError", "unsupported operand type(s) for +=: '%s' and 'str'", typeName(v))
	}
	lines := pySplitlines(str+"\n", false)
	var rv string
	if !IsMissing(a[2]) && Truth(a[2]) {
		rv = strings.Join(lines, "\n"+indention)
	} else {
		var b strings.Builder
		b.WriteString(lines[0])
		for _, l := range lines[1:] {
			b.WriteString("\n")
			if l != "" {
				b.WriteString(indention)
			}
			b.WriteString(l)
		}
		rv = b.String()
	}
	if !IsMissing(a[1]) && Truth(a[1]) {
		rv = indention + rv
	}
	return keepMarkup(v, rv)
}

func filterItems(s *State, v any, args *Args) any {
	s.pyBind(args, "do_items", 0, 0)
	switch d := v.(type) {
	case *Undefined:
		return newGenerator("do_items", nil)
	case *Dict:
		return newGenerator("do_items", (&DictView{d: d, kind: "items"}).Iter())
	}
	s.Throw("TypeError", "Can only get item pairs from a mapping.")
	return nil
}

func filterJoin(s *State, v any, args *Args) any {
	a := s.pyBind(args, "sync_do_join", 1, 0, "d", "attribute")
	sep := ""
	if !IsMissing(a[0]) {
		sep = ToString(a[0])
	}
	items := s.iterate(v)
	if !IsMissing(a[1]) && a[1] != nil {
		get := s.attrGetter(a[1], false, nil)
		mapped := make([]any, len(items))
		for i, it := range items {
			mapped[i] = get(it)
		}
		items = mapped
	}
	parts := make([]string, len(items))
	for i, it := range items {
		parts[i] = ToString(it)
	}
	return strings.Join(parts, sep)
}

func filterList(s *State, v any, args *Args) any {
	s.pyBind(args, "sync_do_list", 0, 0)
	return &List{Items: s.iterList(v)}
}

func filterMap(s *State, v any, args *Args) any {
	if !Truth(v) {
		return newGenerator("sync_do_map", nil)
	}
	var fn func(any) any
	if len(args.Pos) == 0 {
		if attr, ok := args.Kwarg("attribute"); ok {
			var def any
			for _, kv := range args.Kw {
				switch kv.Name {
				case "attribute":
				case "default":
					def = kv.Value
				default:
					s.Throw("FilterArgumentError", "Unexpected keyword argument %s", Repr(kv.Name))
				}
			}
			fn = s.attrGetter(attr, false, def)
		}
	}
	if fn == nil {
		if len(args.Pos) == 0 {
			s.Throw("FilterArgumentError", "map requires a filter argument")
		}
		name := args.Pos[0]
		rest := &Args{Pos: args.Pos[1:], Kw: args.Kw}
		fn = func(item any) any { return s.callFilterByName(name, item, rest) }
	}
	items := s.iterate(v)
	out := make([]any, len(items))
	for i, it := range items {
		out[i] = fn(it)
	}
	return newGenerator("sync_do_map", out)
}

func (s *State) minMax(v any, args *Args, fn string, sign int) any {
	a := s.pyBind(args, fn, 1, 0, "case_sensitive", "attribute")
	items := s.iterate(v)
	if len(items) == 0 {
		return &Undefined{Hint: "No aggregated item, sequence was empty.", Obj: noObj}
	}
	attr := a[1]
	if IsMissing(attr) {
		attr = nil
	}
	key := s.attrGetter(attr, IsMissing(a[0]) || !Truth(a[0]), nil)
	op := "<"
	if sign > 0 {
		op = ">"
	}
	best, bestKey := items[0], key(items[0])
	for _, it := range items[1:] {
		k := key(it)
		if s.compare(op, k, bestKey)*sign > 0 {
			best, bestKey = it, k
		}
	}
	return best
}

func filterPprint(s *State, v any, args *Args) any {
	s.pyBind(args, "do_pprint", 0, 0)
	return pformat(v)
}

func filterRandom(s *State, v any, args *Args) any {
	s.pyBind(args, "do_random", 1, 0)
	items := s.iterate(v)
	if len(items) == 0 {
		return &Undefined{Hint: "No random item, sequence was empty.", Obj: noObj}
	}
	return items[rand.IntN(len(items))]
}

func (s *State) selectOrReject(v any, args *Args, want, attr bool) any {
	if !Truth(v) {
		return newGenerator("select_or_reject", nil)
	}
	off := 0
	trans := func(x any) any { return x }
	if attr {
		if len(args.Pos) == 0 {
			s.Throw("FilterArgumentError", "Missing parameter for attribute name")
		}
		trans = s.attrGetter(args.Pos[0], false, nil)
		off = 1
	}
	test := Truth
	if len(args.Pos) > off {
		name := args.Pos[off]
		rest := &Args{Pos: args.Pos[off+1:], Kw: args.Kw}
		test = func(x any) bool { return s.callTestByName(name, x, rest) }
	}
	out := []any{}
	for _, it := range s.iterate(v) {
		if test(trans(it)) == want {
			out = append(out, it)
		}
	}
	return newGenerator("select_or_reject", out)
}

func filterReplace(s *State, v any, args *Args) any {
	a := s.pyBind(args, "do_replace", 1, 2, "old", "new", "count")
	if IsMissing(a[0]) || IsMissing(a[1]) {
		s.Throw("TypeError", "do_replace() missing required positional argument")
	}
	count := -1
	if !IsMissing(a[2]) && a[2] != nil {
		count = int(s.argInt(a[2]))
	}
	return strings.Replace(ToString(v), ToString(a[0]), ToString(a[1]), count)
}

func filterReverse(s *State, v any, args *Args) any {
	s.pyBind(args, "do_reverse", 0, 0)
	if str, ok := asString(v); ok {
		rs := []rune(str)
		for i, j := 0, len(rs)-1; i < j; i, j = i+1, j-1 {
			rs[i], rs[j] = rs[j], rs[i]
		}
		return keepMarkup(v, string(rs))
	}
	name := "reversed"
	switch v.(type) {
	case *List:
		name = "list_reverseiterator"
	case *Dict:
		name = "dict_reversekeyiterator"
	case *Range:
		name = "range_iterator"
	case Tuple, *Undefined, *DictView:
	default:
		if _, ok := v.(interface{ Iter() []any }); !ok {
			s.Throw("FilterArgumentError", "argument must be iterable")
		}
		// reversed() refuses iterators; Jinja2 then falls back to a list.
		items := s.iterList(v)
		reverseInPlace(items)
		return &List{Items: items}
	}
	items := s.iterList(v)
	reverseInPlace(items)
	return &Iterator{name: name, items: items}
}

func reverseInPlace(items []any) {
	for i, j := 0, len(items)-1; i < j; i, j = i+1, j-1 {
		items[i], items[j] = items[j], items[i]
	}
}

func filterRound(s *State, v any, args *Args) any {
	a := s.pyBind(args, "do_round", 0, 0, "precision", "method")
	method := "common"
	if !IsMissing(a[1]) {
		method = ToString(a[1])
		if _, ok := a[1].(string); !ok {
			method = ""
		}
	}
	if method != "common" && method != "ceil" && method != "floor" {
		s.Throw("FilterArgumentError", "method must be common, ceil or floor")
	}
	var prec int64
	if !IsMissing(a[0]) {
		prec = s.argInt(a[0])
	}
	switch x := v.(type) {
	case int64, bool, float64, *big.Int:
	case *Decimal:
		if method == "common" { // round(Decimal, n) quantizes, half to even
			return x.Quantize(int(-prec))
		}
		v = x.Float()
	default:
		s.Throw("TypeError", "type %s doesn't define __round__ method", typeName(v))
	}
	if method == "common" {
		if n, ok := toBig(v); ok {
			return roundInt(n, prec)
		}
		return pyRound(v.(float64), prec)
	}
	f, ok := asFloat(v)
	if !ok {
		f = bigFloat(v.(*big.Int))
	}
	scale := math.Pow(10, float64(prec))
	if method == "ceil" {
		return math.Ceil(f*scale) / scale
	}
	return math.Floor(f*scale) / scale
}

// roundInt is round(int, ndigits): ints stay ints, rounding half to even
// at negative precisions.
func roundInt(n *big.Int, prec int64) any {
	if prec >= 0 {
		return normBig(n)
	}
	if prec < -400 {
		return int64(0)
	}
	p := new(big.Int).Exp(big.NewInt(10), big.NewInt(-prec), nil)
	q, r := new(big.Int).DivMod(n, p, new(big.Int)) // r >= 0
	twice := new(big.Int).Lsh(r, 1)
	if c := twice.Cmp(p); c > 0 || c == 0 && q.Bit(0) == 1 {
		q.Add(q, big.NewInt(1))
	}
	return normBig(q.Mul(q, p))
}

// pyRound is Python's round(float, ndigits): correctly rounded, ties to
// even on the exact binary value.
func pyRound(f float64, prec int64) float64 {
	if math.IsInf(f, 0) || math.IsNaN(f) || f == 0 {
		return f
	}
	if prec > 330 {
		return f
	}
	if prec >= 0 {
		r, _ := strconv.ParseFloat(strconv.FormatFloat(f, 'f', int(prec), 64), 64)
		if r == 0 {
			return math.Copysign(0, f)
		}
		return r
	}
	if prec < -330 {
		return math.Copysign(0, f)
	}
	exact := new(big.Rat).SetFloat64(f)
	p := new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(-prec), nil))
	q := new(big.Rat).Quo(exact, p)
	// Round q half to even.
	num, den := q.Num(), q.Denom()
	i, m := new(big.Int).QuoRem(num, den, new(big.Int))
	if m.Sign() < 0 {
		i.Sub(i, big.NewInt(1))
		m.Add(m, den)
	}
	twice := new(big.Int).Mul(m, big.NewInt(2))
	switch c := twice.Cmp(den); {
	case c > 0, c == 0 && i.Bit(0) == 1:
		i.Add(i, big.NewInt(1))
	}
	r, _ := new(big.Rat).Mul(new(big.Rat).SetInt(i), p).Float64()
	if r == 0 {
		return math.Copysign(0, f)
	}
	return r
}

func filterSafe(s *State, v any, args *Args) any {
	s.pyBind(args, "do_mark_safe", 0, 0)
	if m, ok := v.(Markup); ok {
		return m
	}
	return Markup(ToString(v))
}

func filterSlice(s *State, v any, args *Args) any {
	a := s.pyBind(args, "sync_do_slice", 0, 1, "slices", "fill_with")
	if IsMissing(a[0]) {
		s.Throw("TypeError", "do_slice() missing 1 required positional argument: 'slices'")
	}
	slices := int(s.argInt(a[0]))
	seq := s.iterate(v)
	n := len(seq)
	if slices == 0 {
		s.Throw("ZeroDivisionError", "integer division or modulo by zero")
	}
	per := floorDiv(n, slices)
	extra := n - per*slices
	fill := a[1]
	offset := 0
	out := []any{}
	for k := 0; k < slices; k++ {
		start := offset + k*per
		if k < extra {
			offset++
		}
		end := offset + (k+1)*per
		tmp := []any{}
		for i := start; i < end && i < n; i++ {
			if i >= 0 {
				tmp = append(tmp, seq[i])
			}
		}
		if !IsMissing(fill) && fill != nil && k >= extra {
			tmp = append(tmp, fill)
		}
		out = append(out, &List{Items: tmp})
	}
	return newGenerator("sync_do_slice", out)
}

func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func filterSort(s *State, v any, args *Args) any {
	a := s.pyBind(args, "do_sort", 1, 0, "reverse", "case_sensitive", "attribute")
	attr := a[2]
	if IsMissing(attr) {
		attr = nil
	}
	lower := IsMissing(a[1]) || !Truth(a[1])
	items := s.iterList(v)
	s.sortValues(items, s.multiAttrGetter(attr, lower), !IsMissing(a[0]) && Truth(a[0]))
	return &List{Items: items}
}

func filterString(s *State, v any, args *Args) any {
	s.pyBind(args, "soft_str", 0, 0)
	return softStr(v)
}

func filterStriptags(s *State, v any, args *Args) any {
	s.pyBind(args, "do_striptags", 0, 0)
	str := ToString(v)
	for {
		start := strings.Index(str, "<!--")
		if start < 0 {
			break
		}
		end := strings.Index(str[start:], "-->")
		if end < 0 {
			break
		}
		str = str[:start] + str[start+end+3:]
	}
	for {
		start := strings.IndexByte(str, '<')
		if start < 0 {
			break
		}
		end := strings.IndexByte(str[start:], '>')
		if end < 0 {
			break
		}
		str = str[:start] + str[start+end+1:]
	}
	str = strings.Join(pySplitWhitespace(str, -1, false), " ")
	return html.UnescapeString(str)
}

func filterSum(s *State, v any, args *Args) any {
	a := s.pyBind(args, "sync_do_sum", 1, 0, "attribute", "start")
	var acc any = int64(0)
	if !IsMissing(a[1]) {
		acc = a[1]
	}
	if _, ok := asString(acc); ok {
		s.Throw("TypeError", "sum() can't sum strings [use ''.join(seq) instead]")
	}
	get := func(x any) any { return x }
	if !IsMissing(a[0]) && a[0] != nil {
		get = s.attrGetter(a[0], false, nil)
	}
	for _, it := range s.iterate(v) {
		acc = s.binaryOp("+", acc, get(it))
	}
	return acc
}

var titleSplitRe = regexp.MustCompile(`[-\s({\[<\x1c-\x1f\x85\xa0\p{Z}]+`)

// jinjaTitle is the title filter: each chunk after a run of "-", spaces or
// opening brackets gets its first character uppercased, the rest lowered.
func jinjaTitle(str string) string {
	var b strings.Builder
	word := func(w string) {
		if w == "" {
			return
		}
		r, size := utf8.DecodeRuneInString(w)
		b.WriteString(pyUpper(string(r)))
		b.WriteString(pyLower(w[size:]))
	}
	last := 0
	for _, m := range titleSplitRe.FindAllStringIndex(str, -1) {
		word(str[last:m[0]])
		word(str[m[0]:m[1]])
		last = m[1]
	}
	word(str[last:])
	return b.String()
}

func filterTrim(s *State, v any, args *Args) any {
	a := s.pyBind(args, "do_trim", 0, 0, "chars")
	var chars *string
	if !IsMissing(a[0]) && a[0] != nil {
		c, ok := asString(a[0])
		if !ok {
			s.Throw("TypeError", "strip arg must be None or str")
		}
		chars = &c
	}
	return keepMarkup(v, pyStrip(ToString(v), chars, true, true))
}

func filterTruncate(s *State, v any, args *Args) any {
	a := s.pyBind(args, "do_truncate", 1, 0, "length", "killwords", "end", "leeway")
	length := int64(255)
	if !IsMissing(a[0]) {
		length = s.argInt(a[0])
	}
	end := "..."
	if !IsMissing(a[2]) {
		end = ToString(a[2])
	}
	leeway := int64(5)
	if !IsMissing(a[3]) && a[3] != nil {
		leeway = s.argInt(a[3])
	}
	endLen := int64(utf8.RuneCountInString(end))
	if length < endLen {
		s.Throw("AssertionError", "expected length >= %d, got %d", endLen, length)
	}
	if leeway < 0 {
		s.Throw("AssertionError", "expected leeway >= 0, got %d", leeway)
	}
	n, ok := length2(v)
	if !ok {
		s.Throw("TypeError", "object of type '%s' has no len()", pyTypeName(v))
	}
	if int64(n) <= length+leeway {
		return v
	}
	str, ok := asString(v)
	if !ok {
		s.Throw("TypeError", "'%s' object is not subscriptable", typeName(v))
	}
	rs := []rune(str)
	cut := string(rs[:length-endLen])
	if !IsMissing(a[1]) && Truth(a[1]) {
		return keepMarkup(v, cut+end)
	}
	if i := strings.LastIndexByte(cut, ' '); i >= 0 {
		cut = cut[:i]
	}
	return keepMarkup(v, cut+end)
}

// length2 is len(v) including host values that only iterate.
func length2(v any) (int, bool) {
	if n, ok := length(v); ok {
		return n, true
	}
	return 0, false
}

type undefinedHashKey struct{}

func filterUnique(s *State, v any, args *Args) any {
	a := s.pyBind(args, "sync_do_unique", 1, 0, "case_sensitive", "attribute")
	attr := a[1]
	if IsMissing(attr) {
		attr = nil
	}
	get := s.attrGetter(attr, IsMissing(a[0]) || !Truth(a[0]), nil)
	seen := map[any]bool{}
	out := []any{}
	for _, it := range s.iterate(v) {
		k := get(it)
		hk, ok := hashKey(k)
		if _, undef := k.(*Undefined); undef {
			// Undefined hashes by type and all Undefineds are equal.
			hk, ok = undefinedHashKey{}, true
		}
		if !ok {
			s.Throw("TypeError", "unhashable type: '%s'", typeName(k))
		}
		if !seen[hk] {
			seen[hk] = true
			out = append(out, it)
		}
	}
	return newGenerator("sync_do_unique", out)
}

// urlQuote is Jinja2's url_quote: UTF-8 percent-encoding keeping
// letters, digits, "_.-~" and, outside query strings, "/".
func urlQuote(v any, forQS bool) string {
	str := ToString(v)
	var b strings.Builder
	for i := 0; i < len(str); i++ {
		c := str[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9',
			c == '_', c == '.', c == '-', c == '~', c == '/' && !forQS:
			b.WriteByte(c)
		case c == ' ' && forQS:
			b.WriteByte('+')
		default:
			b.WriteByte('%')
			b.WriteByte("0123456789ABCDEF"[c>>4])
			b.WriteByte("0123456789ABCDEF"[c&15])
		}
	}
	return b.String()
}

func filterUrlencode(s *State, v any, args *Args) any {
	s.pyBind(args, "do_urlencode", 0, 0)
	var pairs []any
	switch x := v.(type) {
	case string, Markup:
		return urlQuote(x, false)
	case *Dict:
		pairs = (&DictView{d: x, kind: "items"}).Iter()
	case *List, Tuple, *Undefined, *DictView:
		pairs = s.iterate(x)
	default:
		if it, ok := v.(interface{ Iter() []any }); ok {
			pairs = it.Iter()
		} else {
			return urlQuote(v, false)
		}
	}
	parts := make([]string, 0, len(pairs))
	for _, p := range pairs {
		kv := s.iterate(p)
		if len(kv) != 2 {
			if len(kv) < 2 {
				s.Throw("ValueError", "not enough values to unpack (expected 2, got %d)", len(kv))
			}
			s.Throw("ValueError", "too many values to unpack (expected 2)")
		}
		parts = append(parts, urlQuote(kv[0], true)+"="+urlQuote(kv[1], true))
	}
	return strings.Join(parts, "&")
}

var wordRe = regexp.MustCompile(`[\p{L}\p{N}_]+`)

func filterWordcount(s *State, v any, args *Args) any {
	s.pyBind(args, "do_wordcount", 0, 0)
	return int64(len(wordRe.FindAllStringIndex(ToString(v), -1)))
}

func filterWordwrap(s *State, v any, args *Args) any {
	a := s.pyBind(args, "do_wordwrap", 1, 0, "width", "break_long_words", "wrapstring", "break_on_hyphens")
	width := int64(79)
	if !IsMissing(a[0]) {
		width = s.argInt(a[0])
	}
	breakLong := IsMissing(a[1]) || Truth(a[1])
	wrap := "\n"
	if !IsMissing(a[2]) && a[2] != nil {
		wrap = ToString(a[2])
	}
	onHyphens := IsMissing(a[3]) || Truth(a[3])
	str, ok := asString(v)
	if !ok {
		if u, isU := v.(*Undefined); isU {
			s.failUndefined(u)
		}
		s.Throw("AttributeError", "'%s' object has no attribute 'splitlines'", typeName(v))
	}
	if width <= 0 {
		if str != "" {
			s.Throw("ValueError", "invalid width %d (must be > 0)", width)
		}
	}
	var paras []string
	for _, line := range pySplitlines(str, false) {
		paras = append(paras, strings.Join(textWrap(line, int(width), breakLong, onHyphens), wrap))
	}
	return strings.Join(paras, wrap)
}

func filterXmlattr(s *State, v any, args *Args) any {
	a := s.pyBind(args, "do_xmlattr", 1, 0, "autospace")
	d, ok := v.(*Dict)
	if !ok {
		if u, isU := v.(*Undefined); isU {
			s.failUndefined(u)
		}
		s.Throw("AttributeError", "'%s' object has no attribute 'items'", typeName(v))
	}
	var items []string
	keys, vals := d.Keys(), d.Values()
	for i, k := range keys {
		val := vals[i]
		if val == nil {
			continue
		}
		if _, ok := val.(*Undefined); ok {
			continue
		}
		ks := ToString(k)
		if strings.ContainsAny(ks, " \t\n\r\f\v/>=") {
			s.Throw("ValueError", "Invalid character in attribute name: %s", Repr(k))
		}
		items = append(items, htmlEscape(ks)+`="`+string(escapeValue(val))+`"`)
	}
	rv := strings.Join(items, " ")
	if (IsMissing(a[0]) || Truth(a[0])) && rv != "" {
		rv = " " + rv
	}
	return rv
}

// ---------------------------------------------------------------------------
// urlize

var (
	urlizeHTTPRe   = regexp.MustCompile(`(?i)^(?:(?:https?://|www\.)(?:[\p{L}\p{N}_%-]+\.)*(?:[a-z]{2,63}|xn--[\p{L}\p{N}_%]{2,59})|(?:[\p{L}\p{N}_%-]{2,63}\.)+(?:com|net|int|edu|gov|org|info|mil)|https?://(?:[0-9]{1,3}(?:\.[0-9]{1,3}){3}|\[(?:[0-9a-f]{0,4}:){2}(?:[0-9a-f]{0,4}:?){1,6}\]))(?::[0-9]{1,5})?(?:[/?#]\S*)?$`)
	urlizeEmailRe  = regexp.MustCompile(`^\S+@[\p{L}\p{N}_][\p{L}\p{N}_.-]*\.[\p{L}\p{N}_]+$`)
	urlizeSchemeRe = regexp.MustCompile(`^[\p{L}\p{N}_.+-]{2,}:/{0,2}$`)
	urlizeSpaceRe  = regexp.MustCompile(`\s+`)
	urlizeHeadRe   = regexp.MustCompile(`^(?:[(<]|&lt;)+`)
	urlizeTailRe   = regexp.MustCompile(`(?:[)>.,\n]|&gt;)+$`)
)

func filterUrlize(s *State, v any, args *Args) any {
	a := s.pyBind(args, "do_urlize", 1, 0, "trim_url_limit", "nofollow", "target", "rel", "extra_schemes")
	relParts := map[string]bool{}
	if !IsMissing(a[3]) && a[3] != nil {
		for _, p := range strings.Fields(ToString(a[3])) {
			relParts[p] = true
		}
	}
	if !IsMissing(a[1]) && Truth(a[1]) {
		relParts["nofollow"] = true
	}
	relParts["noopener"] = true
	var rels []string
	for p := range relParts {
		rels = append(rels, p)
	}
	sort.Strings(rels)
	rel := strings.Join(rels, " ")
	target := ""
	if !IsMissing(a[2]) && a[2] != nil {
		target = ToString(a[2])
	}
	var schemes []string
	if !IsMissing(a[4]) && a[4] != nil {
		for _, sc := range s.iterate(a[4]) {
			str := ToString(sc)
			if !urlizeSchemeRe.MatchString(str) {
				s.Throw("FilterArgumentError", "%s is not a valid URI scheme prefix.", Repr(sc))
			}
			schemes = append(schemes, str)
		}
	}
	limit := -1
	if !IsMissing(a[0]) && a[0] != nil {
		limit = int(s.argInt(a[0]))
	}
	trim := func(x string) string {
		if limit >= 0 && utf8.RuneCountInString(x) > limit {
			return string([]rune(x)[:limit]) + "..."
		}
		return x
	}
	text := htmlEscape(ToString(v))
	relAttr, targetAttr := "", ""
	if rel != "" {
		relAttr = ` rel="` + htmlEscape(rel) + `"`
	}
	if target != "" {
		targetAttr = ` target="` + htmlEscape(target) + `"`
	}
	var out strings.Builder
	last := 0
	process := func(word string) {
		head, middle, tail := "", word, ""
		if m := urlizeHeadRe.FindString(middle); m != "" {
			head, middle = m, middle[len(m):]
		}
		if m := urlizeTailRe.FindStringIndex(middle); m != nil {
			tail, middle = middle[m[0]:], middle[:m[0]]
		}
		for _, pair := range [][2]string{{"(", ")"}, {"<", ">"}, {"&lt;", "&gt;"}} {
			startCount := strings.Count(middle, pair[0])
			if startCount <= strings.Count(middle, pair[1]) {
				continue
			}
			moves := startCount
			if c := strings.Count(tail, pair[1]); c < moves {
				moves = c
			}
			for k := 0; k < moves; k++ {
				end := strings.Index(tail, pair[1]) + len(pair[1])
				middle += tail[:end]
				tail = tail[end:]
			}
		}
		switch {
		case urlizeHTTPRe.MatchString(middle):
			href := middle
			if !strings.HasPrefix(middle, "https://") && !strings.HasPrefix(middle, "http://") {
				href = "https://" + middle
			}
			middle = `<a href="` + href + `"` + relAttr + targetAttr + `>` + trim(middle) + `</a>`
		case strings.HasPrefix(middle, "mailto:") && urlizeEmailRe.MatchString(middle[7:]):
			middle = `<a href="` + middle + `">` + middle[7:] + `</a>`
		case strings.Contains(middle, "@") && !strings.HasPrefix(middle, "www.") &&
			!strings.HasPrefix(middle, "@") && !strings.Contains(middle, ":") && urlizeEmailRe.MatchString(middle):
			middle = `<a href="mailto:` + middle + `">` + middle + `</a>`
		default:
			for _, sc := range schemes {
				if middle != sc && strings.HasPrefix(middle, sc) {
					middle = `<a href="` + middle + `"` + relAttr + targetAttr + `>` + middle + `</a>`
				}
			}
		}
		out.WriteString(head + middle + tail)
	}
	for _, m := range urlizeSpaceRe.FindAllStringIndex(text, -1) {
		process(text[last:m[0]])
		out.WriteString(text[m[0]:m[1]])
		last = m[1]
	}
	process(text[last:])
	return out.String()
}

// ---------------------------------------------------------------------------
// tojson

func filterTojson(s *State, v any, args *Args) any {
	a := s.pyBind(args, "do_tojson", 1, 0, "indent")
	ind, hasIndent := "", false
	if !IsMissing(a[0]) && a[0] != nil {
		hasIndent = true
		if str, ok := asString(a[0]); ok {
			ind = str
		} else if n, ok := asInt(a[0]); ok {
			if n > 0 {
				ind = strings.Repeat(" ", int(n))
			}
		} else {
			s.Throw("TypeError", "can't multiply sequence by non-int of type '%s'", typeName(a[0]))
		}
	}
	var b strings.Builder
	s.jsonDump(&b, v, ind, hasIndent, 0, true)
	r := strings.NewReplacer("<", `\u003c`, ">", `\u003e`, "&", `\u0026`, "'", `\u0027`)
	return Markup(r.Replace(b.String()))
}

// jsonString writes str as a JSON string with Python's ensure_ascii.
func jsonString(b *strings.Builder, str string) {
	b.WriteByte('"')
	for _, r := range str {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\b':
			b.WriteString(`\b`)
		case r == '\f':
			b.WriteString(`\f`)
		case r >= 0x20 && r < 0x7f:
			b.WriteRune(r)
		case r > 0xffff:
			r -= 0x10000
			b.WriteString(`\u`)
			writeHex(b, int64(0xd800|(r>>10)), 4)
			b.WriteString(`\u`)
			writeHex(b, int64(0xdc00|(r&0x3ff)), 4)
		default:
			b.WriteString(`\u`)
			writeHex(b, int64(r), 4)
		}
	}
	b.WriteByte('"')
}

func jsonFloat(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case math.IsNaN(f):
		return "NaN"
	}
	return formatFloat(f)
}

// DumpJSON is Python's json.dumps(v, sort_keys=sortKeys) for template
// values (dbt's tojson context function); unserializable values are a
// TypeError, as in Python.
func DumpJSON(v any, sortKeys bool) (out string, err error) {
	s := &State{env: NewEnvironment()}
	err = s.protect(func() {
		var b strings.Builder
		s.jsonDump(&b, v, "", false, 0, sortKeys)
		out = b.String()
	})
	return out, err
}

// jsonDump is Python's json.dumps(v[, sort_keys=…][, indent=…]).
func (s *State) jsonDump(b *strings.Builder, v any, ind string, hasIndent bool, level int, sortKeys bool) {
	newline := func(l int) {
		if hasIndent {
			b.WriteByte('\n')
			b.WriteString(strings.Repeat(ind, l))
		}
	}
	itemSep := ", "
	if hasIndent {
		itemSep = ","
	}
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		if x {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	case int64:
		b.WriteString(strconv.FormatInt(x, 10))
	case *big.Int:
		b.WriteString(x.String())
	case float64:
		b.WriteString(jsonFloat(x))
	case string:
		jsonString(b, x)
	case Markup:
		jsonString(b, string(x))
	case *List, Tuple, *GroupTuple:
		items := s.iterate(x)
		if len(items) == 0 {
			b.WriteString("[]")
			return
		}
		b.WriteByte('[')
		for i, it := range items {
			if i > 0 {
				b.WriteString(itemSep)
			}
			newline(level + 1)
			s.jsonDump(b, it, ind, hasIndent, level+1, sortKeys)
		}
		newline(level)
		b.WriteByte(']')
	case *Dict:
		if x.Len() == 0 {
			b.WriteString("{}")
			return
		}
		keys := append([]any(nil), x.Keys()...)
		order := make([]any, len(keys))
		for i := range order {
			order[i] = int64(i)
		}
		if sortKeys {
			s.pySort(order, keys, false)
		}
		b.WriteByte('{')
		for n, o := range order {
			i := o.(int64)
			k := x.Keys()[i]
			var ks string
			switch kk := k.(type) {
			case string:
				ks = kk
			case Markup:
				ks = string(kk)
			case bool:
				ks = "false"
				if kk {
					ks = "true"
				}
			case int64:
				ks = strconv.FormatInt(kk, 10)
			case float64:
				ks = jsonFloat(kk)
			case nil:
				ks = "null"
			default:
				s.Throw("TypeError", "keys must be str, int, float, bool or None, not %s", typeName(k))
			}
			if n > 0 {
				b.WriteString(itemSep)
			}
			newline(level + 1)
			jsonString(b, ks)
			b.WriteString(": ")
			s.jsonDump(b, x.Values()[i], ind, hasIndent, level+1, sortKeys)
		}
		newline(level)
		b.WriteByte('}')
	default:
		s.Throw("TypeError", "Object of type %s is not JSON serializable", pyTypeName(v))
	}
}

// ---------------------------------------------------------------------------
// pprint (Python's pprint.pformat with its defaults: width 80, indent 1,
// dicts sorted)

func runeLen(s string) int { return utf8.RuneCountInString(s) }

// safeKeyLess orders dict keys the way pprint's _safe_key does: natural
// order when comparable, else by type name (then insertion order).
func safeKeyLess(a, b any) bool {
	if c, ok := compareValues(a, b); ok {
		return c < 0
	}
	return "<class '"+typeName(a)+"'>" < "<class '"+typeName(b)+"'>"
}

// sortedDictItems returns d's keys and values sorted by key.
func sortedDictItems(d *Dict) ([]any, []any) {
	n := d.Len()
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	keys, vals := d.Keys(), d.Values()
	sort.SliceStable(idx, func(i, j int) bool { return safeKeyLess(keys[idx[i]], keys[idx[j]]) })
	ks, vs := make([]any, n), make([]any, n)
	for i, k := range idx {
		ks[i], vs[i] = keys[k], vals[k]
	}
	return ks, vs
}

// safeRepr is pprint's repr: like repr, but dicts print with sorted keys.
func safeRepr(v any) string {
	switch x := v.(type) {
	case *Dict:
		ks, vs := sortedDictItems(x)
		var b strings.Builder
		b.WriteByte('{')
		for i := range ks {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(safeRepr(ks[i]))
			b.WriteString(": ")
			b.WriteString(safeRepr(vs[i]))
		}
		b.WriteByte('}')
		return b.String()
	case *List:
		parts := make([]string, len(x.Items))
		for i, e := range x.Items {
			parts[i] = safeRepr(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case Tuple:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = safeRepr(e)
		}
		if len(x) == 1 {
			return "(" + parts[0] + ",)"
		}
		return "(" + strings.Join(parts, ", ") + ")"
	}
	return Repr(v)
}

func pformat(v any) string {
	var b strings.Builder
	ppFormat(&b, v, 0, 0, 0)
	return b.String()
}

func ppFormat(b *strings.Builder, v any, indent, allowance, level int) {
	rep := safeRepr(v)
	if runeLen(rep) > 80-indent-allowance {
		switch x := v.(type) {
		case *Dict:
			b.WriteByte('{')
			if x.Len() > 0 {
				ks, vs := sortedDictItems(x)
				ind := indent + 1
				for i := range ks {
					last := i == len(ks)-1
					kr := safeRepr(ks[i])
					b.WriteString(kr)
					b.WriteString(": ")
					al := 1
					if last {
						al = allowance + 1
					}
					ppFormat(b, vs[i], ind+runeLen(kr)+2, al, level+1)
					if !last {
						b.WriteString(",\n" + strings.Repeat(" ", ind))
					}
				}
			}
			b.WriteByte('}')
			return
		case *List:
			b.WriteByte('[')
			ppItems(b, x.Items, indent, allowance+1, level+1)
			b.WriteByte(']')
			return
		case Tuple:
			b.WriteByte('(')
			end := ")"
			if len(x) == 1 {
				end = ",)"
			}
			ppItems(b, x, indent, allowance+len(end), level+1)
			b.WriteString(end)
			return
		case string:
			ppStr(b, x, indent, allowance, level+1)
			return
		}
	}
	b.WriteString(rep)
}

func ppItems(b *strings.Builder, items []any, indent, allowance, level int) {
	indent++
	for i, it := range items {
		last := i == len(items)-1
		if i > 0 {
			b.WriteString(",\n" + strings.Repeat(" ", indent))
		}
		al := 1
		if last {
			al = allowance
		}
		ppFormat(b, it, indent, al, level)
	}
}

// ppStr splits a long string into adjacent literals at line ends and
// between words.
func ppStr(b *strings.Builder, str string, indent, allowance, level int) {
	if str == "" {
		b.WriteString(Repr(str))
		return
	}
	var chunks []string
	lines := pySplitlines(str, true)
	if level == 1 {
		indent++
		allowance++
	}
	maxWidth := 80 - indent
	maxWidth1 := maxWidth
	var rep string
	for i, line := range lines {
		rep = Repr(line)
		if i == len(lines)-1 {
			maxWidth1 -= allowance
		}
		if runeLen(rep) <= maxWidth1 {
			chunks = append(chunks, rep)
			continue
		}
		parts := wordSpaceParts(line)
		maxWidth2 := maxWidth
		current := ""
		for j, part := range parts {
			candidate := current + part
			if j == len(parts)-1 && i == len(lines)-1 {
				maxWidth2 -= allowance
			}
			if runeLen(Repr(candidate)) > maxWidth2 {
				if current != "" {
					chunks = append(chunks, Repr(current))
				}
				current = part
			} else {
				current = candidate
			}
		}
		if current != "" {
			chunks = append(chunks, Repr(current))
		}
	}
	if len(chunks) == 1 {
		b.WriteString(rep)
		return
	}
	if level == 1 {
		b.WriteByte('(')
	}
	for i, c := range chunks {
		if i > 0 {
			b.WriteString("\n" + strings.Repeat(" ", indent))
		}
		b.WriteString(c)
	}
	if level == 1 {
		b.WriteByte(')')
	}
}

// wordSpaceParts is re.findall(r'\S*\s*', line) without the final empty
// match.
func wordSpaceParts(line string) []string {
	var parts []string
	rs := []rune(line)
	i := 0
	for i < len(rs) {
		j := i
		for j < len(rs) && !pyIsSpace(rs[j]) {
			j++
		}
		for j < len(rs) && pyIsSpace(rs[j]) {
			j++
		}
		parts = append(parts, string(rs[i:j]))
		i = j
	}
	return parts
}

// ---------------------------------------------------------------------------
// wordwrap (Python's textwrap.wrap with expand_tabs=False,
// replace_whitespace=False)

func isTWSpace(r rune) bool { return strings.ContainsRune("\t\n\v\f\r ", r) }

// isWordChar is Python's regex \w.
func isWordChar(r rune) bool { return r == '_' || unicode.IsLetter(r) || unicode.IsNumber(r) }

// isLetterRe is textwrap's letter class [^\d\W].
func isLetterRe(r rune) bool { return isWordChar(r) && !unicode.IsDigit(r) }

func isWordPunct(r rune) bool { return isWordChar(r) || strings.ContainsRune("!\"'&.,?", r) }

// twChunks splits text into words and whitespace runs like textwrap's
// wordsep_re (break_on_hyphens) or wordsep_simple_re.
func twChunks(text string, onHyphens bool) [][]rune {
	rs := []rune(text)
	n := len(rs)
	at := func(i int) rune {
		if i < 0 || i >= n {
			return -1
		}
		return rs[i]
	}
	var out [][]rune
	i := 0
	for i < n {
		if isTWSpace(rs[i]) {
			j := i
			for j < n && isTWSpace(rs[j]) {
				j++
			}
			out = append(out, rs[i:j])
			i = j
			continue
		}
		if !onHyphens {
			j := i
			for j < n && !isTWSpace(rs[j]) {
				j++
			}
			out = append(out, rs[i:j])
			i = j
			continue
		}
		// em-dash between words
		if i > 0 && isWordPunct(rs[i-1]) && rs[i] == '-' {
			j := i
			for j < n && rs[j] == '-' {
				j++
			}
			if j-i >= 2 && j < n && isWordChar(rs[j]) {
				out = append(out, rs[i:j])
				i = j
				continue
			}
		}
		// a word, possibly ending at a hyphen
		end := n
		for k := i + 1; k <= n; k++ {
			if at(k) == '-' {
				behind := isLetterRe(at(k-2)) && isLetterRe(at(k-1)) ||
					isLetterRe(at(k-3)) && at(k-2) == '-' && isLetterRe(at(k-1))
				ahead := isLetterRe(at(k+1)) && (isLetterRe(at(k+2)) || at(k+2) == '-' && isLetterRe(at(k+3)))
				if behind && ahead {
					end = k + 1
					break
				}
			}
			if k == n || isTWSpace(rs[k]) {
				end = k
				break
			}
			if isWordPunct(rs[k-1]) && at(k) == '-' && at(k+1) == '-' {
				j := k
				for j < n && rs[j] == '-' {
					j++
				}
				if j < n && isWordChar(rs[j]) {
					end = k
					break
				}
			}
		}
		out = append(out, rs[i:end])
		i = end
	}
	return out
}

func isBlank(rs []rune) bool {
	for _, r := range rs {
		if !pyIsSpace(r) {
			return false
		}
	}
	return true
}

// textWrap is textwrap.wrap(text, width, break_long_words, break_on_hyphens).
func textWrap(text string, width int, breakLong, onHyphens bool) []string {
	chunks := twChunks(text, onHyphens)
	// chunks is used as a stack, like textwrap's reversed list.
	for i, j := 0, len(chunks)-1; i < j; i, j = i+1, j-1 {
		chunks[i], chunks[j] = chunks[j], chunks[i]
	}
	var lines []string
	for len(chunks) > 0 {
		var cur [][]rune
		curLen := 0
		if isBlank(chunks[len(chunks)-1]) && len(lines) > 0 {
			chunks = chunks[:len(chunks)-1]
		}
		for len(chunks) > 0 {
			l := len(chunks[len(chunks)-1])
			if curLen+l > width {
				break
			}
			cur = append(cur, chunks[len(chunks)-1])
			chunks = chunks[:len(chunks)-1]
			curLen += l
		}
		if len(chunks) > 0 && len(chunks[len(chunks)-1]) > width {
			spaceLeft := width - curLen
			if width < 1 {
				spaceLeft = 1
			}
			if breakLong {
				chunk := chunks[len(chunks)-1]
				end := spaceLeft
				if onHyphens && len(chunk) > spaceLeft {
					hyphen := -1
					for k := spaceLeft - 1; k >= 0; k-- {
						if k < len(chunk) && chunk[k] == '-' {
							hyphen = k
							break
						}
					}
					if hyphen > 0 {
						for _, r := range chunk[:hyphen] {
							if r != '-' {
								end = hyphen + 1
								break
							}
						}
					}
				}
				if end > len(chunk) {
					end = len(chunk)
				}
				cur = append(cur, chunk[:end])
				chunks[len(chunks)-1] = chunk[end:]
			} else if len(cur) == 0 {
				cur = append(cur, chunks[len(chunks)-1])
				chunks = chunks[:len(chunks)-1]
			}
			curLen = 0
			for _, c := range cur {
				curLen += len(c)
			}
		}
		if len(cur) > 0 && isBlank(cur[len(cur)-1]) {
			curLen -= len(cur[len(cur)-1])
			cur = cur[:len(cur)-1]
		}
		if len(cur) > 0 {
			var b strings.Builder
			for _, c := range cur {
				b.WriteString(string(c))
			}
			lines = append(lines, b.String())
		}
	}
	return lines
}
