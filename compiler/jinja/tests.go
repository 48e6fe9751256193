package jinja

import "math/big"

// TestFunc implements {{ v is name(args) }}.
type TestFunc func(s *State, v any, args *Args) bool

// builtinTests are Jinja2's default tests, including the operator aliases
// (==, <, …) it registers.
var builtinTests map[string]TestFunc

func init() {
	eq := cmpTest("eq", func(s *State, a, b any) bool { return Equal(a, b) })
	ne := cmpTest("ne", func(s *State, a, b any) bool { return !Equal(a, b) })
	gt := cmpTest("gt", func(s *State, a, b any) bool { return s.compare(">", a, b) > 0 })
	ge := cmpTest("ge", func(s *State, a, b any) bool { return s.compare(">=", a, b) >= 0 })
	lt := cmpTest("lt", func(s *State, a, b any) bool { return s.compare("<", a, b) < 0 })
	le := cmpTest("le", func(s *State, a, b any) bool { return s.compare("<=", a, b) <= 0 })
	builtinTests = map[string]TestFunc{
		"odd": func(s *State, v any, a *Args) bool {
			s.pyBind(a, "test_odd", 0, 0)
			return Equal(s.binaryOp("%", v, int64(2)), int64(1))
		},
		"even": func(s *State, v any, a *Args) bool {
			s.pyBind(a, "test_even", 0, 0)
			return Equal(s.binaryOp("%", v, int64(2)), int64(0))
		},
		"divisibleby": testDivisibleby,
		"defined":     func(s *State, v any, a *Args) bool { s.pyBind(a, "test_defined", 0, 0); return !isUndefined(v) },
		"undefined":   func(s *State, v any, a *Args) bool { s.pyBind(a, "test_undefined", 0, 0); return isUndefined(v) },
		"filter":      testFilter,
		"test":        testTest,
		"none":        func(s *State, v any, a *Args) bool { s.pyBind(a, "test_none", 0, 0); return v == nil },
		"boolean":     func(s *State, v any, a *Args) bool { s.pyBind(a, "test_boolean", 0, 0); _, ok := v.(bool); return ok },
		"false": func(s *State, v any, a *Args) bool {
			s.pyBind(a, "test_false", 0, 0)
			b, ok := v.(bool)
			return ok && !b
		},
		"true":    func(s *State, v any, a *Args) bool { s.pyBind(a, "test_true", 0, 0); b, ok := v.(bool); return ok && b },
		"integer": testInteger,
		"float":   func(s *State, v any, a *Args) bool { s.pyBind(a, "test_float", 0, 0); _, ok := v.(float64); return ok },
		"lower": func(s *State, v any, a *Args) bool {
			s.pyBind(a, "test_lower", 0, 0)
			return strPredicate("islower", ToString(v))
		},
		"upper": func(s *State, v any, a *Args) bool {
			s.pyBind(a, "test_upper", 0, 0)
			return strPredicate("isupper", ToString(v))
		},
		"string": func(s *State, v any, a *Args) bool { s.pyBind(a, "test_string", 0, 0); _, ok := asString(v); return ok },
		"mapping": func(s *State, v any, a *Args) bool {
			s.pyBind(a, "test_mapping", 0, 0)
			if m, ok := v.(interface{ IsMapping() bool }); ok {
				return m.IsMapping()
			}
			_, ok := v.(*Dict)
			return ok
		},
		"number":      testNumber,
		"sequence":    testSequence,
		"iterable":    testIterable,
		"callable":    testCallable,
		"sameas":      testSameas,
		"escaped":     func(s *State, v any, a *Args) bool { s.pyBind(a, "test_escaped", 0, 0); _, ok := v.(Markup); return ok },
		"in":          testIn,
		"==":          eq,
		"eq":          eq,
		"equalto":     eq,
		"!=":          ne,
		"ne":          ne,
		">":           gt,
		"gt":          gt,
		"greaterthan": gt,
		">=":          ge,
		"ge":          ge,
		"<":           lt,
		"lt":          lt,
		"lessthan":    lt,
		"<=":          le,
		"le":          le,
	}
}

func testInteger(s *State, v any, args *Args) bool {
	s.pyBind(args, "test_integer", 0, 0)
	switch v.(type) {
	case int64, *big.Int:
		return true
	}
	return false
}

func isUndefined(v any) bool { _, ok := v.(*Undefined); return ok }

// cmpTest adapts a binary operator into a test taking one argument.
func cmpTest(name string, op func(s *State, a, b any) bool) TestFunc {
	return func(s *State, v any, args *Args) bool {
		if len(args.Kw) > 0 {
			s.Throw("TypeError", "%s() takes no keyword arguments", name)
		}
		if len(args.Pos) != 1 {
			s.Throw("TypeError", "%s expected 2 arguments, got %d", name, len(args.Pos)+1)
		}
		return op(s, v, args.Pos[0])
	}
}

func testDivisibleby(s *State, v any, args *Args) bool {
	a := s.pyBind(args, "test_divisibleby", 0, 1, "num")
	if IsMissing(a[0]) {
		s.Throw("TypeError", "test_divisibleby() missing 1 required positional argument: 'num'")
	}
	return Equal(s.binaryOp("%", v, a[0]), int64(0))
}

func testFilter(s *State, v any, args *Args) bool {
	s.pyBind(args, "test_filter", 1, 0)
	name, ok := asString(v)
	if !ok {
		return false
	}
	_, found := s.env.filters[name]
	return found
}

func testTest(s *State, v any, args *Args) bool {
	s.pyBind(args, "test_test", 1, 0)
	name, ok := asString(v)
	if !ok {
		return false
	}
	_, found := s.env.tests[name]
	return found
}

func testNumber(s *State, v any, args *Args) bool {
	s.pyBind(args, "test_number", 0, 0)
	switch v.(type) {
	case int64, float64, bool, *big.Int, *Decimal:
		return true
	}
	return false
}

// testSequence is Jinja2's check for len() and __getitem__.
func testSequence(s *State, v any, args *Args) bool {
	s.pyBind(args, "test_sequence", 0, 0)
	switch v.(type) {
	case string, Markup, *List, Tuple, *Dict, *Undefined, *GroupTuple, *Range:
		return true
	}
	_, hasLen := v.(interface{ Len() int })
	_, hasItem := v.(interface{ Item(any) (any, bool) })
	return hasLen && hasItem
}

func testIterable(s *State, v any, args *Args) bool {
	s.pyBind(args, "test_iterable", 0, 0)
	switch v.(type) {
	case string, Markup, *List, Tuple, *Dict, *Undefined:
		return true
	}
	_, ok := v.(interface{ Iter() []any })
	return ok
}

func testCallable(s *State, v any, args *Args) bool {
	s.pyBind(args, "callable", 0, 0)
	switch v.(type) {
	case *Undefined:
		// Undefined defines __call__ (to raise), so Python calls it callable.
		return true
	case Callable:
		return true
	}
	return false
}

// testSameas approximates Python's `is`: singletons and equal scalars
// (which CPython shares for small ints, interned strings and template
// constants) are the same object; containers are compared by identity.
func testSameas(s *State, v any, args *Args) bool {
	a := s.pyBind(args, "test_sameas", 0, 1, "other")
	if IsMissing(a[0]) {
		s.Throw("TypeError", "test_sameas() missing 1 required positional argument: 'other'")
	}
	o := a[0]
	switch x := v.(type) {
	case nil:
		return o == nil
	case bool:
		y, ok := o.(bool)
		return ok && x == y
	case int64:
		y, ok := o.(int64)
		return ok && x == y
	case float64:
		y, ok := o.(float64)
		return ok && x == y
	case string:
		y, ok := o.(string)
		return ok && x == y
	case Markup:
		return false
	case *List:
		y, ok := o.(*List)
		return ok && x == y
	case *Dict:
		y, ok := o.(*Dict)
		return ok && x == y
	case Tuple:
		y, ok := o.(Tuple)
		return ok && len(x) == 0 && len(y) == 0
	case *Undefined:
		y, ok := o.(*Undefined)
		return ok && x == y
	case *big.Int:
		y, ok := o.(*big.Int)
		return ok && x.Cmp(y) == 0
	}
	defer func() { recover() }()
	return v == o
}

func testIn(s *State, v any, args *Args) bool {
	a := s.pyBind(args, "test_in", 0, 1, "seq")
	if IsMissing(a[0]) {
		s.Throw("TypeError", "test_in() missing 1 required positional argument: 'seq'")
	}
	return s.contains(a[0], v)
}
