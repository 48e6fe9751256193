package manifest

// UnitTestDef is what a unit_tests: entry of a schema file declares. The
// unit test itself is a Node of ResourceType UnitTest (name, package,
// paths, fqn, description, config, depends_on on the tested model); this
// holds the rest of dbt's UnitTestDefinition.
type UnitTestDef struct {
	Model     string // the model named by model:, as written
	Given     []*UnitTestFixture
	Expect    *UnitTestFixture
	Overrides *UnitTestOverrides // nil: no overrides: key (written as null)
	Versions  *UnitTestVersions  // nil: no versions: key
	Checksum  string             // dbt's sha256 over the definition (state:modified)
	// TestedName is the name the test runs under: its own, with _v<version>
	// appended for a versioned model (dbt's versioned_name).
	TestedName string
}

// UnitTestFixture is one given: input (Input set) or the expect: output.
// Rows is []Object for the dict and csv formats, a string for sql.
type UnitTestFixture struct {
	Input   string
	Rows    any
	Format  string // dict, csv or sql
	Fixture string // a file under tests/fixtures; "" when none
}

// RowList returns the rows of a dict or csv fixture (nil for sql).
func (f *UnitTestFixture) RowList() []Object {
	rows, _ := f.Rows.([]Object)
	return rows
}

// UnitTestOverrides are the macros, vars and env_vars a unit test replaces.
type UnitTestOverrides struct {
	Macros  Object
	Vars    Object
	EnvVars Object
}

// UnitTestVersions limits a unit test of a versioned model to some
// versions.
type UnitTestVersions struct {
	Include []any // nil: not given
	Exclude []any
}

// Object is a mapping that keeps its keys in the order they were written
// (YAML rows, overrides), as Python dicts do.
type Object []Field

// Field is one key of an Object.
type Field struct {
	Key   string
	Value any
}

// Get returns the value of key.
func (o Object) Get(key string) (any, bool) {
	for _, f := range o {
		if f.Key == key {
			return f.Value, true
		}
	}
	return nil, false
}

// writeUnitTest writes a unit test as dbt's manifest "unit_tests" entry.
func writeUnitTest(e *jw, n *Node) {
	u := n.Unit
	e.beginObj()
	e.key("model")
	e.str(u.Model)
	e.key("given")
	e.beginArr()
	for _, g := range u.Given {
		e.beginObj()
		e.key("input")
		e.str(g.Input)
		writeFixtureRest(e, g)
		e.endObj()
	}
	e.endArr()
	e.key("expect")
	e.beginObj()
	writeFixtureRest(e, u.Expect)
	e.endObj()
	writeIdentity(e, n, UnitTest)
	e.key("description")
	e.str(n.Description)
	e.key("overrides")
	if o := u.Overrides; o == nil {
		e.null()
	} else {
		e.beginObj()
		e.key("macros")
		e.value(o.Macros)
		e.key("vars")
		e.value(o.Vars)
		e.key("env_vars")
		e.value(o.EnvVars)
		e.endObj()
	}
	e.key("depends_on")
	e.beginObj()
	e.key("macros")
	e.strs(orEmptyStrs(n.DependsOnMacros))
	e.key("nodes")
	e.strs(orEmptyStrs(n.DependsOnNodes))
	e.endObj()
	e.key("config")
	e.beginObj()
	e.key("tags")
	e.value(n.Config["tags"])
	e.key("meta")
	meta, _ := n.Config["meta"].(map[string]any)
	e.mapOrEmpty(meta)
	e.key("enabled")
	e.boolean(n.Config.Bool("enabled"))
	e.key("static_analysis")
	e.value(n.Config["static_analysis"])
	e.endObj()
	e.key("checksum")
	e.str(u.Checksum)
	e.key("schema")
	e.strOrNull(n.Schema)
	e.key("created_at")
	e.float(n.CreatedAt)
	e.key("versions")
	if v := u.Versions; v == nil {
		e.null()
	} else {
		e.beginObj()
		e.key("include")
		writeListOrNull(e, v.Include)
		e.key("exclude")
		writeListOrNull(e, v.Exclude)
		e.endObj()
	}
	e.key("version")
	e.value(n.Version)
	e.endObj()
}

func writeFixtureRest(e *jw, f *UnitTestFixture) {
	e.key("rows")
	switch r := f.Rows.(type) {
	case []Object:
		e.beginArr()
		for _, row := range r {
			e.value(row)
		}
		e.endArr()
	default:
		e.value(r)
	}
	e.key("format")
	e.str(f.Format)
	e.key("fixture")
	e.strOrNull(f.Fixture)
}

func writeListOrNull(e *jw, l []any) {
	if l == nil {
		e.null()
		return
	}
	e.value(l)
}

// nodeIDs lists the unique_ids of manifest.json's "nodes": every node but
// the unit tests, which have a section of their own.
