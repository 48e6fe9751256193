package jinja

import (
	"math/rand/v2"
	"strconv"
	"strings"
)

// maxRange is the sandbox's cap on range() sizes.
const maxRange = 100000

// builtinGlobals returns Jinja2's default global functions.
func builtinGlobals() map[string]any {
	return map[string]any{
		"range":     Func(globalRange),
		"dict":      Func(globalDict),
		"lipsum":    Func(globalLipsum),
		"cycler":    Func(globalCycler),
		"joiner":    Func(globalJoiner),
		"namespace": Func(globalNamespace),
	}
}

// ---------------------------------------------------------------------------
// range

// Range is Python's range object: it iterates lazily-computed ints and
// prints as range(start, stop[, step]).
type Range struct{ Start, Stop, Step int64 }

// Len is len(range).
func (r *Range) Len() int {
	var n int64
	if r.Step > 0 && r.Start < r.Stop {
		n = (r.Stop - r.Start + r.Step - 1) / r.Step
	} else if r.Step < 0 && r.Start > r.Stop {
		n = (r.Start - r.Stop - r.Step - 1) / -r.Step
	}
	return int(n)
}

// Iter returns the range's values.
func (r *Range) Iter() []any {
	n := r.Len()
	out := make([]any, n)
	v := r.Start
	for i := 0; i < n; i++ {
		out[i] = v
		v += r.Step
	}
	return out
}

// Item implements r[i] (slices yield a list).
func (r *Range) Item(key any) (any, bool) {
	if i, ok := asInt(key); ok {
		n := int64(r.Len())
		if i < 0 {
			i += n
		}
		if i < 0 || i >= n {
			return nil, false
		}
		return r.Start + i*r.Step, true
	}
	if sl, ok := key.(*sliceValue); ok {
		st, sp, step, ok := sliceIndices(sl, int64(r.Len()))
		if !ok {
			return nil, false
		}
		return &Range{Start: r.Start + st*r.Step, Stop: r.Start + sp*r.Step, Step: r.Step * step}, true
	}
	return nil, false
}

// Contains is `x in range`.
func (r *Range) Contains(x any) bool {
	for _, v := range r.Iter() {
		if Equal(v, x) {
			return true
		}
	}
	return false
}

// Truth is bool(range).
func (r *Range) Truth() bool { return r.Len() > 0 }

// Repr prints range(0, 3) or range(0, 10, 2).
func (r *Range) Repr() string {
	s := "range(" + strconv.FormatInt(r.Start, 10) + ", " + strconv.FormatInt(r.Stop, 10)
	if r.Step != 1 {
		s += ", " + strconv.FormatInt(r.Step, 10)
	}
	return s + ")"
}

// TypeName is Python's type name.
func (r *Range) TypeName() string { return "range" }

func globalRange(s *State, args *Args) (any, error) {
	if len(args.Kw) > 0 {
		s.Throw("TypeError", "range() takes no keyword arguments")
	}
	n := len(args.Pos)
	if n == 0 {
		s.Throw("TypeError", "range expected at least 1 argument, got 0")
	}
	if n > 3 {
		s.Throw("TypeError", "range expected at most 3 arguments, got %d", n)
	}
	vals := make([]int64, n)
	for i, a := range args.Pos {
		vals[i] = s.argInt(a)
	}
	r := &Range{Step: 1}
	switch n {
	case 1:
		r.Stop = vals[0]
	case 2:
		r.Start, r.Stop = vals[0], vals[1]
	case 3:
		r.Start, r.Stop, r.Step = vals[0], vals[1], vals[2]
		if r.Step == 0 {
			s.Throw("ValueError", "range() arg 3 must not be zero")
		}
	}
	if r.Len() > maxRange {
		s.Throw("OverflowError", "Range too big. The sandbox blocks ranges larger than MAX_RANGE (%d).", maxRange)
	}
	return r, nil
}

// ---------------------------------------------------------------------------
// dict, namespace

// newDictFromArgs is dict(*args, **kwargs).
func (s *State) newDictFromArgs(fn string, args *Args) *Dict {
	if len(args.Pos) > 1 {
		s.Throw("TypeError", "%s expected at most 1 argument, got %d", fn, len(args.Pos))
	}
	d := NewDict()
	if len(args.Pos) == 1 {
		s.dictUpdate(d, args.Pos[0])
	}
	for _, kv := range args.Kw {
		d.Set(kv.Name, kv.Value)
	}
	return d
}

func globalDict(s *State, args *Args) (any, error) {
	return s.newDictFromArgs("dict", args), nil
}

func globalNamespace(s *State, args *Args) (any, error) {
	return &Namespace{Attrs: s.newDictFromArgs("dict", args)}, nil
}

// ---------------------------------------------------------------------------
// cycler, joiner

// Cycler is the object made by cycler(*items).
type Cycler struct {
	items []any
	pos   int
}

// Next returns the current item and advances.
func (c *Cycler) Next() any {
	v := c.items[c.pos]
	c.pos = (c.pos + 1) % len(c.items)
	return v
}

// Attr implements Object: current, items, pos, next(), reset().
func (c *Cycler) Attr(name string) (any, bool) {
	switch name {
	case "current":
		return c.items[c.pos], true
	case "items":
		return Tuple(c.items), true
	case "pos":
		return int64(c.pos), true
	case "next", "__next__":
		return Func(func(s *State, args *Args) (any, error) {
			noArgs(s, "next", args)
			return c.Next(), nil
		}), true
	case "reset":
		return Func(func(s *State, args *Args) (any, error) {
			noArgs(s, "reset", args)
			c.pos = 0
			return nil, nil
		}), true
	}
	return nil, false
}

// Repr mimics Python's default object repr (without an address).
func (c *Cycler) Repr() string { return "<jinja2.utils.Cycler object>" }

func globalCycler(s *State, args *Args) (any, error) {
	if len(args.Kw) > 0 {
		s.Throw("TypeError", "Cycler.__init__() got an unexpected keyword argument '%s'", args.Kw[0].Name)
	}
	if len(args.Pos) == 0 {
		s.Throw("RuntimeError", "at least one item has to be provided")
	}
	return &Cycler{items: append([]any(nil), args.Pos...)}, nil
}

// Joiner is the callable made by joiner(sep): "" on the first call, then
// sep.
type Joiner struct {
	sep  string
	used bool
}

// Call implements Callable.
func (j *Joiner) Call(s *State, args *Args) any {
	noArgs(s, "Joiner.__call__", args)
	if !j.used {
		j.used = true
		return ""
	}
	return j.sep
}

// Repr mimics Python's default object repr (without an address).
func (j *Joiner) Repr() string { return "<jinja2.utils.Joiner object>" }

func globalJoiner(s *State, args *Args) (any, error) {
	a := args.Bind(s, "Joiner.__init__", "sep")
	sep := ", "
	if !IsMissing(a[0]) {
		sep = ToString(a[0])
	}
	return &Joiner{sep: sep}, nil
}

// ---------------------------------------------------------------------------
// lipsum

// lipsumWords is a lorem ipsum vocabulary (output is random, as in Jinja2).
var lipsumWords = strings.Fields(`lorem ipsum dolor sit amet consectetur adipiscing elit sed do
eiusmod tempor incididunt ut labore et dolore magna aliqua enim ad minim veniam quis nostrud
exercitation ullamco laboris nisi aliquip ex ea commodo consequat duis aute irure in
reprehenderit voluptate velit esse cillum fugiat nulla pariatur excepteur sint occaecat cupidatat
non proident sunt culpa qui officia deserunt mollit anim id est laborum curabitur pretium
tincidunt lacus nulla gravida orci a odio nullam varius turpis et commodo pharetra est eros
bibendum elit nec luctus magna felis sollicitudin mauris integer dapibus`)

func globalLipsum(s *State, args *Args) (any, error) {
	a := args.Bind(s, "generate_lorem_ipsum", "n", "html", "min", "max")
	n, html, lo, hi := int64(5), true, int64(20), int64(100)
	if !IsMissing(a[0]) {
		n = s.argInt(a[0])
	}
	if !IsMissing(a[1]) {
		html = Truth(a[1])
	}
	if !IsMissing(a[2]) {
		lo = s.argInt(a[2])
	}
	if !IsMissing(a[3]) {
		hi = s.argInt(a[3])
	}
	if hi <= lo {
		s.Throw("ValueError", "empty range for randrange() (%d, %d, %d)", lo, hi, hi-lo)
	}
	randRange := func(a, b int64) int64 { return a + rand.Int64N(b-a) }
	var paras []string
	for p := int64(0); p < n; p++ {
		nextCap := true
		lastComma, lastStop := int64(0), int64(0)
		last := ""
		var words []string
		count := randRange(lo, hi)
		for idx := int64(0); idx < count; idx++ {
			w := lipsumWords[rand.IntN(len(lipsumWords))]
			for w == last {
				w = lipsumWords[rand.IntN(len(lipsumWords))]
			}
			last = w
			if nextCap {
				w = pyCapitalize(w)
				nextCap = false
			}
			if idx-randRange(3, 8) > lastComma {
				lastComma = idx
				lastStop += 2
				w += ","
			}
			if idx-randRange(10, 20) > lastStop {
				lastComma, lastStop = idx, idx
				w += "."
				nextCap = true
			}
			words = append(words, w)
		}
		para := strings.Join(words, " ")
		switch {
		case strings.HasSuffix(para, ","):
			para = para[:len(para)-1] + "."
		case !strings.HasSuffix(para, "."):
			para += "."
		}
		paras = append(paras, para)
	}
	if !html {
		return strings.Join(paras, "\n\n"), nil
	}
	for i, p := range paras {
		paras[i] = "<p>" + htmlEscape(p) + "</p>"
	}
	return Markup(strings.Join(paras, "\n")), nil
}

// sliceIndices is Python's slice.indices(n) for a slice with int or None
// bounds; ok is false when a bound is not an int or the step is zero.
func sliceIndices(sl *sliceValue, n int64) (start, stop, step int64, ok bool) {
	step = 1
	if sl.step != nil {
		if step, ok = asInt(sl.step); !ok || step == 0 {
			return 0, 0, 0, false
		}
	}
	bound := func(v any, def int64) (int64, bool) {
		if v == nil {
			return def, true
		}
		i, ok := asInt(v)
		if !ok {
			return 0, false
		}
		if i < 0 {
			i += n
			if i < 0 {
				if step < 0 {
					return -1, true
				}
				return 0, true
			}
		}
		if i >= n {
			if step < 0 {
				return n - 1, true
			}
			return n, true
		}
		return i, true
	}
	var ok1, ok2 bool
	if step > 0 {
		start, ok1 = bound(sl.start, 0)
		stop, ok2 = bound(sl.stop, n)
	} else {
		start, ok1 = bound(sl.start, n-1)
		stop, ok2 = bound(sl.stop, -1)
	}
	return start, stop, step, ok1 && ok2
}
