package parser

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/gdbt/gdbt/compiler/dbtctx"
	"github.com/gdbt/gdbt/compiler/jinja"
	"github.com/gdbt/gdbt/compiler/manifest"
	"github.com/gdbt/gdbt/compiler/project"
)

// configArgs are the test arguments that are configs, in the order dbt
// writes them into the test's config() call.
var configArgs = []string{"severity", "tags", "enabled", "where", "limit", "warn_if", "error_if",
	"fail_calc", "store_failures", "store_failures_as", "sql_header", "meta", "database", "schema", "alias"}

var testNamePattern = regexp.MustCompile(`^(?:([a-zA-Z_][0-9a-zA-Z_]*)\.)?([a-zA-Z_][0-9a-zA-Z_]*)$`)

// kv is an ordered key/value list (Python dicts keep insertion order).
type kv struct {
	keys []string
	vals map[string]any
}

func newKV() *kv { return &kv{vals: map[string]any{}} }

func (o *kv) set(k string, v any) {
	if _, ok := o.vals[k]; !ok {
		o.keys = append(o.keys, k)
	}
	o.vals[k] = v
}

func (o *kv) pop(k string) (any, bool) {
	v, ok := o.vals[k]
	if !ok {
		return nil, false
	}
	delete(o.vals, k)
	for i, x := range o.keys {
		if x == k {
			o.keys = append(o.keys[:i], o.keys[i+1:]...)
			break
		}
	}
	return v, true
}

func kvFrom(v *project.Value) *kv {
	o := newKV()
	if v == nil || v.Kind != project.Map {
		return o
	}
	for _, e := range v.Entries {
		o.set(e.Key, e.Value.Interface())
	}
	return o
}

func (p *parser) buildTests() error {
	built := make([]*manifest.Node, len(p.tests))
	err := p.parallel(len(p.tests), func(i int) error {
		var err error
		built[i], err = p.buildTest(p.tests[i])
		return err
	})
	if err != nil {
		return err
	}
	for i, n := range built {
		if n == nil {
			continue
		}
		t := p.tests[i]
		if t.sourceName == "" {
			p.attach = append(p.attach, attachment{n, manifest.Ref{Name: t.targetName, Version: t.version}})
		}
		if _, seen := p.testPos[n.UniqueID]; !seen {
			p.testPos[n.UniqueID] = t.entry.Pos
		}
		if !n.Config.Bool("enabled") {
			if len(p.m.Disabled[n.UniqueID]) == 0 {
				p.m.Disabled[n.UniqueID] = []*manifest.Node{n}
			}
			continue
		}
		if _, dup := p.m.Nodes[n.UniqueID]; dup {
			continue
		}
		p.m.Nodes[n.UniqueID] = n
	}
	return nil
}

func (p *parser) buildTest(t *testSpec) (*manifest.Node, error) {
	e := t.entry
	var testName string
	var args *kv
	switch e.Kind {
	case project.String:
		testName, args = str(e), newKV()
	case project.Map:
		if tn := e.Get("test_name"); tn != nil {
			testName = str(tn)
			args = kvFrom(e)
			args.pop("test_name")
		} else {
			if len(e.Entries) != 1 {
				return nil, fmt.Errorf("%s: a test entry must have exactly one key (the test name), found %d", e.Pos, len(e.Entries))
			}
			testName = e.Entries[0].Key
			args = kvFrom(e.Entries[0].Value)
			if v := e.Entries[0].Value; !v.IsNull() && v.Kind != project.Map {
				return nil, fmt.Errorf("%s: expected the arguments of test '%s' to be a mapping, found %s", v.Pos, testName, v.Kind)
			}
		}
	default:
		return nil, fmt.Errorf("%s: expected a test name or a mapping, found %s", e.Pos, e.Kind)
	}
	if t.column != "" {
		col := t.column
		if q, ok := t.quote.(bool); ok && q {
			col = dbtctx.QuoteIdent(col)
		}
		args.set("column_name", col)
	}
	if a, ok := args.pop("arguments"); ok {
		if am, ok := a.(map[string]any); ok {
			// Keep the YAML order of the arguments.
			for _, ent := range argumentEntries(e, testName) {
				if v, ok := am[ent]; ok {
					args.set(ent, v)
				}
			}
		}
	}
	m := testNamePattern.FindStringSubmatch(testName)
	if m == nil {
		return nil, fmt.Errorf("%s: test name '%s' does not match the expected pattern", e.Pos, testName)
	}
	namespace, name := m[1], m[2]
	config := newKV()
	cfgArg, _ := args.vals["config"].(map[string]any)
	for _, key := range configArgs {
		v, _ := args.pop(key)
		if isFalsy(v) && cfgArg != nil {
			if cv, ok := cfgArg[key]; ok {
				v = cv
				delete(cfgArg, key)
			}
		}
		if v != nil {
			config.set(key, p.renderNativeConfig(v))
		}
	}
	if _, ok := args.pop("config"); ok {
		for _, k := range sortedYAMLKeys(e, testName, "config", cfgArg) {
			if v := cfgArg[k]; v != nil {
				config.set(k, p.renderNativeConfig(v))
			}
		}
	}
	description := ""
	if d, ok := args.pop("description"); ok {
		description = fmt.Sprint(d)
	}
	customName := ""
	if nm, ok := args.pop("name"); ok {
		customName = fmt.Sprint(nm)
	}
	var modelStr, targetName, prefix string
	if t.sourceName != "" {
		modelStr = fmt.Sprintf("{{ get_where_subquery(source('%s', '%s')) }}", t.sourceName, t.targetName)
		targetName = t.sourceName + "_" + t.targetName
		prefix = "source_" + name
	} else if t.version != nil {
		v := fmt.Sprint(t.version)
		modelStr = fmt.Sprintf("{{ get_where_subquery(ref('%s', version='%s')) }}", t.targetName, v)
		targetName = t.targetName + "_v" + v
		prefix = name
	} else {
		modelStr = fmt.Sprintf("{{ get_where_subquery(ref('%s')) }}", t.targetName)
		targetName = t.targetName
		prefix = name
	}
	args.set("model", modelStr)
	if namespace != "" {
		prefix = namespace + "_" + prefix
	}
	shortName, fullName := customName, customName
	if customName == "" {
		shortName, fullName = synthesizeTestNames(prefix, targetName, args)
		if shortName != fullName {
			if _, has := config.vals["alias"]; !has {
				config.set("alias", shortName)
			}
		}
	}
	macroName := "test_" + name
	if namespace != "" {
		macroName = namespace + "." + macroName
	}
	raw := "{{ " + macroName + "(**_dbt_generic_test_kwargs) }}" + constructConfig(config)

	kwargs := map[string]any{}
	for _, k := range args.keys {
		kwargs[k] = args.vals[k]
	}
	var ns any
	if namespace != "" {
		ns = namespace
	}
	meta := &manifest.TestMetadata{Name: name, Kwargs: kwargs, Namespace: ns}
	hash := testHash(fullName, meta, args)

	relPath := t.file
	if i := strings.IndexByte(relPath, '/'); i >= 0 {
		relPath = relPath[i+1:]
	} else {
		relPath = path.Base(relPath)
	}
	fqn := fqnFor(t.pkg.Name, relPath, fullName)
	n := &manifest.Node{
		UniqueID:         "test." + t.pkg.Name + "." + fullName + "." + hash,
		ResourceType:     manifest.Test,
		Package:          t.pkg.Name,
		Name:             fullName,
		Path:             shortName + ".sql",
		OriginalFilePath: t.file,
		FQN:              fqn,
		RawCode:          raw,
		Language:         "sql",
		Checksum:         "",
		TestMetadata:     meta,
		ColumnName:       t.column,
		FileKeyName:      t.yamlKey + "." + t.targetName,
		Description:      description,
		CreatedAt:        nowStamp(),
	}
	if t.sourceName != "" {
		n.FileKeyName = "sources." + t.sourceName
	}
	// Config: project data_tests tree, then the test's own config.
	f := &sqlFile{node: n, pkg: t.pkg}
	call := jinja.NewDict()
	for _, k := range config.keys {
		call.Set(k, dbtctx.FromGo(config.vals[k]))
	}
	// A generic test's macro may call config() itself (dbt-utils'
	// equal_rowcount sets fail_calc): dbt renders it at parse time and
	// the YAML config, rendered after it, wins.
	macroID := p.testMacroID(t.pkg.Name, namespace, "test_"+name)
	if macroID != "" && macroID != "macro.dbt.test_not_null" && macroID != "macro.dbt.test_unique" {
		tmpl, err := p.jinja.Parse(t.file, "{{ "+macroName+"(**_dbt_generic_test_kwargs) }}")
		if err != nil {
			return nil, fmt.Errorf("%s: %w", e.Pos, err)
		}
		n.Config = manifest.Config{}
		rc := p.env.NewNodeContext(n, dbtctx.Parse)
		rc.Set("_dbt_generic_test_kwargs", testKwargsValue(n))
		if _, err := tmpl.Execute(rc, nil); err == nil {
			f.configs = append(f.configs, rc.Configs...)
		}
	}
	f.configs = append(f.configs, call)
	n.Config = p.configFor(f, true)
	n.UnrenderedConfig = manifest.Config{}
	for _, k := range config.keys {
		n.UnrenderedConfig[k] = config.vals[k]
	}
	// The node's tags gather its column's (and, for a source, the source's
	// and table's) with its config's; config.tags keeps the config's only.
	own := n.Config.Strings("tags")
	tags := map[string]bool{}
	for _, tg := range append(append([]string{}, t.columnTags...), own...) {
		tags[tg] = true
	}
	if t.sourceName != "" {
		for _, tg := range t.nodeTags {
			tags[tg] = true
		}
	}
	n.Tags = make([]string, 0, len(tags))
	for tg := range tags {
		n.Tags = append(n.Tags, tg)
	}
	sort.Strings(n.Tags)
	n.Config["tags"] = toAnyStrings(own)
	n.Meta, _ = n.Config["meta"].(map[string]any)
	if n.Meta == nil {
		n.Meta = map[string]any{}
	}
	if err := p.locate(n); err != nil {
		return nil, err
	}
	if macroID != "" {
		n.DependsOnMacros = []string{macroID}
	}
	if t.sourceName == "" {
		n.Refs = []manifest.Ref{{Name: t.targetName, Version: t.version}}
	} else {
		n.Sources = [][2]string{{t.sourceName, t.targetName}}
	}
	// dbt skips rendering for the built-in not_null and unique tests; for
	// the others it renders the keyword arguments with the recording
	// context, which records the refs they make and the macros they call.
	if macroID != "macro.dbt.test_not_null" && macroID != "macro.dbt.test_unique" {
		ctx := p.env.NewNodeContext(n, dbtctx.Parse)
		for _, k := range args.keys {
			s, ok := args.vals[k].(string)
			if !ok || k == "column_name" {
				continue
			}
			if looksLikeFunc.MatchString(s) {
				s = "{{ " + s + " }}"
			}
			if !strings.Contains(s, "{{") {
				continue
			}
			tmpl, err := p.jinja.Parse(t.file, s)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", e.Pos, err)
			}
			if _, err := tmpl.Execute(ctx, nil); err != nil {
				return nil, fmt.Errorf("%s: %w", e.Pos, err)
			}
		}
		n.Refs, n.Sources = ctx.Refs, ctx.Sources
		for _, id := range ctx.CalledOrder {
			if id != macroID {
				n.DependsOnMacros = append(n.DependsOnMacros, id)
			}
		}
	}
	if macroID == "" {
		return nil, fmt.Errorf("%s: %s: test definition dictionary: no macro named 'test_%s' (a generic test '%s')", t.file, e.Pos, name, testName)
	}
	return n, nil
}

var looksLikeFunc = regexp.MustCompile(`^\s*(env_var|ref|var|source|doc)\s*\(.+\)\s*$`)

func (p *parser) testMacroID(pkg, namespace, name string) string {
	if namespace != "" {
		if _, ok := p.macros.Get(namespace, name); ok {
			return "macro." + namespace + "." + name
		}
		return ""
	}
	ref, ok := p.macros.Lookup(pkg, name)
	if !ok {
		return ""
	}
	return ref.UniqueID()
}

func toAnyStrings(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

func isFalsy(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case bool:
		return !x
	case string:
		return x == ""
	case int64:
		return x == 0
	case []any:
		return len(x) == 0
	case map[string]any:
		return len(x) == 0
	}
	return false
}

// renderNativeConfig renders Jinja in a test config value natively.
func (p *parser) renderNativeConfig(v any) any {
	s, ok := v.(string)
	if !ok || !strings.Contains(s, "{") {
		return v
	}
	t, err := p.jinja.Parse("config", s)
	if err != nil {
		return v
	}
	out, err := t.Execute(p.env.NewNodeContext(nil, dbtctx.Parse), nil)
	if err != nil {
		return v
	}
	return dbtctx.ToGo(dbtctx.NativeValue(out))
}

// argumentEntries lists the keys under a test's arguments: in YAML order.
func argumentEntries(e *project.Value, testName string) []string {
	var body *project.Value
	if e.Kind == project.Map {
		if e.Get("test_name") != nil {
			body = e
		} else if len(e.Entries) == 1 {
			body = e.Entries[0].Value
		}
	}
	var out []string
	if a := body.Get("arguments"); a != nil && a.Kind == project.Map {
		for _, x := range a.Entries {
			out = append(out, x.Key)
		}
	}
	return out
}

// sortedYAMLKeys lists the keys of a test's config: in YAML order, keeping
// only those still present in rest.
func sortedYAMLKeys(e *project.Value, testName, key string, rest map[string]any) []string {
	var body *project.Value
	if e.Kind == project.Map {
		if e.Get("test_name") != nil {
			body = e
		} else if len(e.Entries) == 1 {
			body = e.Entries[0].Value
		}
	}
	var out []string
	if c := body.Get(key); c != nil && c.Kind == project.Map {
		for _, x := range c.Entries {
			if _, ok := rest[x.Key]; ok {
				out = append(out, x.Key)
			}
		}
	}
	return out
}

// synthesizeTestNames builds dbt's test names: the full name joins the
// test, the target and the flattened arguments; names of 64 characters or
// more are shortened to 30 characters plus an md5 of the full name.
func synthesizeTestNames(testType, testName string, args *kv) (short, full string) {
	keys := append([]string(nil), args.keys...)
	sort.Strings(keys)
	var flat []string
	for _, k := range keys {
		if k == "model" {
			continue
		}
		var parts []any
		switch v := args.vals[k].(type) {
		case map[string]any:
			for _, kk := range sortedKeys(v) {
				parts = append(parts, v[kk])
			}
		case []any:
			parts = v
		default:
			parts = []any{v}
		}
		for _, part := range parts {
			flat = append(flat, nonWord.ReplaceAllString(pyStr(part), "_"))
		}
	}
	identifier := testType + "_" + testName
	full = identifier + "_" + strings.Join(flat, "__")
	if len(full) >= 64 {
		trunc := identifier
		if len(trunc) > 30 {
			trunc = trunc[:30]
		}
		sum := md5.Sum([]byte(full))
		return trunc + "_" + hex.EncodeToString(sum[:]), full
	}
	return full, full
}

var nonWord = regexp.MustCompile(`[^0-9a-zA-Z_]+`)

// pyStr is Python's str() of decoded YAML data.
func pyStr(v any) string { return jinja.ToString(dbtctx.FromGo(v)) }

// testHash is the last 10 hex digits of md5(name + repr(hashable
// metadata)), dbt's test unique_id suffix.
func testHash(name string, meta *manifest.TestMetadata, args *kv) string {
	var b strings.Builder
	b.WriteString("{'kwargs': ")
	b.WriteString(hashable(meta.Kwargs))
	b.WriteString(", 'name': ")
	b.WriteString(jinja.Repr(meta.Name))
	b.WriteString(", 'namespace': ")
	b.WriteString(jinja.Repr(pyStr(meta.Namespace)))
	b.WriteString("}")
	sum := md5.Sum([]byte(name + b.String()))
	h := hex.EncodeToString(sum[:])
	return h[len(h)-10:]
}

// hashable is repr() of dbt's get_hashable_md: dicts with sorted keys,
// lists kept, every other value as str().
func hashable(v any) string {
	switch x := v.(type) {
	case map[string]any:
		var b strings.Builder
		b.WriteByte('{')
		for i, k := range sortedKeys(x) {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(jinja.Repr(k))
			b.WriteString(": ")
			b.WriteString(hashable(x[k]))
		}
		b.WriteByte('}')
		return b.String()
	case []any:
		var b strings.Builder
		b.WriteByte('[')
		for i, it := range x {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(hashable(it))
		}
		b.WriteByte(']')
		return b.String()
	}
	return jinja.Repr(pyStr(v))
}

// constructConfig renders the config() call appended to a generic test's
// raw code: strings double-quoted, other values as Python str().
func constructConfig(c *kv) string {
	if len(c.keys) == 0 {
		return ""
	}
	var parts []string
	for _, k := range c.keys {
		v := c.vals[k]
		if s, ok := v.(string); ok {
			parts = append(parts, k+`="`+strings.ReplaceAll(s, `"`, `\"`)+`"`)
		} else {
			parts = append(parts, k+"="+pyStr(v))
		}
	}
	return "{{ config(" + strings.Join(parts, ",") + ") }}"
}
