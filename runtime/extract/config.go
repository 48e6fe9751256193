package extract

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// Decl identifies where a load declaration lives.
type Decl struct {
	Source     string // dbt source name
	Table      string // dbt source table name
	Schema     string // target schema; default Source (as dbt does)
	Identifier string // target table; default Table
	ProjectDir string // base of relative paths
	File       string // YAML file the declaration is in, for error positions (optional)
	Lookup     LookupFunc
}

// ConfigError is a bad load declaration. Line and Column are set when the
// declaration came from a yaml.Node.
type ConfigError struct {
	File         string
	Line, Column int
	Source       string // "source.table"
	Field        string // e.g. "meta.gdbt.load.pagination.type"
	Msg          string
}

func (e *ConfigError) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		if e.Line > 0 {
			fmt.Fprintf(&b, ":%d:%d", e.Line, e.Column)
		}
		b.WriteString(": ")
	}
	fmt.Fprintf(&b, "source %s: %s: %s", e.Source, e.Field, e.Msg)
	return b.String()
}

// cnode is a config value with its position: the common form of a
// map[string]any from YAML and of a yaml.Node (which keeps key order).
type cnode struct {
	kind      byte // 's' scalar, 'm' map, 'l' list, 'n' null
	str       string
	keys      []string
	keyPos    [][2]int // line, column of each key
	vals      []*cnode
	list      []*cnode
	line, col int
	quoted    bool // a quoted YAML scalar: always a string
}

func fromAny(v any) *cnode {
	switch v := v.(type) {
	case nil:
		return &cnode{kind: 'n'}
	case map[string]any:
		n := &cnode{kind: 'm'}
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys) // Go maps have no order; be deterministic
		for _, k := range keys {
			n.keys = append(n.keys, k)
			n.vals = append(n.vals, fromAny(v[k]))
		}
		return n
	case map[any]any:
		m := make(map[string]any, len(v))
		for k, x := range v {
			m[fmt.Sprint(k)] = x
		}
		return fromAny(m)
	case []any:
		n := &cnode{kind: 'l'}
		for _, x := range v {
			n.list = append(n.list, fromAny(x))
		}
		return n
	case string:
		return &cnode{kind: 's', str: v, quoted: true}
	default:
		return &cnode{kind: 's', str: fmt.Sprint(v)}
	}
}

func fromYAML(y *yaml.Node) *cnode {
	for y != nil && (y.Kind == yaml.DocumentNode || y.Kind == yaml.AliasNode) {
		if y.Kind == yaml.DocumentNode {
			if len(y.Content) == 0 {
				return &cnode{kind: 'n'}
			}
			y = y.Content[0]
		} else {
			y = y.Alias
		}
	}
	if y == nil {
		return &cnode{kind: 'n'}
	}
	n := &cnode{line: y.Line, col: y.Column}
	switch y.Kind {
	case yaml.MappingNode:
		n.kind = 'm'
		for i := 0; i+1 < len(y.Content); i += 2 {
			n.keys = append(n.keys, y.Content[i].Value)
			n.keyPos = append(n.keyPos, [2]int{y.Content[i].Line, y.Content[i].Column})
			n.vals = append(n.vals, fromYAML(y.Content[i+1]))
		}
	case yaml.SequenceNode:
		n.kind = 'l'
		for _, c := range y.Content {
			n.list = append(n.list, fromYAML(c))
		}
	default:
		if y.Tag == "!!null" {
			n.kind = 'n'
		} else {
			n.kind = 's'
			n.str = y.Value
			n.quoted = y.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0
		}
	}
	return n
}

func (n *cnode) get(key string) *cnode {
	for i, k := range n.keys {
		if k == key {
			return n.vals[i]
		}
	}
	return nil
}

func (n *cnode) describe() string {
	switch n.kind {
	case 'm':
		return "a mapping"
	case 'l':
		return "a list"
	case 'n':
		return "null"
	}
	return strconv.Quote(n.str)
}

// cfg walks one declaration, collecting the first error.
type cfg struct {
	d      Decl
	name   string
	root   *cnode
	lookup LookupFunc
}

// bail aborts parsing; parseSpec recovers it into the returned error.
type bail struct{ err *ConfigError }

func (c *cfg) fail(n *cnode, field, format string, args ...any) {
	e := &ConfigError{File: c.d.File, Source: c.name, Field: "meta.gdbt.load" + field, Msg: fmt.Sprintf(format, args...)}
	if n != nil {
		e.Line, e.Column = n.line, n.col
	}
	if e.Line == 0 && c.root != nil {
		e.Line, e.Column = c.root.line, c.root.col
	}
	panic(bail{e})
}

func (c *cfg) str(n *cnode, field string) string {
	if n.kind != 's' {
		c.fail(n, field, "expected a string, found %s", n.describe())
	}
	v, err := Interpolate(n.str, c.lookup)
	if err != nil {
		c.fail(n, field, "%v", err)
	}
	return v
}

func (c *cfg) optStr(m *cnode, key, def string) string {
	n := m.get(key)
	if n == nil || n.kind == 'n' {
		return def
	}
	return c.str(n, "."+key)
}

func (c *cfg) optInt(m *cnode, field, key string, def, min int) int {
	n := m.get(key)
	if n == nil || n.kind == 'n' {
		return def
	}
	s := c.str(n, field+"."+key)
	v, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || v < min {
		c.fail(n, field+"."+key, "expected an integer >= %d, found %q", min, s)
	}
	return v
}

func (c *cfg) optBool(m *cnode, key string, def bool) bool {
	n := m.get(key)
	if n == nil || n.kind == 'n' {
		return def
	}
	switch strings.ToLower(c.str(n, "."+key)) {
	case "true", "yes", "on":
		return true
	case "false", "no", "off":
		return false
	}
	c.fail(n, "."+key, "expected true or false, found %s", n.describe())
	return false
}

func (c *cfg) mapping(n *cnode, field string, allowed ...string) {
	if n.kind != 'm' {
		c.fail(n, field, "expected a mapping, found %s", n.describe())
	}
	for i, k := range n.keys {
		ok := false
		for _, a := range allowed {
			ok = ok || a == k
		}
		if !ok {
			at := n.vals[i]
			if i < len(n.keyPos) {
				at = &cnode{line: n.keyPos[i][0], col: n.keyPos[i][1]}
			}
			c.fail(at, field+"."+k, "unknown key %q (expected one of %s)", k, strings.Join(allowed, ", "))
		}
	}
}

func (c *cfg) oneOf(n *cnode, field, v string, options ...string) string {
	for _, o := range options {
		if v == o {
			return v
		}
	}
	c.fail(n, field, "expected one of %s, found %q", strings.Join(options, ", "), v)
	return ""
}

func (c *cfg) char(m *cnode, key string, def rune) rune {
	n := m.get(key)
	if n == nil || n.kind == 'n' {
		return def
	}
	s := c.str(n, "."+key)
	if s == `\t` {
		s = "\t"
	}
	r, size := utf8.DecodeRuneInString(s)
	if size == 0 || size != len(s) || r == utf8.RuneError || r == '\r' || r == '\n' {
		c.fail(n, "."+key, "expected a single character, found %q", s)
	}
	return r
}

func (c *cfg) path(n *cnode, field string) []string {
	s := c.str(n, field)
	if s == "" {
		return nil
	}
	parts := strings.Split(s, ".")
	for _, p := range parts {
		if p == "" {
			c.fail(n, field, "expected a dotted path like data.items, found %q", s)
		}
	}
	return parts
}

func (c *cfg) kvs(m *cnode, key string) []KV {
	n := m.get(key)
	if n == nil || n.kind == 'n' {
		return nil
	}
	if n.kind != 'm' {
		c.fail(n, "."+key, "expected a mapping, found %s", n.describe())
	}
	out := make([]KV, len(n.keys))
	for i, k := range n.keys {
		out[i] = KV{k, c.str(n.vals[i], "."+key+"."+k)}
	}
	return out
}

// ParseSpec types a meta.gdbt.load mapping decoded from YAML into Go values.
// Map keys have no order there, so declared columns are taken in name order
// (a list of one-key mappings keeps order); prefer ParseSpecNode.
func ParseSpec(d Decl, load map[string]any) (spec Spec, err error) {
	return parseSpec(d, fromAny(load))
}

// ParseSpecNode types a meta.gdbt.load mapping from its yaml.Node, keeping
// column order and giving errors a line and column in d.File.
func ParseSpecNode(d Decl, load *yaml.Node) (Spec, error) {
	return parseSpec(d, fromYAML(load))
}

func parseSpec(d Decl, root *cnode) (spec Spec, err error) {
	c := &cfg{d: d, name: d.Source + "." + d.Table, root: root, lookup: d.Lookup}
	if c.lookup == nil {
		c.lookup = os.LookupEnv
	}
	defer func() {
		if r := recover(); r != nil {
			b, ok := r.(bail)
			if !ok {
				panic(r)
			}
			err = b.err
		}
	}()
	spec = Spec{
		Source: d.Source, Table: d.Table, Schema: d.Schema, Identifier: d.Identifier,
		ProjectDir: d.ProjectDir,
	}
	if spec.Schema == "" {
		spec.Schema = d.Source
	}
	if spec.Identifier == "" {
		spec.Identifier = d.Table
	}
	if d.File != "" && root.line > 0 {
		spec.Origin = fmt.Sprintf("%s:%d:%d", d.File, root.line, root.col)
	}
	if root.kind != 'm' {
		c.fail(root, "", "expected a mapping, found %s", root.describe())
	}
	fn := root.get("format")
	if fn == nil {
		c.fail(root, ".format", "expected format: csv or format: http, found nothing")
	}
	spec.Format = Format(c.oneOf(fn, ".format", c.str(fn, ".format"), "csv", "http"))
	common := []string{"format", "columns"}
	switch spec.Format {
	case FormatCSV:
		c.mapping(root, "", append(common, "path", "delimiter", "quote", "header", "null")...)
		spec.CSV = c.csv(root)
	case FormatHTTP:
		c.mapping(root, "", append(common, "url", "headers", "params", "auth", "records_path",
			"pagination", "max_pages", "timeout", "retries", "incremental", "primary_key", "mode")...)
		spec.HTTP = c.http(root)
	}
	spec.Columns = c.columns(root, spec.Format)
	if h := spec.HTTP; h != nil {
		for _, k := range h.PrimaryKey {
			if spec.Columns != nil && !hasColumn(spec.Columns, k) {
				c.fail(root.get("primary_key"), ".primary_key", "expected one of the declared columns, found %q", k)
			}
		}
	}
	return spec, nil
}

func hasColumn(cols []Column, name string) bool {
	for _, c := range cols {
		if c.Name == name {
			return true
		}
	}
	return false
}

func (c *cfg) csv(root *cnode) *CSVSpec {
	s := &CSVSpec{Delimiter: ',', Quote: '"', Header: true, Nulls: []string{""}}
	pn := root.get("path")
	if pn == nil {
		c.fail(root, ".path", "expected a file path or glob, found nothing")
	}
	var raw []*cnode
	switch pn.kind {
	case 'l':
		raw = pn.list
	default:
		raw = []*cnode{pn}
	}
	if len(raw) == 0 {
		c.fail(pn, ".path", "expected a file path or glob, found an empty list")
	}
	for _, n := range raw {
		p := c.str(n, ".path")
		if p == "" {
			c.fail(n, ".path", "expected a file path or glob, found an empty string")
		}
		if _, err := filepath.Match(p, ""); err != nil {
			c.fail(n, ".path", "expected a valid glob, found %q (%v)", p, err)
		}
		if !filepath.IsAbs(p) {
			p = filepath.Join(c.d.ProjectDir, p)
		}
		s.Paths = append(s.Paths, p)
	}
	s.Delimiter = c.char(root, "delimiter", ',')
	s.Quote = c.char(root, "quote", '"')
	if s.Delimiter == s.Quote {
		c.fail(root.get("quote"), ".quote", "expected a quote character other than the delimiter, found %q", s.Quote)
	}
	s.Header = c.optBool(root, "header", true)
	if n := root.get("null"); n != nil && n.kind != 'n' {
		s.Nulls = nil
		items := []*cnode{n}
		if n.kind == 'l' {
			items = n.list
		}
		for _, it := range items {
			s.Nulls = append(s.Nulls, c.str(it, ".null"))
		}
	}
	return s
}

func (c *cfg) http(root *cnode) *HTTPSpec {
	h := &HTTPSpec{MaxPages: 1000, Timeout: 30 * time.Second, Retries: 5}
	un := root.get("url")
	if un == nil {
		c.fail(root, ".url", "expected an http(s) URL, found nothing")
	}
	h.URL = c.str(un, ".url")
	if !strings.HasPrefix(h.URL, "http://") && !strings.HasPrefix(h.URL, "https://") {
		c.fail(un, ".url", "expected an http:// or https:// URL, found %q", h.URL)
	}
	h.Headers = c.kvs(root, "headers")
	h.Params = c.kvs(root, "params")
	if n := root.get("auth"); n != nil && n.kind != 'n' {
		c.mapping(n, ".auth", "type", "token_env", "header", "param")
		a := &Auth{Type: c.optStr(n, "type", AuthBearer)}
		c.oneOf(n.get("type"), ".auth.type", a.Type, AuthBearer, AuthHeader, AuthQuery)
		a.TokenEnv = c.optStr(n, "token_env", "")
		if !validEnvName(a.TokenEnv) {
			c.fail(n, ".auth.token_env", "expected the name of the environment variable holding the token, found %q", a.TokenEnv)
		}
		a.Header = c.optStr(n, "header", "")
		a.Param = c.optStr(n, "param", "")
		if a.Type == AuthHeader && a.Header == "" {
			c.fail(n, ".auth.header", "expected a header name for auth type header, found nothing")
		}
		if a.Type == AuthQuery && a.Param == "" {
			c.fail(n, ".auth.param", "expected a query parameter name for auth type query, found nothing")
		}
		h.Auth = a
	}
	if n := root.get("records_path"); n != nil && n.kind != 'n' {
		h.RecordsPath = c.path(n, ".records_path")
	}
	h.Pagination = Pagination{Type: PageNone}
	if n := root.get("pagination"); n != nil && n.kind != 'n' {
		p := &h.Pagination
		c.mapping(n, ".pagination", "type", "page_param", "start", "size_param",
			"offset_param", "limit_param", "limit", "cursor_param", "cursor_path")
		p.Type = c.optStr(n, "type", PagePage)
		c.oneOf(n.get("type"), ".pagination.type", p.Type, PageNone, PagePage, PageOffset, PageCursor, PageLink)
		p.PageParam = c.optStr(n, "page_param", "page")
		p.SizeParam = c.optStr(n, "size_param", "")
		p.OffsetParam = c.optStr(n, "offset_param", "offset")
		p.LimitParam = c.optStr(n, "limit_param", "limit")
		p.Limit = c.optInt(n, ".pagination", "limit", 100, 1)
		p.CursorParam = c.optStr(n, "cursor_param", "cursor")
		def := 1
		if p.Type == PageOffset {
			def = 0
		}
		p.Start = c.optInt(n, ".pagination", "start", def, 0)
		if cn := n.get("cursor_path"); cn != nil && cn.kind != 'n' {
			p.CursorPath = c.path(cn, ".pagination.cursor_path")
		}
		if p.Type == PageCursor && len(p.CursorPath) == 0 {
			c.fail(n, ".pagination.cursor_path", "expected the dotted path of the next cursor in the response, found nothing")
		}
	}
	h.MaxPages = c.optInt(root, "", "max_pages", 1000, 1)
	h.Retries = c.optInt(root, "", "retries", 5, 0)
	if n := root.get("timeout"); n != nil && n.kind != 'n' {
		s := c.str(n, ".timeout")
		d, err := time.ParseDuration(s)
		if err != nil {
			if secs, err2 := strconv.Atoi(s); err2 == nil {
				d, err = time.Duration(secs)*time.Second, nil
			}
		}
		if err != nil || d <= 0 {
			c.fail(n, ".timeout", "expected a positive duration like 10s, found %q", s)
		}
		h.Timeout = d
	}
	if n := root.get("incremental"); n != nil && n.kind != 'n' {
		c.mapping(n, ".incremental", "field", "param")
		fn := n.get("field")
		if fn == nil {
			c.fail(n, ".incremental.field", "expected the record field holding the watermark, found nothing")
		}
		inc := &Incremental{Field: c.path(fn, ".incremental.field"), Param: c.optStr(n, "param", "")}
		if len(inc.Field) == 0 {
			c.fail(fn, ".incremental.field", "expected the record field holding the watermark, found nothing")
		}
		h.Incremental = inc
	}
	if n := root.get("primary_key"); n != nil && n.kind != 'n' {
		items := []*cnode{n}
		if n.kind == 'l' {
			items = n.list
		}
		for _, it := range items {
			k := c.str(it, ".primary_key")
			if k == "" {
				c.fail(it, ".primary_key", "expected a column name, found an empty string")
			}
			h.PrimaryKey = append(h.PrimaryKey, k)
		}
	}
	def := ModeReplace
	switch {
	case len(h.PrimaryKey) > 0:
		def = ModeMerge
	case h.Incremental != nil:
		def = ModeAppend
	}
	h.Mode = c.optStr(root, "mode", def)
	c.oneOf(root.get("mode"), ".mode", h.Mode, ModeReplace, ModeAppend, ModeMerge)
	if h.Mode == ModeReplace && h.Incremental != nil {
		c.fail(root.get("mode"), ".mode", "expected append or merge with incremental (replace would drop the rows of earlier runs), found replace")
	}
	if h.Mode == ModeMerge && len(h.PrimaryKey) == 0 {
		c.fail(root.get("mode"), ".mode", "expected primary_key with mode merge, found none")
	}
	return h
}

// columns reads "columns" as a mapping {name: type} or a list whose items are
// {name: type} or {name: ..., type: ..., path: ...}.
func (c *cfg) columns(root *cnode, f Format) []Column {
	n := root.get("columns")
	if n == nil || n.kind == 'n' {
		return nil
	}
	var cols []Column
	add := func(at *cnode, col Column) {
		if col.Name == "" {
			c.fail(at, ".columns", "expected a column name, found an empty string")
		}
		if strings.HasPrefix(col.Name, "_") && isMetaColumn(col.Name) {
			c.fail(at, ".columns."+col.Name, "expected a column name, found %q which gdbt adds itself", col.Name)
		}
		if hasColumn(cols, col.Name) {
			c.fail(at, ".columns."+col.Name, "expected each column once, found %q twice", col.Name)
		}
		if err := checkTypeName(col.Type); err != nil {
			c.fail(at, ".columns."+col.Name, "expected a PostgreSQL type, found %q (%v)", col.Type, err)
		}
		if len(col.Path) > 0 && f != FormatHTTP {
			c.fail(at, ".columns."+col.Name+".path", "expected no path for a %s load, found %q", f, strings.Join(col.Path, "."))
		}
		if len(col.Path) == 0 {
			col.Path = []string{col.Name}
		}
		cols = append(cols, col)
	}
	full := func(at *cnode) Column {
		c.mapping(at, ".columns", "name", "type", "path")
		col := Column{Name: c.optStr(at, "name", ""), Type: c.optStr(at, "type", "")}
		if p := at.get("path"); p != nil && p.kind != 'n' {
			col.Path = c.path(p, ".columns."+col.Name+".path")
		}
		return col
	}
	switch n.kind {
	case 'm':
		for i, k := range n.keys {
			v := n.vals[i]
			if v.kind == 'm' {
				col := full(v)
				if col.Name == "" {
					col.Name = k
				}
				add(v, col)
				continue
			}
			add(v, Column{Name: k, Type: c.str(v, ".columns."+k)})
		}
	case 'l':
		for _, it := range n.list {
			if it.kind != 'm' {
				c.fail(it, ".columns", "expected {name: type} or {name: ..., type: ...}, found %s", it.describe())
			}
			// One key is {column: type} (even for a column called "name");
			// more is {name: ..., type: ..., path: ...}.
			if len(it.keys) > 1 {
				add(it, full(it))
				continue
			}
			if len(it.keys) == 0 {
				c.fail(it, ".columns", "expected {name: type}, found an empty mapping")
			}
			add(it.vals[0], Column{Name: it.keys[0], Type: c.str(it.vals[0], ".columns."+it.keys[0])})
		}
	default:
		c.fail(n, ".columns", "expected a mapping of column names to types, found %s", n.describe())
	}
	if len(cols) == 0 {
		c.fail(n, ".columns", "expected at least one column, found none")
	}
	return cols
}

// checkTypeName rejects type names that could not be a PostgreSQL type, so
// a type can be spliced into DDL without quoting. The database still judges
// whether the type exists.
func checkTypeName(t string) error {
	if strings.TrimSpace(t) == "" {
		return fmt.Errorf("empty")
	}
	depth := 0
	for _, r := range t {
		switch {
		case r == '(':
			depth++
		case r == ')':
			depth--
			if depth < 0 {
				return fmt.Errorf("unbalanced parentheses")
			}
		case r == ' ' || r == '_' || r == ',' || r == '.' || r == '[' || r == ']' || r == '"':
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		default:
			return fmt.Errorf("unexpected character %q", r)
		}
	}
	if depth != 0 {
		return fmt.Errorf("unbalanced parentheses")
	}
	if strings.Count(t, `"`)%2 != 0 {
		return fmt.Errorf("unbalanced quotes")
	}
	return nil
}

func isMetaColumn(name string) bool {
	switch name {
	case colLoadedAt, colSourceFile, colSourceRow, colRaw, colSourceURL:
		return true
	}
	return false
}

// Metadata column names.
const (
	colLoadedAt   = "_loaded_at"
	colSourceFile = "_source_file"
	colSourceRow  = "_source_row"
	colRaw        = "_raw"
	colSourceURL  = "_source_url"
)
