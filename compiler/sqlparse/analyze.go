package sqlparse

import "strings"

// The analysis walks the internal tree once. Scopes follow SQL's name
// resolution: a query's FROM items are visible to its expressions and to
// subqueries in them (correlation) and to LATERAL items; CTE names are
// visible to the query that defines them and everything nested in it, in
// definition order unless WITH RECURSIVE.

type analyzer struct {
	reads, writes []Relation
	stmtOff       int
}

// cteEnv is a linked list of visible CTEs, innermost first.
type cteEnv struct {
	name   string
	cols   []outCol
	parent *cteEnv
}

func (e *cteEnv) lookup(name string) *cteEnv {
	for ; e != nil; e = e.parent {
		if e.name == name {
			return e
		}
	}
	return nil
}

// outCol is one output column of a query as seen by an enclosing query.
// star marks a `*` whose columns are unknown (it expands a base table).
type outCol struct {
	name    string
	star    bool
	sources []Source
	partial bool
}

type itemKind uint8

const (
	kBase   itemKind = iota // a table or view: any column name may exist
	kKnown                  // CTE or subquery: columns are known (except stars)
	kFunc                   // function in FROM
	kJoin                   // join: columns come from its sides
	kOpaque                 // XMLTABLE and friends: columns unknown, no sources
)

type item struct {
	kind        itemKind
	refname     string // name that qualifies its columns ("" = none)
	table       TableName
	cols        []outCol
	renamed     []string // kBase: alias column names hide the real names
	left, right []*item  // kJoin
	using       []string // kJoin
	hidden      bool     // kJoin with alias: inner names are hidden
	partial     bool     // kOpaque: lineage through it is unknown
}

type scope struct {
	parent *scope
	env    *cteEnv
	items  []*item
}

// result is what analyzing a query yields.
type result struct {
	cols   []outCol // stars expanded where their columns are known
	public []Column // one per SELECT-list entry
}

func (a *analyzer) rel(rv *rangeVar, read bool) {
	r := Relation{TableName: TableName{Catalog: rv.catalog, Schema: rv.schema, Name: rv.name}, Offset: rv.loc}
	if r.Offset < 0 {
		r.Offset = a.stmtOff
	}
	if read {
		a.reads = append(a.reads, r)
	} else {
		a.writes = append(a.writes, r)
	}
}

// query analyzes q with parent as the scope for correlated references.
func (a *analyzer) query(q *query, parent *scope, env *cteEnv) result {
	if q == nil {
		return result{}
	}
	env = a.with(q.with, parent, env)
	for _, rv := range q.writes {
		a.rel(rv, false)
	}
	for _, rv := range q.reads {
		a.rel(rv, true)
	}
	for _, sub := range q.subs {
		a.query(sub, parent, env)
	}
	for _, k := range q.kids {
		a.utilityKid(k, env)
	}
	if q.op != "" {
		l := a.query(q.larg, parent, env)
		r := a.query(q.rarg, parent, env)
		s := &scope{parent: parent, env: env}
		for _, e := range q.exprs {
			a.expr(e, s, nil)
		}
		return mergeSetOp(l, r)
	}

	s := &scope{parent: parent, env: env}
	for _, it := range q.from {
		s.items = append(s.items, a.from(it, s, env))
	}
	var res result
	if n := len(q.targets); n > 0 {
		res.cols = make([]outCol, 0, n)
		res.public = make([]Column, 0, n)
	}
	if q.values != nil {
		res = a.values(q.values, s)
	}
	for _, t := range q.targets {
		a.target(t, s, &res)
	}
	for _, e := range q.exprs {
		a.expr(e, s, nil)
	}
	return res
}

// with analyzes a WITH list and returns the environment its query sees.
func (a *analyzer) with(w *withClause, parent *scope, env *cteEnv) *cteEnv {
	if w == nil {
		return env
	}
	if !w.recursive {
		for _, c := range w.ctes {
			res := a.query(c.q, parent, env)
			env = &cteEnv{name: c.name, cols: rename(res.cols, c.colnames), parent: env}
		}
		return env
	}
	// WITH RECURSIVE: every CTE of the list is visible in all of them. A
	// self-reference sees the columns of the non-recursive term.
	start := env
	frames := make([]*cteEnv, len(w.ctes))
	for i, c := range w.ctes {
		env = &cteEnv{name: c.name, parent: env}
		frames[i] = env
	}
	for i, c := range w.ctes {
		q := c.q
		if q.op != "" && q.larg != nil {
			inner := a.with(q.with, parent, env)
			l := a.query(q.larg, parent, inner)
			frames[i].cols = rename(l.cols, c.colnames)
			r := a.query(q.rarg, parent, inner)
			s := &scope{parent: parent, env: inner}
			for _, e := range q.exprs {
				a.expr(e, s, nil)
			}
			frames[i].cols = rename(mergeSetOp(l, r).cols, c.colnames)
		} else {
			frames[i].cols = rename(a.query(q, parent, env).cols, c.colnames)
		}
	}
	_ = start
	return env
}

func (a *analyzer) utilityKid(e *expr, env *cteEnv) {
	switch e.tag {
	case tRangeVar:
		a.rel(e.rv, e.read)
	case tQuery:
		a.query(e.q, nil, env)
		return
	case tSubLink:
		a.query(e.q, nil, env)
	}
	for _, k := range e.kids {
		a.utilityKid(k, env)
	}
}

// from analyzes one FROM item and returns what it puts in scope. s holds
// the items before it, which only LATERAL items may see.
func (a *analyzer) from(it *fromItem, s *scope, env *cteEnv) *item {
	switch it.kind {
	case fRel:
		rv := it.rv
		refname := rv.name
		if it.alias != "" {
			refname = it.alias
		}
		if rv.schema == "" && rv.catalog == "" && !it.noRead {
			if c := env.lookup(rv.name); c != nil {
				return &item{kind: kKnown, refname: refname, cols: rename(c.cols, it.colnames)}
			}
		}
		if !it.noRead {
			a.rel(rv, true)
		}
		for _, e := range it.exprs {
			a.expr(e, s, nil)
		}
		return &item{kind: kBase, refname: refname, table: TableName{rv.catalog, rv.schema, rv.name}, renamed: it.colnames}
	case fSub:
		p := s.parent
		if it.lateral {
			p = s
		}
		res := a.query(it.q, p, env)
		return &item{kind: kKnown, refname: it.alias, cols: rename(res.cols, it.colnames)}
	case fFunc:
		for _, e := range it.exprs {
			a.expr(e, s, nil)
		}
		refname := it.funcName
		if it.alias != "" {
			refname = it.alias
		}
		if it.hasColnames {
			cols := make([]outCol, len(it.colnames))
			for i, n := range it.colnames {
				cols[i] = outCol{name: n}
			}
			return &item{kind: kKnown, refname: refname, cols: cols}
		}
		return &item{kind: kFunc, refname: refname}
	case fJoin:
		j := &item{kind: kJoin, refname: it.alias, using: it.using, hidden: it.alias != ""}
		// Both sides are in scope for the ON clause.
		inner := &scope{parent: s.parent, env: s.env, items: append([]*item(nil), s.items...)}
		if it.larg != nil {
			l := a.from(it.larg, inner, env)
			j.left = []*item{l}
			inner.items = append(inner.items, l)
		}
		if it.rarg != nil {
			r := a.from(it.rarg, inner, env)
			j.right = []*item{r}
			inner.items = append(inner.items, r)
		}
		for _, e := range it.exprs {
			a.expr(e, inner, nil)
		}
		if it.natural {
			// The common columns are unknown without a catalog.
			j.kind, j.partial = kOpaque, true
		}
		return j
	}
	for _, e := range it.exprs {
		a.expr(e, s, nil)
	}
	return &item{kind: kOpaque, refname: it.alias}
}

func rename(cols []outCol, names []string) []outCol {
	if len(names) == 0 {
		return cols
	}
	out := append([]outCol(nil), cols...)
	for i, n := range names {
		if i < len(out) && !out[i].star {
			out[i].name = n
		}
	}
	return out
}

func mergeSetOp(l, r result) result {
	ok := len(l.cols) == len(r.cols)
	for _, c := range l.cols {
		ok = ok && !c.star
	}
	for _, c := range r.cols {
		ok = ok && !c.star
	}
	out := result{cols: append([]outCol(nil), l.cols...), public: append([]Column(nil), l.public...)}
	if ok && len(l.public) == len(l.cols) {
		for i := range out.cols {
			out.cols[i].sources = addSources(append([]Source(nil), l.cols[i].sources...), r.cols[i].sources...)
			out.cols[i].partial = l.cols[i].partial || r.cols[i].partial
			out.public[i].Sources = out.cols[i].sources
			out.public[i].Partial = out.cols[i].partial
		}
		return out
	}
	for i := range out.cols {
		out.cols[i].partial = true
	}
	for i := range out.public {
		out.public[i].Partial = true
	}
	return out
}

func (a *analyzer) values(rows [][]*expr, s *scope) result {
	var res result
	for _, row := range rows {
		for i, e := range row {
			if i >= len(res.cols) {
				name := "column" + itoa(i+1)
				res.cols = append(res.cols, outCol{name: name})
				res.public = append(res.public, Column{Name: name, Offset: -1})
			}
			c := &res.cols[i]
			var set srcSet
			a.expr(e, s, &set)
			c.sources = addSources(c.sources, set.sources...)
			c.partial = c.partial || set.partial
			res.public[i].Sources, res.public[i].Partial = c.sources, c.partial
		}
	}
	return res
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

func (a *analyzer) target(t *target, s *scope, res *result) {
	if t.val != nil && t.val.tag == tColRef && t.val.star {
		qual := strings.Join(t.val.fields, ".")
		cols, partial := s.expandStar(t.val.fields)
		pc := Column{Star: true, Qualifier: qual, Offset: t.loc, Partial: partial}
		for _, c := range cols {
			pc.Sources = addSources(pc.Sources, c.sources...)
			pc.Partial = pc.Partial || c.partial
		}
		res.cols = append(res.cols, cols...)
		res.public = append(res.public, pc)
		return
	}
	var set srcSet
	a.expr(t.val, s, &set)
	res.cols = append(res.cols, outCol{name: t.name, sources: set.sources, partial: set.partial})
	res.public = append(res.public, Column{Name: t.name, Offset: t.loc, Sources: set.sources, Partial: set.partial})
}

// srcSet collects the lineage of one expression.
type srcSet struct {
	sources []Source
	partial bool
}

func addSources(dst []Source, src ...Source) []Source {
next:
	for _, s := range src {
		for _, d := range dst {
			if d == s {
				continue next
			}
		}
		dst = append(dst, s)
	}
	return dst
}

// expr visits an expression: subqueries in it are analyzed (their reads
// recorded) and, when out is not nil, the columns it derives from are
// collected.
func (a *analyzer) expr(e *expr, s *scope, out *srcSet) {
	if e == nil {
		return
	}
	switch e.tag {
	case tColRef:
		if out != nil {
			srcs, partial := s.resolve(e.fields, e.star)
			out.sources = addSources(out.sources, srcs...)
			out.partial = out.partial || partial
		}
		return
	case tSubLink:
		res := a.query(e.q, s, s.env)
		if out != nil && (e.subType == "EXPR_SUBLINK" || e.subType == "ARRAY_SUBLINK") && len(res.cols) > 0 {
			out.sources = addSources(out.sources, res.cols[0].sources...)
			out.partial = out.partial || res.cols[0].partial
		}
	case tQuery:
		a.query(e.q, s, s.env)
		return
	}
	for _, k := range e.kids {
		a.expr(k, s, out)
	}
}

// ---- name resolution ----

// match is one FROM item's answer for a column name.
type match struct {
	known   bool // the item certainly has the column
	sources []Source
	partial bool
}

// column looks name up in one item. ok is false when the item certainly
// lacks it; known is false when the item may or may not have it.
func (it *item) column(name string) (m match, ok bool) {
	switch it.kind {
	case kBase:
		for _, r := range it.renamed {
			if r == name {
				return match{known: true, partial: true}, true
			}
		}
		return match{sources: []Source{{Table: it.table, Column: name}}}, true
	case kKnown:
		var star *outCol
		stars := 0
		for i := range it.cols {
			c := &it.cols[i]
			if c.star {
				star = c
				stars++
				continue
			}
			if c.name == name {
				return match{known: true, sources: c.sources, partial: c.partial}, true
			}
		}
		if stars == 0 {
			return match{}, false
		}
		// The column may hide behind a `*` over a table.
		if stars == 1 && len(star.sources) == 1 && star.sources[0].Column == "*" {
			return match{sources: []Source{{Table: star.sources[0].Table, Column: name}}}, true
		}
		return match{partial: true}, true
	case kFunc:
		if name == it.refname {
			return match{known: true}, true
		}
		return match{}, true
	case kJoin:
		for _, u := range it.using {
			if u == name {
				var m match
				m.known = true
				for _, side := range [][]*item{it.left, it.right} {
					sm, sok := lookupIn(side, name)
					if sok {
						m.sources = addSources(m.sources, sm.sources...)
						m.partial = m.partial || sm.partial
					}
				}
				return m, true
			}
		}
		var acc lookupAcc
		acc.addAll(it.left, name)
		acc.addAll(it.right, name)
		return acc.result()
	}
	return match{partial: it.partial}, true // kOpaque: unknown columns, no sources
}

// lookupIn resolves an unqualified name among items the way Postgres does
// within one query level. Certain matches win; otherwise the name resolves
// only if exactly one item could hold it.
func lookupIn(items []*item, name string) (match, bool) {
	var acc lookupAcc
	acc.addAll(items, name)
	return acc.result()
}

// lookupAcc gathers the items' answers for one name.
type lookupAcc struct {
	known, maybe   match
	nknown, nmaybe int
}

func (acc *lookupAcc) addAll(items []*item, name string) {
	for _, it := range items {
		m, ok := it.column(name)
		switch {
		case !ok:
		case m.known:
			if acc.nknown == 0 {
				acc.known = m
			} else {
				acc.known.sources = addSources(append([]Source(nil), acc.known.sources...), m.sources...)
				acc.known.partial = true // ambiguous in valid SQL only via USING
			}
			acc.nknown++
		default:
			acc.maybe = m
			acc.nmaybe++
		}
	}
}

func (acc *lookupAcc) result() (match, bool) {
	switch {
	case acc.nknown > 0:
		return acc.known, true
	case acc.nmaybe == 1:
		return acc.maybe, true
	case acc.nmaybe > 1:
		return match{partial: true}, true // ambiguous without a catalog
	}
	return match{}, false
}

// findItem finds the item a qualifier names, innermost scope first. An
// aliased join hides the names inside it.
func findItem(items []*item, qual []string) *item {
	for i := len(items) - 1; i >= 0; i-- {
		it := items[i]
		if it.kind == kJoin && !it.hidden {
			if f := findItem(it.right, qual); f != nil {
				return f
			}
			if f := findItem(it.left, qual); f != nil {
				return f
			}
			continue
		}
		name := qual[len(qual)-1]
		if it.refname != name {
			continue
		}
		if len(qual) >= 2 && (it.kind != kBase || it.table.Schema != qual[len(qual)-2]) {
			continue
		}
		if len(qual) == 3 && it.table.Catalog != qual[0] {
			continue
		}
		return it
	}
	return nil
}

// resolve finds the lineage of a column reference.
func (s *scope) resolve(fields []string, star bool) ([]Source, bool) {
	if star {
		cols, partial := s.expandStar(fields)
		var out []Source
		for _, c := range cols {
			out = addSources(out, c.sources...)
			partial = partial || c.partial
		}
		return out, partial
	}
	if len(fields) == 0 {
		return nil, true
	}
	col := fields[len(fields)-1]
	if len(fields) == 1 {
		for sc := s; sc != nil; sc = sc.parent {
			if m, ok := lookupIn(sc.items, col); ok {
				return m.sources, m.partial
			}
		}
		return nil, true
	}
	qual := fields[:len(fields)-1]
	if len(qual) <= 3 {
		for sc := s; sc != nil; sc = sc.parent {
			if it := findItem(sc.items, qual); it != nil {
				m, ok := it.column(col)
				if !ok {
					return nil, true
				}
				return m.sources, m.partial
			}
		}
	}
	// a.b.c may also be table.column.field.
	if len(fields) == 3 {
		for sc := s; sc != nil; sc = sc.parent {
			if it := findItem(sc.items, fields[:1]); it != nil {
				m, ok := it.column(fields[1])
				if !ok {
					return nil, true
				}
				return m.sources, m.partial
			}
		}
	}
	// Not a table qualifier: a composite column's field, (col).field.
	for sc := s; sc != nil; sc = sc.parent {
		if m, ok := lookupIn(sc.items, fields[0]); ok {
			return m.sources, m.partial
		}
	}
	return nil, true
}

// expandStar returns the columns `*` or `qual.*` stands for in the
// innermost scope.
func (s *scope) expandStar(qual []string) ([]outCol, bool) {
	if len(qual) == 0 {
		var out []outCol
		for _, it := range s.items {
			out = append(out, it.expand()...)
		}
		return out, false
	}
	for sc := s; sc != nil; sc = sc.parent {
		if it := findItem(sc.items, qual); it != nil {
			return it.expand(), false
		}
	}
	return []outCol{{star: true}}, true
}

func (it *item) expand() []outCol {
	switch it.kind {
	case kBase:
		return []outCol{{star: true, sources: []Source{{Table: it.table, Column: "*"}}}}
	case kKnown:
		return it.cols
	case kJoin:
		var out []outCol
		for _, i := range it.left {
			out = append(out, i.expand()...)
		}
		for _, i := range it.right {
			out = append(out, i.expand()...)
		}
		return out
	}
	return []outCol{{star: true}}
}
