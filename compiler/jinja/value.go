package jinja

import (
	"fmt"
	"math"
	"math/big"
	"reflect"
	"sort"
	"strconv"
)

// Values are plain Go values with Python meaning:
//
//	nil            None
//	bool           bool
//	int64          int (host ints of other sizes are normalized on entry)
//	float64        float
//	string         str
//	Markup         markupsafe.Markup (a str marked safe)
//	*List          list (mutable, shared by reference)
//	Tuple          tuple
//	*Dict          dict (insertion ordered)
//	*Undefined     jinja2.Undefined
//	Callable       anything callable: macros, host functions, bound methods
//	Object         host objects with attributes (target, adapter, …)
//
// Keeping values as `any` lets host code pass and receive them without
// wrapping, and keeps small ints and strings allocation-free.

// Markup is a string marked safe for output (the result of |safe, |escape).
type Markup string

// List is a Python list. It is shared by reference, so {% do xs.append(1) %}
// mutates the list every holder sees.
type List struct{ Items []any }

// NewList returns a list holding items (normalized).
func NewList(items ...any) *List {
	for i, v := range items {
		items[i] = Normalize(v)
	}
	return &List{Items: items}
}

// Tuple is a Python tuple.
type Tuple []any

// Undefined is Jinja2's default Undefined: it prints as "", is false, iterates
// as empty, and raises on attribute access, calls and arithmetic.
type Undefined struct {
	Name string // the missing name or attribute, if known
	Obj  any    // the object the attribute was missing from (noObj when none)
	Hint string // an explicit message, when set
	Kind string // exception kind raised on use; "" means UndefinedError
}

// noObj marks an Undefined that is not an attribute of anything.
type noObjT struct{}

var noObj any = noObjT{}

func (u *Undefined) message() string {
	if u.Hint != "" {
		return u.Hint
	}
	if u.Obj == noObj {
		return "'" + u.Name + "' is undefined"
	}
	return reprObjForUndefined(u.Obj) + " has no attribute '" + u.Name + "'"
}

// reprObjForUndefined names an object the way Jinja2's object_type_repr
// does in undefined messages: 'dict object', 'None'.
func reprObjForUndefined(obj any) string {
	if obj == nil {
		return "None"
	}
	return "'" + typeName(obj) + " object'"
}

func (u *Undefined) kind() string {
	if u.Kind != "" {
		return u.Kind
	}
	return "UndefinedError"
}

// KV is one keyword argument.
type KV struct {
	Name  string
	Value any
}

// Args holds the arguments of a call, filter or test (the filtered value is
// passed separately).
type Args struct {
	Pos []any
	Kw  []KV

	inl [3]any // Pos of a call with few arguments, without an allocation of its own
}

// Kwarg returns the keyword argument name.
func (a *Args) Kwarg(name string) (any, bool) {
	if a == nil {
		return nil, false
	}
	for _, kv := range a.Kw {
		if kv.Name == name {
			return kv.Value, true
		}
	}
	return nil, false
}

// Len returns the number of positional arguments.
func (a *Args) Len() int {
	if a == nil {
		return 0
	}
	return len(a.Pos)
}

// Bind maps the arguments onto the Python signature fn(names...), returning
// one value per name; absent arguments are Missing. It raises a TypeError
// (through s) for too many, unknown or duplicate arguments, as Python does.
func (a *Args) Bind(s *State, fn string, names ...string) []any {
	out := make([]any, len(names))
	for i := range out {
		out[i] = Missing
	}
	if a == nil {
		return out
	}
	if len(a.Pos) > len(names) {
		s.Throw("TypeError", "%s() takes at most %d argument(s) (%d given)", fn, len(names), len(a.Pos))
	}
	copy(out, a.Pos)
	for _, kv := range a.Kw {
		found := false
		for i, n := range names {
			if n == kv.Name {
				if i < len(a.Pos) {
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
	return out
}

// Missing marks an argument that was not passed.
var Missing any = missingT{}

type missingT struct{}

// IsMissing reports whether v is the Missing marker.
func IsMissing(v any) bool { _, ok := v.(missingT); return ok }

// Callable is any value that can be called from a template.
type Callable interface {
	Call(s *State, args *Args) any
}

// Func adapts a Go function to a Callable. A returned error aborts rendering;
// return Return(v) to make the enclosing macro return v (dbt's return()).
type Func func(s *State, args *Args) (any, error)

// Call implements Callable.
func (f Func) Call(s *State, args *Args) any {
	v, err := f(s, args)
	if err != nil {
		s.hostError(err)
	}
	return Normalize(v)
}

// Object is a host value with attributes (e.g. dbt's target or adapter).
type Object interface {
	// Attr returns the attribute and true, or false when it does not exist.
	Attr(name string) (any, bool)
}

// Stringer lets a host value choose how it prints ({{ x }}).
type Stringer interface{ String() string }

// Normalize converts host Go values to the engine's value set.
func Normalize(v any) any {
	switch x := v.(type) {
	case nil, bool, int64, float64, string, *List, *Dict, Tuple, Markup, *Undefined, *big.Int:
		return v
	case int:
		return int64(x)
	case int32:
		return int64(x)
	case int16:
		return int64(x)
	case int8:
		return int64(x)
	case uint8:
		return int64(x)
	case uint16:
		return int64(x)
	case uint32:
		return int64(x)
	case uint:
		return int64(x)
	case uint64:
		return int64(x)
	case float32:
		return float64(x)
	case []any:
		items := make([]any, len(x))
		for i, e := range x {
			items[i] = Normalize(e)
		}
		return &List{Items: items}
	case []string:
		items := make([]any, len(x))
		for i, e := range x {
			items[i] = e
		}
		return &List{Items: items}
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		d := NewDict()
		for _, k := range keys {
			d.Set(k, Normalize(x[k]))
		}
		return d
	case map[string]string:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		d := NewDict()
		for _, k := range keys {
			d.Set(k, x[k])
		}
		return d
	case func(s *State, args *Args) (any, error):
		return Func(x)
	}
	return v
}

// typeName returns Python's type name for v.
func typeName(v any) string {
	if t, ok := v.(interface{ TypeName() string }); ok {
		return t.TypeName()
	}
	switch v.(type) {
	case nil:
		return "NoneType"
	case bool:
		return "bool"
	case int64, *big.Int:
		return "int"
	case float64:
		return "float"
	case string:
		return "str"
	case Markup:
		return "Markup"
	case *List:
		return "list"
	case Tuple:
		return "tuple"
	case *Dict:
		return "dict"
	case *Undefined:
		return "Undefined"
	case *Macro:
		return "Macro"
	case *Namespace:
		return "Namespace"
	case *LoopContext:
		return "LoopContext"
	case *boundMethod:
		return "builtin_function_or_method"
	case Callable:
		return "function"
	}
	t := reflect.TypeOf(v)
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Name()
}

// Namespace is the object made by namespace(): attributes can be assigned
// with {% set ns.x = … %} from any scope.
type Namespace struct{ Attrs *Dict }

// Attr implements Object.
func (n *Namespace) Attr(name string) (any, bool) { return n.Attrs.Get(name) }

// ---------------------------------------------------------------------------
// Dict

// Dict is an insertion-ordered Python dict.
type Dict struct {
	keys  []any
	vals  []any
	index map[any]int
}

// NewDict returns an empty dict.
func NewDict() *Dict { return &Dict{} }

// hashKey maps a Python-hashable value to a Go map key with Python's
// equality: 1, 1.0 and True are the same key.
func hashKey(k any) (any, bool) {
	switch x := k.(type) {
	case string, int64:
		return k, true // already boxed: no new allocation
	case Markup:
		return string(x), true
	case bool:
		if x {
			return int64(1), true
		}
		return int64(0), true
	case *big.Int:
		return "\x00big" + x.String(), true
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<63 {
			return int64(x), true
		}
		return x, true
	case nil:
		return nil, true
	case Tuple:
		b := []byte("\x00t")
		for _, e := range x {
			hk, ok := hashKey(e)
			if !ok {
				return nil, false
			}
			b = append(b, fmt.Sprintf("%T:%v\x01", hk, hk)...)
		}
		return string(b), true
	case *List, *Dict:
		return nil, false
	}
	// Host objects hash by identity when comparable.
	if reflect.TypeOf(k).Comparable() {
		return k, true
	}
	return nil, false
}

// Len returns the number of entries.
func (d *Dict) Len() int { return len(d.keys) }

// Keys returns the keys in insertion order (do not modify).
func (d *Dict) Keys() []any { return d.keys }

// Values returns the values in insertion order (do not modify).
func (d *Dict) Values() []any { return d.vals }

func (d *Dict) find(k any) (int, bool) {
	hk, ok := hashKey(k)
	if !ok {
		return -1, false
	}
	if d.index == nil {
		// Small dicts are scanned; the index is built once they grow.
		for i, kk := range d.keys {
			if h, _ := hashKey(kk); h == hk {
				return i, true
			}
		}
		return -1, true
	}
	i, found := d.index[hk]
	if !found {
		return -1, true
	}
	return i, true
}

// Get returns the value for key k.
func (d *Dict) Get(k any) (any, bool) {
	if d == nil {
		return nil, false
	}
	i, _ := d.find(k)
	if i < 0 {
		return nil, false
	}
	return d.vals[i], true
}

// Set sets key k to v, keeping the original position of an existing key.
// It panics with a Go error for unhashable keys; use SetChecked in templates.
func (d *Dict) Set(k, v any) {
	if err := d.set(Normalize(k), Normalize(v)); err != nil {
		panic(err)
	}
}

func (d *Dict) set(k, v any) error {
	i, ok := d.find(k)
	if !ok {
		return fmt.Errorf("unhashable type: '%s'", typeName(k))
	}
	if i >= 0 {
		d.vals[i] = v
		return nil
	}
	d.keys = append(d.keys, k)
	d.vals = append(d.vals, v)
	if d.index != nil {
		hk, _ := hashKey(k)
		d.index[hk] = len(d.keys) - 1
	} else if len(d.keys) > 8 {
		d.reindex()
	}
	return nil
}

func (d *Dict) reindex() {
	d.index = make(map[any]int, len(d.keys))
	for i, k := range d.keys {
		hk, _ := hashKey(k)
		d.index[hk] = i
	}
}

// Delete removes key k and reports whether it was present.
func (d *Dict) Delete(k any) bool {
	i, _ := d.find(k)
	if i < 0 {
		return false
	}
	d.keys = append(d.keys[:i], d.keys[i+1:]...)
	d.vals = append(d.vals[:i], d.vals[i+1:]...)
	if d.index != nil {
		d.reindex()
	}
	return true
}

// Copy returns a shallow copy.
func (d *Dict) Copy() *Dict {
	n := &Dict{keys: append([]any(nil), d.keys...), vals: append([]any(nil), d.vals...)}
	if d.index != nil {
		n.reindex()
	}
	return n
}

// Clear removes every entry.
func (d *Dict) Clear() { d.keys, d.vals, d.index = nil, nil, nil }

// Attr lets host code treat a Dict as an Object.
func (d *Dict) Attr(name string) (any, bool) { return d.Get(name) }

// ---------------------------------------------------------------------------
// Conversions used across the engine and builtins.

// Truth is Python's bool(v).
func Truth(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case int64:
		return x != 0
	case float64:
		return x != 0
	case *big.Int:
		return x.Sign() != 0
	case string:
		return x != ""
	case Markup:
		return x != ""
	case *List:
		return len(x.Items) > 0
	case Tuple:
		return len(x) > 0
	case *Dict:
		return x.Len() > 0
	case *Undefined:
		return false
	case interface{ Truth() bool }:
		return x.Truth()
	}
	return true
}

// asInt returns v as an int when it is an int or bool.
func asInt(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	}
	return 0, false
}

// asFloat returns v as a float when it is a number.
func asFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case *big.Int:
		return bigFloat(x), true
	case float64:
		return x, true
	case *Decimal:
		return x.Float(), true
	case int64:
		return float64(x), true
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	}
	return 0, false
}

// asString returns v as a Go string when it is a str or Markup.
func asString(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case Markup:
		return string(x), true
	}
	return "", false
}

// formatFloat prints a float like Python's repr(float).
func formatFloat(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsNaN(f):
		return "nan"
	}
	if f == 0 {
		if math.Signbit(f) {
			return "-0.0"
		}
		return "0.0"
	}
	// Shortest digits that round-trip, then Python's layout rules:
	// scientific when the exponent is < -4 or >= 16.
	s := strconv.FormatFloat(f, 'e', -1, 64)
	mant, expPart := s, ""
	for i := 0; i < len(s); i++ {
		if s[i] == 'e' {
			mant, expPart = s[:i], s[i+1:]
			break
		}
	}
	exp, _ := strconv.Atoi(expPart)
	if exp < -4 || exp >= 16 {
		sign := "+"
		if exp < 0 {
			sign = "-"
			exp = -exp
		}
		es := strconv.Itoa(exp)
		if len(es) < 2 {
			es = "0" + es
		}
		return mant + "e" + sign + es
	}
	r := strconv.FormatFloat(f, 'f', -1, 64)
	for i := 0; i < len(r); i++ {
		if r[i] == '.' {
			return r
		}
	}
	return r + ".0"
}
