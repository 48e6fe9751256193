package jinja

import (
	"math/big"
	"strconv"
	"strings"

	"github.com/gdbt/gdbt/compiler/source"
)

// parser is a recursive-descent parser over the token slice, following
// Jinja2's grammar and precedence (parser.py is the spec). Errors panic with
// *lexError and are turned into *Error by Parse.
type parser struct {
	env    *Environment
	file   *source.File
	toks   []token
	i      int
	soft   bool     // directly inside an if: unknown filters fail at run time
	loops  int      // for loops around the current body (macros reset it)
	stack  []string // open block tags, innermost last
	macros []*MacroNode
	blocks []*DataBlockNode
	nodes  []Node // parseBody's stack

	// The most common nodes are carved from chunks: one allocation per
	// chunk instead of one per node.
	consts  []ConstExpr
	names   []NameExpr
	texts   []TextNode
	outputs []OutputNode
}

// slabSize scales with the template: small ones (a generic test's one
// call) must not carry mostly empty chunks.
func (p *parser) slabSize() int { return min(32, max(2, len(p.toks)/24)) }

func (p *parser) newConst(x ConstExpr) *ConstExpr    { return carve(&p.consts, p.slabSize(), x) }
func (p *parser) newName(x NameExpr) *NameExpr       { return carve(&p.names, p.slabSize(), x) }
func (p *parser) newText(x TextNode) *TextNode       { return carve(&p.texts, p.slabSize(), x) }
func (p *parser) newOutput(x OutputNode) *OutputNode { return carve(&p.outputs, p.slabSize(), x) }

// carve stores x in the chunk *slab, starting a new chunk of size when it
// is full, and returns where it went.
func carve[T any](slab *[]T, size int, x T) *T {
	if len(*slab) == cap(*slab) {
		*slab = make([]T, 0, size)
	}
	*slab = append(*slab, x)
	return &(*slab)[len(*slab)-1]
}

func (p *parser) cur() token  { return p.toks[p.i] }
func (p *parser) peek() token { return p.toks[min(p.i+1, len(p.toks)-1)] }
func (p *parser) next() token {
	t := p.toks[p.i]
	if p.i < len(p.toks)-1 {
		p.i++
	}
	return t
}

func (p *parser) fail(at source.Pos, msg string) {
	panic(&lexError{pos: at, msg: msg})
}

func describe(t token) string {
	switch t.kind {
	case tName, tOp:
		return t.val
	case tString:
		return "string"
	case tInt, tFloat:
		return t.val
	}
	return tokenNames[t.kind]
}

func (p *parser) isOp(op string) bool {
	t := p.cur()
	return t.kind == tOp && t.val == op
}

func (p *parser) isName(name string) bool {
	t := p.cur()
	return t.kind == tName && t.val == name
}

func (p *parser) skipOp(op string) bool {
	if p.isOp(op) {
		p.next()
		return true
	}
	return false
}

func (p *parser) skipName(name string) bool {
	if p.isName(name) {
		p.next()
		return true
	}
	return false
}

func (p *parser) expectOp(op string) token {
	t := p.cur()
	if t.kind != tOp || t.val != op {
		if t.kind == tEOF {
			p.fail(t.pos, "unexpected end of template, expected '"+op+"'.")
		}
		p.fail(t.pos, "expected token '"+op+"', got '"+describe(t)+"'")
	}
	return p.next()
}

func (p *parser) expectKind(k tokenKind) token {
	t := p.cur()
	if t.kind != k {
		if t.kind == tEOF {
			p.fail(t.pos, "unexpected end of template, expected '"+tokenNames[k]+"'.")
		}
		p.fail(t.pos, "expected token '"+tokenNames[k]+"', got '"+describe(t)+"'")
	}
	return p.next()
}

func (p *parser) expectName() token {
	t := p.cur()
	if t.kind != tName {
		if t.kind == tEOF {
			p.fail(t.pos, "unexpected end of template, expected 'name'.")
		}
		p.fail(t.pos, "expected token 'name', got '"+describe(t)+"'")
	}
	return p.next()
}

// ---------------------------------------------------------------------------
// Statements

// parseBody parses nodes until one of the end tags (given as names) opens a
// block; it leaves the parser on that tag name and returns it.
func (p *parser) parseBody(ends ...string) ([]Node, string) {
	// Nodes collect on a stack shared by the nested bodies and are copied
	// out at the end: one exact-size slice per body instead of a growing one.
	mark := len(p.nodes)
	done := func() []Node {
		var body []Node
		if n := len(p.nodes) - mark; n > 0 {
			body = make([]Node, n)
			copy(body, p.nodes[mark:])
		}
		clear(p.nodes[mark:])
		p.nodes = p.nodes[:mark]
		return body
	}
	for {
		t := p.cur()
		switch t.kind {
		case tText:
			p.next()
			p.nodes = append(p.nodes, p.newText(TextNode{pos(t.pos), t.val}))
		case tVarBegin:
			p.next()
			x := p.parseTuple(false, true, nil, false)
			p.expectKind(tVarEnd)
			p.nodes = append(p.nodes, p.newOutput(OutputNode{pos(t.pos), x}))
		case tBlockBegin:
			p.next()
			nt := p.cur()
			if nt.kind != tName {
				p.fail(nt.pos, "tag name expected")
			}
			for _, e := range ends {
				if nt.val == e {
					return done(), e
				}
			}
			if n := p.parseStatement(); n != nil {
				p.nodes = append(p.nodes, n)
			}
		case tEOF:
			if len(ends) > 0 {
				p.failUnclosed(t.pos, "", ends)
			}
			return done(), ""
		default:
			p.fail(t.pos, "unexpected '"+describe(t)+"'")
		}
	}
}

func (p *parser) failUnclosed(at source.Pos, name string, ends []string) {
	var b strings.Builder
	if name == "" {
		b.WriteString("Unexpected end of template.")
	} else {
		b.WriteString("Encountered unknown tag '" + name + "'.")
	}
	if len(ends) > 0 {
		b.WriteString(" Jinja was looking for the following tags: ")
		for i, e := range ends {
			if i > 0 {
				b.WriteString(" or ")
			}
			b.WriteString("'" + e + "'")
		}
		b.WriteString(".")
	}
	if len(p.stack) > 0 {
		b.WriteString(" The innermost block that needs to be closed is '" + p.stack[len(p.stack)-1] + "'.")
	}
	p.fail(at, b.String())
}

// endTag consumes "{% endname %}" after parseBody stopped on it and
// returns the offset just after it.
func (p *parser) endTag() source.Pos {
	p.next()
	t := p.expectKind(tBlockEnd)
	if int(t.pos) < len(p.file.Text) && p.file.Text[t.pos] != '%' {
		return t.pos + 3 // "-%}" or "+%}"
	}
	return t.pos + 2
}

func (p *parser) parseStatement() Node {
	t := p.cur()
	switch t.val {
	case "if":
		return p.parseIf()
	case "for":
		return p.parseFor()
	case "set":
		return p.parseSet()
	case "macro":
		return p.parseMacro()
	case "call":
		return p.parseCallBlock()
	case "filter":
		return p.parseFilterBlock()
	case "with":
		return p.parseWith()
	case "do":
		p.next()
		x := p.parseTuple(false, true, nil, false)
		p.expectKind(tBlockEnd)
		return &DoNode{pos(t.pos), x}
	case "break", "continue":
		p.next()
		p.expectKind(tBlockEnd)
		if p.loops == 0 {
			// Python rejects the generated code; Jinja2 surfaces that.
			msg := "'break' outside loop"
			if t.val == "continue" {
				msg = "'continue' not properly in loop"
			}
			panic(&lexError{pos: t.pos, msg: msg, kind: "SyntaxError"})
		}
		if t.val == "break" {
			return &BreakNode{pos(t.pos)}
		}
		return &ContinueNode{pos(t.pos)}
	}
	if tag, ok := p.env.blocks[t.val]; ok {
		return p.parseHostBlock(t, tag)
	}
	var ends []string
	p.failUnclosed(t.pos, t.val, ends)
	return nil
}

func (p *parser) push(tag string) { p.stack = append(p.stack, tag) }
func (p *parser) pop()            { p.stack = p.stack[:len(p.stack)-1] }

// bodyOf parses a nested block body in a new scope, where unknown filters
// are compile errors again.
func (p *parser) bodyOf(tag string, ends ...string) ([]Node, string) {
	soft := p.soft
	p.soft = false
	p.push(tag)
	body, end := p.parseBody(ends...)
	p.pop()
	p.soft = soft
	return body, end
}

func (p *parser) parseIf() Node {
	t := p.next()
	n := &IfNode{pos: pos(t.pos)}
	n.Conds, n.Bodies = n.cond1[:0], n.body1[:0]
	soft := p.soft
	p.soft = true
	p.push("if")
	defer func() { p.pop(); p.soft = soft }()
	for {
		cond := p.parseTuple(false, false, nil, false)
		p.expectKind(tBlockEnd)
		body, end := p.parseBody("elif", "else", "endif")
		n.Conds = append(n.Conds, cond)
		n.Bodies = append(n.Bodies, body)
		switch end {
		case "elif":
			p.next()
			continue
		case "else":
			p.next()
			p.expectKind(tBlockEnd)
			n.Else, _ = p.parseBody("endif")
		}
		p.endTag()
		return n
	}
}

func (p *parser) parseFor() Node {
	t := p.next()
	n := &ForNode{pos: pos(t.pos)}
	n.Target = p.parseAssignTarget(true, false, []string{"in"}, false)
	if exprMentions(n.Target, "loop") {
		panic(&lexError{pos: n.Target.Position(), msg: "Can't assign to special loop variable in for-loop target", kind: "TemplateAssertionError"})
	}
	if !p.skipName("in") {
		p.fail(p.cur().pos, "expected token 'in', got '"+describe(p.cur())+"'")
	}
	n.Iter = p.parseTuple(false, false, []string{"recursive"}, false)
	if p.skipName("if") {
		n.Cond = p.parseExpression(true)
	}
	n.Recursive = p.skipName("recursive")
	p.expectKind(tBlockEnd)
	p.loops++
	body, end := p.bodyOf("for", "endfor", "else")
	p.loops--
	n.Body = body
	if end == "else" {
		p.next()
		p.expectKind(tBlockEnd)
		n.Else, _ = p.bodyOf("for", "endfor")
	}
	p.endTag()
	n.usesLoop = mentions(n.Body, "loop") || (n.Cond != nil && exprMentions(n.Cond, "loop"))
	return n
}

func (p *parser) parseSet() Node {
	t := p.next()
	target := p.parseAssignTarget(true, false, nil, true)
	if p.skipOp("=") {
		x := p.parseTuple(false, true, nil, false)
		p.expectKind(tBlockEnd)
		return &SetNode{pos(t.pos), target, x}
	}
	n := &SetBlockNode{pos: pos(t.pos), Target: target}
	if p.isOp("|") {
		n.Filter = p.parseFilter(nil, false)
	}
	p.expectKind(tBlockEnd)
	n.Body, _ = p.bodyOf("set", "endset")
	p.endTag()
	return n
}

func (p *parser) parseMacro() Node {
	t := p.next()
	name := p.expectName()
	m := &MacroNode{pos: pos(t.pos), Name: name.val, Tag: "macro", tmplFile: p.file}
	m.Params = p.parseSignature()
	p.expectKind(tBlockEnd)
	loops := p.loops
	p.loops = 0
	m.Body, _ = p.bodyOf("macro", "endmacro")
	p.loops = loops
	m.End = p.endTag()
	p.finishMacro(m)
	return m
}

func (p *parser) finishMacro(m *MacroNode) {
	setMacroFlags(m)
	if len(p.stack) == 0 {
		p.macros = append(p.macros, m)
	}
}

// setMacroFlags decides, as Jinja2 does, whether a macro takes extra
// positional or keyword arguments or a caller: when its body reads
// varargs, kwargs or caller and no parameter has that name.
func setMacroFlags(m *MacroNode) {
	has := func(name string) bool {
		for _, p := range m.Params {
			if p.Name == name {
				return true
			}
		}
		return false
	}
	m.varargs = !has("varargs") && mentions(m.Body, "varargs")
	m.kwargs = !has("kwargs") && mentions(m.Body, "kwargs")
	m.caller = !has("caller") && mentions(m.Body, "caller")
}

// parseSignature parses "(a, b=1)".
func (p *parser) parseSignature() []Param {
	var params []Param
	p.expectOp("(")
	for !p.isOp(")") {
		if len(params) > 0 {
			p.expectOp(",")
			if p.isOp(")") {
				break
			}
		}
		name := p.expectName()
		param := Param{Name: name.val}
		if p.skipOp("=") {
			param.Default = p.parseExpression(true)
		} else if len(params) > 0 && params[len(params)-1].Default != nil {
			p.fail(name.pos, "non-default argument follows default argument")
		}
		params = append(params, param)
	}
	p.expectOp(")")
	return params
}

func (p *parser) parseCallBlock() Node {
	t := p.next()
	caller := &MacroNode{pos: pos(t.pos), Name: "caller", Tag: "call", tmplFile: p.file}
	if p.isOp("(") {
		caller.Params = p.parseSignature()
	}
	x := p.parseExpression(true)
	call, ok := x.(*CallExpr)
	if !ok {
		p.fail(x.Position(), "expected call")
	}
	p.expectKind(tBlockEnd)
	caller.Body, _ = p.bodyOf("call", "endcall")
	p.endTag()
	setMacroFlags(caller)
	return &CallBlockNode{pos(t.pos), call, caller}
}

func (p *parser) parseFilterBlock() Node {
	t := p.next()
	f := p.parseFilter(nil, true)
	p.expectKind(tBlockEnd)
	body, _ := p.bodyOf("filter", "endfilter")
	p.endTag()
	return &FilterBlockNode{pos(t.pos), f, body}
}

func (p *parser) parseWith() Node {
	t := p.next()
	n := &WithNode{pos: pos(t.pos)}
	for p.cur().kind != tBlockEnd {
		if len(n.Targets) > 0 {
			p.expectOp(",")
		}
		target := p.parseAssignTarget(true, false, nil, false)
		p.expectOp("=")
		n.Targets = append(n.Targets, target)
		n.Values = append(n.Values, p.parseExpression(true))
	}
	p.expectKind(tBlockEnd)
	n.Body, _ = p.bodyOf("with", "endwith")
	p.endTag()
	return n
}

// parseAssignTarget parses a name, a tuple of names, or (withNamespace) a
// namespace attribute ns.attr.
func (p *parser) parseAssignTarget(withTuple, nameOnly bool, extraEnd []string, withNamespace bool) Expr {
	t := p.cur()
	if withNamespace && t.kind == tName && p.peek().kind == tOp && p.peek().val == "." {
		var items []Expr
		for {
			nt := p.expectName()
			var item Expr = p.newName(NameExpr{pos(nt.pos), nt.val})
			if p.skipOp(".") {
				attr := p.expectName()
				item = &AttrExpr{pos(nt.pos), item, attr.val}
			}
			items = append(items, item)
			if !p.skipOp(",") {
				break
			}
		}
		if len(items) == 1 {
			return items[0]
		}
		return &TupleExpr{pos(t.pos), items}
	}
	if nameOnly {
		name := p.expectName()
		return p.newName(NameExpr{pos(name.pos), name.val})
	}
	var target Expr
	if withTuple {
		target = p.parseTuple(true, true, extraEnd, false)
	} else {
		target = p.parsePrimary()
	}
	p.checkAssignable(target)
	return target
}

func (p *parser) checkAssignable(x Expr) {
	switch n := x.(type) {
	case *NameExpr:
		switch n.Name {
		case "true", "false", "none", "True", "False", "None":
			p.fail(n.Position(), "cannot assign to name '"+n.Name+"'")
		}
		return
	case *TupleExpr:
		for _, it := range n.Items {
			p.checkAssignable(it)
		}
		return
	}
	p.fail(x.Position(), "can't assign to '"+nodeTypeName(x)+"'")
}

func nodeTypeName(x Expr) string {
	switch x.(type) {
	case *ConstExpr:
		return "Const"
	case *AttrExpr:
		return "Getattr"
	case *ItemExpr:
		return "Getitem"
	case *CallExpr:
		return "Call"
	case *ListExpr:
		return "List"
	case *DictExpr:
		return "Dict"
	}
	return "expression"
}

// parseHostBlock parses a host block tag such as dbt's {% test %}.
func (p *parser) parseHostBlock(t token, tag BlockTag) Node {
	p.next()
	h := &BlockHeader{Tag: t.val}
	switch tag.Header {
	case HeaderSignature:
		h.Name = p.expectName().val
		if p.isOp("(") {
			h.Params = p.parseSignature()
		}
	case HeaderName:
		h.Name = p.expectName().val
	case HeaderArgs:
		h.Name = p.expectName().val
		for p.skipOp(",") {
			if p.cur().kind == tName && p.peek().kind == tOp && p.peek().val == "=" {
				key := p.next().val
				p.next()
				h.Kwargs = append(h.Kwargs, KV{key, p.constValue(p.parseExpression(true))})
			} else {
				h.Args = append(h.Args, p.constValue(p.parseExpression(true)))
			}
		}
	}
	p.expectKind(tBlockEnd)
	bodyStart := p.cur().pos
	end := "end" + t.val
	body, _ := p.bodyOf(t.val, end)
	bodyEnd := p.cur().pos // the name token of the end tag
	endPos := p.endTag()
	if tag.Macro {
		name := h.Name
		if tag.MacroName != nil {
			name = tag.MacroName(h)
		}
		m := &MacroNode{pos: pos(t.pos), Name: name, Params: h.Params, Body: body, Tag: t.val, Header: h, End: endPos, tmplFile: p.file}
		p.finishMacro(m)
		return m
	}
	// The raw body ends where the "{%" of the end tag starts.
	rawEnd := int(bodyEnd)
	if k := strings.LastIndex(p.file.Text[:rawEnd], "{%"); k >= 0 {
		rawEnd = k
	}
	start := int(bodyStart)
	if start > rawEnd {
		start = rawEnd
	}
	// bodyStart is the first token after the tag; find the tag's real end.
	if k := strings.LastIndex(p.file.Text[:start], "%}"); k >= 0 && k+2 <= rawEnd && k+2 >= int(t.pos) {
		start = k + 2
	}
	n := &DataBlockNode{pos: pos(t.pos), Tag: t.val, Header: h, Body: body, BodyText: p.file.Text[start:rawEnd], BodyPos: source.Pos(start)}
	if len(p.stack) == 0 {
		p.blocks = append(p.blocks, n)
	}
	return n
}

// constValue evaluates a literal expression (block tag headers only take
// literals).
func (p *parser) constValue(x Expr) any {
	switch n := x.(type) {
	case *ConstExpr:
		return n.Value
	case *NameExpr:
		return n.Name
	case *ListExpr:
		items := make([]any, len(n.Items))
		for i, it := range n.Items {
			items[i] = p.constValue(it)
		}
		return &List{Items: items}
	case *TupleExpr:
		items := make(Tuple, len(n.Items))
		for i, it := range n.Items {
			items[i] = p.constValue(it)
		}
		return items
	}
	p.fail(x.Position(), "expected a literal value")
	return nil
}

// ---------------------------------------------------------------------------
// Expressions

func (p *parser) isTupleEnd(extraEnd []string) bool {
	t := p.cur()
	switch t.kind {
	case tVarEnd, tBlockEnd, tEOF:
		return true
	case tOp:
		return t.val == ")"
	case tName:
		for _, e := range extraEnd {
			if t.val == e {
				return true
			}
		}
	}
	return false
}

// parseTuple parses a comma-separated expression list; one item without a
// trailing comma is returned as itself.
func (p *parser) parseTuple(simplified, withCondExpr bool, extraEnd []string, explicitParens bool) Expr {
	start := p.cur().pos
	var items []Expr
	var first Expr // the usual single expression, kept out of items
	count := 0
	isTuple := false
	for {
		if count > 0 {
			p.expectOp(",")
		}
		if p.isTupleEnd(extraEnd) {
			break
		}
		var x Expr
		switch {
		case simplified:
			x = p.parsePrimary()
		default:
			x = p.parseExpression(withCondExpr)
		}
		switch count++; count {
		case 1:
			first = x
		case 2:
			items = append(items, first, x)
		default:
			items = append(items, x)
		}
		if p.isOp(",") {
			isTuple = true
		} else {
			break
		}
	}
	if !isTuple {
		if count > 0 {
			return first
		}
		if !explicitParens {
			p.fail(p.cur().pos, "Expected an expression, got '"+describe(p.cur())+"'")
		}
	}
	if count == 1 {
		items = []Expr{first} // "(x,)"
	}
	return &TupleExpr{pos(start), items}
}

func (p *parser) parseExpression(withCondExpr bool) Expr {
	if loneOperands {
		if x := p.loneOperand(); x != nil {
			return x
		}
	}
	if withCondExpr {
		return p.parseCondExpr()
	}
	return p.parseOr()
}

// loneOperands switches loneOperand on; TestLoneOperand compares the trees
// parsed with and without it.
var loneOperands = true

// loneOperand parses an expression that is a single name or literal
// followed by what ends it (`ref('m')`, `{{ c }}`, list items) without
// descending through every precedence level, which gives the same node;
// nil when the expression is anything more.
func (p *parser) loneOperand() Expr {
	switch t := p.cur(); t.kind {
	case tName:
		if t.val == "not" {
			return nil
		}
	case tString, tInt, tFloat:
	default:
		return nil
	}
	switch next := p.peek(); next.kind {
	case tVarEnd, tBlockEnd:
	case tOp:
		switch next.val {
		case ",", ")", "]", "}":
		default:
			return nil
		}
	default:
		return nil
	}
	return p.parsePrimary()
}

func (p *parser) parseCondExpr() Expr {
	x := p.parseOr()
	for p.isName("if") {
		t := p.next()
		cond := p.parseOr()
		var els Expr
		if p.skipName("else") {
			els = p.parseCondExpr()
		}
		x = &CondExpr{pos(t.pos), cond, x, els}
	}
	return x
}

func (p *parser) parseOr() Expr {
	x := p.parseAnd()
	for p.isName("or") {
		t := p.next()
		x = &BinaryExpr{pos(t.pos), "or", x, p.parseAnd()}
	}
	return x
}

func (p *parser) parseAnd() Expr {
	x := p.parseNot()
	for p.isName("and") {
		t := p.next()
		x = &BinaryExpr{pos(t.pos), "and", x, p.parseNot()}
	}
	return x
}

func (p *parser) parseNot() Expr {
	if p.isName("not") {
		t := p.next()
		return &UnaryExpr{pos(t.pos), "not", p.parseNot()}
	}
	return p.parseCompare()
}

func (p *parser) parseCompare() Expr {
	start := p.cur().pos
	x := p.parseMath1()
	var ops []string
	var rest []Expr
	for {
		t := p.cur()
		if t.kind == tOp {
			switch t.val {
			case "==", "!=", "<", "<=", ">", ">=":
				p.next()
				ops = append(ops, t.val)
				rest = append(rest, p.parseMath1())
				continue
			}
		}
		if p.skipName("in") {
			ops = append(ops, "in")
			rest = append(rest, p.parseMath1())
			continue
		}
		if p.isName("not") && p.peek().kind == tName && p.peek().val == "in" {
			p.next()
			p.next()
			ops = append(ops, "notin")
			rest = append(rest, p.parseMath1())
			continue
		}
		break
	}
	if len(ops) == 0 {
		return x
	}
	return &CompareExpr{pos(start), x, ops, rest}
}

func (p *parser) parseMath1() Expr {
	x := p.parseConcat()
	for p.isOp("+") || p.isOp("-") {
		t := p.next()
		x = &BinaryExpr{pos(t.pos), t.val, x, p.parseConcat()}
	}
	return x
}

func (p *parser) parseConcat() Expr {
	x := p.parseMath2()
	for p.isOp("~") {
		t := p.next()
		x = &BinaryExpr{pos(t.pos), "~", x, p.parseMath2()}
	}
	return x
}

func (p *parser) parseMath2() Expr {
	x := p.parsePow()
	for p.isOp("*") || p.isOp("/") || p.isOp("//") || p.isOp("%") {
		t := p.next()
		x = &BinaryExpr{pos(t.pos), t.val, x, p.parsePow()}
	}
	return x
}

func (p *parser) parsePow() Expr {
	x := p.parseUnary(true)
	for p.isOp("**") {
		t := p.next()
		x = &BinaryExpr{pos(t.pos), "**", x, p.parseUnary(true)}
	}
	return x
}

func (p *parser) parseUnary(withFilter bool) Expr {
	t := p.cur()
	var x Expr
	switch {
	case t.kind == tOp && t.val == "-":
		p.next()
		x = &UnaryExpr{pos(t.pos), "-", p.parseUnary(false)}
	case t.kind == tOp && t.val == "+":
		p.next()
		x = &UnaryExpr{pos(t.pos), "+", p.parseUnary(false)}
	default:
		x = p.parsePrimary()
	}
	x = p.parsePostfix(x)
	if withFilter {
		x = p.parseFilterExpr(x)
	}
	return x
}

func (p *parser) parsePrimary() Expr {
	t := p.cur()
	switch t.kind {
	case tName:
		p.next()
		switch t.val {
		case "true", "True":
			return p.newConst(ConstExpr{pos(t.pos), true})
		case "false", "False":
			return p.newConst(ConstExpr{pos(t.pos), false})
		case "none", "None":
			return p.newConst(ConstExpr{pos(t.pos), nil})
		}
		return p.newName(NameExpr{pos(t.pos), t.val})
	case tString:
		p.next()
		s := t.val
		for p.cur().kind == tString {
			s += p.next().val
		}
		return p.newConst(ConstExpr{pos(t.pos), s})
	case tInt:
		p.next()
		return p.newConst(ConstExpr{pos(t.pos), p.parseInt(t)})
	case tFloat:
		p.next()
		f, err := strconv.ParseFloat(strings.ReplaceAll(t.val, "_", ""), 64)
		if err != nil && !strings.Contains(err.Error(), "range") {
			p.fail(t.pos, "invalid float literal "+t.val)
		}
		return p.newConst(ConstExpr{pos(t.pos), f})
	case tOp:
		switch t.val {
		case "(":
			p.next()
			x := p.parseTuple(false, true, nil, true)
			p.expectOp(")")
			return x
		case "[":
			p.next()
			var items []Expr
			for !p.isOp("]") {
				if len(items) > 0 {
					p.expectOp(",")
					if p.isOp("]") {
						break
					}
				}
				items = append(items, p.parseExpression(true))
			}
			p.expectOp("]")
			return &ListExpr{pos(t.pos), items}
		case "{":
			p.next()
			d := &DictExpr{pos: pos(t.pos)}
			for !p.isOp("}") {
				if len(d.Keys) > 0 {
					p.expectOp(",")
					if p.isOp("}") {
						break
					}
				}
				d.Keys = append(d.Keys, p.parseExpression(true))
				p.expectOp(":")
				d.Values = append(d.Values, p.parseExpression(true))
			}
			p.expectOp("}")
			return d
		}
	}
	if t.kind == tEOF || t.kind == tVarEnd || t.kind == tBlockEnd {
		p.fail(t.pos, "unexpected '"+describe(t)+"'")
	}
	p.fail(t.pos, "unexpected '"+describe(t)+"'")
	return nil
}

func (p *parser) parseInt(t token) any {
	s := strings.ReplaceAll(t.val, "_", "")
	base := 10
	if len(s) > 1 && s[0] == '0' {
		switch s[1] | 0x20 {
		case 'b':
			base, s = 2, s[2:]
		case 'o':
			base, s = 8, s[2:]
		case 'x':
			base, s = 16, s[2:]
		}
	}
	n, err := strconv.ParseInt(s, base, 64)
	if err != nil {
		b, ok := new(big.Int).SetString(s, base)
		if !ok {
			p.fail(t.pos, "invalid integer literal: "+t.val)
		}
		return b
	}
	return n
}

func (p *parser) parsePostfix(x Expr) Expr {
	for {
		t := p.cur()
		if t.kind != tOp {
			return x
		}
		switch t.val {
		case ".":
			p.next()
			a := p.cur()
			switch a.kind {
			case tName:
				p.next()
				x = &AttrExpr{pos(t.pos), x, a.val}
			case tInt:
				p.next()
				x = &ItemExpr{pos(t.pos), x, p.newConst(ConstExpr{pos(a.pos), p.parseInt(a)})}
			default:
				p.fail(a.pos, "expected name or number")
			}
		case "[":
			p.next()
			var args []Expr
			for !p.isOp("]") {
				if len(args) > 0 {
					p.expectOp(",")
				}
				args = append(args, p.parseSubscribed())
			}
			p.expectOp("]")
			var key Expr
			if len(args) == 1 {
				key = args[0]
			} else {
				key = &TupleExpr{pos(t.pos), args}
			}
			x = &ItemExpr{pos(t.pos), x, key}
		case "(":
			x = p.parseCall(x)
		default:
			return x
		}
	}
}

func (p *parser) parseSubscribed() Expr {
	start := p.cur().pos
	var args [3]Expr
	if p.isOp(":") {
		p.next()
	} else {
		x := p.parseExpression(true)
		if !p.isOp(":") {
			return x
		}
		p.next()
		args[0] = x
	}
	if !p.isOp(":") && !p.isOp("]") && !p.isOp(",") {
		args[1] = p.parseExpression(true)
	}
	if p.isOp(":") {
		p.next()
		if !p.isOp("]") && !p.isOp(",") {
			args[2] = p.parseExpression(true)
		}
	}
	return &SliceExpr{pos(start), args[0], args[1], args[2]}
}

func (p *parser) parseCall(fn Expr) *CallExpr {
	t := p.cur()
	c := &CallExpr{pos: pos(t.pos), Fn: fn}
	p.parseCallArgs(c)
	return c
}

func (p *parser) parseCallArgs(c *CallExpr) {
	t := p.expectOp("(")
	ensure := func(ok bool) {
		if !ok {
			p.fail(t.pos, "Invalid syntax for function call expression")
		}
	}
	requireComma := false
	for !p.isOp(")") {
		if requireComma {
			p.expectOp(",")
			if p.isOp(")") {
				break
			}
		}
		switch {
		case p.isOp("*"):
			ensure(c.DynArgs == nil && c.DynKwargs == nil)
			p.next()
			c.DynArgs = p.parseExpression(true)
		case p.isOp("**"):
			ensure(c.DynKwargs == nil)
			p.next()
			c.DynKwargs = p.parseExpression(true)
		case p.cur().kind == tName && p.peek().kind == tOp && p.peek().val == "=":
			ensure(c.DynKwargs == nil)
			key := p.next().val
			p.next()
			start := p.cur().pos
			c.KwNames = append(c.KwNames, key)
			c.KwValues = append(c.KwValues, p.parseExpression(true))
			c.KwSpans = append(c.KwSpans, [2]source.Pos{start, p.cur().pos})
		default:
			ensure(c.DynArgs == nil && c.DynKwargs == nil && len(c.KwNames) == 0)
			c.Args = append(c.Args, p.parseExpression(true))
		}
		requireComma = true
	}
	p.expectOp(")")
}

func (p *parser) parseFilterExpr(x Expr) Expr {
	for {
		t := p.cur()
		switch {
		case t.kind == tOp && t.val == "|":
			x = p.parseFilter(x, false)
		case t.kind == tName && t.val == "is":
			x = p.parseTest(x)
		case t.kind == tOp && t.val == "(":
			x = p.parseCall(x)
		default:
			return x
		}
	}
}

// parseFilter parses "| name(args) | …"; with startInline the first pipe is
// implicit ({% filter upper %}).
func (p *parser) parseFilter(x Expr, startInline bool) Expr {
	for p.isOp("|") || startInline {
		if !startInline {
			p.next()
		}
		startInline = false
		t := p.expectName()
		name := t.val
		for p.isOp(".") {
			p.next()
			name += "." + p.expectName().val
		}
		call := &CallExpr{pos: pos(t.pos)}
		if p.isOp("(") {
			p.parseCallArgs(call)
		}
		f := &FilterExpr{pos(t.pos), x, name, call, nil}
		if fn, ok := p.env.filters[name]; ok {
			f.fn = fn
		} else if !p.soft {
			panic(&lexError{pos: t.pos, msg: "No filter named '" + name + "'.", kind: "TemplateAssertionError"})
		}
		x = f
	}
	return x
}

func (p *parser) parseTest(x Expr) Expr {
	isTok := p.next()
	negate := p.skipName("not")
	t := p.expectName()
	name := t.val
	for p.isOp(".") {
		p.next()
		name += "." + p.expectName().val
	}
	call := &CallExpr{pos: pos(t.pos)}
	cur := p.cur()
	switch {
	case cur.kind == tOp && cur.val == "(":
		p.parseCallArgs(call)
	case (cur.kind == tName || cur.kind == tString || cur.kind == tInt || cur.kind == tFloat ||
		cur.kind == tOp && (cur.val == "(" || cur.val == "[" || cur.val == "{")) &&
		!(cur.kind == tName && (cur.val == "else" || cur.val == "or" || cur.val == "and")):
		if cur.kind == tName && cur.val == "is" {
			p.fail(cur.pos, "You cannot chain multiple tests with is")
		}
		arg := p.parsePostfix(p.parsePrimary())
		call.Args = []Expr{arg}
	}
	te := &TestExpr{pos(isTok.pos), x, name, call, negate, nil}
	if fn, ok := p.env.tests[name]; ok {
		te.fn = fn
	} else if !p.soft {
		panic(&lexError{pos: t.pos, msg: "No test named '" + name + "'.", kind: "TemplateAssertionError"})
	}
	return te
}
