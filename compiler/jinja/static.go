package jinja

import (
	"strings"

	"github.com/gdbt/gdbt/compiler/source"
)

// StaticCall is a call to one of the watched functions found without
// rendering: dbt uses it to learn ref(), source() and config() calls fast,
// and to fall back to rendering only when an argument is not a literal.
type StaticCall struct {
	Name   string
	Args   []any // literal values of positional arguments
	Kwargs []KV  // literal values of keyword arguments
	// KwargText is each keyword value as written; a string literal is
	// given as its value, another constant as its Python repr (dbt's
	// unrendered_config).
	KwargText []any
	Literal   bool // every argument is a literal (Args/Kwargs are complete)
	Pos       source.Pos
}

// StaticCalls lists, in source order, the calls to the named functions
// (plain names, e.g. ref(...), not x.ref(...)) anywhere in the template,
// including inside macros and untaken branches.
func (t *Template) StaticCalls(names ...string) []StaticCall {
	var out []StaticCall
	v := &visitor{expr: func(x Expr) bool {
		c, ok := x.(*CallExpr)
		if !ok {
			return true
		}
		fn, ok := c.Fn.(*NameExpr)
		if !ok {
			return true
		}
		for _, n := range names {
			if fn.Name == n {
				out = append(out, staticCall(t.file.Text, fn.Name, c))
				break
			}
		}
		return true
	}}
	v.nodes(t.body)
	return out
}

func staticCall(text, name string, c *CallExpr) StaticCall {
	sc := StaticCall{Name: name, Literal: c.DynArgs == nil && c.DynKwargs == nil, Pos: c.Fn.Position()}
	for _, a := range c.Args {
		v, ok := literal(a)
		sc.Literal = sc.Literal && ok
		sc.Args = append(sc.Args, v)
	}
	for i, k := range c.KwNames {
		v, ok := literal(c.KwValues[i])
		sc.Literal = sc.Literal && ok
		sc.Kwargs = append(sc.Kwargs, KV{k, v})
		if cst, isConst := c.KwValues[i].(*ConstExpr); isConst {
			// dbt keeps a string literal's value and the repr of any
			// other constant (enabled=false is "False").
			if s, isStr := cst.Value.(string); isStr {
				sc.KwargText = append(sc.KwargText, s)
			} else {
				sc.KwargText = append(sc.KwargText, Repr(cst.Value))
			}
		} else if i < len(c.KwSpans) {
			sp := c.KwSpans[i]
			sc.KwargText = append(sc.KwargText, strings.TrimSpace(text[sp[0]:sp[1]]))
		}
	}
	return sc
}

// literal folds constant expressions: literals, lists, tuples and dicts of
// literals, and string concatenation with ~ or +.
func literal(x Expr) (any, bool) {
	switch n := x.(type) {
	case *ConstExpr:
		return n.Value, true
	case *ListExpr:
		items := make([]any, len(n.Items))
		for i, it := range n.Items {
			v, ok := literal(it)
			if !ok {
				return nil, false
			}
			items[i] = v
		}
		return &List{Items: items}, true
	case *TupleExpr:
		items := make(Tuple, len(n.Items))
		for i, it := range n.Items {
			v, ok := literal(it)
			if !ok {
				return nil, false
			}
			items[i] = v
		}
		return items, true
	case *DictExpr:
		d := NewDict()
		for i, k := range n.Keys {
			kv, ok1 := literal(k)
			vv, ok2 := literal(n.Values[i])
			if !ok1 || !ok2 || d.set(kv, vv) != nil {
				return nil, false
			}
		}
		return d, true
	case *BinaryExpr:
		if n.Op == "~" || n.Op == "+" {
			l, ok1 := literal(n.L)
			r, ok2 := literal(n.R)
			ls, ok3 := l.(string)
			rs, ok4 := r.(string)
			if ok1 && ok2 && ok3 && ok4 {
				return ls + rs, true
			}
		}
	}
	return nil, false
}

// MacroCall is a call a macro body makes that may reach another macro:
// name(...), pkg.name(...), or adapter.dispatch('name', 'ns') with literal
// arguments.
type MacroCall struct {
	Package  string // for pkg.name(...)
	Name     string
	Dispatch bool // adapter.dispatch('Name', 'Package')
}

// MacroCalls lists, in source order, the calls in m's body that can name a
// macro (dbt's depends_on.macros of a macro is found this way).
func (m *MacroNode) MacroCalls() []MacroCall {
	var out []MacroCall
	v := &visitor{expr: func(x Expr) bool {
		c, ok := x.(*CallExpr)
		if !ok {
			return true
		}
		switch fn := c.Fn.(type) {
		case *NameExpr:
			out = append(out, MacroCall{Name: fn.Name})
		case *AttrExpr:
			base, ok := fn.X.(*NameExpr)
			if !ok {
				return true
			}
			if base.Name == "adapter" && fn.Name == "dispatch" && len(c.Args) > 0 {
				name, ok := literal(c.Args[0])
				if s, isStr := name.(string); ok && isStr {
					mc := MacroCall{Name: s, Dispatch: true}
					if len(c.Args) > 1 {
						if ns, ok := literal(c.Args[1]); ok {
							mc.Package, _ = ns.(string)
						}
					}
					for i, k := range c.KwNames {
						if k == "macro_namespace" {
							if ns, ok := literal(c.KwValues[i]); ok {
								mc.Package, _ = ns.(string)
							}
						}
					}
					out = append(out, mc)
				}
				return true
			}
			out = append(out, MacroCall{Package: base.Name, Name: fn.Name})
		}
		return true
	}}
	v.nodes(m.Body)
	return out
}
