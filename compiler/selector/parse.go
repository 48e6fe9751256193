package selector

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode"
)

// location is where a criterion came from: a command-line argument or a
// selectors.yml position.
type location struct {
	flag string // "--select", "--exclude"; "" for files
	arg  int    // 1-based index among the flag's values
	file string
	line int
	col  int // 1-based, in bytes for flags and runes for files
}

func (l location) String() string {
	if l.flag != "" {
		return fmt.Sprintf("%s argument %d, column %d", l.flag, l.arg, l.col)
	}
	if l.line == 0 {
		return l.file
	}
	return fmt.Sprintf("%s:%d:%d", l.file, l.line, l.col)
}

func (l location) shift(n int) location { l.col += n; return l }

// Error is a selection error with the place and the offending text.
type Error struct {
	Flag   string // --select / --exclude, or "" for selectors.yml
	Arg    int    // 1-based argument index for flags
	File   string // selectors.yml path
	Line   int
	Column int
	Token  string // the offending text
	Msg    string
}

func (e *Error) Error() string {
	l := location{flag: e.Flag, arg: e.Arg, file: e.File, line: e.Line, col: e.Column}
	return l.String() + ": " + e.Msg
}

func errAt(l location, token, format string, args ...any) *Error {
	return &Error{Flag: l.flag, Arg: l.arg, File: l.file, Line: l.line, Column: l.col,
		Token: token, Msg: fmt.Sprintf(format, args...)}
}

// defaultIncludes is what runs when no --select is given.
var defaultIncludes = []string{"fqn:*", "source:*", "exposure:*", "metric:*", "semantic_model:*"}

// Parse parses --select and --exclude values the way dbt does: values are
// split on spaces into a union; commas inside one part intersect. With no
// select values everything is included; the result is include minus
// exclude.
func Parse(selects, excludes []string) (*Spec, error) {
	inc := selects
	flag := "--select"
	if len(inc) == 0 {
		inc, flag = defaultIncludes, "(default selection)"
	}
	include, err := parseUnion(flag, inc)
	if err != nil {
		return nil, err
	}
	exclude, err := parseUnion("--exclude", excludes)
	if err != nil {
		return nil, err
	}
	return &Spec{Root: &SetExpr{Op: Difference, Items: []Expr{include, exclude}, Indirect: Eager}}, nil
}

// ParseOne parses a single selection argument (tests, tools).
func ParseOne(expr string) (Expr, error) {
	return parseUnion("--select", []string{expr})
}

func parseUnion(flag string, args []string) (*SetExpr, error) {
	u := &SetExpr{Op: Union}
	for i, arg := range args {
		for _, tok := range splitOn(arg, ' ') {
			if tok.text == "" {
				continue // runs of spaces
			}
			at := location{flag: flag, arg: i + 1, col: tok.off + 1}
			inter := &SetExpr{Op: Intersection}
			for _, part := range splitOn(tok.text, ',') {
				pat := at.shift(part.off)
				if part.text == "" {
					return nil, errAt(pat, tok.text, "empty selector in %q: expected a selector before and after each comma", tok.text)
				}
				c, err := parseCriterion(part.text, pat)
				if err != nil {
					return nil, err
				}
				inter.Items = append(inter.Items, c)
			}
			u.Items = append(u.Items, inter)
		}
	}
	return u, nil
}

type piece struct {
	text string
	off  int
}

func splitOn(s string, sep byte) []piece {
	var out []piece
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == sep || (sep == ' ' && isSpace(s[i])) {
			out = append(out, piece{s[start:i], start})
			start = i + 1
		}
	}
	return out
}

func isSpace(b byte) bool { return b == ' ' || b == '\t' || b == '\n' || b == '\r' }

// parseCriterion reads [@][N]+][method[.arg...]:]value[+[N]].
func parseCriterion(raw string, at location) (*Criterion, error) {
	c := &Criterion{Raw: raw, ParentsDepth: -1, ChildrenDepth: -1, at: at}
	s := raw
	off := 0
	if strings.HasPrefix(s, "@") {
		c.ChildrensParents = true
		s, off = s[1:], off+1
	}
	// N+ prefix: digits followed by '+'.
	d := 0
	for d < len(s) && s[d] >= '0' && s[d] <= '9' {
		d++
	}
	if d < len(s) && s[d] == '+' {
		c.Parents = true
		if d > 0 {
			n, err := strconv.Atoi(s[:d])
			if err != nil {
				return nil, errAt(at.shift(off), raw, "depth %q in %q is too large", s[:d], raw)
			}
			c.ParentsDepth = n
		}
		s, off = s[d+1:], off+d+1
	}
	// +N suffix: the last '+' followed only by digits.
	if i := strings.LastIndexByte(s, '+'); i >= 0 && allDigits(s[i+1:]) {
		c.Children = true
		if i+1 < len(s) {
			n, err := strconv.Atoi(s[i+1:])
			if err != nil {
				return nil, errAt(at.shift(off+i+1), raw, "depth %q in %q is too large", s[i+1:], raw)
			}
			c.ChildrenDepth = n
		}
		s = s[:i]
	}
	if c.ChildrensParents && c.Children {
		return nil, errAt(at, raw, "invalid selector %q: the \"@\" prefix and a \"+\" suffix cannot be combined", raw)
	}
	// method: a run of word characters and dots before the first ':'.
	valueOff := off
	if i := strings.IndexByte(s, ':'); i > 0 && isMethodText(s[:i]) {
		parts := strings.Split(s[:i], ".")
		c.Method = Method(parts[0])
		c.Args = parts[1:]
		if err := checkMethod(c, at.shift(off), raw); err != nil {
			return nil, err
		}
		s, valueOff = s[i+1:], off+i+1
	} else if i == 0 {
		return nil, errAt(at.shift(off), raw, "missing selection method before ':' in %q", raw)
	} else {
		c.Method = defaultMethod(s)
	}
	c.Value = s
	if s == "" {
		return nil, errAt(at.shift(valueOff), raw, "missing value in selector %q: expected a name, pattern or method value", raw)
	}
	if err := checkValue(c, at.shift(valueOff)); err != nil {
		return nil, err
	}
	return c, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isMethodText(s string) bool {
	for _, r := range s {
		if r != '.' && r != '_' && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			return false
		}
	}
	return true
}

// defaultMethod picks the method for a bare value, as dbt does: a path when
// it contains a slash, a file name when it ends in .sql/.py/.csv, else fqn.
func defaultMethod(v string) Method {
	if strings.Contains(v, "/") {
		return Path
	}
	l := strings.ToLower(v)
	if strings.HasSuffix(l, ".sql") || strings.HasSuffix(l, ".py") || strings.HasSuffix(l, ".csv") {
		return File
	}
	return FQN
}

func methodNames() string {
	var names []string
	for m := range methods {
		names = append(names, string(m))
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

func checkMethod(c *Criterion, at location, raw string) error {
	if !methods[c.Method] {
		return errAt(at, raw, "unknown selection method %q in %q: expected one of %s", c.Method, raw, methodNames())
	}
	switch {
	case c.Method == Config && len(c.Args) == 0:
		return errAt(at, raw, "method \"config\" needs a key in %q: expected config.<key>:<value>", raw)
	case c.Method != Config && len(c.Args) > 0:
		return errAt(at, raw, "method %q takes no \".%s\" in %q: only config.<key> has keys", c.Method, strings.Join(c.Args, "."), raw)
	}
	for _, a := range c.Args {
		if a == "" {
			return errAt(at, raw, "empty config key in %q: expected config.<key>[.<key>...]", raw)
		}
	}
	if c.Method == SourceStatus {
		return errAt(at, raw, "method \"source_status\" in %q is not supported by gdbt", raw)
	}
	return nil
}

var (
	stateValues = []string{"new", "old", "modified", "unmodified", "modified.body", "modified.configs",
		"modified.persisted_descriptions", "modified.relation", "modified.macros", "modified.contract"}
	testTypes     = []string{"generic", "schema", "data", "singular", "unit"}
	versionValues = []string{"latest", "prerelease", "old", "none"}
	resourceTypes = []string{"model", "analysis", "test", "snapshot", "operation", "seed", "rpc",
		"sql_operation", "doc", "source", "macro", "exposure", "metric", "group", "saved_query",
		"semantic_model", "unit_test", "fixture", "function"}
)

func oneOf(v string, allowed []string) bool {
	for _, a := range allowed {
		if a == v {
			return true
		}
	}
	return false
}

// checkValue rejects values a method can never match, at parse time.
func checkValue(c *Criterion, at location) error {
	v := c.Value
	bad := func(expected string) error {
		return errAt(at, c.Raw, "invalid %s value %q in %q: expected %s", c.Method, v, c.Raw, expected)
	}
	switch c.Method {
	case MethodState:
		if !oneOf(v, stateValues) {
			return bad(strings.Join(stateValues, ", "))
		}
	case TestType:
		if !oneOf(v, testTypes) {
			return bad("generic, singular, unit or data")
		}
	case Version:
		if !oneOf(v, versionValues) {
			return bad("latest, prerelease, old or none")
		}
	case ResourceType:
		if !oneOf(v, resourceTypes) {
			return bad(strings.Join(resourceTypes, ", "))
		}
	case Source:
		if n := strings.Count(v, ".") + 1; n > 3 {
			return bad("source_name, source_name.table_name or package.source_name.table_name")
		}
	case Exposure, Metric, SemanticMdl, SavedQuery, UnitTest:
		if n := strings.Count(v, ".") + 1; n > 2 {
			return bad("name or package.name")
		}
	}
	return nil
}
