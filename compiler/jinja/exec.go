package jinja

import (
	"math"
	"math/big"

	"github.com/gdbt/gdbt/compiler/source"
)

// frame is one scope of local variables. Scopes are small, so a slice
// beats a map; lookups walk outwards to the template root, then to the
// render's Context and the environment's globals.
type frame struct {
	names  []string
	vals   []any
	parent *frame
	// Most frames (a macro call, a loop body) bind a few names: their
	// first ones live here, without allocations of their own. Frames are
	// only ever used through pointers, so these never get copied away.
	inlNames [3]string
	inlVals  [3]any
}

func (f *frame) lookup(name string) (any, bool) {
	for ; f != nil; f = f.parent {
		for i := len(f.names) - 1; i >= 0; i-- {
			if f.names[i] == name {
				return f.vals[i], true
			}
		}
	}
	return nil, false
}

func (f *frame) set(name string, v any) {
	for i, n := range f.names {
		if n == name {
			f.vals[i] = v
			return
		}
	}
	if f.names == nil {
		f.names, f.vals = f.inlNames[:0], f.inlVals[:0]
	}
	f.names = append(f.names, name)
	f.vals = append(f.vals, v)
}

func (f *frame) reset() {
	f.names = f.names[:0]
	f.vals = f.vals[:0]
}

type ctl uint8

const (
	ctlNone ctl = iota
	ctlBreak
	ctlContinue
	ctlReturn
)

const maxDepth = 500

// ---------------------------------------------------------------------------
// Statements

func (s *State) execBody(body []Node, f *frame) ctl {
	for _, n := range body {
		if c := s.exec(n, f); c != ctlNone {
			return c
		}
	}
	return ctlNone
}

func (s *State) exec(n Node, f *frame) ctl {
	if s.env.MaxSteps > 0 {
		s.steps++
		if s.steps > s.env.MaxSteps {
			s.pos = n.Position()
			s.Throw("TemplateRuntimeError", "step limit of %d exceeded", s.env.MaxSteps)
		}
	}
	switch n := n.(type) {
	case *TextNode:
		if s.smap != nil {
			s.smap.text(s, n)
		} else {
			s.out = append(s.out, n.Text...)
		}
	case *OutputNode:
		v := s.eval(n.X, f)
		if s.hasRet {
			return ctlReturn
		}
		s.emit(n, v)
	case *IfNode:
		for i, c := range n.Conds {
			t := Truth(s.eval(c, f))
			if s.hasRet {
				return ctlReturn
			}
			if t {
				return s.execBody(n.Bodies[i], f)
			}
		}
		return s.execBody(n.Else, f)
	case *ForNode:
		return s.execFor(n, f, s.eval(n.Iter, f), 0)
	case *SetNode:
		v := s.eval(n.X, f)
		if s.hasRet {
			return ctlReturn
		}
		s.assign(n.Target, v, f)
	case *SetBlockNode:
		saved := s.out
		s.out = nil
		inner := &frame{parent: f}
		c := s.execBody(n.Body, inner)
		text := string(s.out)
		s.out = saved
		if c == ctlReturn {
			return c
		}
		var v any = text
		if n.Filter != nil {
			v = s.applyFilterChain(n.Filter, v, f)
		}
		s.assign(n.Target, v, f)
	case *MacroNode:
		f.set(n.Name, &Macro{def: n, closure: f})
	case *CallBlockNode:
		caller := &Macro{def: n.Caller, closure: f}
		s.pos = n.Call.Position()
		v := s.evalCall(n.Call, f, caller)
		if s.hasRet {
			return ctlReturn
		}
		s.emit(n, v)
	case *FilterBlockNode:
		saved := s.out
		s.out = nil
		c := s.execBody(n.Body, &frame{parent: f})
		text := string(s.out)
		s.out = saved
		if c == ctlReturn {
			return c
		}
		v := s.applyFilterChain(n.Filter, text, f)
		if _, ok := asString(v); !ok {
			// Jinja2 joins the block's output pieces, which must be strings.
			s.pos = n.Position()
			s.Throw("TypeError", "sequence item 0: expected str instance, %s found", typeName(v))
		}
		s.emit(n, v)
	case *WithNode:
		inner := &frame{parent: f}
		for i, t := range n.Targets {
			// Values are evaluated in the outer scope, like Jinja2.
			s.assign(t, s.eval(n.Values[i], f), inner)
		}
		return s.execBody(n.Body, inner)
	case *DoNode:
		s.eval(n.X, f)
		if s.hasRet {
			return ctlReturn
		}
	case *BreakNode:
		return ctlBreak
	case *ContinueNode:
		return ctlContinue
	case *DataBlockNode:
		// Host data blocks render nothing.
	}
	return ctlNone
}

func (s *State) write(v any) {
	switch x := v.(type) {
	case string:
		s.out = append(s.out, x...)
	case *Undefined:
		if x.Kind != "" && x.Kind != "UndefinedError" {
			// The sandbox's unsafe-attribute undefined still prints empty.
			return
		}
	default:
		s.out = append(s.out, ToString(v)...)
	}
}

func (s *State) assign(target Expr, v any, f *frame) {
	switch t := target.(type) {
	case *NameExpr:
		f.set(t.Name, v)
	case *TupleExpr:
		s.pos = t.Position()
		items := s.unpack(v, len(t.Items))
		for i, it := range t.Items {
			s.assign(it, items[i], f)
		}
	case *AttrExpr:
		s.pos = t.Position()
		obj := s.eval(t.X, f)
		ns, ok := obj.(*Namespace)
		if !ok {
			s.Throw("TemplateRuntimeError", "cannot assign attribute on non-namespace object")
		}
		ns.Attrs.Set(t.Name, v)
	}
}

// unpack splits v into n values for tuple assignment.
func (s *State) unpack(v any, n int) []any {
	var items []any
	switch x := v.(type) {
	case *List:
		items = x.Items
	case Tuple:
		items = x
	case string, Markup, *Dict:
		items = s.iterate(x)
	case *Undefined:
		s.failUndefined(x)
	default:
		if it, ok := v.(interface{ Iter() []any }); ok {
			items = it.Iter()
		} else {
			s.Throw("TypeError", "cannot unpack non-iterable %s object", typeName(v))
		}
	}
	if len(items) < n {
		s.Throw("ValueError", "not enough values to unpack (expected %d, got %d)", n, len(items))
	}
	if len(items) > n {
		s.Throw("ValueError", "too many values to unpack (expected %d)", n)
	}
	return items
}

func (s *State) execFor(n *ForNode, f *frame, iterable any, depth int) ctl {
	s.pos = n.Iter.Position()
	items := s.iterate(iterable)
	inner := &frame{parent: f}
	if n.Cond != nil {
		// The filter runs before the body, so loop.length counts only
		// the items that pass it.
		kept := make([]any, 0, len(items))
		for _, it := range items {
			inner.reset()
			s.assign(n.Target, it, inner)
			if Truth(s.eval(n.Cond, inner)) {
				kept = append(kept, it)
			}
		}
		items = kept
	}
	var loop *LoopContext
	if n.usesLoop || n.Recursive {
		loop = &LoopContext{items: items, depth0: depth, node: n, state: s, outer: f}
	}
	// Without a loop object or filter, a list is iterated live, so items
	// appended by the body are visited, as in Python.
	live, _ := iterable.(*List)
	if loop != nil || n.Cond != nil {
		live = nil
	}
	// Jinja2 runs the else block unless some iteration ran its body to the
	// end: an iteration left by break or continue does not count.
	completed := false
	for i := 0; ; i++ {
		var it any
		if live != nil {
			if i >= len(live.Items) {
				break
			}
			it = live.Items[i]
		} else {
			if i >= len(items) {
				break
			}
			it = items[i]
		}
		if s.env.MaxSteps > 0 {
			s.steps++
			if s.steps > s.env.MaxSteps {
				s.Throw("TemplateRuntimeError", "step limit of %d exceeded", s.env.MaxSteps)
			}
		}
		inner.reset()
		if loop != nil {
			loop.index0 = i
			inner.set("loop", loop)
		}
		s.assign(n.Target, it, inner)
		c := s.execBody(n.Body, inner)
		switch c {
		case ctlBreak:
			goto done
		case ctlReturn:
			return c
		case ctlNone:
			completed = true
		}
	}
done:
	if !completed && len(n.Else) > 0 {
		return s.execBody(n.Else, &frame{parent: f})
	}
	return ctlNone
}

// templateRef is Jinja2's `self`, the template reference. Blocks and
// inheritance are not part of dbt's dialect, so it carries nothing.
type templateRef struct{}

func (templateRef) String() string { return "<TemplateReference None>" }

// LoopContext is the `loop` variable of a for loop.
type LoopContext struct {
	items   []any
	index0  int
	depth0  int
	node    *ForNode
	state   *State
	outer   *frame
	changed []any
	hasLast bool
}

// Attr implements Object.
func (l *LoopContext) Attr(name string) (any, bool) {
	n := len(l.items)
	switch name {
	case "index":
		return int64(l.index0 + 1), true
	case "index0":
		return int64(l.index0), true
	case "revindex":
		return int64(n - l.index0), true
	case "revindex0":
		return int64(n - l.index0 - 1), true
	case "first":
		return l.index0 == 0, true
	case "last":
		return l.index0 == n-1, true
	case "length":
		return int64(n), true
	case "depth":
		return int64(l.depth0 + 1), true
	case "depth0":
		return int64(l.depth0), true
	case "previtem":
		if l.index0 == 0 {
			return &Undefined{Hint: "there is no previous item", Name: "previtem"}, true
		}
		return l.items[l.index0-1], true
	case "nextitem":
		if l.index0 >= n-1 {
			return &Undefined{Hint: "there is no next item", Name: "nextitem"}, true
		}
		return l.items[l.index0+1], true
	case "cycle":
		return Func(func(s *State, args *Args) (any, error) {
			if args.Len() == 0 {
				s.Throw("TypeError", "no items for cycling given")
			}
			return args.Pos[l.index0%args.Len()], nil
		}), true
	case "changed":
		return Func(func(s *State, args *Args) (any, error) {
			var cur []any
			if args != nil {
				cur = args.Pos
			}
			if l.hasLast && seqEqual(l.changed, cur) {
				return false, nil
			}
			l.changed, l.hasLast = append([]any(nil), cur...), true
			return true, nil
		}), true
	}
	return nil, false
}

// Call implements recursive loops: loop(children).
func (l *LoopContext) Call(s *State, args *Args) any {
	if !l.node.Recursive {
		s.Throw("TypeError", "The loop must be marked as 'recursive' to call it recursively.")
	}
	if args.Len() != 1 {
		s.Throw("TypeError", "loop() takes exactly one argument")
	}
	saved := s.out
	s.out = nil
	s.execFor(l.node, l.outer, args.Pos[0], l.depth0+1)
	text := string(s.out)
	s.out = saved
	return text
}

// ---------------------------------------------------------------------------
// Expressions

func (s *State) eval(x Expr, f *frame) any {
	switch x := x.(type) {
	case *ConstExpr:
		return x.Value
	case *NameExpr:
		return s.lookup(x.Name, f, x.Position())
	case *AttrExpr:
		obj := s.eval(x.X, f)
		s.pos = x.Position()
		return s.getattr(obj, x.Name)
	case *ItemExpr:
		obj := s.eval(x.X, f)
		var key any
		if sl, ok := x.Key.(*SliceExpr); ok {
			key = &sliceValue{s.evalOpt(sl.Start, f), s.evalOpt(sl.Stop, f), s.evalOpt(sl.Step, f)}
		} else {
			key = s.eval(x.Key, f)
		}
		s.pos = x.Position()
		if _, ok := key.(*sliceValue); ok {
			if v, ok := s.item(obj, key); ok {
				return v
			}
			if u, ok := obj.(*Undefined); ok {
				s.failUndefined(u)
			}
			// Jinja2 turns the TypeError of an unsliceable object into an
			// undefined value.
			return &Undefined{Name: "slice", Obj: obj}
		}
		return s.getitem(obj, key)
	case *CallExpr:
		return s.evalCall(x, f, nil)
	case *FilterExpr:
		return s.applyFilter(x, s.eval(x.X, f), f)
	case *TestExpr:
		v := s.eval(x.X, f)
		ok := s.applyTest(x, v, f)
		return ok != x.Negate
	case *UnaryExpr:
		v := s.eval(x.X, f)
		s.pos = x.Position()
		switch x.Op {
		case "not":
			return !Truth(v)
		case "-":
			switch n := v.(type) {
			case int64:
				if n == math.MinInt64 {
					return new(big.Int).Neg(big.NewInt(n))
				}
				return -n
			case *big.Int:
				return normBig(new(big.Int).Neg(n))
			case float64:
				return -n
			case interface{ Neg() any }: // host values: Decimal, timedelta
				return n.Neg()
			case bool:
				if n {
					return int64(-1)
				}
				return int64(0)
			case *Undefined:
				s.failUndefined(n)
			}
			s.Throw("TypeError", "bad operand type for unary -: '%s'", typeName(v))
		default:
			switch n := v.(type) {
			case int64, float64, *big.Int, *Decimal:
				return n
			case bool:
				if n {
					return int64(1)
				}
				return int64(0)
			case *Undefined:
				s.failUndefined(n)
			}
			s.Throw("TypeError", "bad operand type for unary +: '%s'", typeName(v))
		}
	case *BinaryExpr:
		switch x.Op {
		case "and":
			l := s.eval(x.L, f)
			if !Truth(l) {
				return l
			}
			return s.eval(x.R, f)
		case "or":
			l := s.eval(x.L, f)
			if Truth(l) {
				return l
			}
			return s.eval(x.R, f)
		case "~":
			l := s.eval(x.L, f)
			r := s.eval(x.R, f)
			return ToString(l) + ToString(r)
		}
		l := s.eval(x.L, f)
		r := s.eval(x.R, f)
		s.pos = x.Position()
		return s.binaryOp(x.Op, l, r)
	case *CompareExpr:
		l := s.eval(x.First, f)
		for i, op := range x.Ops {
			r := s.eval(x.Rest[i], f)
			s.pos = x.Rest[i].Position()
			var ok bool
			switch op {
			case "==":
				ok = Equal(l, r)
			case "!=":
				ok = !Equal(l, r)
			case "<":
				ok = s.compare(op, l, r) < 0
			case "<=":
				ok = s.compare(op, l, r) <= 0
			case ">":
				ok = s.compare(op, l, r) > 0
			case ">=":
				ok = s.compare(op, l, r) >= 0
			case "in":
				ok = s.contains(r, l)
			case "notin":
				ok = !s.contains(r, l)
			}
			if !ok {
				return false
			}
			l = r
		}
		return true
	case *CondExpr:
		if Truth(s.eval(x.Cond, f)) {
			return s.eval(x.Then, f)
		}
		if x.Else == nil {
			return &Undefined{Hint: "the inline if-expression on line " + itoa(s.file.Position(x.Position()).Line) + " evaluated to false and no else section was defined."}
		}
		return s.eval(x.Else, f)
	case *ListExpr:
		items := make([]any, len(x.Items))
		for i, it := range x.Items {
			items[i] = s.eval(it, f)
		}
		return &List{Items: items}
	case *TupleExpr:
		items := make(Tuple, len(x.Items))
		for i, it := range x.Items {
			items[i] = s.eval(it, f)
		}
		return items
	case *DictExpr:
		d := &Dict{}
		for i, k := range x.Keys {
			kv := s.eval(k, f)
			vv := s.eval(x.Values[i], f)
			s.pos = k.Position()
			if err := d.set(kv, vv); err != nil {
				s.Throw("TypeError", "%s", err.Error())
			}
		}
		return d
	case *SliceExpr:
		return &sliceValue{s.evalOpt(x.Start, f), s.evalOpt(x.Stop, f), s.evalOpt(x.Step, f)}
	}
	return nil
}

func (s *State) evalOpt(x Expr, f *frame) any {
	if x == nil {
		return nil
	}
	return s.eval(x, f)
}

// lookup resolves a name: locals, then the render context, then globals.
func (s *State) lookup(name string, f *frame, at source.Pos) any {
	if v, ok := f.lookup(name); ok {
		return v
	}
	if s.ctx != nil {
		if v, ok := s.ctx.Resolve(name); ok {
			return Normalize(v)
		}
	}
	if v, ok := s.env.globals[name]; ok {
		return v
	}
	if name == "self" {
		return templateRef{}
	}
	return &Undefined{Name: name, Obj: noObj}
}

// evalArgs evaluates call arguments, spreading *args and **kwargs.
func (s *State) evalArgs(c *CallExpr, f *frame) *Args {
	args := &Args{}
	if n := len(c.Args); n > 0 {
		if n <= len(args.inl) {
			args.Pos = args.inl[:0:n]
		} else {
			args.Pos = make([]any, 0, n)
		}
		for _, a := range c.Args {
			args.Pos = append(args.Pos, s.eval(a, f))
		}
	}
	if c.DynArgs != nil {
		v := s.eval(c.DynArgs, f)
		s.pos = c.DynArgs.Position()
		args.Pos = append(args.Pos, s.iterate(v)...)
	}
	if len(c.KwNames) > 0 {
		args.Kw = make([]KV, 0, len(c.KwNames))
		for i, name := range c.KwNames {
			args.Kw = append(args.Kw, KV{name, s.eval(c.KwValues[i], f)})
		}
	}
	if c.DynKwargs != nil {
		v := s.eval(c.DynKwargs, f)
		d, ok := v.(*Dict)
		if !ok {
			s.pos = c.DynKwargs.Position()
			s.Throw("TypeError", "argument after ** must be a mapping, not %s", typeName(v))
		}
		for i, k := range d.keys {
			ks, ok := k.(string)
			if !ok {
				s.Throw("TypeError", "keywords must be strings")
			}
			args.Kw = append(args.Kw, KV{ks, d.vals[i]})
		}
	}
	return args
}

func (s *State) evalCall(c *CallExpr, f *frame, caller *Macro) any {
	fn := s.eval(c.Fn, f)
	args := s.evalArgs(c, f)
	if caller != nil {
		args.Kw = append(args.Kw, KV{"caller", caller})
	}
	s.pos = c.Position()
	return s.call(fn, args)
}

// call calls a callable value.
func (s *State) call(fn any, args *Args) any {
	switch x := fn.(type) {
	case *Macro:
		return s.callMacro(x, args)
	case Callable:
		pos, file := s.pos, s.file
		v := x.Call(s, args)
		s.pos, s.file = pos, file
		return v
	case *Undefined:
		if s.capturing(x) {
			return x
		}
		s.failUndefined(x)
	}
	s.Throw("TypeError", "'%s' object is not callable", typeName(fn))
	return nil
}

// Call calls a template or host callable from host code.
func (s *State) Call(fn any, args *Args) any { return s.call(fn, args) }

func (s *State) applyFilter(x *FilterExpr, v any, f *frame) any {
	args := s.evalArgs(x.Call, f)
	s.pos = x.Position()
	fn := x.fn
	if fn == nil {
		var ok bool
		if fn, ok = s.env.filters[x.Name]; !ok {
			s.Throw("TemplateRuntimeError", "No filter named '%s' found.", x.Name)
		}
	}
	return Normalize(fn(s, v, args))
}

// applyFilterChain applies a filter chain whose innermost X is nil to v.
func (s *State) applyFilterChain(chain Expr, v any, f *frame) any {
	fx, ok := chain.(*FilterExpr)
	if !ok {
		return v
	}
	if fx.X != nil {
		v = s.applyFilterChain(fx.X, v, f)
	}
	return s.applyFilter(fx, v, f)
}

func (s *State) applyTest(x *TestExpr, v any, f *frame) bool {
	args := s.evalArgs(x.Call, f)
	s.pos = x.Position()
	fn := x.fn
	if fn == nil {
		var ok bool
		if fn, ok = s.env.tests[x.Name]; !ok {
			s.Throw("TemplateRuntimeError", "No test named '%s' found.", x.Name)
		}
	}
	return fn(s, v, args)
}

// ---------------------------------------------------------------------------
// Macros

// Macro is a macro value: its definition and the scope it was defined in.
type Macro struct {
	def     *MacroNode
	closure *frame
}

// NewMacro binds a top-level macro definition for calls from host code.
func NewMacro(def *MacroNode) *Macro { return &Macro{def: def} }

// Name returns the macro's name.
func (m *Macro) Name() string { return m.def.Name }

// Def returns the macro's definition.
func (m *Macro) Def() *MacroNode { return m.def }

// Call implements Callable.
func (m *Macro) Call(s *State, args *Args) any { return s.callMacro(m, args) }

// Attr implements Object (name, arguments, defaults, catch_kwargs, …).
func (m *Macro) Attr(name string) (any, bool) {
	d := m.def
	switch name {
	case "name":
		if d.Tag == "call" {
			return nil, true
		}
		return d.Name, true
	case "arguments":
		t := make(Tuple, len(d.Params))
		for i, p := range d.Params {
			t[i] = p.Name
		}
		return t, true
	case "catch_kwargs":
		return d.kwargs, true
	case "catch_varargs":
		return d.varargs, true
	case "caller":
		return d.caller, true
	}
	return nil, false
}

func (s *State) callMacro(m *Macro, args *Args) any {
	d := m.def
	if s.depth >= maxDepth {
		s.Throw("RecursionError", "maximum recursion depth exceeded")
	}
	callPos, callFile := s.pos, s.file
	f := &frame{parent: m.closure}
	nparams := len(d.Params)
	var npos int
	if args != nil {
		npos = len(args.Pos)
	}
	if npos > nparams && !d.varargs {
		s.Throw("TypeError", "macro '%s' takes not more than %d argument(s)", d.Name, nparams)
	}
	given := make([]bool, nparams)
	vals := make([]any, nparams)
	for i := 0; i < npos && i < nparams; i++ {
		vals[i], given[i] = args.Pos[i], true
	}
	var extraKw *Dict
	var caller any = nil
	hasCaller := false
	if args != nil {
		for _, kv := range args.Kw {
			idx := -1
			for i, p := range d.Params {
				if p.Name == kv.Name {
					idx = i
					break
				}
			}
			switch {
			case idx >= 0:
				if given[idx] {
					s.Throw("TypeError", "macro '%s' got multiple values for argument '%s'", d.Name, kv.Name)
				}
				vals[idx], given[idx] = kv.Value, true
			case kv.Name == "caller" && d.caller:
				caller, hasCaller = kv.Value, true
			case d.kwargs:
				if extraKw == nil {
					extraKw = NewDict()
				}
				extraKw.Set(kv.Name, kv.Value)
			default:
				s.Throw("TypeError", "macro '%s' takes no keyword argument '%s'", d.Name, kv.Name)
			}
		}
	}
	s.file = d.tmplFile
	for i, p := range d.Params {
		if given[i] {
			f.set(p.Name, vals[i])
		} else if p.Default != nil {
			f.set(p.Name, s.eval(p.Default, f))
		} else {
			f.set(p.Name, &Undefined{Hint: "parameter '" + p.Name + "' was not provided", Name: p.Name})
		}
	}
	if d.varargs {
		var extra Tuple = Tuple{}
		if npos > nparams {
			extra = append(Tuple{}, args.Pos[nparams:]...)
		}
		f.set("varargs", extra)
	}
	if d.kwargs {
		if extraKw == nil {
			extraKw = NewDict()
		}
		f.set("kwargs", extraKw)
	}
	if d.caller {
		if hasCaller {
			f.set("caller", caller)
		} else {
			f.set("caller", &Undefined{Hint: "No caller defined", Name: "caller"})
		}
	}
	saved := s.out
	s.out = make([]byte, 0, 256)
	s.depth++
	s.execBody(d.Body, f)
	s.depth--
	var result any = string(s.out)
	s.out = saved
	if s.hasRet {
		result, s.ret, s.hasRet = s.ret, nil, false
	}
	s.pos, s.file = callPos, callFile
	return result
}
