package project

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gdbt/gdbt/compiler/jinja"
	"github.com/gdbt/gdbt/compiler/source"
	"gopkg.in/yaml.v3"
)

// Kind is the type of a YAML value after PyYAML-style resolution.
type Kind uint8

const (
	Null Kind = iota
	Bool
	Int
	Float
	String
	List
	Map
)

var kindNames = [...]string{"null", "a boolean", "an integer", "a float", "a string", "a list", "a mapping"}

func (k Kind) String() string { return kindNames[k] }

// Value is a YAML value with its position, kept in document order. dbt reads
// YAML with PyYAML (YAML 1.1), so scalars resolve the way PyYAML resolves
// them (yes/no/on/off are booleans, 1e3 is a string, dates become strings).
type Value struct {
	Kind    Kind
	Scalar  any // nil, bool, int64, float64 or string for scalar kinds
	Items   []*Value
	Entries []Entry // Map entries in first-seen order; a repeated key keeps the last value, as PyYAML does
	Pos     source.Position
	// Quoted is true for quoted or block scalars: their text is a string no
	// matter what it looks like.
	Quoted bool

	// index maps keys to Entries positions once a mapping grows, so merging
	// configs (dozens of keys, tens of thousands of nodes) stays linear.
	// It is checked against Entries before use, since callers may append.
	index map[string]int
}

// Entry is one key of a mapping.
type Entry struct {
	Key    string
	KeyPos source.Position
	Value  *Value
}

// Get returns the value of key in a mapping.
func (v *Value) Get(key string) *Value {
	if v == nil || v.Kind != Map {
		return nil
	}
	for i := range v.Entries {
		if v.Entries[i].Key == key {
			return v.Entries[i].Value
		}
	}
	return nil
}

// Has reports whether a mapping has key.
func (v *Value) Has(key string) bool { return v.Get(key) != nil }

// Str returns the scalar as a string when it is one.
func (v *Value) Str() (string, bool) {
	if v == nil || v.Kind != String {
		return "", false
	}
	return v.Scalar.(string), true
}

// IsNull reports whether v is missing or null.
func (v *Value) IsNull() bool { return v == nil || v.Kind == Null }

// Interface converts v to plain Go values: map[string]any, []any and scalars.
// Mapping order is lost; use ToJinja or the tree itself when it matters.
func (v *Value) Interface() any {
	if v == nil {
		return nil
	}
	switch v.Kind {
	case List:
		out := make([]any, len(v.Items))
		for i, it := range v.Items {
			out[i] = it.Interface()
		}
		return out
	case Map:
		out := make(map[string]any, len(v.Entries))
		for _, e := range v.Entries {
			out[e.Key] = e.Value.Interface()
		}
		return out
	}
	return v.Scalar
}

// ToJinja converts v to template values (*jinja.Dict keeps key order).
func (v *Value) ToJinja() any {
	if v == nil {
		return nil
	}
	switch v.Kind {
	case List:
		out := make([]any, len(v.Items))
		for i, it := range v.Items {
			out[i] = it.ToJinja()
		}
		return &jinja.List{Items: out}
	case Map:
		d := jinja.NewDict()
		for _, e := range v.Entries {
			d.Set(e.Key, e.Value.ToJinja())
		}
		return d
	}
	return v.Scalar
}

// MarshalJSON writes v in document order.
func (v *Value) MarshalJSON() ([]byte, error) {
	var b strings.Builder
	if err := v.writeJSON(&b); err != nil {
		return nil, err
	}
	return []byte(b.String()), nil
}

func (v *Value) writeJSON(b *strings.Builder) error {
	if v == nil {
		b.WriteString("null")
		return nil
	}
	switch v.Kind {
	case List:
		b.WriteByte('[')
		for i, it := range v.Items {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := it.writeJSON(b); err != nil {
				return err
			}
		}
		b.WriteByte(']')
		return nil
	case Map:
		b.WriteByte('{')
		for i, e := range v.Entries {
			if i > 0 {
				b.WriteByte(',')
			}
			k, _ := json.Marshal(e.Key)
			b.Write(k)
			b.WriteByte(':')
			if err := e.Value.writeJSON(b); err != nil {
				return err
			}
		}
		b.WriteByte('}')
		return nil
	case Float:
		f := v.Scalar.(float64)
		if math.IsInf(f, 0) || math.IsNaN(f) {
			s, _ := json.Marshal(strconv.FormatFloat(f, 'g', -1, 64))
			b.Write(s)
			return nil
		}
	}
	out, err := json.Marshal(v.Scalar)
	if err != nil {
		return err
	}
	b.Write(out)
	return nil
}

// fromJinja converts a rendered template value back to a tree at pos.
func fromJinja(x any, pos source.Position) *Value {
	switch t := x.(type) {
	case nil:
		return &Value{Kind: Null, Pos: pos}
	case *jinja.Undefined:
		return &Value{Kind: Null, Pos: pos}
	case bool:
		return &Value{Kind: Bool, Scalar: t, Pos: pos}
	case int64:
		return &Value{Kind: Int, Scalar: t, Pos: pos}
	case int:
		return &Value{Kind: Int, Scalar: int64(t), Pos: pos}
	case float64:
		return &Value{Kind: Float, Scalar: t, Pos: pos}
	case string:
		return &Value{Kind: String, Scalar: t, Pos: pos, Quoted: true}
	case jinja.Markup:
		return &Value{Kind: String, Scalar: string(t), Pos: pos, Quoted: true}
	case *jinja.List:
		v := &Value{Kind: List, Pos: pos, Items: make([]*Value, len(t.Items))}
		for i, it := range t.Items {
			v.Items[i] = fromJinja(it, pos)
		}
		return v
	case jinja.Tuple:
		v := &Value{Kind: List, Pos: pos, Items: make([]*Value, len(t))}
		for i, it := range t {
			v.Items[i] = fromJinja(it, pos)
		}
		return v
	case *jinja.Dict:
		v := &Value{Kind: Map, Pos: pos}
		vals := t.Values()
		for i, k := range t.Keys() {
			v.Entries = append(v.Entries, Entry{Key: jinja.ToString(k), KeyPos: pos, Value: fromJinja(vals[i], pos)})
		}
		return v
	}
	return &Value{Kind: String, Scalar: jinja.ToString(x), Pos: pos, Quoted: true}
}

// ---------------------------------------------------------------------------
// YAML → Value

// maxNodes bounds alias expansion so a small file cannot blow up memory
// ("billion laughs"); no real dbt project comes near it.
const maxNodes = 1 << 20

type converter struct {
	file  string
	count int
	depth int
}

// parseYAML parses one YAML document. An empty document gives a nil Value.
func parseYAML(file string, data []byte) (*Value, error) {
	if v, ok := parseBlockYAML(file, data); ok {
		return v, nil
	}
	if parts, ok := splitYAML(data); ok {
		if v, ok, _ := parseYAMLSplit(file, parts); ok {
			return v, nil
		}
	}
	return serialParse(file, data)
}

// serialParse is parseYAML on one core.
func serialParse(file string, data []byte) (*Value, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, yamlError(file, data, err)
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil, nil
	}
	c := &converter{file: file}
	return c.convert(doc.Content[0])
}

// yamlError turns a yaml.v3 syntax error into a positioned one.
func yamlError(file string, data []byte, err error) error {
	pos, msg := LocateYAMLError(file, data, err)
	return &Error{Pos: pos, Msg: "invalid YAML: " + msg, Err: ErrYAML}
}

// LocateYAMLError finds where a yaml.v3 syntax error in data is and
// describes it: what yaml.v3 expected and the text found there. yaml.v3's
// "line N" is the line of the enclosing block (and 0-based for most parser
// errors), so the offending token is found by re-parsing prefixes of the
// file (source.LocateFailure). A prefix cut inside a flow collection fails
// only because it is cut, so it counts only if it still fails with its open
// brackets closed.
func LocateYAMLError(file string, data []byte, err error) (source.Position, string) {
	msg := YAMLMessage(err)
	sameError := func(text string) bool {
		var doc yaml.Node
		e := yaml.Unmarshal([]byte(text), &doc)
		return e != nil && YAMLMessage(e) == msg
	}
	f := source.NewFile(file, string(data))
	pos := source.LocateFailure(f.Text, func(prefix string) bool {
		if len(prefix) == len(f.Text) {
			return true
		}
		if !sameError(prefix) {
			return false
		}
		closers := flowClosers(prefix)
		return closers == "" || sameError(prefix+closers)
	})
	at := yamlTokenStart(f.Text, int(pos), msg)
	switch {
	case msg == "found unexpected end of stream" && at < len(f.Text) && (f.Text[at] == '"' || f.Text[at] == '\''):
		msg = "expected the closing quote of the string that starts here, found the end of the file"
	case msg == "found character that cannot start any token" && at < len(f.Text):
		r, _ := utf8.DecodeRuneInString(f.Text[at:])
		msg = "found character " + strconv.QuoteRune(r) + " that cannot start any token"
	case !strings.Contains(msg, "found"):
		msg += ", found " + FoundAt(f.Text, at)
	}
	return f.Position(source.Pos(at)), msg
}

// yamlTokenStart moves i, the last byte of the shortest failing prefix, to
// the start of the token yaml.v3 failed on, as PyYAML reports it: the start
// of a word (an alias's '*' included) and, for a parser error at a block
// mapping's ':', the start of its key.
func yamlTokenStart(text string, i int, msg string) int {
	if i >= len(text) {
		return i
	}
	if text[i] == ':' && strings.HasPrefix(msg, "did not find expected") && flowClosers(text[:i]) == "" {
		ls := strings.LastIndexByte(text[:i], '\n') + 1
		k := ls
		for k < i && (text[k] == ' ' || text[k] == '\t' || (text[k] == '-' && k+1 < i && text[k+1] == ' ')) {
			k++
		}
		return k
	}
	isWord := func(c byte) bool {
		return c == '_' || c == '-' || c == '.' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
	}
	if !isWord(text[i]) {
		return i
	}
	for i > 0 && isWord(text[i-1]) {
		i--
	}
	if i > 0 && (text[i-1] == '*' || text[i-1] == '&' || text[i-1] == '!') {
		i--
	}
	return i
}

// flowClosers returns the brackets that close the flow collections left
// open at the end of text, innermost first. Quoted scalars and comments are
// skipped roughly: a quote opens a scalar only after a blank or an
// indicator, as in YAML.
func flowClosers(text string) string {
	var open []byte
	var prev byte = ' '
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case (c == '\'' || c == '"') && strings.IndexByte(" \t\n[{,:-", prev) >= 0:
			j := i + 1
			for j < len(text) {
				if text[j] == '\\' && c == '"' {
					j += 2
					continue
				}
				if text[j] == c {
					if c == '\'' && j+1 < len(text) && text[j+1] == '\'' {
						j += 2
						continue
					}
					break
				}
				j++
			}
			i = j
		case c == '#' && (prev == ' ' || prev == '\t' || prev == '\n'):
			for i < len(text) && text[i] != '\n' {
				i++
			}
		case c == '[':
			open = append(open, ']')
		case c == '{':
			open = append(open, '}')
		case (c == ']' || c == '}') && len(open) > 0:
			open = open[:len(open)-1]
		}
		if i < len(text) {
			prev = text[i]
		}
	}
	for l, r := 0, len(open)-1; l < r; l, r = l+1, r-1 {
		open[l], open[r] = open[r], open[l]
	}
	return string(open)
}

var yamlLineRe = regexp.MustCompile(`^line \d+: `)

// YAMLMessage is a yaml.v3 error's text without its "yaml: line N: " prefix.
func YAMLMessage(err error) string {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if te, ok := err.(*yaml.TypeError); ok && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	return yamlLineRe.ReplaceAllString(msg, "")
}

// FoundAt describes the text at offset i for an error message: the word
// there, quoted, or the end of the line or file.
func FoundAt(text string, i int) string {
	if i >= len(text) {
		return "the end of the file"
	}
	j := i
	for j < len(text) && j-i < 40 && text[j] != ' ' && text[j] != '\t' && text[j] != '\n' && text[j] != '\r' {
		j++
	}
	if j == i {
		if text[i] == '\n' || text[i] == '\r' {
			return "the end of the line"
		}
		j++
	}
	return strconv.Quote(text[i:j])
}

func (c *converter) pos(n *yaml.Node) source.Position {
	return source.Position{File: c.file, Line: n.Line, Column: n.Column}
}

func (c *converter) errorf(n *yaml.Node, format string, args ...any) error {
	return &Error{Pos: c.pos(n), Msg: fmt.Sprintf(format, args...), Err: ErrYAML}
}

func (c *converter) convert(n *yaml.Node) (*Value, error) {
	c.count++
	if c.count > maxNodes {
		return nil, c.errorf(n, "document too large (more than %d values after alias expansion)", maxNodes)
	}
	c.depth++
	defer func() { c.depth-- }()
	if c.depth > 1000 {
		return nil, c.errorf(n, "document nested too deeply")
	}
	switch n.Kind {
	case yaml.AliasNode:
		if n.Alias == nil {
			return nil, c.errorf(n, "unknown alias")
		}
		v, err := c.convert(n.Alias)
		if err != nil {
			return nil, err
		}
		return v, nil
	case yaml.ScalarNode:
		v := resolveScalar(n)
		v.Pos = c.pos(n)
		return v, nil
	case yaml.SequenceNode:
		v := &Value{Kind: List, Pos: c.pos(n), Items: make([]*Value, 0, len(n.Content))}
		for _, it := range n.Content {
			x, err := c.convert(it)
			if err != nil {
				return nil, err
			}
			v.Items = append(v.Items, x)
		}
		return v, nil
	case yaml.MappingNode:
		v := &Value{Kind: Map, Pos: c.pos(n)}
		var merges []*Value
		for i := 0; i+1 < len(n.Content); i += 2 {
			kn, vn := n.Content[i], n.Content[i+1]
			if kn.Kind == yaml.ScalarNode && kn.Tag == "!!merge" {
				m, err := c.convert(vn)
				if err != nil {
					return nil, err
				}
				merges = append(merges, m)
				continue
			}
			key, err := c.keyString(kn)
			if err != nil {
				return nil, err
			}
			val, err := c.convert(vn)
			if err != nil {
				return nil, err
			}
			v.set(Entry{Key: key, KeyPos: c.pos(kn), Value: val})
		}
		// Merge keys (<<) fill in keys the mapping does not set itself.
		for _, m := range merges {
			srcs := []*Value{m}
			if m.Kind == List {
				srcs = m.Items
			}
			for _, s := range srcs {
				if s.Kind != Map {
					return nil, &Error{Pos: s.Pos, Msg: "expected a mapping for merge key '<<', found " + s.Kind.String(), Err: ErrYAML}
				}
				for _, e := range s.Entries {
					if !v.Has(e.Key) {
						v.Entries = append(v.Entries, e)
					}
				}
			}
		}
		return v, nil
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return &Value{Kind: Null, Pos: c.pos(n)}, nil
		}
		return c.convert(n.Content[0])
	}
	return nil, c.errorf(n, "unexpected YAML node")
}

func (v *Value) set(e Entry) {
	// Config mappings hold a few dozen keys: a linear scan beats building
	// a map for each of the many merges parse does per node.
	if len(v.Entries) < 64 {
		for i := range v.Entries {
			if v.Entries[i].Key == e.Key {
				v.Entries[i].Value = e.Value
				return
			}
		}
		v.Entries = append(v.Entries, e)
		return
	}
	if len(v.index) != len(v.Entries) {
		v.index = make(map[string]int, len(v.Entries)+8)
		for i, x := range v.Entries {
			v.index[x.Key] = i
		}
	}
	if i, ok := v.index[e.Key]; ok && i < len(v.Entries) && v.Entries[i].Key == e.Key {
		v.Entries[i].Value = e.Value
		return
	}
	v.index[e.Key] = len(v.Entries)
	v.Entries = append(v.Entries, e)
}

// keyString converts a mapping key to the string Python would use as a
// dict key when dbt looks keys up by name.
func (c *converter) keyString(kn *yaml.Node) (string, error) {
	if kn.Kind == yaml.AliasNode && kn.Alias != nil {
		kn = kn.Alias
	}
	if kn.Kind != yaml.ScalarNode {
		return "", c.errorf(kn, "expected a scalar mapping key, found a %s", nodeKindName(kn))
	}
	v := resolveScalar(kn)
	switch v.Kind {
	case String:
		return v.Scalar.(string), nil
	case Null:
		return "None", nil
	case Bool:
		if v.Scalar.(bool) {
			return "True", nil
		}
		return "False", nil
	}
	return kn.Value, nil
}

func nodeKindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "list"
	case yaml.MappingNode:
		return "mapping"
	}
	return "value"
}

var (
	intRe   = regexp.MustCompile(`^[-+]?(0b[01_]+|0x[0-9a-fA-F_]+|0[0-7_]+|0|[1-9][0-9_]*)$`)
	floatRe = regexp.MustCompile(`^([-+]?[0-9][0-9_]*\.[0-9_]*([eE][-+][0-9]+)?|[-+]?\.[0-9][0-9_]*([eE][-+][0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))$`)
	dateRe  = regexp.MustCompile(`^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}$`)
)

// resolveScalar applies YAML 1.1 implicit typing, as PyYAML's SafeLoader
// does; explicit tags and quoting are honoured.
func resolveScalar(n *yaml.Node) *Value {
	s := n.Value
	if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		return &Value{Kind: String, Scalar: s, Quoted: true}
	}
	if n.Style&yaml.TaggedStyle != 0 {
		switch n.Tag {
		case "!!str":
			return &Value{Kind: String, Scalar: s, Quoted: true}
		case "!!int":
			if i, ok := parseYAMLInt(s); ok {
				return &Value{Kind: Int, Scalar: i}
			}
		case "!!float":
			if f, err := strconv.ParseFloat(strings.ReplaceAll(s, "_", ""), 64); err == nil {
				return &Value{Kind: Float, Scalar: f}
			}
		case "!!bool":
			if b, ok := yaml11Bool(s); ok {
				return &Value{Kind: Bool, Scalar: b}
			}
		case "!!null":
			return &Value{Kind: Null}
		}
	}
	return resolvePlain(s)
}

// resolvePlain types a plain (unquoted, untagged) scalar.
func resolvePlain(s string) *Value {
	v := plainValue(s)
	return &v
}

// plainValue is resolvePlain without the allocation.
func plainValue(s string) Value {
	switch s {
	case "", "~", "null", "Null", "NULL":
		return Value{Kind: Null}
	}
	if b, ok := yaml11Bool(s); ok {
		return Value{Kind: Bool, Scalar: b}
	}
	// Numbers and dates start with a digit, a sign or a dot.
	if c := s[0]; c != '-' && c != '+' && c != '.' && (c < '0' || c > '9') {
		return Value{Kind: String, Scalar: s}
	}
	if intRe.MatchString(s) {
		if i, ok := parseYAMLInt(s); ok {
			return Value{Kind: Int, Scalar: i}
		}
		// Too large for int64: keep the digits as a float, as JSON would.
		f, _ := strconv.ParseFloat(strings.ReplaceAll(s, "_", ""), 64)
		return Value{Kind: Float, Scalar: f}
	}
	if floatRe.MatchString(s) {
		t := strings.ReplaceAll(s, "_", "")
		switch strings.ToLower(strings.TrimLeft(t, "+-")) {
		case ".inf":
			if strings.HasPrefix(t, "-") {
				return Value{Kind: Float, Scalar: math.Inf(-1)}
			}
			return Value{Kind: Float, Scalar: math.Inf(1)}
		case ".nan":
			return Value{Kind: Float, Scalar: math.NaN()}
		}
		if f, err := strconv.ParseFloat(t, 64); err == nil {
			return Value{Kind: Float, Scalar: f}
		}
	}
	// PyYAML turns dates into datetime.date; dbt's renderer then writes
	// them back as ISO strings, so keep a normalized string.
	if dateRe.MatchString(s) {
		var y, m, d int
		if _, err := fmt.Sscanf(s, "%d-%d-%d", &y, &m, &d); err == nil {
			return Value{Kind: String, Scalar: fmt.Sprintf("%04d-%02d-%02d", y, m, d)}
		}
	}
	return Value{Kind: String, Scalar: s}
}

func yaml11Bool(s string) (bool, bool) {
	switch s {
	case "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON":
		return true, true
	case "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF":
		return false, true
	}
	return false, false
}

func parseYAMLInt(s string) (int64, bool) {
	t := strings.ReplaceAll(s, "_", "")
	neg := false
	if strings.HasPrefix(t, "-") || strings.HasPrefix(t, "+") {
		neg = t[0] == '-'
		t = t[1:]
	}
	base := 10
	switch {
	case strings.HasPrefix(t, "0b"):
		base, t = 2, t[2:]
	case strings.HasPrefix(t, "0x"):
		base, t = 16, t[2:]
	case len(t) > 1 && t[0] == '0':
		base, t = 8, t[1:]
	}
	u, err := strconv.ParseInt(t, base, 64)
	if err != nil {
		return 0, false
	}
	if neg {
		u = -u
	}
	return u, true
}
