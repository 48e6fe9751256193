package sqlparse

import (
	"hash/maphash"
	"sort"
	"strings"
	"sync"

	pg_query "github.com/pganalyze/pg_query_go/v6"
)

// TableName names a relation as written: parts not written are "".
// Unquoted identifiers are lower-cased and quoted ones kept, as Postgres does.
type TableName struct {
	Catalog, Schema, Name string
}

// String renders the name as SQL, quoting parts that need it.
func (t TableName) String() string {
	var b strings.Builder
	for _, p := range [...]string{t.Catalog, t.Schema, t.Name} {
		if p == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(QuoteIdent(p))
	}
	return b.String()
}

// Relation is one occurrence of a relation name in the SQL.
type Relation struct {
	TableName
	// Offset is the byte offset of the name in the analyzed SQL. For DROP,
	// whose names carry no position, it is the statement's offset.
	Offset int
}

// Statement is one statement of the SQL.
type Statement struct {
	// Kind is the Postgres command tag: "SELECT", "INSERT", "CREATE TABLE AS",
	// "CREATE VIEW", "DROP TABLE", "GRANT", ... Empty from SplitStatements.
	Kind string
	// Text is the statement without its semicolon, trimmed of white space
	// (comments before it are kept).
	Text string
	// Offset is the byte offset of Text in the analyzed SQL.
	Offset int
}

// Source is one column an output column derives from. Column is "*" when
// a whole table is expanded by `*` and its columns are unknown.
type Source struct {
	Table  TableName
	Column string
}

// Column is one entry of the top-level SELECT list.
type Column struct {
	// Name is the column name Postgres gives the output column: the alias,
	// the column or function name, or "?column?". Empty for star items.
	Name string
	// Star marks `*` or `qualifier.*`; Qualifier is "" for a bare `*`.
	Star      bool
	Qualifier string
	// Offset is the byte offset of the SELECT-list entry (-1 for VALUES).
	Offset int
	// Sources is the column lineage, sorted. It follows aliases through
	// CTEs and subqueries; Partial is set when some reference in the
	// expression could not be resolved without a catalog (an unqualified
	// name with several candidate tables, a renamed table column, ...).
	Sources []Source
	Partial bool
}

// Analysis is what Analyze finds in one piece of SQL. It is shared through
// the cache: callers must not modify it.
type Analysis struct {
	Statements []Statement
	// Reads lists every relation read, in order of Offset. Names that
	// refer to a CTE in scope are not relations and are left out.
	Reads []Relation
	// Writes lists relations written or created: INSERT/UPDATE/DELETE/MERGE
	// targets, CREATE TABLE/VIEW [AS] names, and the objects of other
	// utility statements (DROP, ALTER, GRANT, TRUNCATE, ...).
	Writes []Relation
	// Columns lists the output columns of the last statement when it
	// returns rows (SELECT, VALUES, or DML with RETURNING), else nil.
	Columns []Column
}

// Analyze parses sql (one or more statements) and analyzes it. Errors are
// *SyntaxError for invalid SQL and *InternalError otherwise. Results are
// cached by SQL text; Analyze is safe for concurrent use.
func Analyze(sql string) (*Analysis, error) {
	h := maphash.String(cacheSeed, sql)
	sh := &cache[h%cacheShards]
	sh.mu.RLock()
	e, ok := sh.m[h]
	sh.mu.RUnlock()
	if ok && e.sql == sql {
		return e.a, e.err
	}
	a, err := analyze(sql)
	sh.mu.Lock()
	if sh.m == nil || len(sh.m) >= maxShardEntries {
		sh.m = make(map[uint64]cacheEntry) // crude bound: drop the shard
	}
	sh.m[h] = cacheEntry{sql: sql, a: a, err: err}
	sh.mu.Unlock()
	return a, err
}

const (
	cacheShards     = 16
	maxShardEntries = 4096
)

type cacheEntry struct {
	sql string
	a   *Analysis
	err error
}

var (
	cacheSeed = maphash.MakeSeed()
	cache     [cacheShards]struct {
		mu sync.RWMutex
		m  map[uint64]cacheEntry
	}
)

func analyze(sql string) (a *Analysis, err error) {
	if i := strings.IndexByte(sql, 0); i >= 0 {
		// C strings end at NUL; Postgres rejects it in queries too.
		return nil, &SyntaxError{Offset: i, Message: "invalid NUL byte in SQL text"}
	}
	// libpg_query is thread-safe; this build of it does not redirect stderr
	// (pg_query_internal.h defines DEBUG), so parallel calls are fine.
	tree, perr := pg_query.ParseToJSON(sql)
	if perr != nil {
		return nil, normalizeErr(sql, perr)
	}
	defer func() {
		if r := recover(); r != nil {
			bt, ok := r.(badTree)
			if !ok {
				panic(r)
			}
			a, err = nil, &InternalError{Message: "reading parse tree: " + bt.msg}
		}
	}()
	stmts := decodeTree(tree, sql)
	an := &analyzer{}
	a = &Analysis{}
	for i, st := range stmts {
		an.stmtOff = st.Offset
		a.Statements = append(a.Statements, Statement{Kind: st.q.kind, Text: st.Text, Offset: st.Offset})
		res := an.query(st.q, nil, nil)
		if i == len(stmts)-1 && st.q.returns {
			a.Columns = res.public
		}
	}
	for i := range a.Columns {
		sortSources(a.Columns[i].Sources)
	}
	a.Reads, a.Writes = sortRels(an.reads), sortRels(an.writes)
	return a, nil
}

func sortRels(r []Relation) []Relation {
	sort.SliceStable(r, func(i, j int) bool { return r[i].Offset < r[j].Offset })
	return r
}

func sortSources(s []Source) {
	sort.Slice(s, func(i, j int) bool {
		a, b := s[i], s[j]
		if a.Table != b.Table {
			return a.Table.String() < b.Table.String()
		}
		return a.Column < b.Column
	})
}

type rawStmt struct {
	Statement
	q *query
}

// decodeTree reads {"version":N,"stmts":[{"stmt":{...},"stmt_location":N,"stmt_len":N}]}.
func decodeTree(tree, sql string) []rawStmt {
	d := &jsonDec{s: tree}
	var out []rawStmt
	first := true
	d.objStart()
	for k := d.key(&first); k != ""; k = d.key(&first) {
		if k != "stmts" {
			d.skip()
			continue
		}
		d.arrStart()
		f := true
		for d.elem(&f) {
			var st rawStmt
			loc, n := 0, 0
			ff := true
			d.objStart()
			for kk := d.key(&ff); kk != ""; kk = d.key(&ff) {
				switch kk {
				case "stmt":
					if e := d.node(); e != nil && e.q != nil {
						st.q = e.q
					}
				case "stmt_location":
					loc = d.int()
				case "stmt_len":
					n = d.int()
				default:
					d.skip()
				}
			}
			if st.q == nil {
				st.q = &query{kind: "UNKNOWN"}
			}
			st.Statement = span(sql, loc, n)
			out = append(out, st)
		}
	}
	return out
}

const sqlSpace = " \t\n\r\f\v"

// span cuts a statement out of sql: stmt_len 0 means "to the end".
func span(sql string, loc, n int) Statement {
	if loc < 0 || loc > len(sql) {
		loc = len(sql)
	}
	end := loc + n
	if n <= 0 || end > len(sql) {
		end = len(sql)
	}
	text := strings.TrimRight(sql[loc:end], sqlSpace)
	trimmed := strings.TrimLeft(text, sqlSpace)
	return Statement{Text: trimmed, Offset: loc + len(text) - len(trimmed)}
}

// SplitStatements splits sql into its statements using the Postgres
// parser, so semicolons in strings, comments, dollar quotes and
// BEGIN ATOMIC bodies are handled. Empty statements are dropped. Invalid
// SQL yields a *SyntaxError.
func SplitStatements(sql string) ([]Statement, error) {
	if i := strings.IndexByte(sql, 0); i >= 0 {
		return nil, &SyntaxError{Offset: i, Message: "invalid NUL byte in SQL text"}
	}
	parts, err := pg_query.SplitWithParser(sql, false)
	if err != nil {
		return nil, normalizeErr(sql, err)
	}
	out := make([]Statement, 0, len(parts))
	pos := 0
	for _, p := range parts {
		// Each part is a substring of sql; find it from where the last one
		// ended (the text between parts is only separators and comments,
		// which cannot contain a whole statement starting at the same byte).
		i := strings.Index(sql[pos:], p)
		if i < 0 {
			return nil, &InternalError{Message: "split statement not found in input"}
		}
		st := span(sql, pos+i, len(p))
		pos += i + len(p)
		if st.Text != "" {
			out = append(out, st)
		}
	}
	return out, nil
}

// QuoteIdent quotes a SQL identifier when Postgres would not read it back
// unchanged without quotes. Key words are not checked.
func QuoteIdent(s string) string {
	plain := s != ""
	for i := 0; i < len(s) && plain; i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c == '_':
		case (c >= '0' && c <= '9') || c == '$':
			plain = i > 0
		default:
			plain = false
		}
	}
	if plain {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}
