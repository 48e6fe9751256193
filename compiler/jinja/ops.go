package jinja

import (
	"math"
	"math/big"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ToString is Python's str(v), which is what {{ v }} prints.
func ToString(v any) string {
	switch x := v.(type) {
	case *big.Int:
		return x.String()
	case string:
		return x
	case Markup:
		return string(x)
	case nil:
		return "None"
	case bool:
		if x {
			return "True"
		}
		return "False"
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return formatFloat(x)
	case *Undefined:
		return ""
	case Stringer:
		return x.String()
	}
	return Repr(v)
}

// Repr is Python's repr(v).
func Repr(v any) string {
	var b strings.Builder
	writeRepr(&b, v)
	return b.String()
}

func writeRepr(b *strings.Builder, v any) {
	switch x := v.(type) {
	case string:
		writeStrRepr(b, x)
	case Markup:
		b.WriteString("Markup(")
		writeStrRepr(b, string(x))
		b.WriteByte(')')
	case *List:
		b.WriteByte('[')
		for i, e := range x.Items {
			if i > 0 {
				b.WriteString(", ")
			}
			if e == v {
				b.WriteString("[...]")
				continue
			}
			writeRepr(b, e)
		}
		b.WriteByte(']')
	case Tuple:
		b.WriteByte('(')
		for i, e := range x {
			if i > 0 {
				b.WriteString(", ")
			}
			writeRepr(b, e)
		}
		if len(x) == 1 {
			b.WriteByte(',')
		}
		b.WriteByte(')')
	case *Dict:
		b.WriteByte('{')
		for i, k := range x.keys {
			if i > 0 {
				b.WriteString(", ")
			}
			writeRepr(b, k)
			b.WriteString(": ")
			if x.vals[i] == v {
				b.WriteString("{...}")
				continue
			}
			writeRepr(b, x.vals[i])
		}
		b.WriteByte('}')
	case *Undefined:
		b.WriteString("Undefined")
	case *Namespace:
		b.WriteString("<Namespace ")
		writeRepr(b, x.Attrs)
		b.WriteByte('>')
	case *Macro:
		b.WriteString("<Macro '" + x.def.Name + "'>")
	case interface{ Repr() string }:
		b.WriteString(x.Repr())
	case nil, bool, int64, float64, *big.Int:
		b.WriteString(ToString(v))
	case Stringer:
		b.WriteString(x.String())
	case Callable:
		b.WriteString("<function " + typeName(v) + ">")
	default:
		b.WriteString("<" + typeName(v) + " object>")
	}
}

// writeStrRepr quotes s the way Python's repr(str) does.
func writeStrRepr(b *strings.Builder, s string) {
	quote := byte('\'')
	if strings.IndexByte(s, '\'') >= 0 && strings.IndexByte(s, '"') < 0 {
		quote = '"'
	}
	b.WriteByte(quote)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == rune(quote) || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == utf8.RuneError && size == 1:
			b.WriteString(`\x`)
			b.WriteString(strconv.FormatInt(int64(s[i-1]), 16))
		case r < 0x20 || r == 0x7f:
			b.WriteString(`\x`)
			writeHex(b, int64(r), 2)
		case r < 0x7f:
			b.WriteRune(r)
		case isPyPrintable(r):
			b.WriteRune(r)
		case r <= 0xff:
			b.WriteString(`\x`)
			writeHex(b, int64(r), 2)
		case r <= 0xffff:
			b.WriteString(`\u`)
			writeHex(b, int64(r), 4)
		default:
			b.WriteString(`\U`)
			writeHex(b, int64(r), 8)
		}
	}
	b.WriteByte(quote)
}

func writeHex(b *strings.Builder, n int64, width int) {
	h := strconv.FormatInt(n, 16)
	for i := len(h); i < width; i++ {
		b.WriteByte('0')
	}
	b.WriteString(h)
}

// isPyPrintable approximates Python's str.isprintable for one rune.
func isPyPrintable(r rune) bool {
	if r == ' ' {
		return true
	}
	if unicode.IsSpace(r) || unicode.In(r, unicode.Cc, unicode.Cf, unicode.Cs, unicode.Co, unicode.Zl, unicode.Zp, unicode.Zs) {
		return false
	}
	return unicode.IsPrint(r) || unicode.IsGraphic(r)
}

// ---------------------------------------------------------------------------
// Arithmetic

func (s *State) binaryOp(op string, l, r any) any {
	if op == "%" {
		// String formatting takes any right operand as-is: big ints,
		// undefined values (which print as '').
		switch x := l.(type) {
		case string:
			return s.percentFormat(x, r)
		case Markup:
			return s.markupPercent(x, r)
		}
	}
	if u, ok := l.(*Undefined); ok {
		s.failUndefined(u)
	}
	if u, ok := r.(*Undefined); ok {
		s.failUndefined(u)
	}
	if o, ok := l.(Operand); ok {
		if v, ok := o.BinaryOp(s, op, r, false); ok {
			return v
		}
	}
	if o, ok := r.(Operand); ok {
		if v, ok := o.BinaryOp(s, op, l, true); ok {
			return v
		}
	}
	_, lbig := l.(*big.Int)
	_, rbig := r.(*big.Int)
	if lbig || rbig {
		if v, ok := s.bigOp(op, l, r); ok {
			return v
		}
		if lbig {
			l = bigFloat(l.(*big.Int))
		}
		if rbig {
			r = bigFloat(r.(*big.Int))
		}
	}
	switch op {
	case "+":
		if a, ok := asInt(l); ok {
			if b, ok := asInt(r); ok {
				c := a + b
				if (b > 0 && c < a) || (b < 0 && c > a) {
					v, _ := s.bigOp(op, l, r)
					return v
				}
				return c
			}
		}
		if a, ok := asFloat(l); ok {
			if b, ok := asFloat(r); ok {
				return a + b
			}
		}
		if a, ok := asString(l); ok {
			if b, ok := asString(r); ok {
				if _, m := l.(Markup); m {
					return Markup(a + b)
				}
				if _, m := r.(Markup); m {
					return Markup(a + b)
				}
				return a + b
			}
		}
		switch a := l.(type) {
		case *List:
			if b, ok := r.(*List); ok {
				items := make([]any, 0, len(a.Items)+len(b.Items))
				items = append(append(items, a.Items...), b.Items...)
				return &List{Items: items}
			}
			s.Throw("TypeError", "can only concatenate list (not \"%s\") to list", typeName(r))
		case Tuple:
			if b, ok := r.(Tuple); ok {
				items := make(Tuple, 0, len(a)+len(b))
				return append(append(items, a...), b...)
			}
			s.Throw("TypeError", "can only concatenate tuple (not \"%s\") to tuple", typeName(r))
		}
		if _, ok := asString(l); ok {
			s.Throw("TypeError", "can only concatenate str (not \"%s\") to str", typeName(r))
		}
	case "-":
		if a, ok := asInt(l); ok {
			if b, ok := asInt(r); ok {
				c := a - b
				if (b < 0 && c < a) || (b > 0 && c > a) {
					v, _ := s.bigOp(op, l, r)
					return v
				}
				return c
			}
		}
		if a, ok := asFloat(l); ok {
			if b, ok := asFloat(r); ok {
				return a - b
			}
		}
	case "*":
		if a, ok := asInt(l); ok {
			if b, ok := asInt(r); ok {
				if mulOverflows(a, b) {
					v, _ := s.bigOp(op, l, r)
					return v
				}
				return a * b
			}
		}
		if a, ok := asFloat(l); ok {
			if b, ok := asFloat(r); ok {
				return a * b
			}
		}
		if n, ok := asInt(r); ok {
			if v, ok := repeatSeq(l, n); ok {
				return v
			}
		}
		if n, ok := asInt(l); ok {
			if v, ok := repeatSeq(r, n); ok {
				return v
			}
		}
	case "/":
		a, ok1 := asFloat(l)
		b, ok2 := asFloat(r)
		if ok1 && ok2 {
			if b == 0 {
				s.Throw("ZeroDivisionError", "division by zero")
			}
			return a / b
		}
	case "//":
		if a, ok := asInt(l); ok {
			if b, ok := asInt(r); ok {
				if b == 0 {
					s.Throw("ZeroDivisionError", "integer division or modulo by zero")
				}
				q := a / b
				if (a%b != 0) && ((a < 0) != (b < 0)) {
					q--
				}
				return q
			}
		}
		a, ok1 := asFloat(l)
		b, ok2 := asFloat(r)
		if ok1 && ok2 {
			if b == 0 {
				s.Throw("ZeroDivisionError", "float floor division by zero")
			}
			return math.Floor(a / b)
		}
	case "%":
		if str, ok := asString(l); ok {
			out := s.percentFormat(str, r)
			if _, m := l.(Markup); m {
				return Markup(out)
			}
			return out
		}
		if a, ok := asInt(l); ok {
			if b, ok := asInt(r); ok {
				if b == 0 {
					s.Throw("ZeroDivisionError", "integer division or modulo by zero")
				}
				m := a % b
				if m != 0 && (m < 0) != (b < 0) {
					m += b
				}
				return m
			}
		}
		a, ok1 := asFloat(l)
		b, ok2 := asFloat(r)
		if ok1 && ok2 {
			if b == 0 {
				s.Throw("ZeroDivisionError", "float modulo")
			}
			m := math.Mod(a, b)
			if m != 0 && (m < 0) != (b < 0) {
				m += b
			}
			return m
		}
	case "**":
		if a, ok := asInt(l); ok {
			if b, ok := asInt(r); ok {
				if b >= 0 {
					if powOverflows(a, b) {
						v, _ := s.bigOp(op, l, r)
						return v
					}
					return intPow(a, b)
				}
				if a == 0 {
					s.Throw("ZeroDivisionError", "0.0 cannot be raised to a negative power")
				}
				return math.Pow(float64(a), float64(b))
			}
		}
		a, ok1 := asFloat(l)
		b, ok2 := asFloat(r)
		if ok1 && ok2 {
			if a == 0 && b < 0 {
				s.Throw("ZeroDivisionError", "0.0 cannot be raised to a negative power")
			}
			return math.Pow(a, b)
		}
	}
	s.Throw("TypeError", "unsupported operand type(s) for %s: '%s' and '%s'", op, typeName(l), typeName(r))
	return nil
}

func intPow(a, b int64) int64 {
	r := int64(1)
	for b > 0 {
		if b&1 == 1 {
			r *= a
		}
		a *= a
		b >>= 1
	}
	return r
}

func repeatSeq(v any, n int64) (any, bool) {
	if n < 0 {
		n = 0
	}
	switch x := v.(type) {
	case string:
		return strings.Repeat(x, int(n)), true
	case Markup:
		return Markup(strings.Repeat(string(x), int(n))), true
	case *List:
		items := make([]any, 0, len(x.Items)*int(n))
		for i := int64(0); i < n; i++ {
			items = append(items, x.Items...)
		}
		return &List{Items: items}, true
	case Tuple:
		items := make(Tuple, 0, len(x)*int(n))
		for i := int64(0); i < n; i++ {
			items = append(items, x...)
		}
		return items, true
	}
	return nil, false
}

// ---------------------------------------------------------------------------
// Comparison

// Equal is Python's ==.
func Equal(a, b any) bool {
	if e, ok := a.(interface{ Equal(any) bool }); ok {
		return e.Equal(b)
	}
	if e, ok := b.(interface{ Equal(any) bool }); ok {
		return e.Equal(a)
	}
	if ab, ok := a.(*big.Int); ok {
		if bb, ok := toBig(b); ok {
			return ab.Cmp(bb) == 0
		}
		return false
	}
	if bb, ok := b.(*big.Int); ok {
		if ab, ok := toBig(a); ok {
			return ab.Cmp(bb) == 0
		}
		return false
	}
	switch x := a.(type) {
	case nil:
		return b == nil
	case string:
		y, ok := asString(b)
		return ok && x == y
	case Markup:
		y, ok := asString(b)
		return ok && string(x) == y
	case int64, bool, float64:
		if ai, ok := asInt(a); ok {
			if bi, ok := asInt(b); ok {
				return ai == bi
			}
		}
		if c, ok := mixedCompare(a, b); ok {
			return c == 0
		}
		af, _ := asFloat(a)
		bf, ok := asFloat(b)
		return ok && af == bf
	case *List:
		y, ok := b.(*List)
		if !ok {
			return false
		}
		if x == y {
			return true
		}
		return seqEqual(x.Items, y.Items)
	case Tuple:
		y, ok := b.(Tuple)
		return ok && seqEqual(x, y)
	case *Dict:
		y, ok := b.(*Dict)
		if !ok {
			return false
		}
		if x.Len() != y.Len() {
			return false
		}
		for i, k := range x.keys {
			v, ok := y.Get(k)
			if !ok || !Equal(x.vals[i], v) {
				return false
			}
		}
		return true
	case *Undefined:
		_, ok := b.(*Undefined)
		return ok
	}
	if isComparable(a) && isComparable(b) {
		return a == b
	}
	return false
}

func isComparable(v any) bool {
	switch v.(type) {
	case Tuple, *List, *Dict:
		return false
	}
	return true
}

func seqEqual(a, b []any) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}

// compare orders a and b for <, <=, >, >=, raising TypeError like Python for
// unorderable types. It returns -1, 0 or 1.
func (s *State) compare(op string, a, b any) int {
	if c, ok := compareValues(a, b); ok {
		return c
	}
	if u, ok := a.(*Undefined); ok {
		s.failUndefined(u)
	}
	if u, ok := b.(*Undefined); ok {
		s.failUndefined(u)
	}
	s.Throw("TypeError", "'%s' not supported between instances of '%s' and '%s'", op, typeName(a), typeName(b))
	return 0
}

// compareValues is Python ordering for the types that support it.
func compareValues(a, b any) (int, bool) {
	if c, ok := a.(Comparer); ok {
		if r, ok := c.Compare(b); ok {
			return r, true
		}
	}
	if c, ok := b.(Comparer); ok {
		if r, ok := c.Compare(a); ok {
			return -r, true
		}
	}
	_, abig := a.(*big.Int)
	_, bbig := b.(*big.Int)
	if abig || bbig {
		if x, ok := toBig(a); ok {
			if y, ok := toBig(b); ok {
				return x.Cmp(y), true
			}
		}
	}
	if ai, ok := asInt(a); ok {
		if bi, ok := asInt(b); ok {
			return cmp3(ai < bi, ai > bi), true
		}
	}
	if c, ok := mixedCompare(a, b); ok {
		return c, true
	}
	if af, ok := asFloat(a); ok {
		if bf, ok := asFloat(b); ok {
			return cmp3(af < bf, af > bf), true
		}
	}
	if as, ok := asString(a); ok {
		if bs, ok := asString(b); ok {
			return strings.Compare(as, bs), true
		}
	}
	var x, y []any
	switch av := a.(type) {
	case *List:
		bv, ok := b.(*List)
		if !ok {
			return 0, false
		}
		x, y = av.Items, bv.Items
	case Tuple:
		bv, ok := b.(Tuple)
		if !ok {
			return 0, false
		}
		x, y = av, bv
	default:
		return 0, false
	}
	for i := 0; i < len(x) && i < len(y); i++ {
		if Equal(x[i], y[i]) {
			continue
		}
		return compareValues(x[i], y[i])
	}
	return cmp3(len(x) < len(y), len(x) > len(y)), true
}

// mixedCompare compares an int with a float exactly, as Python does
// (2**53 + 1 > 2.0**53). ok is false unless exactly one side is a float.
func mixedCompare(a, b any) (int, bool) {
	af, aIsF := a.(float64)
	bf, bIsF := b.(float64)
	if aIsF == bIsF {
		return 0, false
	}
	var i *big.Int
	var f float64
	if aIsF {
		bi, ok := toBig(b)
		if !ok {
			return 0, false
		}
		i, f = bi, af
	} else {
		ai, ok := toBig(a)
		if !ok {
			return 0, false
		}
		i, f = ai, bf
	}
	if math.IsNaN(f) {
		return 2, true // unordered: neither equal nor less nor greater
	}
	if math.IsInf(f, 0) {
		c := -1
		if f < 0 {
			c = 1
		}
		if aIsF {
			c = -c
		}
		return c, true
	}
	c := new(big.Float).SetInt(i).Cmp(new(big.Float).SetFloat64(f))
	if aIsF {
		c = -c
	}
	return c, true
}

func cmp3(less, greater bool) int {
	switch {
	case less:
		return -1
	case greater:
		return 1
	}
	return 0
}

// contains is Python's `item in container`.
func (s *State) contains(container, item any) bool {
	switch c := container.(type) {
	case string, Markup:
		cs, _ := asString(c)
		is, ok := asString(item)
		if !ok {
			if u, ok := item.(*Undefined); ok {
				s.failUndefined(u)
			}
			s.Throw("TypeError", "'in <string>' requires string as left operand, not %s", typeName(item))
		}
		return strings.Contains(cs, is)
	case *List:
		for _, e := range c.Items {
			if Equal(e, item) {
				return true
			}
		}
		return false
	case Tuple:
		for _, e := range c {
			if Equal(e, item) {
				return true
			}
		}
		return false
	case *Dict:
		if _, ok := hashKey(item); !ok {
			s.Throw("TypeError", "unhashable type: '%s'", typeName(item))
		}
		_, ok := c.Get(item)
		return ok
	case *Undefined:
		return false
	case interface{ Contains(any) bool }:
		return c.Contains(item)
	case interface{ Iter() []any }:
		// Python falls back to iterating (and so consumes a generator).
		for _, e := range c.Iter() {
			if Equal(e, item) {
				return true
			}
		}
		return false
	}
	s.Throw("TypeError", "argument of type '%s' is not iterable", typeName(container))
	return false
}

// ---------------------------------------------------------------------------
// Iteration and length

// iterate returns the items a for loop over v visits.
func (s *State) iterate(v any) []any {
	switch x := v.(type) {
	case *List:
		return x.Items
	case Tuple:
		return x
	case *Dict:
		return x.keys
	case string:
		return splitChars(x)
	case Markup:
		return splitChars(string(x))
	case *Undefined:
		return nil
	case interface{ Iter() []any }:
		return x.Iter()
	}
	s.Throw("TypeError", "'%s' object is not iterable", typeName(v))
	return nil
}

func splitChars(s string) []any {
	out := make([]any, 0, len(s))
	for _, r := range s {
		out = append(out, string(r))
	}
	return out
}

// length is Python's len(v), or false when v has none.
func length(v any) (int, bool) {
	switch x := v.(type) {
	case string:
		return utf8.RuneCountInString(x), true
	case Markup:
		return utf8.RuneCountInString(string(x)), true
	case *List:
		return len(x.Items), true
	case Tuple:
		return len(x), true
	case *Dict:
		return x.Len(), true
	case *Undefined:
		return 0, true
	case interface{ Len() int }:
		return x.Len(), true
	}
	return 0, false
}

// ---------------------------------------------------------------------------
// Attribute and item access

// getattr implements obj.name: attribute first, then item (Jinja2's
// Environment.getattr), with the sandbox's refusal of underscore names.
func (s *State) getattr(obj any, name string) any {
	if u, ok := obj.(*Undefined); ok {
		if s.capturing(u) {
			return &Undefined{Name: name, Obj: noObj, Hint: u.Hint}
		}
		s.failUndefined(u)
	}
	// The sandbox refuses attributes that exist and start with "_"; an
	// underscore name that is no attribute falls through to item lookup.
	if isDunder(name) {
		return unsafeUndefined(obj, name)
	}
	if v, ok := s.attribute(obj, name); ok {
		if strings.HasPrefix(name, "_") {
			return unsafeUndefined(obj, name)
		}
		return v
	}
	if v, ok := s.item(obj, name); ok {
		return v
	}
	return &Undefined{Name: name, Obj: obj}
}

func unsafeUndefined(obj any, name string) *Undefined {
	return &Undefined{Name: name, Obj: obj, Kind: "SecurityError",
		Hint: "access to attribute '" + name + "' of '" + typeName(obj) + "' object is unsafe."}
}

// isDunder reports whether name is one of the special attributes every
// Python object has.
func isDunder(name string) bool {
	switch name {
	case "__class__", "__dict__", "__doc__", "__module__", "__init__", "__new__", "__repr__",
		"__str__", "__getattribute__", "__setattr__", "__delattr__", "__eq__", "__ne__", "__hash__",
		"__reduce__", "__reduce_ex__", "__subclasshook__", "__init_subclass__", "__format__",
		"__sizeof__", "__dir__", "__lt__", "__le__", "__gt__", "__ge__", "__mro__", "__bases__",
		"__subclasses__", "__globals__", "__code__", "__builtins__", "__getitem__", "__len__",
		"__iter__", "__contains__", "__add__", "__mul__", "__name__", "__qualname__":
		return true
	}
	return false
}

// getitem implements obj[key]: item first, then attribute for string keys.
func (s *State) getitem(obj, key any) any {
	if u, ok := obj.(*Undefined); ok {
		if s.capturing(u) {
			return u
		}
		s.failUndefined(u)
	}
	if v, ok := s.item(obj, key); ok {
		return v
	}
	if name, ok := key.(string); ok {
		if isDunder(name) {
			return unsafeUndefined(obj, name)
		}
		if v, ok := s.attribute(obj, name); ok {
			if strings.HasPrefix(name, "_") {
				return unsafeUndefined(obj, name)
			}
			return v
		}
	}
	return &Undefined{Name: ToString(key), Obj: obj}
}

// attribute looks up a real attribute: methods of builtin types, loop and
// namespace fields, host objects.
func (s *State) attribute(obj any, name string) (any, bool) {
	switch x := obj.(type) {
	case *Dict:
		// Python attributes of a dict are its methods; keys are items.
		if hasMethod(obj, name) {
			return &boundMethod{recv: obj, name: name}, true
		}
		return nil, false
	case Object:
		if v, ok := x.Attr(name); ok {
			return Normalize(v), true
		}
		if _, isDict := obj.(*Dict); !isDict {
			return nil, false
		}
	}
	if hasMethod(obj, name) {
		return &boundMethod{recv: obj, name: name}, true
	}
	return nil, false
}

// item looks up obj[key] without falling back to attributes.
func (s *State) item(obj, key any) (any, bool) {
	switch x := obj.(type) {
	case *Dict:
		// An unhashable key is a TypeError, which Jinja2 turns into an
		// undefined value.
		return x.Get(key)
	case *List:
		if i, ok := asInt(key); ok {
			return indexSeq(x.Items, i)
		}
		if sl, ok := key.(*sliceValue); ok {
			return &List{Items: s.slice(x.Items, sl)}, true
		}
	case Tuple:
		if i, ok := asInt(key); ok {
			return indexSeq(x, i)
		}
		if sl, ok := key.(*sliceValue); ok {
			return Tuple(s.slice(x, sl)), true
		}
	case string, Markup:
		str, _ := asString(x)
		if i, ok := asInt(key); ok {
			rs := []rune(str)
			if i < 0 {
				i += int64(len(rs))
			}
			if i < 0 || i >= int64(len(rs)) {
				return nil, false
			}
			return string(rs[i]), true
		}
		if sl, ok := key.(*sliceValue); ok {
			parts := s.slice(splitChars(str), sl)
			var b strings.Builder
			for _, p := range parts {
				b.WriteString(p.(string))
			}
			if _, m := x.(Markup); m {
				return Markup(b.String()), true
			}
			return b.String(), true
		}
	case interface{ Item(any) (any, bool) }:
		v, ok := x.Item(key)
		return Normalize(v), ok
	}
	return nil, false
}

func indexSeq(items []any, i int64) (any, bool) {
	if i < 0 {
		i += int64(len(items))
	}
	if i < 0 || i >= int64(len(items)) {
		return nil, false
	}
	return items[i], true
}

// sliceValue is the evaluated form of a[start:stop:step].
type sliceValue struct{ start, stop, step any }

// slice applies Python slice semantics to items.
func (s *State) slice(items []any, sl *sliceValue) []any {
	n := int64(len(items))
	step := int64(1)
	if sl.step != nil {
		st, ok := asInt(sl.step)
		if !ok {
			s.Throw("TypeError", "slice indices must be integers or None")
		}
		if st == 0 {
			s.Throw("ValueError", "slice step cannot be zero")
		}
		step = st
	}
	bound := func(v any, def int64) int64 {
		if v == nil {
			return def
		}
		i, ok := asInt(v)
		if !ok {
			s.Throw("TypeError", "slice indices must be integers or None or have an __index__ method")
		}
		if i < 0 {
			i += n
			if i < 0 {
				if step < 0 {
					return -1
				}
				return 0
			}
		}
		if i >= n {
			if step < 0 {
				return n - 1
			}
			return n
		}
		return i
	}
	var out []any
	if step > 0 {
		start, stop := bound(sl.start, 0), bound(sl.stop, n)
		for i := start; i < stop; i += step {
			out = append(out, items[i])
		}
	} else {
		start, stop := bound(sl.start, n-1), bound(sl.stop, -1)
		if sl.stop == nil {
			stop = -1
		}
		for i := start; i > stop; i += step {
			out = append(out, items[i])
		}
	}
	if out == nil {
		out = []any{}
	}
	return out
}

// boundMethod is a builtin method looked up on a value: "abc".upper.
type boundMethod struct {
	recv any
	name string
}

// Call implements Callable.
func (m *boundMethod) Call(s *State, args *Args) any {
	v, ok := callMethod(s, m.recv, m.name, args)
	if !ok {
		s.Throw("AttributeError", "'%s' object has no attribute '%s'", typeName(m.recv), m.name)
	}
	return v
}
