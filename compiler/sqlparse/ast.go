package sqlparse

import "strings"

// The internal tree keeps only what the analysis needs: queries, FROM items,
// relation names, column references, subqueries, and per expression the
// column name Postgres would give it. Everything else collapses into tOther
// nodes that only carry the interesting nodes found below them.

type tag uint8

const (
	tOther    tag = iota // any expression we do not interpret; kids hold what is below
	tColRef              // ColumnRef: fields, star
	tSubLink             // subquery in an expression
	tQuery               // a nested statement (in utility statements)
	tRangeVar            // a relation named outside a query (utility statements)
)

// expr is one expression node. name/str is FigureColname's answer for the
// node (str 0: no name, 1: weak name such as "case", 2: good name).
type expr struct {
	tag     tag
	str     int8
	star    bool
	name    string
	fields  []string // tColRef: the String parts, in order
	buf     [2]string
	subType string // tSubLink: EXISTS_SUBLINK, EXPR_SUBLINK, ...
	q       *query // tSubLink, tQuery
	rv      *rangeVar
	kids    []*expr
	read    bool // tRangeVar: the relation is read, not written
}

type rangeVar struct {
	catalog, schema, name string
	loc                   int
	alias                 string
	colnames              []string
	hasColnames           bool
}

type fromKind uint8

const (
	fRel   fromKind = iota // a table, view or CTE reference
	fSub                   // subquery or VALUES
	fFunc                  // function in FROM
	fJoin                  // JOIN
	fOther                 // XMLTABLE, JSON_TABLE, ...
)

type fromItem struct {
	kind        fromKind
	lateral     bool
	noRead      bool // the DML target: in scope, but not a read
	rv          *rangeVar
	q           *query
	alias       string
	colnames    []string
	hasColnames bool
	funcName    string // fFunc: name of the (first) function
	larg, rarg  *fromItem
	using       []string
	natural     bool
	exprs       []*expr
}

type target struct {
	name string // the output column name Postgres would give it
	val  *expr
	loc  int
}

type cte struct {
	name     string
	colnames []string
	q        *query
	loc      int
}

type withClause struct {
	recursive bool
	ctes      []*cte
}

// query is a SELECT (or a set operation or VALUES), a DML statement, or a
// utility statement. For utility statements only kind, writes, reads and
// kids are used.
type query struct {
	kind    string // command tag
	with    *withClause
	targets []*target // SELECT list or RETURNING list
	from    []*fromItem
	exprs   []*expr   // WHERE, GROUP BY, ORDER BY, SET lists, ...
	values  [][]*expr // VALUES rows
	op      string    // "" or UNION / INTERSECT / EXCEPT
	larg    *query    // set operation arms
	rarg    *query
	writes  []*rangeVar // relations written (INSERT/UPDATE/... targets, CREATE ... AS)
	reads   []*rangeVar // relations read outside of FROM (COPY ... TO, LIKE)
	subs    []*query    // INSERT's SELECT, CREATE TABLE AS query, ...
	kids    []*expr     // utility statements: what the generic walk found
	returns bool        // produces rows with known columns (SELECT, VALUES, RETURNING)
}

// ---- decoding ----

// node reads a wrapped node {"Type": {...}} and returns its expression, or
// nil when nothing below it matters.
func (d *jsonDec) node() *expr {
	first := true
	d.objStart()
	typ := d.key(&first)
	if typ == "" {
		return nil
	}
	e := d.nodeBody(typ)
	if d.key(&first) != "" {
		d.fail("node with two types")
	}
	return e
}

// value reads any JSON value in a generic position and appends the
// interesting nodes found in it to out.
func (d *jsonDec) value() {
	switch d.peek() {
	case '{':
		// A wrapped node starts with a CamelCase type name; a typed message
		// (Alias, WindowDef, RangeVar as a typed field...) with a lower-case
		// field name.
		j := d.i + 1
		for j < len(d.s) && (d.s[j] == ' ' || d.s[j] == '\n') {
			j++
		}
		if j+1 < len(d.s) && d.s[j] == '"' && d.s[j+1] >= 'A' && d.s[j+1] <= 'Z' {
			d.push(d.node())
			return
		}
		// A typed message: its interesting nodes go straight to the
		// caller; a RangeVar is kept whole.
		mark := len(d.stack)
		if rv := d.genericFields(); rv != nil {
			kids := d.pop(mark)
			d.push(&expr{tag: tRangeVar, rv: rv, kids: kids})
		}
	case '[':
		d.arrStart()
		first := true
		for d.elem(&first) {
			d.value()
		}
	default:
		d.skip()
	}
}

// generic reads the body of a node we do not interpret. A body that holds a
// relname is a RangeVar printed as a typed field (e.g. AlterTableStmt's
// relation); it becomes a tRangeVar.
func (d *jsonDec) generic(typ string) *expr {
	mark := len(d.stack)
	rv := d.genericFields()
	kids := d.pop(mark)
	if rv != nil {
		return &expr{tag: tRangeVar, rv: rv, kids: kids}
	}
	return &expr{tag: tOther, kids: kids}
}

// genericFields reads an object's fields, pushing the interesting nodes
// found in them, and returns the RangeVar the object is, if it is one.
func (d *jsonDec) genericFields() *rangeVar {
	var name, schema, catalog string
	loc := 0
	first := true
	d.objStart()
	for k := d.key(&first); k != ""; k = d.key(&first) {
		switch k {
		case "relname":
			name = d.str()
		case "schemaname":
			schema = d.str()
		case "catalogname":
			catalog = d.str()
		case "location":
			loc = d.int()
		case "alias", "lockingClause":
			d.skip()
		default:
			d.value()
		}
	}
	if name == "" {
		return nil
	}
	return &rangeVar{catalog: catalog, schema: schema, name: name, loc: loc}
}

// valueInto reads a value and appends the interesting nodes in it to out.
func (d *jsonDec) valueInto(out *[]*expr) {
	mark := len(d.stack)
	d.value()
	*out = append(*out, d.stack[mark:]...)
	clear(d.stack[mark:])
	d.stack = d.stack[:mark]
}

func (d *jsonDec) push(e *expr) {
	if e != nil {
		d.stack = append(d.stack, e)
	}
}

// pop returns the nodes pushed since mark in a slice of their own.
func (d *jsonDec) pop(mark int) []*expr {
	n := len(d.stack) - mark
	if n <= 0 {
		return nil
	}
	out := make([]*expr, n)
	copy(out, d.stack[mark:])
	clear(d.stack[mark:])
	d.stack = d.stack[:mark]
	return out
}

func (d *jsonDec) nodeBody(typ string) *expr {
	switch typ {
	case "String", "A_Const", "Integer", "Float", "Boolean", "BitString", "ParamRef", "A_Star", "TypeName", "SetToDefault":
		d.skip()
		return nil
	case "ColumnRef":
		return d.columnRef()
	case "FuncCall":
		return d.funcCall()
	case "TypeCast":
		return d.typeCast()
	case "CollateClause":
		e := d.generic(typ)
		if len(e.kids) > 0 && e.kids[0] != nil {
			e.name, e.str = e.kids[0].name, e.kids[0].str
		}
		return e
	case "A_Indirection":
		return d.indirection()
	case "A_Expr":
		return d.aExpr()
	case "SubLink":
		return d.subLink()
	case "CaseExpr":
		return d.caseExpr()
	case "A_ArrayExpr":
		return d.named(typ, "array", 2)
	case "RowExpr":
		return d.named(typ, "row", 2)
	case "CoalesceExpr":
		return d.named(typ, "coalesce", 2)
	case "GroupingFunc":
		return d.named(typ, "grouping", 2)
	case "MergeSupportFunc":
		return d.named(typ, "merge_action", 2)
	case "XmlSerialize":
		return d.named(typ, "xmlserialize", 2)
	case "JsonParseExpr":
		return d.named(typ, "json", 2)
	case "JsonScalarExpr":
		return d.named(typ, "json_scalar", 2)
	case "JsonSerializeExpr":
		return d.named(typ, "json_serialize", 2)
	case "JsonObjectConstructor":
		return d.named(typ, "json_object", 2)
	case "JsonArrayConstructor", "JsonArrayQueryConstructor":
		return d.named(typ, "json_array", 2)
	case "JsonObjectAgg":
		return d.named(typ, "json_objectagg", 2)
	case "JsonArrayAgg":
		return d.named(typ, "json_arrayagg", 2)
	case "MinMaxExpr", "SQLValueFunction", "XmlExpr", "JsonFuncExpr":
		return d.opNamed(typ)
	case "SelectStmt":
		return &expr{tag: tQuery, q: d.selectStmt()}
	case "InsertStmt", "UpdateStmt", "DeleteStmt", "MergeStmt":
		return &expr{tag: tQuery, q: d.dml(typ)}
	case "CreateTableAsStmt", "ViewStmt", "CreateStmt", "CopyStmt":
		return &expr{tag: tQuery, q: d.createLike(typ)}
	case "RangeVar":
		rv := d.rangeVar()
		return &expr{tag: tRangeVar, rv: rv}
	case "TableLikeClause":
		e := d.generic(typ)
		for _, k := range e.kids {
			if k.tag == tRangeVar {
				k.read = true
			}
		}
		return e
	}
	if strings.HasSuffix(typ, "Stmt") {
		return d.utility(typ)
	}
	mark := len(d.stack)
	rv := d.genericFields()
	kids := d.pop(mark)
	switch {
	case rv != nil:
		return &expr{tag: tRangeVar, rv: rv, kids: kids}
	case kids == nil:
		return nil
	}
	return &expr{tag: tOther, kids: kids}
}

func (d *jsonDec) named(typ, name string, str int8) *expr {
	e := d.generic(typ)
	e.name, e.str = name, str
	return e
}

// opNamed names nodes whose name comes from their op enum:
// IS_GREATEST -> greatest, SVFOP_CURRENT_TIMESTAMP_N -> current_timestamp,
// IS_XMLELEMENT -> xmlelement, JSON_VALUE_OP -> json_value.
func (d *jsonDec) opNamed(typ string) *expr {
	mark := len(d.stack)
	op := ""
	first := true
	d.objStart()
	for k := d.key(&first); k != ""; k = d.key(&first) {
		if k == "op" {
			op = d.str()
		} else {
			d.value()
		}
	}
	e := &expr{tag: tOther, kids: d.pop(mark)}
	switch typ {
	case "MinMaxExpr":
		op = strings.TrimPrefix(op, "IS_")
	case "SQLValueFunction":
		op = strings.TrimSuffix(strings.TrimPrefix(op, "SVFOP_"), "_N")
	case "XmlExpr":
		if op == "IS_DOCUMENT" {
			return e
		}
		op = strings.TrimPrefix(op, "IS_")
	case "JsonFuncExpr":
		op = strings.TrimSuffix(op, "_OP")
	}
	if op != "" {
		e.name, e.str = strings.ToLower(op), 2
	}
	return e
}

func (d *jsonDec) columnRef() *expr {
	e := &expr{tag: tColRef}
	e.fields = e.buf[:0]
	first := true
	d.objStart()
	for k := d.key(&first); k != ""; k = d.key(&first) {
		if k != "fields" {
			d.skip()
			continue
		}
		d.arrStart()
		f := true
		for d.elem(&f) {
			s, star := d.stringOrStar()
			if star {
				e.star = true
			} else {
				e.fields = append(e.fields, s)
			}
		}
	}
	// FigureColname: the last String field names the column.
	if n := len(e.fields); n > 0 {
		e.name, e.str = e.fields[n-1], 2
	}
	return e
}

// stringOrStar reads a wrapped String or A_Star node. Other nodes (A_Indices)
// read as ("", false).
func (d *jsonDec) stringOrStar() (string, bool) {
	first := true
	d.objStart()
	typ := d.key(&first)
	s, star := "", false
	switch typ {
	case "String":
		f := true
		d.objStart()
		for k := d.key(&f); k != ""; k = d.key(&f) {
			if k == "sval" {
				s = d.str()
			} else {
				d.skip()
			}
		}
	case "A_Star":
		star = true
		d.skip()
	case "":
		return "", false
	default:
		d.skip()
	}
	if d.key(&first) != "" {
		d.fail("node with two types")
	}
	return s, star
}

// lastName reads a list of String nodes and returns the last one.
func (d *jsonDec) lastName() string {
	last := ""
	d.arrStart()
	f := true
	for d.elem(&f) {
		if s, _ := d.stringOrStar(); s != "" {
			last = s
		}
	}
	return last
}

// names reads a list of String nodes.
func (d *jsonDec) names() []string {
	var out []string
	d.arrStart()
	f := true
	for d.elem(&f) {
		s, _ := d.stringOrStar()
		out = append(out, s)
	}
	return out
}

func (d *jsonDec) funcCall() *expr {
	e := &expr{tag: tOther}
	mark := len(d.stack)
	first := true
	d.objStart()
	for k := d.key(&first); k != ""; k = d.key(&first) {
		if k == "funcname" {
			e.name, e.str = d.lastName(), 2
		} else {
			d.value()
		}
	}
	e.kids = d.pop(mark)
	return e
}

func (d *jsonDec) typeCast() *expr {
	e := &expr{tag: tOther}
	mark := len(d.stack)
	typeName := ""
	first := true
	d.objStart()
	for k := d.key(&first); k != ""; k = d.key(&first) {
		switch k {
		case "arg":
			if a := d.node(); a != nil {
				d.push(a)
				e.name, e.str = a.name, a.str
			}
		case "typeName":
			f := true
			d.objStart()
			for k := d.key(&f); k != ""; k = d.key(&f) {
				if k == "names" {
					typeName = d.lastName()
				} else {
					d.value()
				}
			}
		default:
			d.skip()
		}
	}
	e.kids = d.pop(mark)
	if e.str <= 1 && typeName != "" {
		e.name, e.str = typeName, 1
	}
	return e
}

func (d *jsonDec) indirection() *expr {
	e := &expr{tag: tOther}
	mark := len(d.stack)
	var arg *expr
	field := ""
	first := true
	d.objStart()
	for k := d.key(&first); k != ""; k = d.key(&first) {
		switch k {
		case "arg":
			arg = d.node()
			d.push(arg)
		case "indirection":
			d.arrStart()
			f := true
			for d.elem(&f) {
				// Peek the element type: String and A_Star matter for naming,
				// A_Indices may hold expressions.
				j := d.i
				for j < len(d.s) && d.s[j] != '"' {
					j++
				}
				if strings.HasPrefix(d.s[j:], `"String"`) || strings.HasPrefix(d.s[j:], `"A_Star"`) {
					s, star := d.stringOrStar()
					if star {
						e.star = true
					} else if s != "" {
						field = s
					}
				} else {
					d.value()
				}
			}
		default:
			d.value()
		}
	}
	e.kids = d.pop(mark)
	if field != "" {
		e.name, e.str = field, 2
	} else if arg != nil {
		e.name, e.str = arg.name, arg.str
	}
	return e
}

func (d *jsonDec) aExpr() *expr {
	e := &expr{tag: tOther}
	mark := len(d.stack)
	first := true
	d.objStart()
	for k := d.key(&first); k != ""; k = d.key(&first) {
		switch k {
		case "kind":
			if d.str() == "AEXPR_NULLIF" {
				e.name, e.str = "nullif", 2
			}
		case "name":
			d.skip()
		default:
			d.value()
		}
	}
	e.kids = d.pop(mark)
	return e
}

func (d *jsonDec) subLink() *expr {
	e := &expr{tag: tSubLink, subType: "EXISTS_SUBLINK"}
	mark := len(d.stack)
	first := true
	d.objStart()
	for k := d.key(&first); k != ""; k = d.key(&first) {
		switch k {
		case "subLinkType":
			e.subType = d.str()
		case "subselect":
			if s := d.node(); s != nil {
				e.q = s.q
			}
		case "testexpr":
			d.value()
		default:
			d.skip()
		}
	}
	e.kids = d.pop(mark)
	switch e.subType {
	case "EXISTS_SUBLINK":
		e.name, e.str = "exists", 2
	case "ARRAY_SUBLINK":
		e.name, e.str = "array", 2
	case "EXPR_SUBLINK":
		// Postgres uses the subquery's first output column name.
		q := e.q
		for q != nil && q.larg != nil {
			q = q.larg
		}
		if q != nil && len(q.targets) > 0 && q.targets[0].name != "" {
			e.name, e.str = q.targets[0].name, 2
		}
	}
	return e
}

func (d *jsonDec) caseExpr() *expr {
	e := &expr{tag: tOther}
	mark := len(d.stack)
	var def *expr
	first := true
	d.objStart()
	for k := d.key(&first); k != ""; k = d.key(&first) {
		if k == "defresult" {
			def = d.node()
			d.push(def)
		} else {
			d.value()
		}
	}
	e.kids = d.pop(mark)
	// CASE takes the name of its ELSE result when that is a good one.
	if def != nil && def.str > 1 {
		e.name, e.str = def.name, def.str
	} else {
		e.name, e.str = "case", 1
	}
	return e
}

// ---- relations and FROM ----

func (d *jsonDec) alias() (name string, cols []string, has bool) {
	first := true
	d.objStart()
	for k := d.key(&first); k != ""; k = d.key(&first) {
		switch k {
		case "aliasname":
			name = d.str()
		case "colnames":
			cols, has = d.names(), true
		default:
			d.skip()
		}
	}
	return
}

// rangeVar reads a RangeVar body (wrapped or typed).
func (d *jsonDec) rangeVar() *rangeVar {
	rv := &rangeVar{}
	first := true
	d.objStart()
	for k := d.key(&first); k != ""; k = d.key(&first) {
		switch k {
		case "relname":
			rv.name = d.str()
		case "schemaname":
			rv.schema = d.str()
		case "catalogname":
			rv.catalog = d.str()
		case "location":
			rv.loc = d.int()
		case "alias":
			rv.alias, rv.colnames, rv.hasColnames = d.alias()
		default:
			d.skip()
		}
	}
	return rv
}

// fromList reads a list of FROM items.
func (d *jsonDec) fromList() []*fromItem {
	var out []*fromItem
	d.arrStart()
	f := true
	for d.elem(&f) {
		if it := d.fromNode(); it != nil {
			out = append(out, it)
		}
	}
	return out
}

func (d *jsonDec) fromNode() *fromItem {
	first := true
	d.objStart()
	typ := d.key(&first)
	if typ == "" {
		return nil
	}
	var it *fromItem
	switch typ {
	case "RangeVar":
		rv := d.rangeVar()
		it = &fromItem{kind: fRel, rv: rv, alias: rv.alias, colnames: rv.colnames, hasColnames: rv.hasColnames}
	case "RangeSubselect":
		it = &fromItem{kind: fSub}
		f := true
		d.objStart()
		for k := d.key(&f); k != ""; k = d.key(&f) {
			switch k {
			case "lateral":
				it.lateral = d.bool()
			case "subquery":
				if e := d.node(); e != nil {
					it.q = e.q
				}
			case "alias":
				it.alias, it.colnames, it.hasColnames = d.alias()
			default:
				d.skip()
			}
		}
	case "RangeFunction":
		it = d.rangeFunction()
	case "JoinExpr":
		it = &fromItem{kind: fJoin}
		f := true
		d.objStart()
		for k := d.key(&f); k != ""; k = d.key(&f) {
			switch k {
			case "larg":
				it.larg = d.fromNode()
			case "rarg":
				it.rarg = d.fromNode()
			case "isNatural":
				it.natural = d.bool()
			case "usingClause":
				it.using = d.names()
			case "alias":
				it.alias, it.colnames, it.hasColnames = d.alias()
			case "quals":
				d.valueInto(&it.exprs)
			default:
				d.skip()
			}
		}
	case "RangeTableSample":
		f := true
		var kids []*expr
		d.objStart()
		for k := d.key(&f); k != ""; k = d.key(&f) {
			if k == "relation" {
				it = d.fromNode()
			} else {
				d.valueInto(&kids)
			}
		}
		if it == nil {
			it = &fromItem{kind: fOther}
		}
		it.exprs = append(it.exprs, kids...)
	default: // RangeTableFunc, JsonTable, ...
		it = &fromItem{kind: fOther}
		f := true
		d.objStart()
		for k := d.key(&f); k != ""; k = d.key(&f) {
			switch k {
			case "alias":
				it.alias, it.colnames, it.hasColnames = d.alias()
			case "lateral":
				it.lateral = d.bool()
			default:
				d.valueInto(&it.exprs)
			}
		}
	}
	if d.key(&first) != "" {
		d.fail("node with two types")
	}
	return it
}

func (d *jsonDec) rangeFunction() *fromItem {
	it := &fromItem{kind: fFunc, lateral: true}
	var defcols []string
	first := true
	d.objStart()
	for k := d.key(&first); k != ""; k = d.key(&first) {
		switch k {
		case "functions":
			// [{"List": {"items": [FuncCall, coldeflist]}}, ...]
			var fns []*expr
			d.valueInto(&fns)
			for _, fn := range fns {
				for _, k := range fn.kids {
					if it.funcName == "" && k.name != "" {
						it.funcName = k.name
					}
				}
				it.exprs = append(it.exprs, fn.kids...)
			}
		case "alias":
			it.alias, it.colnames, it.hasColnames = d.alias()
		case "coldeflist":
			d.arrStart()
			f := true
			for d.elem(&f) {
				defcols = append(defcols, d.columnDefName())
			}
		default:
			d.skip()
		}
	}
	if len(defcols) > 0 {
		it.colnames, it.hasColnames = defcols, true
	}
	return it
}

// columnDefName reads a wrapped ColumnDef and returns its colname.
func (d *jsonDec) columnDefName() string {
	name := ""
	first := true
	d.objStart()
	for typ := d.key(&first); typ != ""; typ = d.key(&first) {
		f := true
		d.objStart()
		for k := d.key(&f); k != ""; k = d.key(&f) {
			if k == "colname" {
				name = d.str()
			} else {
				d.skip()
			}
		}
	}
	return name
}

// ---- queries ----

func (d *jsonDec) withClause() *withClause {
	w := &withClause{}
	first := true
	d.objStart()
	for k := d.key(&first); k != ""; k = d.key(&first) {
		switch k {
		case "recursive":
			w.recursive = d.bool()
		case "ctes":
			d.arrStart()
			f := true
			for d.elem(&f) {
				w.ctes = append(w.ctes, d.cte())
			}
		default:
			d.skip()
		}
	}
	return w
}

func (d *jsonDec) cte() *cte {
	c := &cte{}
	first := true
	d.objStart()
	for typ := d.key(&first); typ != ""; typ = d.key(&first) {
		f := true
		d.objStart()
		for k := d.key(&f); k != ""; k = d.key(&f) {
			switch k {
			case "ctename":
				c.name = d.str()
			case "aliascolnames":
				c.colnames = d.names()
			case "ctequery":
				if e := d.node(); e != nil {
					c.q = e.q
				}
			case "location":
				c.loc = d.int()
			default:
				d.skip()
			}
		}
	}
	if c.q == nil {
		c.q = &query{}
	}
	return c
}

func (d *jsonDec) targets() []*target {
	var out []*target
	d.arrStart()
	f := true
	for d.elem(&f) {
		first := true
		d.objStart()
		for typ := d.key(&first); typ != ""; typ = d.key(&first) {
			t := &target{}
			ff := true
			d.objStart()
			for k := d.key(&ff); k != ""; k = d.key(&ff) {
				switch k {
				case "name":
					t.name = d.str()
				case "val":
					t.val = d.node()
				case "location":
					t.loc = d.int()
				default:
					d.skip()
				}
			}
			if t.name == "" {
				if t.val != nil && t.val.str > 0 {
					t.name = t.val.name
				} else {
					t.name = "?column?"
				}
			}
			if t.val != nil && t.val.tag == tColRef && t.val.star {
				t.name = ""
			}
			out = append(out, t)
		}
	}
	return out
}

func (d *jsonDec) selectStmt() *query {
	q := &query{kind: "SELECT", returns: true}
	first := true
	d.objStart()
	for k := d.key(&first); k != ""; k = d.key(&first) {
		switch k {
		case "targetList":
			q.targets = d.targets()
		case "fromClause":
			q.from = d.fromList()
		case "withClause":
			q.with = d.withClause()
		case "valuesLists":
			d.arrStart()
			f := true
			for d.elem(&f) {
				var row []*expr
				// {"List": {"items": [...]}}: one entry per column, nil kept
				// so the column count is right.
				ff := true
				d.objStart()
				for d.key(&ff) != "" {
					fff := true
					d.objStart()
					for kk := d.key(&fff); kk != ""; kk = d.key(&fff) {
						if kk != "items" {
							d.skip()
							continue
						}
						d.arrStart()
						g := true
						for d.elem(&g) {
							row = append(row, d.node())
						}
					}
				}
				q.values = append(q.values, row)
			}
		case "op":
			switch op := d.str(); op {
			case "SETOP_UNION", "SETOP_INTERSECT", "SETOP_EXCEPT":
				q.op = op[len("SETOP_"):]
			}
		case "larg":
			q.larg = d.selectStmt()
		case "rarg":
			q.rarg = d.selectStmt()
		case "intoClause":
			// SELECT ... INTO new_table
			ff := true
			d.objStart()
			for kk := d.key(&ff); kk != ""; kk = d.key(&ff) {
				if kk == "rel" {
					q.writes = append(q.writes, d.rangeVar())
				} else {
					d.valueInto(&q.exprs)
				}
			}
			q.kind = "SELECT INTO"
		case "lockingClause", "all", "limitOption", "groupDistinct":
			d.skip()
		default:
			d.valueInto(&q.exprs)
		}
	}
	return q
}

// dml reads INSERT, UPDATE, DELETE and MERGE.
func (d *jsonDec) dml(typ string) *query {
	q := &query{kind: strings.ToUpper(strings.TrimSuffix(typ, "Stmt"))}
	first := true
	d.objStart()
	for k := d.key(&first); k != ""; k = d.key(&first) {
		switch k {
		case "relation":
			rv := d.rangeVar()
			q.writes = append(q.writes, rv)
			// The target is in scope for WHERE and RETURNING but not read
			// as a FROM item would be.
			q.from = append(q.from, &fromItem{kind: fRel, rv: rv, alias: rv.alias, noRead: true})
		case "withClause":
			q.with = d.withClause()
		case "fromClause", "usingClause":
			q.from = append(q.from, d.fromList()...)
		case "sourceRelation":
			if it := d.fromNode(); it != nil {
				q.from = append(q.from, it)
			}
		case "selectStmt":
			if e := d.node(); e != nil && e.q != nil {
				q.subs = append(q.subs, e.q)
			}
		case "returningList":
			q.targets = d.targets()
			q.returns = true
		default:
			d.valueInto(&q.exprs)
		}
	}
	return q
}

// createLike reads the utility statements that hold a query or name the
// relation they create: CREATE TABLE AS, CREATE VIEW, CREATE TABLE, COPY.
func (d *jsonDec) createLike(typ string) *query {
	q := &query{}
	objtype, isSelectInto, isFrom := "", false, false
	var rel *rangeVar
	var kids []*expr
	first := true
	d.objStart()
	for k := d.key(&first); k != ""; k = d.key(&first) {
		switch k {
		case "query":
			if e := d.node(); e != nil && e.q != nil {
				q.subs = append(q.subs, e.q)
			}
		case "into":
			ff := true
			d.objStart()
			for kk := d.key(&ff); kk != ""; kk = d.key(&ff) {
				if kk == "rel" {
					rel = d.rangeVar()
				} else {
					d.valueInto(&kids)
				}
			}
		case "view", "relation":
			rel = d.rangeVar()
		case "objtype":
			objtype = d.str()
		case "is_select_into":
			isSelectInto = d.bool()
		case "is_from":
			isFrom = d.bool()
		default:
			d.valueInto(&kids)
		}
	}
	// Everything else a CREATE TABLE names (LIKE, INHERITS, REFERENCES) is
	// read, not written.
	for _, k := range kids {
		markRead(k)
	}
	q.kids = kids
	switch typ {
	case "CreateTableAsStmt":
		switch {
		case isSelectInto:
			q.kind = "SELECT INTO"
		case objtype == "OBJECT_MATVIEW":
			q.kind = "CREATE MATERIALIZED VIEW"
		default:
			q.kind = "CREATE TABLE AS"
		}
	case "ViewStmt":
		q.kind = "CREATE VIEW"
	case "CreateStmt":
		q.kind = "CREATE TABLE"
	case "CopyStmt":
		q.kind = "COPY"
		if rel != nil && !isFrom {
			q.reads = append(q.reads, rel)
			rel = nil
		}
	}
	if rel != nil {
		q.writes = append(q.writes, rel)
	}
	return q
}

func markRead(e *expr) {
	if e.tag == tRangeVar {
		e.read = true
	}
	for _, k := range e.kids {
		markRead(k)
	}
}

// utility reads any other statement. RangeVars found in it are the objects
// it acts on (written); queries inside it are analyzed as reads.
func (d *jsonDec) utility(typ string) *expr {
	q := &query{}
	attrs := map[string]string(nil)
	first := true
	d.objStart()
	for k := d.key(&first); k != ""; k = d.key(&first) {
		switch k {
		case "objects":
			if typ == "DropStmt" {
				q.writes = append(q.writes, d.dropObjects()...)
			} else {
				d.valueInto(&q.kids)
			}
		case "kind", "objtype", "removeType", "renameType", "objectType", "is_grant", "is_vacuumcmd":
			switch d.peek() {
			case '"':
				v := d.str()
				if attrs == nil {
					attrs = map[string]string{}
				}
				attrs[k] = v
			case 't', 'f':
				if attrs == nil {
					attrs = map[string]string{}
				}
				if d.bool() {
					attrs[k] = "true"
				} else {
					attrs[k] = "false"
				}
			default:
				d.valueInto(&q.kids)
			}
		default:
			d.valueInto(&q.kids)
		}
	}
	if typ == "DropStmt" {
		switch attrs["removeType"] {
		case "OBJECT_TABLE", "OBJECT_VIEW", "OBJECT_MATVIEW", "OBJECT_FOREIGN_TABLE":
		default:
			q.writes = nil
		}
	}
	q.kind = commandTag(typ, attrs)
	return &expr{tag: tQuery, q: q}
}

// dropObjects reads DROP's object list. Relations there are name lists, not
// RangeVars, so they carry no position (loc -1); the analysis uses the
// statement's offset instead.
func (d *jsonDec) dropObjects() []*rangeVar {
	var out []*rangeVar
	d.arrStart()
	f := true
	for d.elem(&f) {
		first := true
		d.objStart()
		for typ := d.key(&first); typ != ""; typ = d.key(&first) {
			if typ != "List" {
				d.skip()
				continue
			}
			var parts []string
			ff := true
			d.objStart()
			for k := d.key(&ff); k != ""; k = d.key(&ff) {
				if k == "items" {
					parts = d.names()
				} else {
					d.skip()
				}
			}
			rv := &rangeVar{loc: -1}
			switch len(parts) {
			case 1:
				rv.name = parts[0]
			case 2:
				rv.schema, rv.name = parts[0], parts[1]
			case 3:
				rv.catalog, rv.schema, rv.name = parts[0], parts[1], parts[2]
			default:
				continue
			}
			out = append(out, rv)
		}
	}
	return out
}
