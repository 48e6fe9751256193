package jinja

import "github.com/gdbt/gdbt/compiler/source"

// Node is a statement of a template body. The unexported method keeps the
// set of node types inside this package, so the interpreter's type switches
// are exhaustive.
type Node interface {
	Position() source.Pos
	node()
}

// Expr is an expression.
type Expr interface {
	Position() source.Pos
	expr()
}

type pos source.Pos

func (p pos) Position() source.Pos { return source.Pos(p) }

// ---------------------------------------------------------------------------
// Statements

// TextNode is literal template text.
type TextNode struct {
	pos
	Text string
}

// OutputNode is {{ expr }}.
type OutputNode struct {
	pos
	X Expr
}

// IfNode is {% if %}…{% elif %}…{% else %}…{% endif %}.
type IfNode struct {
	pos
	Conds  []Expr
	Bodies [][]Node
	Else   []Node

	// Most ifs have no elif: their one condition and body live here.
	cond1 [1]Expr
	body1 [1][]Node
}

// ForNode is {% for target in iter [if cond] [recursive] %}.
type ForNode struct {
	pos
	Target    Expr // *NameExpr or *TupleExpr of names
	Iter      Expr
	Cond      Expr // optional filter
	Body      []Node
	Else      []Node
	Recursive bool
	usesLoop  bool // whether the body mentions `loop`; saves building it
}

// SetNode is {% set target = expr %}.
type SetNode struct {
	pos
	Target Expr // *NameExpr, *TupleExpr, or *AttrExpr on a namespace
	X      Expr
}

// SetBlockNode is {% set target [| filters] %}body{% endset %}.
type SetBlockNode struct {
	pos
	Target Expr
	Filter Expr // a *FilterExpr chain whose innermost X is nil, or nil
	Body   []Node
}

// MacroNode is {% macro name(params) %}body{% endmacro %}, and also the
// macros made by host block tags such as dbt's {% test %}.
type MacroNode struct {
	pos
	Name     string
	Params   []Param
	Body     []Node
	varargs  bool // the body mentions varargs
	kwargs   bool // the body mentions kwargs
	caller   bool // the body mentions caller
	Tag      string
	Header   *BlockHeader // for host block tags
	End      source.Pos   // just after the closing tag
	tmplFile *source.File
}

// File returns the file the macro was defined in.
func (m *MacroNode) File() *source.File { return m.tmplFile }

// Source returns the macro's source text, from its opening tag to the end
// of its closing tag (dbt's macro_sql).
func (m *MacroNode) Source() string {
	start := int(m.Position())
	// The node position is the tag name; back up to "{%".
	if k := lastIndex(m.tmplFile.Text[:start], "{%"); k >= 0 {
		start = k
	}
	return m.tmplFile.Text[start:m.End]
}

func lastIndex(s, sub string) int {
	for i := len(s) - len(sub); i >= 0; i-- {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}

// Param is a macro parameter with an optional default.
type Param struct {
	Name    string
	Default Expr
}

// CallBlockNode is {% call(params) fn(args) %}body{% endcall %}.
type CallBlockNode struct {
	pos
	Call   *CallExpr
	Caller *MacroNode
}

// FilterBlockNode is {% filter f(args) | g %}body{% endfilter %}.
type FilterBlockNode struct {
	pos
	Filter Expr // chain whose innermost X is nil
	Body   []Node
}

// WithNode is {% with a = 1, b = 2 %}body{% endwith %}.
type WithNode struct {
	pos
	Targets []Expr
	Values  []Expr
	Body    []Node
}

// DoNode is {% do expr %}.
type DoNode struct {
	pos
	X Expr
}

// BreakNode is {% break %}; ContinueNode is {% continue %}.
type BreakNode struct{ pos }

// ContinueNode is {% continue %}.
type ContinueNode struct{ pos }

// DataBlockNode is a host block tag whose body is kept as data, such as
// dbt's {% docs %} or {% snapshot %}: it renders nothing.
type DataBlockNode struct {
	pos
	Tag      string
	Header   *BlockHeader
	Body     []Node
	BodyText string // the raw source of the body
	BodyPos  source.Pos
}

func (*TextNode) node()        {}
func (*OutputNode) node()      {}
func (*IfNode) node()          {}
func (*ForNode) node()         {}
func (*SetNode) node()         {}
func (*SetBlockNode) node()    {}
func (*MacroNode) node()       {}
func (*CallBlockNode) node()   {}
func (*FilterBlockNode) node() {}
func (*WithNode) node()        {}
func (*DoNode) node()          {}
func (*BreakNode) node()       {}
func (*ContinueNode) node()    {}
func (*DataBlockNode) node()   {}

// ---------------------------------------------------------------------------
// Expressions

// ConstExpr is a literal.
type ConstExpr struct {
	pos
	Value any
}

// NameExpr is a variable reference.
type NameExpr struct {
	pos
	Name string
}

// ListExpr is [a, b].
type ListExpr struct {
	pos
	Items []Expr
}

// TupleExpr is (a, b) or a bare a, b.
type TupleExpr struct {
	pos
	Items []Expr
}

// DictExpr is {k: v}.
type DictExpr struct {
	pos
	Keys, Values []Expr
}

// AttrExpr is x.name.
type AttrExpr struct {
	pos
	X    Expr
	Name string
}

// ItemExpr is x[key]; Key may be a *SliceExpr.
type ItemExpr struct {
	pos
	X   Expr
	Key Expr
}

// SliceExpr is start:stop:step inside brackets.
type SliceExpr struct {
	pos
	Start, Stop, Step Expr
}

// CallExpr is fn(args, name=value, *dyn, **dynkw).
type CallExpr struct {
	pos
	Fn        Expr
	Args      []Expr
	KwNames   []string
	KwValues  []Expr
	KwSpans   [][2]source.Pos // source text of each keyword value
	DynArgs   Expr
	DynKwargs Expr
}

// FilterExpr is x | name(args). X is nil in filter blocks and block sets.
type FilterExpr struct {
	pos
	X    Expr
	Name string
	Call *CallExpr // the arguments (Fn is nil)
	fn   FilterFunc
}

// TestExpr is x is [not] name(args).
type TestExpr struct {
	pos
	X      Expr
	Name   string
	Call   *CallExpr
	Negate bool
	fn     TestFunc
}

// UnaryExpr is not x, -x, +x.
type UnaryExpr struct {
	pos
	Op string
	X  Expr
}

// BinaryExpr is an arithmetic, ~, and or or operation.
type BinaryExpr struct {
	pos
	Op   string
	L, R Expr
}

// CompareExpr is a comparison chain a < b <= c.
type CompareExpr struct {
	pos
	First Expr
	Ops   []string // ==, !=, <, <=, >, >=, in, notin
	Rest  []Expr
}

// CondExpr is a if cond else b.
type CondExpr struct {
	pos
	Cond, Then, Else Expr // Else may be nil
}

func (*ConstExpr) expr()   {}
func (*NameExpr) expr()    {}
func (*ListExpr) expr()    {}
func (*TupleExpr) expr()   {}
func (*DictExpr) expr()    {}
func (*AttrExpr) expr()    {}
func (*ItemExpr) expr()    {}
func (*SliceExpr) expr()   {}
func (*CallExpr) expr()    {}
func (*FilterExpr) expr()  {}
func (*TestExpr) expr()    {}
func (*UnaryExpr) expr()   {}
func (*BinaryExpr) expr()  {}
func (*CompareExpr) expr() {}
func (*CondExpr) expr()    {}
