package parser

import (
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/gdbt/gdbt/compiler/dbtctx"
	"github.com/gdbt/gdbt/compiler/jinja"
	"github.com/gdbt/gdbt/compiler/manifest"
	"github.com/gdbt/gdbt/compiler/project"
	"github.com/gdbt/gdbt/compiler/source"
)

// unitSpec is one unit_tests: entry, read from its schema file; the tested
// model is found, and the fixtures normalized, once every node is known
// (resolveUnitTests).
type unitSpec struct {
	pr       *project.Project
	file     string // original_file_path of the .yml
	relPath  string // the .yml relative to its resource folder
	pos      source.Position
	name     string
	model    string
	desc     string
	config   *project.Value // config: as written
	def      *manifest.UnitTestDef
	given    []*project.Value // positions for errors
	expect   *project.Value
	versions *manifest.UnitTestVersions
}

// readUnitTests reads the unit_tests: list of a schema file. dbt renders
// every string of an entry (its description aside) with the schema-file
// context before validating it.
func (p *parser) readUnitTests(pr *project.Project, dir, rel string, list *project.Value) error {
	if list.IsNull() {
		return nil
	}
	if list.Kind != project.List {
		return fmt.Errorf("%s: expected a list under 'unit_tests', found %s", list.Pos, list.Kind)
	}
	for _, item := range list.Items {
		if item.Kind != project.Map {
			return fmt.Errorf("%s: expected a mapping for this unit test, found %s", item.Pos, item.Kind)
		}
		s, err := p.readUnitTest(pr, dir, rel, item)
		if err != nil {
			return err
		}
		p.unitTests = append(p.unitTests, s)
	}
	return nil
}

func (p *parser) readUnitTest(pr *project.Project, dir, rel string, item *project.Value) (*unitSpec, error) {
	s := &unitSpec{pr: pr, file: rel, relPath: relTo(rel, dir), pos: item.Pos, config: item.Get("config"),
		def: &manifest.UnitTestDef{}}
	need := func(key string, kind project.Kind) (*project.Value, error) {
		v := item.Get(key)
		if v.IsNull() {
			return nil, fmt.Errorf("%s: this unit test has no '%s'", item.Pos, key)
		}
		if v.Kind != kind {
			return nil, fmt.Errorf("%s: expected %s for '%s' of a unit test, found %s", v.Pos, kind, key, v.Kind)
		}
		return v, nil
	}
	nameV, err := need("name", project.String)
	if err != nil {
		return nil, err
	}
	modelV, err := need("model", project.String)
	if err != nil {
		return nil, err
	}
	given, err := need("given", project.List)
	if err != nil {
		return nil, err
	}
	expect, err := need("expect", project.Map)
	if err != nil {
		return nil, err
	}
	if s.name, err = p.renderUTString(nameV); err != nil {
		return nil, err
	}
	if s.model, err = p.renderUTString(modelV); err != nil {
		return nil, err
	}
	s.def.Model = s.model
	s.desc = str(item.Get("description"))
	for _, g := range given.Items {
		if g.Kind != project.Map {
			return nil, fmt.Errorf("%s: expected a mapping for this given input, found %s", g.Pos, g.Kind)
		}
		in := g.Get("input")
		if in.IsNull() {
			return nil, fmt.Errorf("%s: this given entry of unit test '%s' has no 'input'", g.Pos, s.name)
		}
		f, err := p.readFixture(g)
		if err != nil {
			return nil, err
		}
		if f.Input, err = p.renderUTString(in); err != nil {
			return nil, err
		}
		s.def.Given = append(s.def.Given, f)
		s.given = append(s.given, g)
	}
	if s.def.Expect, err = p.readFixture(expect); err != nil {
		return nil, err
	}
	s.expect = expect
	if o := item.Get("overrides"); !o.IsNull() {
		if o.Kind != project.Map {
			return nil, fmt.Errorf("%s: expected a mapping for 'overrides', found %s", o.Pos, o.Kind)
		}
		ov := &manifest.UnitTestOverrides{Macros: manifest.Object{}, Vars: manifest.Object{}, EnvVars: manifest.Object{}}
		for _, k := range []struct {
			key string
			to  *manifest.Object
		}{{"macros", &ov.Macros}, {"vars", &ov.Vars}, {"env_vars", &ov.EnvVars}} {
			v := o.Get(k.key)
			if v.IsNull() {
				continue
			}
			r, err := p.renderUT(v)
			if err != nil {
				return nil, err
			}
			obj, ok := r.(manifest.Object)
			if !ok {
				return nil, fmt.Errorf("%s: expected a mapping for 'overrides.%s', found %s", v.Pos, k.key, v.Kind)
			}
			*k.to = obj
		}
		s.def.Overrides = ov
	}
	if vs := item.Get("versions"); !vs.IsNull() {
		inc, exc := vs.Get("include"), vs.Get("exclude")
		if !inc.IsNull() && !exc.IsNull() {
			return nil, fmt.Errorf("%s: Unit tests can not both include and exclude versions.", vs.Pos)
		}
		s.versions = &manifest.UnitTestVersions{}
		if !inc.IsNull() {
			s.versions.Include = versionList(inc)
		}
		if !exc.IsNull() {
			s.versions.Exclude = versionList(exc)
		}
		s.def.Versions = s.versions
	}
	return s, nil
}

func versionList(v *project.Value) []any {
	out := []any{}
	if v.Kind != project.List {
		return append(out, v.Scalar)
	}
	for _, it := range v.Items {
		out = append(out, it.Scalar)
	}
	return out
}

// readFixture reads a given input or the expect output: rows, format
// (dict by default) and fixture.
func (p *parser) readFixture(v *project.Value) (*manifest.UnitTestFixture, error) {
	f := &manifest.UnitTestFixture{Format: "dict"}
	if r := v.Get("rows"); !r.IsNull() {
		rows, err := p.renderUT(r)
		if err != nil {
			return nil, err
		}
		if l, ok := rows.([]any); ok {
			objs := make([]manifest.Object, len(l))
			for i, x := range l {
				o, ok := x.(manifest.Object)
				if !ok {
					return nil, fmt.Errorf("%s: expected each row to be a mapping of column names to values", r.Items[i].Pos)
				}
				objs[i] = o
			}
			rows = objs
		}
		f.Rows = rows
	}
	if fm := v.Get("format"); !fm.IsNull() {
		s, err := p.renderUTString(fm)
		if err != nil {
			return nil, err
		}
		switch s {
		case "dict", "csv", "sql":
		default:
			return nil, fmt.Errorf("%s: expected format dict, csv or sql, found '%s'", fm.Pos, s)
		}
		f.Format = s
	}
	if fx := v.Get("fixture"); !fx.IsNull() {
		s, err := p.renderUTString(fx)
		if err != nil {
			return nil, err
		}
		f.Fixture = s
	}
	return f, nil
}

// renderUT renders a YAML value of a unit test the way dbt renders schema
// files: every string through Jinja's native mode (a lone {{ expr }} keeps
// its type, plain text loses one trailing newline), containers kept in
// order.
func (p *parser) renderUT(v *project.Value) (any, error) {
	switch v.Kind {
	case project.Map:
		out := make(manifest.Object, 0, len(v.Entries))
		for _, e := range v.Entries {
			x, err := p.renderUT(e.Value)
			if err != nil {
				return nil, err
			}
			out = append(out, manifest.Field{Key: e.Key, Value: x})
		}
		return out, nil
	case project.List:
		out := make([]any, len(v.Items))
		for i, it := range v.Items {
			x, err := p.renderUT(it)
			if err != nil {
				return nil, err
			}
			out[i] = x
		}
		return out, nil
	case project.String:
		s := v.Scalar.(string)
		if !strings.Contains(s, "{{") && !strings.Contains(s, "{%") && !strings.Contains(s, "{#") {
			return strings.TrimSuffix(s, "\n"), nil
		}
		t, err := p.jinja.Parse(v.Pos.File, s)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", v.Pos, err)
		}
		out, err := t.ExecuteNative(p.env.NewNodeContext(nil, dbtctx.Parse), nil)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", v.Pos, err)
		}
		return fromTemplate(out), nil
	}
	return v.Scalar, nil
}

func (p *parser) renderUTString(v *project.Value) (string, error) {
	x, err := p.renderUT(v)
	if err != nil {
		return "", err
	}
	if s, ok := x.(string); ok {
		return s, nil
	}
	return jinja.ToString(x), nil
}

// fromTemplate turns a rendered template value into manifest data.
func fromTemplate(v any) any {
	switch x := v.(type) {
	case *jinja.Dict:
		out := make(manifest.Object, 0, x.Len())
		for i, k := range x.Keys() {
			out = append(out, manifest.Field{Key: jinja.ToString(k), Value: fromTemplate(x.Values()[i])})
		}
		return out
	case *jinja.List:
		out := make([]any, len(x.Items))
		for i, e := range x.Items {
			out[i] = fromTemplate(e)
		}
		return out
	case jinja.Markup:
		return string(x)
	case *jinja.Undefined:
		return nil
	}
	return v
}

// ---------------------------------------------------------------------------
// Resolution

// resolveUnitTests finds each unit test's model (every selected version of
// a versioned one), normalizes its fixtures (csv text and fixture files
// into rows, seed inputs without rows into the seed's rows), computes
// dbt's checksum and adds the unit tests to the manifest.
func (p *parser) resolveUnitTests() error {
	fixtures := map[string]map[string]any{} // package → fixture name → rows
	for _, s := range p.unitTests {
		fx, ok := fixtures[s.pr.Name]
		if !ok {
			var err error
			if fx, err = loadFixtures(s.pr); err != nil {
				return err
			}
			fixtures[s.pr.Name] = fx
		}
		if err := p.resolveUnitTest(s, fx); err != nil {
			return err
		}
	}
	return nil
}

func (p *parser) resolveUnitTest(s *unitSpec, fixtures map[string]any) error {
	fqn := unitTestFQN(s.pr.Name, s.file, s.model, s.name)
	cfg := project.MergeConfig(unitTestDefaults(), p.root.ConfigFor("unit_test", s.pr.Name, fqn))
	if !s.config.IsNull() {
		cfg = project.MergeConfig(cfg, s.config)
	}
	config := toConfig(cfg)
	parts := strings.Fields(s.model)
	if len(parts) == 0 {
		return fmt.Errorf("%s: unit test '%s' names no model", s.pos, s.name)
	}
	def := s.def
	for i, g := range def.Given {
		if err := p.normalizeFixture(s, g, s.given[i], fixtures, "input"); err != nil {
			return err
		}
	}
	if err := p.normalizeFixture(s, def.Expect, s.expect, fixtures, "expected"); err != nil {
		return err
	}
	def.Checksum = unitTestChecksum(def)
	desc, _, err := p.renderDoc(s.pr.Name, s.desc)
	if err != nil {
		return fmt.Errorf("%s: %w", s.pos, err)
	}
	node := func(id string, t *manifest.Node) *manifest.Node {
		d := *def
		d.TestedName = s.name
		n := &manifest.Node{
			UniqueID: id, ResourceType: manifest.UnitTest, Package: s.pr.Name, Name: s.name,
			Path: s.relPath, OriginalFilePath: s.file, FQN: fqn, Description: desc,
			Config: config, Tags: config.Strings("tags"), Unit: &d, CreatedAt: nowStamp(),
		}
		if t != nil {
			n.Schema, n.Database, n.DependsOnNodes, n.Version = t.Schema, t.Database, []string{t.UniqueID}, t.Version
			if t.Version != nil {
				d.TestedName += "_v" + jinja.ToString(t.Version)
			}
		}
		if n.Tags == nil {
			n.Tags = []string{}
		}
		n.Meta, _ = config["meta"].(map[string]any)
		return n
	}
	id := "unit_test." + s.pr.Name + "." + parts[0] + "." + s.name
	disable := func() error {
		config["enabled"] = false
		p.m.Disabled[id] = append(p.m.Disabled[id], node(id, nil))
		return nil
	}
	if !config.Bool("enabled") {
		return disable()
	}
	ref := manifest.Ref{Name: parts[0], Package: s.pr.Name}
	if len(parts) == 2 {
		ref.Version = parts[1]
	}
	tested, err := p.resolveRef(nil, ref)
	if err != nil || tested.ResourceType != manifest.Model {
		if p.disabledModel(s.pr.Name, parts[0]) {
			return disable() // a unit test of a disabled model is disabled
		}
		return fmt.Errorf("%s: Unable to find model '%s.%s' for unit test '%s' in %s", s.pos, s.pr.Name, s.model, s.name, s.file)
	}
	if err := p.checkIncremental(s, tested); err != nil {
		return err
	}

	targets := []*manifest.Node{tested}
	if tested.Version != nil {
		if targets, err = p.testedVersions(s, tested); err != nil {
			return err
		}
	} else if s.versions != nil && (s.versions.Include != nil || s.versions.Exclude != nil) {
		return fmt.Errorf("%s: Unit test '%s' should not have a versions include or exclude when referencing non-versioned model '%s'", s.pos, s.name, tested.Name)
	}
	for _, t := range targets {
		uid := id
		if t.Version != nil {
			uid += "_v" + jinja.ToString(t.Version)
		}
		if _, dup := p.m.Nodes[uid]; dup {
			return fmt.Errorf("%s: dbt found two unit tests with the name \"%s\" for model '%s'", s.pos, s.name, parts[0])
		}
		p.m.Nodes[uid] = node(uid, t)
	}
	return nil
}

// unitTestDefaults is dbt's UnitTestConfig with nothing set.
func unitTestDefaults() *project.Value {
	m := jinja.NewDict()
	m.Set("tags", jinja.NewList())
	m.Set("meta", jinja.NewDict())
	m.Set("enabled", true)
	m.Set("static_analysis", nil)
	return project.FromJinja(m, source.Position{})
}

// unitTestFQN is dbt's: the package, the folders of the schema file below
// its first path component, the model and the test.
func unitTestFQN(pkg, file, model, name string) []string {
	fqn := []string{pkg}
	parts := strings.Split(file, "/")
	if len(parts) > 2 {
		fqn = append(fqn, parts[1:len(parts)-1]...)
	}
	return append(fqn, strings.Fields(model)[0], name)
}

func (p *parser) disabledModel(pkg, name string) bool {
	for _, f := range p.sqlNodes {
		n := f.node
		if n.ResourceType == manifest.Model && n.Package == pkg && n.Name == name && !n.Config.Bool("enabled") {
			return true
		}
	}
	return false
}

// checkIncremental applies dbt's rules for incremental models: the test
// must say what is_incremental() returns, and when true, give 'this'.
func (p *parser) checkIncremental(s *unitSpec, tested *manifest.Node) error {
	incremental := containsStr(tested.DependsOnMacros, "macro.dbt.is_incremental")
	var override any
	has := false
	if o := s.def.Overrides; o != nil {
		override, has = o.Macros.Get("is_incremental")
	}
	_, isBool := override.(bool)
	if incremental && (!has || !isBool) {
		return fmt.Errorf("%s: Boolean override for 'is_incremental' must be provided for unit test '%s' in model '%s'", s.pos, s.name, tested.Name)
	}
	if incremental && override == true {
		for _, g := range s.def.Given {
			if g.Input == "this" {
				return nil
			}
		}
		return fmt.Errorf("%s: Unit test '%s' for incremental model '%s' must have a 'this' input", s.pos, s.name, tested.Name)
	}
	return nil
}

// testedVersions lists the versions of a versioned model a unit test runs
// against: all, or those its versions: include (or do not exclude).
func (p *parser) testedVersions(s *unitSpec, tested *manifest.Node) ([]*manifest.Node, error) {
	var all []*manifest.Node
	for _, n := range p.m.Nodes {
		if n.ResourceType == manifest.Model && n.Package == tested.Package && n.Name == tested.Name && n.Version != nil {
			all = append(all, n)
		}
	}
	sort.Slice(all, func(i, j int) bool { return compareVersions(all[i].Version, all[j].Version) < 0 })
	in := func(list []any, v any) bool {
		for _, x := range list {
			if jinja.ToString(x) == jinja.ToString(v) {
				return true
			}
		}
		return false
	}
	var out []*manifest.Node
	for _, n := range all {
		switch {
		case s.versions == nil:
			out = append(out, n)
		case s.versions.Exclude != nil:
			if !in(s.versions.Exclude, n.Version) {
				out = append(out, n)
			}
		case s.versions.Include != nil:
			if in(s.versions.Include, n.Version) {
				out = append(out, n)
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: Unit test '%s' referenced a version of '%s' which was not found.", s.pos, s.name, tested.Name)
	}
	return out, nil
}

// normalizeFixture turns a fixture's rows into what dbt stores: csv text
// or a fixture file into a list of rows (empty values null), a seed input
// without rows into the seed's rows, a sql fixture file into its text;
// the first row without nulls moves to the top.
func (p *parser) normalizeFixture(s *unitSpec, f *manifest.UnitTestFixture, at *project.Value, fixtures map[string]any, kind string) error {
	fixture := func() (any, error) {
		rows, ok := fixtures[f.Fixture]
		if !ok {
			return nil, fmt.Errorf("%s: File not found for fixture '%s' in unit tests in %s", at.Pos, f.Fixture, s.file)
		}
		return rows, nil
	}
	switch f.Format {
	case "dict":
		if f.Rows == nil && f.Fixture == "" {
			rows, err := p.seedRows(s, f, at)
			if err != nil {
				return err
			}
			f.Rows = rows
		}
		if _, ok := f.Rows.([]manifest.Object); !ok {
			return fmt.Errorf("%s: Unit test %s has %s rows which do not match format dict", at.Pos, s.name, kind)
		}
	case "csv":
		_, isText := f.Rows.(string)
		if !isText && f.Fixture == "" {
			return fmt.Errorf("%s: Unit test %s has %s rows or fixtures which do not match format csv.  Expected string.", at.Pos, s.name, kind)
		}
		var rows []manifest.Object
		if f.Fixture != "" {
			x, err := fixture()
			if err != nil {
				return err
			}
			if rows, _ = x.([]manifest.Object); rows == nil {
				rows = csvRows(jinja.ToString(x))
			}
		} else {
			rows = csvRows(f.Rows.(string))
		}
		for _, r := range rows {
			for i := range r {
				if r[i].Value == "" {
					r[i].Value = nil
				}
			}
		}
		f.Rows = rows
	case "sql":
		_, isText := f.Rows.(string)
		if !isText && f.Fixture == "" {
			return fmt.Errorf("%s: Unit test %s has %s rows or fixtures which do not match format sql.  Expected string.", at.Pos, s.name, kind)
		}
		if f.Fixture != "" {
			x, err := fixture()
			if err != nil {
				return err
			}
			if text, ok := x.(string); ok {
				f.Rows = text
			} else {
				return fmt.Errorf("%s: fixture '%s' of unit test %s is not a .sql file", at.Pos, f.Fixture, s.name)
			}
		}
	}
	if rows, ok := f.Rows.([]manifest.Object); ok && len(rows) > 0 {
		promoteFullRow(rows)
	}
	return nil
}

// promoteFullRow swaps the first row without a null value to the top
// (dbt does it for warehouses that type a union by its first row).
func promoteFullRow(rows []manifest.Object) {
	for i, r := range rows {
		full := true
		for _, f := range r {
			if f.Value == nil {
				full = false
				break
			}
		}
		if full {
			rows[0], rows[i] = rows[i], rows[0]
			return
		}
	}
}

// seedRows reads the rows of the seed a dict input without rows names.
func (p *parser) seedRows(s *unitSpec, f *manifest.UnitTestFixture, at *project.Value) ([]manifest.Object, error) {
	if f.Input == "" {
		return nil, fmt.Errorf("%s: Unit test %s has expected rows which do not match format dict", at.Pos, s.name)
	}
	t, err := p.jinja.Parse(s.file, "{{ "+f.Input+" }}")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", at.Pos, err)
	}
	refs := t.StaticCalls("ref")
	if len(refs) == 0 || len(refs[0].Args) == 0 {
		return nil, fmt.Errorf("%s: Unit test %s has input rows which do not match format dict", at.Pos, s.name)
	}
	args := refs[0].Args
	pkg, name := s.pr.Name, jinja.ToString(args[len(args)-1])
	if len(args) == 2 {
		pkg = jinja.ToString(args[0])
	}
	var seed *manifest.Node
	for _, n := range p.m.Nodes {
		if n.ResourceType == manifest.Seed && n.Name == name && n.Package == pkg {
			seed = n
		}
	}
	if seed == nil {
		if pkg != s.pr.Name {
			return nil, fmt.Errorf("%s: Unable to find seed '%s.%s' for unit tests in '%s' package", at.Pos, pkg, name, pkg)
		}
		return nil, fmt.Errorf("%s: Unable to find seed '%s.%s' for unit tests in directories: %s", at.Pos, pkg, name, pyStrList(s.pr.SeedPaths))
	}
	data, err := os.ReadFile(filepath.Join(s.pr.Root, seed.OriginalFilePath))
	if err != nil {
		return nil, err
	}
	return csvRows(jinja.NormalizeNewlines(string(data))), nil
}

func pyStrList(l []string) string {
	parts := make([]string, len(l))
	for i, s := range l {
		parts[i] = jinja.Repr(s)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// csvRows reads CSV text as Python's csv.DictReader: a header, then one
// row per record (missing fields null, blank lines skipped).
func csvRows(text string) []manifest.Object {
	r := csv.NewReader(strings.NewReader(text))
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	header, err := r.Read()
	if err != nil {
		return []manifest.Object{}
	}
	rows := []manifest.Object{}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			break
		}
		row := make(manifest.Object, 0, len(header))
		for i, h := range header {
			var v any
			if i < len(rec) {
				v = rec[i]
			}
			row = append(row, manifest.Field{Key: h, Value: v})
		}
		rows = append(rows, row)
	}
	return rows
}

// loadFixtures reads the fixture files of a project: <test-path>/fixtures/
// **/*.csv (rows) and *.sql (text), by file stem.
func loadFixtures(pr *project.Project) (map[string]any, error) {
	out := map[string]any{}
	for _, tp := range pr.TestPaths {
		dir := path.Join(tp, "fixtures")
		rels, err := listFiles(pr.Root, dir, ".csv", ".sql")
		if err != nil {
			return nil, err
		}
		for _, rel := range rels {
			data, err := os.ReadFile(filepath.Join(pr.Root, rel))
			if err != nil {
				return nil, err
			}
			text := strings.TrimSpace(jinja.NormalizeNewlines(string(data)))
			stem := strings.TrimSuffix(path.Base(rel), path.Ext(rel))
			if strings.HasSuffix(strings.ToLower(rel), ".sql") {
				out[stem] = text
			} else {
				out[stem] = csvRows(text)
			}
		}
	}
	return out, nil
}

// isFixturePath reports whether rel lies under a test path's fixtures
// folder (those files are unit test fixtures, not singular tests).
func isFixturePath(pr *project.Project, rel string) bool {
	for _, tp := range pr.TestPaths {
		if strings.HasPrefix(rel, strings.TrimSuffix(tp, "/")+"/fixtures/") {
			return true
		}
	}
	return false
}

// unitTestChecksum is dbt's: sha256 over the Python reprs of the model,
// versions, given, expect and overrides, then of each fixture file's rows.
func unitTestChecksum(d *manifest.UnitTestDef) string {
	var b strings.Builder
	b.WriteString(d.Model)
	b.WriteString("-")
	if v := d.Versions; v == nil {
		b.WriteString("None")
	} else {
		b.WriteString("UnitTestNodeVersions(include=" + reprOrNone(v.Include) + ", exclude=" + reprOrNone(v.Exclude) + ")")
	}
	b.WriteString("-[")
	for i, g := range d.Given {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("UnitTestInputFixture(input=" + jinja.Repr(g.Input) + ", " + fixtureRepr(g) + ")")
	}
	b.WriteString("]-UnitTestOutputFixture(" + fixtureRepr(d.Expect) + ")-")
	if o := d.Overrides; o == nil {
		b.WriteString("None")
	} else {
		b.WriteString("UnitTestOverrides(macros=" + pyRepr(o.Macros) + ", vars=" + pyRepr(o.Vars) + ", env_vars=" + pyRepr(o.EnvVars) + ")")
	}
	for _, g := range d.Given {
		if g.Fixture != "" {
			// str(), not repr(): sql fixture text goes in as it is.
			if text, ok := g.Rows.(string); ok {
				b.WriteString("-" + text)
			} else {
				b.WriteString("-" + pyRepr(g.Rows))
			}
		}
	}
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:])
}

var formatEnum = map[string]string{"dict": "<UnitTestFormat.Dict: 'dict'>", "csv": "<UnitTestFormat.CSV: 'csv'>", "sql": "<UnitTestFormat.SQL: 'sql'>"}

func fixtureRepr(f *manifest.UnitTestFixture) string {
	fixture := "None"
	if f.Fixture != "" {
		fixture = jinja.Repr(f.Fixture)
	}
	return "rows=" + pyRepr(f.Rows) + ", format=" + formatEnum[f.Format] + ", fixture=" + fixture
}

func reprOrNone(l []any) string {
	if l == nil {
		return "None"
	}
	return pyRepr(l)
}

// pyRepr is Python's repr of manifest data.
func pyRepr(v any) string { return jinja.Repr(dbtctx.TemplateValue(v)) }
