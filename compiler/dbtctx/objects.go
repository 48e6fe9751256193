package dbtctx

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/gdbt/gdbt/compiler/jinja"
	"github.com/gdbt/gdbt/compiler/manifest"
	"gopkg.in/yaml.v3"
)

// CompilationError is raised by exceptions.raise_compiler_error and by
// context functions given bad input.
type CompilationError struct{ Msg string }

func (e *CompilationError) Error() string { return e.Msg }

// ---------------------------------------------------------------------------
// config

type configObject struct{ c *NodeContext }

// Call records config(...) at parse time; it renders as "".
func (o *configObject) Call(s *jinja.State, a *jinja.Args) any {
	d := jinja.NewDict()
	for _, p := range a.Pos {
		if pd, ok := p.(*jinja.Dict); ok {
			for i, k := range pd.Keys() {
				d.Set(k, pd.Values()[i])
			}
		}
	}
	for _, kv := range a.Kw {
		d.Set(kv.Name, kv.Value)
	}
	if o.c.Phase == Parse {
		o.c.Configs = append(o.c.Configs, d)
	}
	return ""
}

func (o *configObject) lookup(name string) (any, bool) {
	if o.c.Node == nil {
		return nil, false
	}
	v, ok := o.c.Node.Config[name]
	if !ok {
		v, ok = o.c.Node.Config[strings.ReplaceAll(name, "_", "-")]
	}
	return jinja.Normalize(fromGo(v)), ok
}

// Attr implements jinja.Object: get, require, set.
func (o *configObject) Attr(name string) (any, bool) {
	switch name {
	case "get":
		return fn(func(s *jinja.State, a *jinja.Args) (any, error) {
			v := a.Bind(s, "get", "name", "default", "validator")
			if o.c.Phase == Parse {
				return "", nil
			}
			if val, ok := o.lookup(jinja.ToString(v[0])); ok && val != nil {
				return val, nil
			}
			if jinja.IsMissing(v[1]) {
				return nil, nil
			}
			return v[1], nil
		}), true
	case "require":
		return fn(func(s *jinja.State, a *jinja.Args) (any, error) {
			v := a.Bind(s, "require", "name", "validator")
			if o.c.Phase == Parse {
				return "", nil
			}
			if val, ok := o.lookup(jinja.ToString(v[0])); ok {
				return val, nil
			}
			return nil, &CompilationError{fmt.Sprintf("Required config key '%s' not found in config", jinja.ToString(v[0]))}
		}), true
	case "set":
		return fn(func(s *jinja.State, a *jinja.Args) (any, error) {
			if o.c.Phase == Parse && a.Len() == 2 {
				d := jinja.NewDict()
				d.Set(a.Pos[0], a.Pos[1])
				o.c.Configs = append(o.c.Configs, d)
			}
			return "", nil
		}), true
	case "persist_relation_docs", "persist_column_docs":
		return fn(func(s *jinja.State, a *jinja.Args) (any, error) {
			if o.c.Phase == Parse || o.c.Node == nil {
				return false, nil
			}
			pd, _ := o.c.Node.Config["persist_docs"].(map[string]any)
			key := "relation"
			if name == "persist_column_docs" {
				key = "columns"
			}
			b, _ := pd[key].(bool)
			return b, nil
		}), true
	case "meta_get", "meta_require":
		return fn(func(s *jinja.State, a *jinja.Args) (any, error) {
			v := a.Bind(s, name, "key", "default")
			if o.c.Phase == Parse || o.c.Node == nil {
				return "", nil
			}
			meta, _ := o.c.Node.Config["meta"].(map[string]any)
			if val, ok := meta[jinja.ToString(v[0])]; ok {
				return fromGo(val), nil
			}
			if name == "meta_require" {
				return nil, &CompilationError{fmt.Sprintf("Required meta key '%s' not found in config", jinja.ToString(v[0]))}
			}
			if jinja.IsMissing(v[1]) {
				return nil, nil
			}
			return v[1], nil
		}), true
	}
	return nil, false
}

// ---------------------------------------------------------------------------
// adapter

type adapterObject struct{ c *NodeContext }

func (o *adapterObject) wh() (Warehouse, bool) {
	w := o.c.warehouse()
	return w, o.c.Phase == Execute && w != nil
}

func relArg(v any) (*Relation, error) {
	r, ok := v.(*Relation)
	if !ok {
		return nil, &CompilationError{fmt.Sprintf("expected a relation, got %s", jinja.Repr(v))}
	}
	return r, nil
}

// Attr implements jinja.Object.
func (o *adapterObject) Attr(name string) (any, bool) {
	c := o.c
	switch name {
	case "dispatch":
		return fn(func(s *jinja.State, a *jinja.Args) (any, error) {
			v := a.Bind(s, "dispatch", "macro_name", "macro_namespace", "packages")
			macroName := jinja.ToString(v[0])
			ns := ""
			if !jinja.IsMissing(v[1]) && v[1] != nil {
				ns = jinja.ToString(v[1])
			}
			if strings.Contains(macroName, ".") {
				parts := strings.SplitN(macroName, ".", 2)
				return nil, &CompilationError{fmt.Sprintf("In adapter.dispatch, got a macro name of \"%s\", but \".\" is not a valid macro name component. Did you mean `adapter.dispatch(\"%s\", macro_namespace=\"%s\")`?", macroName, parts[1], parts[0])}
			}
			ref, err := c.env.Macros.Dispatch(c.pkg(), macroName, ns, c.env.Dispatch[ns])
			if err != nil {
				return nil, &CompilationError{err.Error()}
			}
			return c.trackable(ref), nil
		}), true
	case "quote":
		return fn(func(s *jinja.State, a *jinja.Args) (any, error) {
			return QuoteIdent(jinja.ToString(a.Pos[0])), nil
		}), true
	case "quote_as_configured":
		return fn(func(s *jinja.State, a *jinja.Args) (any, error) {
			return QuoteIdent(jinja.ToString(a.Pos[0])), nil
		}), true
	case "quote_seed_column":
		return fn(func(s *jinja.State, a *jinja.Args) (any, error) {
			v := a.Bind(s, "quote_seed_column", "column", "quote_config")
			col := jinja.ToString(v[0])
			if jinja.IsMissing(v[1]) || v[1] == nil || jinja.Truth(v[1]) {
				return QuoteIdent(col), nil
			}
			return col, nil
		}), true
	case "type":
		return fn(func(s *jinja.State, a *jinja.Args) (any, error) { return "postgres", nil }), true
	case "get_relation":
		return fn(func(s *jinja.State, a *jinja.Args) (any, error) {
			v := a.Bind(s, "get_relation", "database", "schema", "identifier")
			w, ok := o.wh()
			if !ok {
				return nil, nil
			}
			r, err := w.GetRelation(c.ctx(), strArg(v[0]), strArg(v[1]), strArg(v[2]))
			if r == nil || err != nil {
				return nil, err
			}
			return r, nil
		}), true
	case "get_columns_in_relation":
		return fn(func(s *jinja.State, a *jinja.Args) (any, error) {
			w, ok := o.wh()
			if !ok {
				return jinja.NewList(), nil
			}
			rel, err := relArg(a.Pos[0])
			if err != nil {
				return nil, err
			}
			cols, err := w.GetColumns(c.ctx(), rel)
			if err != nil {
				return nil, err
			}
			out := &jinja.List{}
			for _, col := range cols {
				out.Items = append(out.Items, col)
			}
			return out, nil
		}), true
	case "list_relations_without_caching", "list_relations":
		return fn(func(s *jinja.State, a *jinja.Args) (any, error) {
			w, ok := o.wh()
			if !ok {
				return jinja.NewList(), nil
			}
			var db, schema string
			if r, ok := a.Pos[0].(*Relation); ok {
				db, schema = r.Database, r.Schema
			} else if a.Len() >= 2 {
				db, schema = strArg(a.Pos[0]), strArg(a.Pos[1])
			}
			rels, err := w.ListRelations(c.ctx(), db, schema)
			if err != nil {
				return nil, err
			}
			out := &jinja.List{}
			for _, r := range rels {
				out.Items = append(out.Items, r)
			}
			return out, nil
		}), true
	case "execute":
		return fn(func(s *jinja.State, a *jinja.Args) (any, error) {
			v := a.Bind(s, "execute", "sql", "auto_begin", "fetch", "limit")
			w, ok := o.wh()
			if !ok {
				return jinja.Tuple{&Response{Message: ""}, NewTable(nil, nil)}, nil
			}
			resp, table, err := w.Execute(c.ctx(), jinja.ToString(v[0]), jinja.Truth(v[2]) && !jinja.IsMissing(v[2]))
			if err != nil {
				return nil, err
			}
			if table == nil {
				table = NewTable(nil, nil)
			}
			return jinja.Tuple{resp, table}, nil
		}), true
	case "create_schema", "drop_schema":
		return fn(func(s *jinja.State, a *jinja.Args) (any, error) {
			w, ok := o.wh()
			if !ok {
				return "", nil
			}
			rel, err := relArg(a.Pos[0])
			if err != nil {
				return nil, err
			}
			if name == "create_schema" {
				return "", w.CreateSchema(c.ctx(), rel.Database, rel.Schema)
			}
			return "", w.DropSchema(c.ctx(), rel.Database, rel.Schema)
		}), true
	case "drop_relation", "truncate_relation":
		return fn(func(s *jinja.State, a *jinja.Args) (any, error) {
			w, ok := o.wh()
			if !ok {
				return "", nil
			}
			rel, err := relArg(a.Pos[0])
			if err != nil {
				return nil, err
			}
			if name == "drop_relation" {
				return "", w.DropRelation(c.ctx(), rel)
			}
			return "", w.TruncateRelation(c.ctx(), rel)
		}), true
	case "rename_relation":
		return fn(func(s *jinja.State, a *jinja.Args) (any, error) {
			w, ok := o.wh()
			if !ok {
				return "", nil
			}
			from, err := relArg(a.Pos[0])
			if err != nil {
				return nil, err
			}
			to, err := relArg(a.Pos[1])
			if err != nil {
				return nil, err
			}
			return "", w.RenameRelation(c.ctx(), from, to)
		}), true
	case "check_schema_exists":
		return fn(func(s *jinja.State, a *jinja.Args) (any, error) {
			w, ok := o.wh()
			if !ok {
				return false, nil
			}
			return w.SchemaExists(c.ctx(), strArg(a.Pos[0]), strArg(a.Pos[1]))
		}), true
	case "already_exists":
		return fn(func(s *jinja.State, a *jinja.Args) (any, error) {
			w, ok := o.wh()
			if !ok {
				return false, nil
			}
			db, _ := c.env.Target.Get("database")
			r, err := w.GetRelation(c.ctx(), strArg(db), strArg(a.Pos[0]), strArg(a.Pos[1]))
			return r != nil, err
		}), true
	case "get_missing_columns":
		return fn(func(s *jinja.State, a *jinja.Args) (any, error) {
			w, ok := o.wh()
			if !ok {
				return jinja.NewList(), nil
			}
			from, err := relArg(a.Pos[0])
			if err != nil {
				return nil, err
			}
			to, err := relArg(a.Pos[1])
			if err != nil {
				return nil, err
			}
			fc, err := w.GetColumns(c.ctx(), from)
			if err != nil {
				return nil, err
			}
			tc, err := w.GetColumns(c.ctx(), to)
			if err != nil {
				return nil, err
			}
			have := map[string]bool{}
			for _, col := range tc {
				have[strings.ToLower(col.Name)] = true
			}
			out := &jinja.List{}
			for _, col := range fc {
				if !have[strings.ToLower(col.Name)] {
					out.Items = append(out.Items, col)
				}
			}
			return out, nil
		}), true
	case "get_incremental_strategy_macro":
		return fn(func(s *jinja.State, a *jinja.Args) (any, error) {
			v := a.Bind(s, "get_incremental_strategy_macro", "model_context", "strategy")
			name, err := IncrementalStrategyMacro(strArg(v[1]), c.env.ProjectName, func(m string) bool {
				_, ok := c.env.Macros.Lookup(c.pkg(), m)
				return ok
			})
			if err != nil {
				return nil, err
			}
			ref, _ := c.env.Macros.Lookup(c.pkg(), name)
			return c.trackable(ref), nil
		}), true
	case "standardize_grants_dict":
		return fn(standardizeGrants), true
	case "parse_index":
		return fn(func(s *jinja.State, a *jinja.Args) (any, error) {
			v := a.Bind(s, "parse_index", "raw_index")
			if v[0] == nil {
				return nil, nil
			}
			return ParseIndex(v[0])
		}), true
	case "expand_target_column_types", "commit", "begin", "cache_added", "cache_dropped", "cache_renamed", "add_query":
		return fn(func(s *jinja.State, a *jinja.Args) (any, error) { return "", nil }), true
	case "Relation":
		return relationAPI{}, true
	case "Column":
		return columnAPI{}, true
	}
	return nil, false
}

func strArg(v any) string {
	if v == nil || jinja.IsMissing(v) {
		return ""
	}
	if _, ok := v.(*jinja.Undefined); ok {
		return ""
	}
	return jinja.ToString(v)
}

type apiObject struct{}

func (apiObject) Attr(name string) (any, bool) {
	switch name {
	case "Relation":
		return relationAPI{}, true
	case "Column":
		return columnAPI{}, true
	}
	return nil, false
}

type relationAPI struct{}

func (relationAPI) Attr(name string) (any, bool) {
	switch name {
	case "create":
		return fn(func(s *jinja.State, a *jinja.Args) (any, error) {
			v := a.Bind(s, "create", "database", "schema", "identifier", "type")
			return NewRelation(strArg(v[0]), strArg(v[1]), strArg(v[2]), strArg(v[3])), nil
		}), true
	}
	return nil, false
}

type columnAPI struct{}

func (columnAPI) Attr(name string) (any, bool) {
	switch name {
	case "create":
		return fn(func(s *jinja.State, a *jinja.Args) (any, error) {
			v := a.Bind(s, "create", "name", "label_or_dtype")
			return &Column{Name: strArg(v[0]), DataType: strArg(v[1])}, nil
		}), true
	}
	return nil, false
}

// ---------------------------------------------------------------------------
// exceptions

type exceptionsObject struct{ c *NodeContext }

func (o exceptionsObject) Attr(name string) (any, bool) {
	switch name {
	case "raise_compiler_error", "raise_not_implemented", "raise_database_error", "raise_fail_fast_error", "raise_dependency_error":
		return fn(func(s *jinja.State, a *jinja.Args) (any, error) {
			msg := ""
			if a.Len() > 0 {
				msg = jinja.ToString(a.Pos[0])
			}
			return nil, &CompilationError{msg}
		}), true
	case "warn":
		return fn(func(s *jinja.State, a *jinja.Args) (any, error) {
			if o.c.env.Log != nil && a.Len() > 0 {
				o.c.env.Log("[WARNING]: "+jinja.ToString(a.Pos[0]), true)
			}
			return "", nil
		}), true
	}
	return nil, false
}

type builtinsObject struct{ c *NodeContext }

func (o builtinsObject) Attr(name string) (any, bool) { return o.c.builtin(name) }

// ---------------------------------------------------------------------------
// modules: datetime, re, itertools (the parts dbt projects use)

type modulesObject struct{}

// Modules is dbt's `modules` context member (datetime, pytz, re), for
// tests that compare it with Python's.
func Modules() jinja.Object { return modulesObject{} }

func (modulesObject) Attr(name string) (any, bool) {
	switch name {
	case "datetime":
		return datetimeModule{}, true
	case "re":
		return reModule{}, true
	case "pytz":
		return pytzModule{}, true
	}
	return nil, false
}

type reModule struct{}

func (reModule) Attr(name string) (any, bool) {
	compile := func(p any) (*regexp.Regexp, error) {
		re, err := regexp.Compile(jinja.ToString(p))
		if err != nil {
			return nil, &CompilationError{"re: " + err.Error()}
		}
		return re, nil
	}
	switch name {
	case "match", "search", "fullmatch":
		return fn(func(s *jinja.State, a *jinja.Args) (any, error) {
			re, err := compile(a.Pos[0])
			if err != nil {
				return nil, err
			}
			str := jinja.ToString(a.Pos[1])
			loc := re.FindStringSubmatchIndex(str)
			if loc == nil || (name == "match" && loc[0] != 0) || (name == "fullmatch" && (loc[0] != 0 || loc[1] != len(str))) {
				return nil, nil
			}
			return &reMatch{s: str, loc: loc}, nil
		}), true
	case "sub":
		return fn(func(s *jinja.State, a *jinja.Args) (any, error) {
			re, err := compile(a.Pos[0])
			if err != nil {
				return nil, err
			}
			repl := regexp.MustCompile(`\\(\d)`).ReplaceAllString(jinja.ToString(a.Pos[1]), "$${$1}")
			return re.ReplaceAllString(jinja.ToString(a.Pos[2]), repl), nil
		}), true
	case "findall":
		return fn(func(s *jinja.State, a *jinja.Args) (any, error) {
			re, err := compile(a.Pos[0])
			if err != nil {
				return nil, err
			}
			out := &jinja.List{}
			for _, m := range re.FindAllStringSubmatch(jinja.ToString(a.Pos[1]), -1) {
				switch len(m) {
				case 1:
					out.Items = append(out.Items, m[0])
				case 2:
					out.Items = append(out.Items, m[1])
				default:
					t := jinja.Tuple{}
					for _, g := range m[1:] {
						t = append(t, g)
					}
					out.Items = append(out.Items, t)
				}
			}
			return out, nil
		}), true
	case "split":
		return fn(func(s *jinja.State, a *jinja.Args) (any, error) {
			re, err := compile(a.Pos[0])
			if err != nil {
				return nil, err
			}
			return jinja.NewList(toAnySlice(re.Split(jinja.ToString(a.Pos[1]), -1))...), nil
		}), true
	case "escape":
		return fn(func(s *jinja.State, a *jinja.Args) (any, error) {
			return regexp.QuoteMeta(jinja.ToString(a.Pos[0])), nil
		}), true
	case "IGNORECASE", "I":
		return int64(2), true
	}
	return nil, false
}

type reMatch struct {
	s   string
	loc []int
}

func (m *reMatch) group(i int) any {
	if 2*i+1 >= len(m.loc) || m.loc[2*i] < 0 {
		return nil
	}
	return m.s[m.loc[2*i]:m.loc[2*i+1]]
}

func (m *reMatch) Attr(name string) (any, bool) {
	switch name {
	case "group":
		return fn(func(s *jinja.State, a *jinja.Args) (any, error) {
			i := int64(0)
			if a.Len() > 0 {
				i, _ = a.Pos[0].(int64)
			}
			return m.group(int(i)), nil
		}), true
	case "groups":
		return fn(func(s *jinja.State, a *jinja.Args) (any, error) {
			t := jinja.Tuple{}
			for i := 1; 2*i < len(m.loc); i++ {
				t = append(t, m.group(i))
			}
			return t, nil
		}), true
	}
	return nil, false
}

// ---------------------------------------------------------------------------
// Conversions between Go data (YAML/JSON) and template values.

// fromGo converts decoded JSON/YAML data into template values.
func fromGo(v any) any {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		d := jinja.NewDict()
		for _, k := range keys {
			d.Set(k, fromGo(x[k]))
		}
		return d
	case []any:
		items := make([]any, len(x))
		for i, e := range x {
			items[i] = fromGo(e)
		}
		return &jinja.List{Items: items}
	case []string:
		return jinja.NewList(toAnySlice(x)...)
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		f, _ := x.Float64()
		return f
	case *OrderedMap:
		d := jinja.NewDict()
		for i, k := range x.Keys {
			d.Set(k, fromGo(x.Values[i]))
		}
		return d
	}
	return jinja.Normalize(v)
}

// FromGo converts decoded config data into template values.
func FromGo(v any) any { return fromGo(v) }

// toGo converts template values to plain Go data (for YAML/JSON output and
// for storing configs).
func toGo(v any) any {
	switch x := v.(type) {
	case *jinja.Dict:
		m := &OrderedMap{}
		for i, k := range x.Keys() {
			m.Keys = append(m.Keys, jinja.ToString(k))
			m.Values = append(m.Values, toGo(x.Values()[i]))
		}
		return m
	case *jinja.List:
		out := make([]any, len(x.Items))
		for i, e := range x.Items {
			out[i] = toGo(e)
		}
		return out
	case jinja.Tuple:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = toGo(e)
		}
		return out
	case jinja.Markup:
		return string(x)
	case *jinja.Undefined:
		return nil
	case *Relation:
		return x.String()
	}
	return v
}

// ToGo converts a template value to plain Go data; dicts become
// map[string]any (unordered) for storage in configs.
func ToGo(v any) any { return plain(toGo(v)) }

func plain(v any) any {
	switch x := v.(type) {
	case *OrderedMap:
		m := make(map[string]any, len(x.Keys))
		for i, k := range x.Keys {
			m[k] = plain(x.Values[i])
		}
		return m
	case []any:
		for i := range x {
			x[i] = plain(x[i])
		}
		return x
	}
	return v
}

// OrderedMap keeps key order for YAML and JSON output.
type OrderedMap struct {
	Keys   []string
	Values []any
}

// MarshalYAML implements yaml.Marshaler.
func (m *OrderedMap) MarshalYAML() (any, error) {
	n := &yaml.Node{Kind: yaml.MappingNode}
	for i, k := range m.Keys {
		var vn yaml.Node
		if err := vn.Encode(m.Values[i]); err != nil {
			return nil, err
		}
		n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: k}, &vn)
	}
	return n, nil
}

// YAMLValue converts a YAML node into template values, keeping key order.
func YAMLValue(n *yaml.Node) any {
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil
		}
		return YAMLValue(n.Content[0])
	case yaml.MappingNode:
		d := jinja.NewDict()
		for i := 0; i+1 < len(n.Content); i += 2 {
			d.Set(YAMLValue(n.Content[i]), YAMLValue(n.Content[i+1]))
		}
		return d
	case yaml.SequenceNode:
		items := make([]any, len(n.Content))
		for i, c := range n.Content {
			items[i] = YAMLValue(c)
		}
		return &jinja.List{Items: items}
	case yaml.AliasNode:
		return YAMLValue(n.Alias)
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!null":
			return nil
		case "!!bool":
			var b bool
			_ = n.Decode(&b)
			return b
		case "!!int":
			if i, err := strconv.ParseInt(strings.ReplaceAll(n.Value, "_", ""), 0, 64); err == nil {
				return i
			}
		case "!!float":
			var f float64
			if n.Decode(&f) == nil {
				return f
			}
		}
		return n.Value
	}
	return nil
}

// ---------------------------------------------------------------------------
// Nodes as template values (model, graph.nodes)

// NodeDict returns the node as the `model` dict templates read.
func NodeDict(n *manifest.Node) *jinja.Dict {
	d := jinja.NewDict()
	d.Set("unique_id", n.UniqueID)
	d.Set("name", n.Name)
	d.Set("resource_type", string(n.ResourceType))
	d.Set("package_name", n.Package)
	d.Set("path", n.Path)
	d.Set("original_file_path", n.OriginalFilePath)
	d.Set("fqn", jinja.NewList(toAnySlice(n.FQN)...))
	d.Set("alias", n.Alias)
	d.Set("schema", n.Schema)
	d.Set("database", n.Database)
	d.Set("config", fromGo(map[string]any(n.Config)))
	d.Set("tags", jinja.NewList(toAnySlice(n.Tags)...))
	d.Set("description", n.Description)
	d.Set("meta", fromGo(n.Meta))
	d.Set("raw_code", n.RawCode)
	d.Set("raw_sql", n.RawCode)
	d.Set("language", n.Language)
	d.Set("compiled_code", n.CompiledCode)
	d.Set("relation_name", strOrNone(n.RelationName))
	d.Set("version", n.Version)
	d.Set("latest_version", n.LatestVersion)
	d.Set("patch_path", strOrNone(n.PatchPath))
	cols := jinja.NewDict()
	for _, c := range n.Columns {
		cd := jinja.NewDict()
		cd.Set("name", c.Name)
		cd.Set("description", c.Description)
		cd.Set("meta", fromGo(c.Meta))
		cd.Set("data_type", strOrNone(c.DataType))
		cd.Set("quote", c.Quote)
		cd.Set("tags", jinja.NewList(toAnySlice(c.Tags)...))
		cols.Set(c.Name, cd)
	}
	d.Set("columns", cols)
	dep := jinja.NewDict()
	dep.Set("macros", jinja.NewList(toAnySlice(n.DependsOnMacros)...))
	dep.Set("nodes", jinja.NewList(toAnySlice(n.DependsOnNodes)...))
	d.Set("depends_on", dep)
	refs := &jinja.List{}
	for _, r := range n.Refs {
		rd := jinja.NewDict()
		rd.Set("name", r.Name)
		rd.Set("package", strOrNone(r.Package))
		rd.Set("version", r.Version)
		refs.Items = append(refs.Items, rd)
	}
	d.Set("refs", refs)
	srcs := &jinja.List{}
	for _, s := range n.Sources {
		srcs.Items = append(srcs.Items, jinja.NewList(s[0], s[1]))
	}
	d.Set("sources", srcs)
	if n.TestMetadata != nil {
		tm := jinja.NewDict()
		tm.Set("name", n.TestMetadata.Name)
		tm.Set("kwargs", fromGo(n.TestMetadata.Kwargs))
		tm.Set("namespace", n.TestMetadata.Namespace)
		d.Set("test_metadata", tm)
		d.Set("column_name", strOrNone(n.ColumnName))
		d.Set("attached_node", strOrNone(n.AttachedNode))
	}
	return d
}

// SourceDict returns a source as graph.sources shows it.
func SourceDict(s *manifest.SourceDef) *jinja.Dict {
	d := jinja.NewDict()
	d.Set("unique_id", s.UniqueID)
	d.Set("name", s.Name)
	d.Set("source_name", s.SourceName)
	d.Set("resource_type", "source")
	d.Set("package_name", s.Package)
	d.Set("database", s.Database)
	d.Set("schema", s.Schema)
	d.Set("identifier", s.Identifier)
	d.Set("loader", s.Loader)
	d.Set("description", s.Description)
	d.Set("meta", fromGo(s.Meta))
	d.Set("source_meta", fromGo(s.SourceMeta))
	d.Set("tags", jinja.NewList(toAnySlice(s.Tags)...))
	d.Set("relation_name", s.RelationName)
	d.Set("fqn", jinja.NewList(toAnySlice(s.FQN)...))
	d.Set("config", fromGo(map[string]any(s.Config)))
	return d
}
