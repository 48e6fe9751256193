package jinja

// walk calls fn for every node and expression below the given nodes,
// depth first; fn returning false prunes that subtree.
type visitor struct {
	node func(Node) bool
	expr func(Expr) bool
}

func (v *visitor) nodes(ns []Node) {
	for _, n := range ns {
		v.visitNode(n)
	}
}

func (v *visitor) visitNode(n Node) {
	if v.node != nil && !v.node(n) {
		return
	}
	switch n := n.(type) {
	case *OutputNode:
		v.visitExpr(n.X)
	case *IfNode:
		for i, c := range n.Conds {
			v.visitExpr(c)
			v.nodes(n.Bodies[i])
		}
		v.nodes(n.Else)
	case *ForNode:
		v.visitExpr(n.Target)
		v.visitExpr(n.Iter)
		v.visitExpr(n.Cond)
		v.nodes(n.Body)
		v.nodes(n.Else)
	case *SetNode:
		v.visitExpr(n.Target)
		v.visitExpr(n.X)
	case *SetBlockNode:
		v.visitExpr(n.Target)
		v.visitExpr(n.Filter)
		v.nodes(n.Body)
	case *MacroNode:
		for _, p := range n.Params {
			v.visitExpr(p.Default)
		}
		v.nodes(n.Body)
	case *CallBlockNode:
		v.visitExpr(n.Call)
		v.visitNode(n.Caller)
	case *FilterBlockNode:
		v.visitExpr(n.Filter)
		v.nodes(n.Body)
	case *WithNode:
		for i := range n.Targets {
			v.visitExpr(n.Targets[i])
			v.visitExpr(n.Values[i])
		}
		v.nodes(n.Body)
	case *DoNode:
		v.visitExpr(n.X)
	case *DataBlockNode:
		v.nodes(n.Body)
	}
}

func (v *visitor) visitExpr(x Expr) {
	if x == nil {
		return
	}
	if v.expr != nil && !v.expr(x) {
		return
	}
	switch x := x.(type) {
	case *ListExpr:
		for _, it := range x.Items {
			v.visitExpr(it)
		}
	case *TupleExpr:
		for _, it := range x.Items {
			v.visitExpr(it)
		}
	case *DictExpr:
		for i := range x.Keys {
			v.visitExpr(x.Keys[i])
			v.visitExpr(x.Values[i])
		}
	case *AttrExpr:
		v.visitExpr(x.X)
	case *ItemExpr:
		v.visitExpr(x.X)
		v.visitExpr(x.Key)
	case *SliceExpr:
		v.visitExpr(x.Start)
		v.visitExpr(x.Stop)
		v.visitExpr(x.Step)
	case *CallExpr:
		v.visitExpr(x.Fn)
		for _, a := range x.Args {
			v.visitExpr(a)
		}
		for _, a := range x.KwValues {
			v.visitExpr(a)
		}
		v.visitExpr(x.DynArgs)
		v.visitExpr(x.DynKwargs)
	case *FilterExpr:
		v.visitExpr(x.X)
		v.visitExpr(x.Call)
	case *TestExpr:
		v.visitExpr(x.X)
		v.visitExpr(x.Call)
	case *UnaryExpr:
		v.visitExpr(x.X)
	case *BinaryExpr:
		v.visitExpr(x.L)
		v.visitExpr(x.R)
	case *CompareExpr:
		v.visitExpr(x.First)
		for _, r := range x.Rest {
			v.visitExpr(r)
		}
	case *CondExpr:
		v.visitExpr(x.Cond)
		v.visitExpr(x.Then)
		v.visitExpr(x.Else)
	}
}

// mentions reports whether name is read anywhere in body (Jinja2 decides
// from this whether a macro takes varargs, kwargs and caller).
func mentions(body []Node, name string) bool {
	found := false
	v := &visitor{expr: func(x Expr) bool {
		if n, ok := x.(*NameExpr); ok && n.Name == name {
			found = true
		}
		return !found
	}, node: func(Node) bool { return !found }}
	v.nodes(body)
	return found
}

func exprMentions(x Expr, name string) bool {
	found := false
	v := &visitor{expr: func(x Expr) bool {
		if n, ok := x.(*NameExpr); ok && n.Name == name {
			found = true
		}
		return !found
	}}
	v.visitExpr(x)
	return found
}
