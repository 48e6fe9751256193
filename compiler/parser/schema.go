package parser

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gdbt/gdbt/compiler/dbtctx"
	"github.com/gdbt/gdbt/compiler/jinja"
	"github.com/gdbt/gdbt/compiler/manifest"
	"github.com/gdbt/gdbt/compiler/project"
	"github.com/gdbt/gdbt/compiler/source"
)

// patch is what a schema .yml says about a model, seed, snapshot or
// analysis.
type patch struct {
	rt          manifest.ResourceType
	pkg         string
	name        string
	file        string // original_file_path of the .yml
	yamlKey     string // models, seeds, …
	description string
	config      *project.Value
	columns     []*manifest.Column
	colTests    [][]*project.Value
	tests       []*project.Value
	meta        map[string]any
	tags        []string
	docs        map[string]any

	// Model-level contract constraints.
	constraints []manifest.Constraint

	// Model versions: latest_version and one entry per versions: item.
	latest   any
	versions []*versionSpec

	// The deprecations of the entry's generic tests, in dbt's order
	// (per version: columns' tests, then the model's).
	deprecations []Warning
}

// versionSpec is one entry of a model's versions: list.
type versionSpec struct {
	v         any
	definedIn string
	config    *project.Value
	// columns are the version node's: the model's columns its include /
	// exclude entry keeps, then its own, one per name (dbt's column_info).
	columns []*manifest.Column
	// testCols are the same columns as declared, a name twice when the
	// version redeclares a model's column: each declaration's tests run.
	testCols []*manifest.Column
	colTests [][]*project.Value
	// tests are the version's own data_tests:, which replace the model's
	// when hasTests (an empty list too).
	tests    []*project.Value
	hasTests bool
	hasCols  bool
	// Model-level constraints of this version; none means the model's.
	constraints []manifest.Constraint
}

// testSpec is one generic test entry from YAML, attached to a node or a
// source table (and maybe a column).
type testSpec struct {
	pkg        *project.Project
	file       string
	entry      *project.Value
	targetName string // model name, or source table
	sourceName string // set for source tests
	yamlKey    string
	column     string
	columnTags []string
	nodeTags   []string
	quote      any
	version    any // the model version a test belongs to
}

func (p *parser) loadSchemas() error {
	for _, pr := range p.root.All() {
		seen := map[string]bool{}
		dirs := []string{}
		dirs = append(dirs, pr.ModelPaths...)
		dirs = append(dirs, pr.SeedPaths...)
		dirs = append(dirs, pr.SnapshotPaths...)
		dirs = append(dirs, pr.AnalysisPaths...)
		dirs = append(dirs, pr.MacroPaths...)
		dirs = append(dirs, pr.TestPaths...)
		for _, d := range dirs {
			rels, err := p.listFiles(pr.Root, d, ".yml", ".yaml")
			if err != nil {
				return err
			}
			for _, rel := range rels {
				if seen[rel] {
					continue
				}
				seen[rel] = true
				if err := p.loadSchemaFile(pr, d, rel); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func (p *parser) loadSchemaFile(pr *project.Project, dir, rel string) error {
	data, err := os.ReadFile(filepath.Join(pr.Root, rel))
	if err != nil {
		return err
	}
	doc, err := project.ParseYAML(rel, data)
	if err != nil {
		return err
	}
	if doc.IsNull() {
		return nil
	}
	if doc.Kind != project.Map {
		return fmt.Errorf("%s: expected a mapping at the top of a schema file, found %s", doc.Pos, doc.Kind)
	}
	for _, key := range []string{"models", "seeds", "snapshots", "analyses"} {
		list := doc.Get(key)
		if list.IsNull() {
			continue
		}
		if list.Kind != project.List {
			return fmt.Errorf("%s: expected a list under '%s', found %s", list.Pos, key, list.Kind)
		}
		rt := map[string]manifest.ResourceType{"models": manifest.Model, "seeds": manifest.Seed, "snapshots": manifest.Snapshot, "analyses": manifest.Analysis}[key]
		for _, item := range list.Items {
			pt, err := p.readPatch(pr, rel, key, rt, item)
			if err != nil {
				return err
			}
			if rt == manifest.Snapshot && item.Get("relation") != nil {
				if err := p.yamlSnapshot(pr, dir, rel, data, pt.name, item.Get("relation")); err != nil {
					return err
				}
			}
			p.patches = append(p.patches, pt)
			if len(pt.versions) == 0 {
				p.addTests(pr, rel, key, pt, nil, pt.tests, pt.columns, pt.colTests)
				pt.deprecations = testsDeprecations(rel, pt.name, pr.Name, pt.tests, pt.colTests, true)
				continue
			}
			for _, v := range pt.versions {
				// dbt: a version's tests and columns, else the model's.
				tests, cols, colTests := pt.tests, pt.columns, pt.colTests
				if v.hasTests {
					tests = v.tests
				}
				if v.hasCols {
					cols, colTests = v.testCols, v.colTests
				}
				p.addTests(pr, rel, key, pt, v.v, tests, cols, colTests)
				pt.deprecations = append(pt.deprecations, testsDeprecations(rel, pt.name, pr.Name, tests, colTests, true)...)
			}
		}
	}
	if srcs := doc.Get("sources"); !srcs.IsNull() {
		if srcs.Kind != project.List {
			return fmt.Errorf("%s: expected a list under 'sources', found %s", srcs.Pos, srcs.Kind)
		}
		for _, s := range srcs.Items {
			if err := p.readSource(pr, dir, rel, s); err != nil {
				return err
			}
		}
	}
	if err := p.readGroups(pr, dir, rel, doc.Get("groups")); err != nil {
		return err
	}
	if err := p.readMacroPatches(pr, rel, doc.Get("macros")); err != nil {
		return err
	}
	if err := p.readUnitTests(pr, dir, rel, doc.Get("unit_tests")); err != nil {
		return err
	}
	if exps := doc.Get("exposures"); !exps.IsNull() && exps.Kind == project.List {
		for _, e := range exps.Items {
			if err := p.readExposure(pr, dir, rel, e); err != nil {
				return err
			}
		}
	}
	return nil
}

func str(v *project.Value) string {
	s, _ := v.Str()
	if s == "" && v != nil && v.Kind != project.Null && v.Kind != project.Map && v.Kind != project.List && v.Scalar != nil {
		return fmt.Sprint(v.Scalar)
	}
	return s
}

func strList(v *project.Value) []string {
	if v.IsNull() {
		return nil
	}
	if v.Kind == project.List {
		var out []string
		for _, it := range v.Items {
			out = append(out, str(it))
		}
		return out
	}
	return []string{str(v)}
}

func plainMap(v *project.Value) map[string]any {
	if v.IsNull() || v.Kind != project.Map {
		return map[string]any{}
	}
	return v.Interface().(map[string]any)
}

// dataTests returns the data_tests: of a model, version or column entry,
// or its legacy name tests:, which dbt takes only when it is a non-empty
// list, and whether a list was given (a version without one takes the
// model's tests; an empty one has none).
func dataTests(v *project.Value) ([]*project.Value, bool, error) {
	legacy, dt := v.Get("tests"), v.Get("data_tests")
	l := dt
	if !legacy.IsNull() && legacy.Kind == project.List && len(legacy.Items) > 0 {
		if dt != nil {
			return nil, false, fmt.Errorf("%s: Invalid test config: cannot have both 'tests' and 'data_tests' defined", v.Pos)
		}
		l = legacy
	}
	if l.IsNull() || l.Kind != project.List {
		return nil, false, nil
	}
	return l.Items, true, nil
}

// testsOf returns the entries of data_tests: or tests:.
func testsOf(v *project.Value) []*project.Value {
	var out []*project.Value
	for _, key := range []string{"data_tests", "tests"} {
		if l := v.Get(key); !l.IsNull() && l.Kind == project.List {
			out = append(out, l.Items...)
		}
	}
	return out
}

func (p *parser) readPatch(pr *project.Project, rel, key string, rt manifest.ResourceType, item *project.Value) (*patch, error) {
	name := str(item.Get("name"))
	if name == "" {
		return nil, fmt.Errorf("%s: expected a 'name' for this entry of '%s'", item.Pos, key)
	}
	what := fmt.Sprintf("%s entry '%s'", key, name)
	if err := checkKinds(item, what, entryKinds); err != nil {
		return nil, err
	}
	pt := &patch{rt: rt, pkg: pr.Name, name: name, file: rel, yamlKey: key,
		description: str(item.Get("description")), config: item.Get("config"),
		meta: plainMap(item.Get("meta")), docs: plainMap(item.Get("docs"))}
	var err error
	if pt.tests, _, err = dataTests(item); err != nil {
		return nil, err
	}
	if pt.config, err = liftToConfig(item, "group", "access", "docs"); err != nil {
		return nil, err
	}
	pt.tags = strList(item.Get("tags"))
	if pt.constraints, err = modelConstraints(item); err != nil {
		return nil, err
	}
	if cols := item.Get("columns"); !cols.IsNull() && cols.Kind == project.List {
		for _, c := range cols.Items {
			col, tests, err := readColumn(c, "a column of "+what)
			if err != nil {
				return nil, err
			}
			pt.columns = append(pt.columns, col)
			pt.colTests = append(pt.colTests, tests)
		}
	}
	if lv := item.Get("latest_version"); !lv.IsNull() {
		pt.latest = lv.Scalar
	}
	if vs := item.Get("versions"); !vs.IsNull() && vs.Kind == project.List {
		for _, v := range vs.Items {
			spec := &versionSpec{v: v.Get("v").Interface(), definedIn: str(v.Get("defined_in")),
				config: v.Get("config")}
			if spec.config, err = liftToConfig(v, "access"); err != nil {
				return nil, err
			}
			if spec.v == nil {
				return nil, fmt.Errorf("%s: expected a 'v' in this entry of versions", v.Pos)
			}
			if spec.tests, spec.hasTests, err = dataTests(v); err != nil {
				return nil, err
			}
			if cols := v.Get("columns"); !cols.IsNull() && cols.Kind == project.List {
				spec.hasCols = true
				if err := versionColumns(pt, spec, cols, fmt.Sprintf("a column of version %v of %s", spec.v, what)); err != nil {
					return nil, err
				}
			}
			if spec.constraints, err = modelConstraints(v); err != nil {
				return nil, err
			}
			pt.versions = append(pt.versions, spec)
		}
		if pt.latest == nil {
			// dbt: the greatest version is the latest.
			for _, v := range pt.versions {
				if pt.latest == nil || compareVersions(v.v, pt.latest) > 0 {
					pt.latest = v.v
				}
			}
		}
	}
	return pt, nil
}

// readColumn reads one entry of a columns: list and its tests.
func readColumn(c *project.Value, what string) (*manifest.Column, []*project.Value, error) {
	if err := checkKinds(c, what, columnKinds); err != nil {
		return nil, nil, err
	}
	col := &manifest.Column{Name: str(c.Get("name")), Description: str(c.Get("description")),
		Meta: plainMap(c.Get("meta")), DataType: str(c.Get("data_type")), Tags: strList(c.Get("tags"))}
	var err error
	if col.Constraints, err = columnConstraints(c); err != nil {
		return nil, nil, err
	}
	if q := c.Get("quote"); !q.IsNull() {
		col.Quote = q.Scalar
	}
	if col.Tags == nil {
		col.Tags = []string{}
	}
	tests, _, err := dataTests(c)
	return col, tests, err
}

// versionColumns reads a version's columns: list as dbt does: the model's
// columns that its include / exclude entry keeps (all of them when it has
// none), wherever that entry stands, then the version's own columns.
// Tests run for every declaration; the node has one column per name, a
// redeclared one in the model column's place.
func versionColumns(pt *patch, spec *versionSpec, cols *project.Value, what string) error {
	var incl *project.Value
	var own []*manifest.Column
	var ownTests [][]*project.Value
	for _, c := range cols.Items {
		if inc := c.Get("include"); inc != nil {
			if incl != nil {
				return fmt.Errorf("%s: version can have at most one include/exclude element", c.Pos)
			}
			incl = c
			continue
		}
		col, tests, err := readColumn(c, what)
		if err != nil {
			return err
		}
		own = append(own, col)
		ownTests = append(ownTests, tests)
	}
	all, names, excl := true, map[string]bool{}, map[string]bool{}
	if incl != nil {
		inc := incl.Get("include")
		if inc.Kind == project.List {
			all = false
			for _, n := range strList(inc) {
				names[n] = true
			}
		} else if s := str(inc); s != "all" && s != "*" {
			return fmt.Errorf("%s: include must be one of ('all', '*') or a list of strings, found %s", inc.Pos, project.Describe(inc))
		}
		for _, n := range strList(incl.Get("exclude")) {
			if !all {
				return fmt.Errorf("%s: exclude can only be specified if include is one of ('all', '*')", incl.Get("exclude").Pos)
			}
			excl[n] = true
		}
	}
	at := map[string]int{}
	add := func(col *manifest.Column, tests []*project.Value) {
		spec.testCols = append(spec.testCols, col)
		spec.colTests = append(spec.colTests, tests)
		if i, ok := at[col.Name]; ok {
			spec.columns[i] = col
			return
		}
		at[col.Name] = len(spec.columns)
		spec.columns = append(spec.columns, col)
	}
	for i, mc := range pt.columns {
		if (all || names[mc.Name]) && !excl[mc.Name] {
			add(mc, pt.colTests[i])
		}
	}
	for i, col := range own {
		add(col, ownTests[i])
	}
	return nil
}

func compareVersions(a, b any) int {
	fa, _ := strconv.ParseFloat(fmt.Sprint(a), 64)
	fb, _ := strconv.ParseFloat(fmt.Sprint(b), 64)
	switch {
	case fa < fb:
		return -1
	case fa > fb:
		return 1
	}
	return strings.Compare(fmt.Sprint(a), fmt.Sprint(b))
}

func (p *parser) addTests(pr *project.Project, rel, key string, pt *patch, version any, tests []*project.Value, cols []*manifest.Column, colTests [][]*project.Value) {
	for _, t := range tests {
		p.tests = append(p.tests, &testSpec{pkg: pr, file: rel, entry: t, targetName: pt.name, yamlKey: key, nodeTags: pt.tags, version: version})
	}
	for i, col := range cols {
		for _, t := range colTests[i] {
			p.tests = append(p.tests, &testSpec{pkg: pr, file: rel, entry: t, targetName: pt.name, yamlKey: key, column: col.Name, columnTags: col.Tags, nodeTags: pt.tags, quote: col.Quote, version: version})
		}
	}
}

// yamlSnapshot adds a snapshot declared only in YAML (dbt 1.9+): its SQL is
// select * from the relation it names.
func (p *parser) yamlSnapshot(pr *project.Project, dir, rel string, data []byte, name string, relation *project.Value) error {
	expr := str(relation)
	raw := "select * from {{ " + expr + " }}"
	tmpl, err := p.jinja.Parse(rel, raw)
	if err != nil {
		return fmt.Errorf("%s: %w", relation.Pos, err)
	}
	relPath := relTo(rel, dir)
	n := &manifest.Node{
		ResourceType: manifest.Snapshot, Package: pr.Name, Name: name,
		UniqueID:         "snapshot." + pr.Name + "." + name,
		Path:             name + ".sql",
		OriginalFilePath: rel,
		FQN:              fqnFor(pr.Name, relPath, name),
		Language:         "sql",
		RawCode:          raw,
		Checksum:         spaceChecksum(string(data)),
		CreatedAt:        nowStamp(),
	}
	p.sqlNodes = append(p.sqlNodes, &sqlFile{node: n, pkg: pr, tmpl: tmpl, body: raw})
	return nil
}

// renderYAMLString renders Jinja in a schema-file value with the
// project-level parse context (target, var, env_var).
func (p *parser) renderYAMLString(s string, pos source.Position) (string, error) {
	if !strings.Contains(s, "{{") && !strings.Contains(s, "{%") {
		return s, nil
	}
	t, err := p.jinja.Parse(pos.File, s)
	if err != nil {
		return "", err
	}
	out, err := t.Execute(p.env.NewNodeContext(nil, dbtctx.Parse), nil)
	if err != nil {
		return "", fmt.Errorf("%s: %w", pos, err)
	}
	return out, nil
}

func (p *parser) readSource(pr *project.Project, dir, rel string, s *project.Value) error {
	srcName := str(s.Get("name"))
	if srcName == "" {
		return fmt.Errorf("%s: expected a 'name' for this source", s.Pos)
	}
	target := p.env.Target
	db, _ := target.Get("database")
	database := jinja.ToString(db)
	if v := s.Get("database"); !v.IsNull() {
		r, err := p.renderYAMLString(str(v), v.Pos)
		if err != nil {
			return err
		}
		database = r
	}
	schema := srcName
	if v := s.Get("schema"); !v.IsNull() {
		r, err := p.renderYAMLString(str(v), v.Pos)
		if err != nil {
			return err
		}
		schema = r
	}
	relDir := path.Dir(relTo(rel, dir))
	tables := s.Get("tables")
	if tables.IsNull() {
		return nil
	}
	if tables.Kind != project.List {
		return fmt.Errorf("%s: expected a list for 'tables' of source '%s', found %s", tables.Pos, srcName, project.Describe(tables))
	}
	for _, t := range tables.Items {
		name := str(t.Get("name"))
		what := fmt.Sprintf("table '%s' of source '%s'", name, srcName)
		if err := checkKinds(t, what, entryKinds); err != nil {
			return err
		}
		ident := name
		if v := t.Get("identifier"); !v.IsNull() {
			r, err := p.renderYAMLString(str(v), v.Pos)
			if err != nil {
				return err
			}
			ident = r
		}
		fqn := []string{pr.Name}
		if relDir != "." {
			fqn = append(fqn, strings.Split(relDir, "/")...)
		}
		fqn = append(fqn, srcName, name)
		id := "source." + pr.Name + "." + srcName + "." + name
		// Generic tests take the entries' tags; the table's own tags also
		// gather config tags.
		tags := append(strList(s.Get("tags")), strList(t.Get("tags"))...)
		if tags == nil {
			tags = []string{}
		}
		// dbt builds a source table's tests, with their deprecations,
		// before it checks the table's freshness.
		var colTests [][]*project.Value
		if cols := t.Get("columns"); !cols.IsNull() && cols.Kind == project.List {
			for _, c := range cols.Items {
				colTests = append(colTests, testsOf(c))
			}
		}
		p.warnings = append(p.warnings, testsDeprecations(rel, srcName+"_"+name, pr.Name, testsOf(t), colTests, false)...)
		props, err := p.sourceConfig(pr.Name, s, t, fqn)
		if err != nil {
			return err
		}
		desc, docs, err := p.renderDoc(pr.Name, str(t.Get("description")))
		if err != nil {
			return fmt.Errorf("%s: %w", rel, err)
		}
		srcDesc, _, err := p.renderDoc(pr.Name, str(s.Get("description")))
		if err != nil {
			return fmt.Errorf("%s: %w", rel, err)
		}
		def := &manifest.SourceDef{
			Description: desc, SourceDescription: srcDesc, DocBlocks: docs,
			UniqueID: id, Package: pr.Name, SourceName: srcName, Name: name,
			Path: rel, OriginalFilePath: rel, FQN: fqn,
			Database: database, Schema: schema, Identifier: ident,
			Loader: str(s.Get("loader")),
			Meta:   props.meta, SourceMeta: props.sourceMeta, Tags: props.tags,
			Config: props.config, UnrenderedConfig: props.unrendered,
			UnrenderedDatabase: str(s.Get("database")), UnrenderedSchema: str(s.Get("schema")),
			Quoting:       map[string]any{"database": nil, "schema": nil, "identifier": nil, "column": nil},
			LoadedAtField: props.loadedAt, Freshness: props.freshness,
			RelationName: dbtctx.NewRelation(database, schema, ident, "table").String(),
			CreatedAt:    nowStamp(),
		}
		if cols := t.Get("columns"); !cols.IsNull() && cols.Kind == project.List {
			for _, c := range cols.Items {
				if err := checkKinds(c, "a column of "+what, columnKinds); err != nil {
					return err
				}
				col := &manifest.Column{Name: str(c.Get("name")),
					Meta: plainMap(c.Get("meta")), DataType: str(c.Get("data_type")), Tags: strList(c.Get("tags")), Constraints: []any{}}
				if col.Description, col.DocBlocks, err = p.renderDoc(pr.Name, str(c.Get("description"))); err != nil {
					return fmt.Errorf("%s: %w", rel, err)
				}
				if col.Tags == nil {
					col.Tags = []string{}
				}
				def.Columns = append(def.Columns, col)
				for _, te := range testsOf(c) {
					p.tests = append(p.tests, &testSpec{pkg: pr, file: rel, entry: te, targetName: name, sourceName: srcName, yamlKey: "sources", column: col.Name, columnTags: col.Tags, nodeTags: tags})
				}
			}
		}
		for _, te := range testsOf(t) {
			p.tests = append(p.tests, &testSpec{pkg: pr, file: rel, entry: te, targetName: name, sourceName: srcName, yamlKey: "sources", nodeTags: tags})
		}
		if en, ok := props.config["enabled"].(bool); ok && !en {
			p.m.DisabledSources[id] = append(p.m.DisabledSources[id], def)
			continue
		}
		p.m.Sources[id] = def
	}
	return nil
}

func (p *parser) readExposure(pr *project.Project, dir, rel string, e *project.Value) error {
	name := str(e.Get("name"))
	id := "exposure." + pr.Name + "." + name
	relDir := path.Dir(relTo(rel, dir))
	fqn := []string{pr.Name}
	if relDir != "." {
		fqn = append(fqn, strings.Split(relDir, "/")...)
	}
	fqn = append(fqn, name)
	desc, _, err := p.renderDoc(pr.Name, str(e.Get("description")))
	if err != nil {
		return err
	}
	// Tags and meta gather dbt_project.yml's exposures: tree, the entry and
	// its config:, in that order (dbt writes the same to config).
	cfg := project.MergeConfig(p.root.ConfigFor("exposure", pr.Name, fqn), e.Get("config"))
	tags := map[string]bool{}
	for _, t := range append(strList(e.Get("tags")), strList(cfg.Get("tags"))...) {
		tags[t] = true
	}
	meta := plainMap(p.root.ConfigFor("exposure", pr.Name, fqn).Get("meta"))
	for _, m := range []map[string]any{plainMap(e.Get("meta")), plainMap(e.Get("config").Get("meta"))} {
		for k, v := range m {
			meta[k] = v
		}
	}
	enabled := true
	if v, ok := cfg.Get("enabled").Interface().(bool); ok {
		enabled = v
	}
	ex := &manifest.ExposureDef{UniqueID: id, Package: pr.Name, Name: name, Path: relTo(rel, dir), OriginalFilePath: rel,
		FQN: fqn, Type: str(e.Get("type")), Owner: plainMap(e.Get("owner")), Description: desc,
		Label: str(e.Get("label")), Maturity: str(e.Get("maturity")), Meta: meta,
		Tags: sortedKeys(tags), URL: str(e.Get("url")), Config: manifest.Config{"enabled": enabled, "tags": sortedKeys(tags), "meta": meta},
		CreatedAt: nowStamp()}
	// depends_on entries are ref()/source() calls, rendered with a
	// recording context.
	if deps := e.Get("depends_on"); !deps.IsNull() && deps.Kind == project.List {
		for _, d := range deps.Items {
			ctx := p.env.NewNodeContext(nil, dbtctx.Parse)
			t, err := p.jinja.Parse(rel, "{{ "+str(d)+" }}")
			if err != nil {
				return fmt.Errorf("%s: %w", d.Pos, err)
			}
			if _, err := t.Execute(ctx, nil); err != nil {
				return fmt.Errorf("%s: %w", d.Pos, err)
			}
			ex.Refs = append(ex.Refs, ctx.Refs...)
			for range ctx.Refs {
				p.expRefs[id] = append(p.expRefs[id], d.Pos)
			}
			ex.Sources = append(ex.Sources, ctx.Sources...)
		}
	}
	// unrendered_config: the exposures: tree as written, then config:.
	ex.UnrenderedConfig = manifest.Config{}
	for _, e := range p.root.UnrenderedConfig("exposure", pr.Name, fqn).Entries {
		ex.UnrenderedConfig[e.Key] = e.Value.Interface()
	}
	own, err := p.renderedMap(e.Get("config"))
	if err != nil {
		return err
	}
	for k, v := range own {
		ex.UnrenderedConfig[k] = v
	}
	if !enabled {
		// dbt lists it, refs unresolved, in the disabled section.
		p.m.DisabledExposures[id] = append(p.m.DisabledExposures[id], ex)
		return nil
	}
	p.m.Exposures[id] = ex
	return nil
}
