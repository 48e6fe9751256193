package compile

import (
	"context"
	"fmt"
	"strings"

	"github.com/gdbt/gdbt/compiler/dbtctx"
	"github.com/gdbt/gdbt/compiler/jinja"
	"github.com/gdbt/gdbt/compiler/manifest"
)

// The SQL of a unit test, printed as dbt's get_fixture_sql,
// get_expected_sql, format_row and get_unit_test_sql print it; every
// value goes through the safe_cast, string_literal and
// escape_single_quotes macros, so a project's overrides of those apply.
// A project that overrides one of the three SQL macros gets its macro.

// UnitColumns are a relation's columns as the unit test macros see them:
// lower-cased names in relation order, each with its type and quoted name.
type UnitColumns struct {
	Names  []string
	Types  map[string]string
	Quoted map[string]string
}

// NewUnitColumns indexes columns by lower-cased name.
func NewUnitColumns(cols []*dbtctx.Column) *UnitColumns {
	u := &UnitColumns{Types: map[string]string{}, Quoted: map[string]string{}}
	for _, c := range cols {
		k := strings.ToLower(c.Name)
		if _, ok := u.Types[k]; !ok {
			u.Names = append(u.Names, k)
		}
		u.Types[k] = c.FullType()
		u.Quoted[k] = dbtctx.QuoteIdent(c.Name)
	}
	return u
}

// macroCaller renders macros in one node's run-time context.
type macroCaller struct {
	c  *Compiler
	nc *dbtctx.NodeContext
}

func (c *Compiler) callerFor(ctx context.Context, n *manifest.Node, this any) *macroCaller {
	nc := c.env.NewNodeContext(n, dbtctx.Execute).Bind(ctx)
	if this != nil {
		nc.Set("this", this)
	}
	return &macroCaller{c: c, nc: nc}
}

// call calls a macro by name as the node's template would (project
// overrides first); pkg "dbt" means the dbt namespace (dbt.string_literal).
func (m *macroCaller) call(pkg, name string, args ...any) (string, error) {
	var mac *jinja.Macro
	if pkg != "" {
		ns, ok := m.c.env.Macros.Namespace(pkg)
		if ok {
			if v, ok := ns.Item(name); ok {
				mac, _ = v.(*jinja.Macro)
			}
		}
	}
	if mac == nil {
		ref, ok := m.c.env.Macros.Lookup(m.nc.Node.Package, name)
		if !ok {
			return "", fmt.Errorf("macro '%s' not found", name)
		}
		mac = ref.Macro
	}
	v, err := m.c.env.Jinja.CallMacro(m.nc, nil, mac, &jinja.Args{Pos: args})
	if err != nil {
		return "", err
	}
	return jinja.ToString(v), nil
}

// overridden reports whether the project (or a package) defines one of
// the macros dbt renders a unit test with.
func (c *Compiler) overridden(pkg string, names ...string) string {
	for _, n := range names {
		if c.HasMacro(pkg, n) {
			return n
		}
	}
	return ""
}

// formatRow is dbt's format_row: each value of row (by lower-cased
// column) cast to its column's type, strings quoted and escaped.
func (m *macroCaller) formatRow(row manifest.Object, cols *UnitColumns, fixtureName string) (manifest.Object, error) {
	out := manifest.Object{}
	for _, f := range row {
		name := strings.ToLower(f.Key)
		typ, ok := cols.Types[name]
		if !ok {
			accepted := make([]string, len(cols.Names))
			for i, n := range cols.Names {
				accepted[i] = jinja.Repr(n)
			}
			return nil, fmt.Errorf("Invalid column name: '%s' in unit test fixture for %s.\nAccepted columns for %s are: [%s]",
				name, fixtureName, fixtureName, strings.Join(accepted, ", "))
		}
		value := dbtctx.TemplateValue(f.Value)
		s, isString := value.(string)
		if isString && strings.Contains(typ, "varying") {
			// dbt drops a varchar length so that fixture strings are not cut.
			typ = strings.SplitN(typ, "(", 2)[0]
		}
		switch {
		case isString:
			esc, err := m.call(dbtctx.PkgDBT, "escape_single_quotes", s)
			if err != nil {
				return nil, err
			}
			if value, err = m.call(dbtctx.PkgDBT, "string_literal", esc); err != nil {
				return nil, err
			}
		case value == nil:
			value = "null"
		}
		cast, err := m.call("", "safe_cast", value, typ)
		if err != nil {
			return nil, err
		}
		out = setField(out, name, cast)
	}
	return out, nil
}

func setField(o manifest.Object, key string, v any) manifest.Object {
	for i := range o {
		if o[i].Key == key {
			o[i].Value = v
			return o
		}
	}
	return append(o, manifest.Field{Key: key, Value: v})
}

// selectRow prints one "select <value> as <column>, …" line.
func selectRow(b *strings.Builder, row manifest.Object, quoted map[string]string) {
	b.WriteString("select")
	for i, f := range row {
		b.WriteString(" " + jinja.ToString(f.Value) + " as " + quoted[f.Key])
		if i < len(row)-1 {
			b.WriteString(",")
		}
	}
}

// fixtureSQL builds the SQL of one given input: its sql text rendered, or
// its rows typed by the input relation's columns (missing columns null).
func (c *Compiler) fixtureSQL(ctx context.Context, un *manifest.Node, in *unitInput) (string, error) {
	mc := c.callerFor(ctx, in.node, in.rel)
	trace := func(macros ...string) []string {
		var out []string
		for i, m := range macros {
			verb := "> called by macro "
			if i == 0 {
				verb = "> in macro "
			}
			out = append(out, verb+m+" (macros/unit_test_sql/get_fixture_sql.sql)")
		}
		return append(out, "> called by model "+in.node.Name+" ("+in.node.OriginalFilePath+")")
	}
	fail := func(err error, macros ...string) error {
		return &InputError{Input: in.node, Err: err, Trace: trace(macros...)}
	}
	if in.fixture.Format == "sql" {
		text, _ := in.fixture.Rows.(string)
		t, err := c.env.Jinja.Parse(in.node.OriginalFilePath, text)
		if err != nil {
			return "", &InputError{Input: in.node, Err: err}
		}
		out, err := t.Execute(mc.nc, nil)
		if err != nil {
			return "", &InputError{Input: in.node, Err: err}
		}
		return out, nil
	}
	rows := in.fixture.RowList()
	if c.overridden(in.node.Package, "get_fixture_sql") != "" {
		v, err := mc.call("", "get_fixture_sql", dbtctx.TemplateValue(rows), nil)
		if err != nil {
			return "", &InputError{Input: in.node, Err: err}
		}
		return v, nil
	}
	wh := c.env.WarehouseFrom(ctx)
	var cols []*dbtctx.Column
	if wh != nil {
		var err error
		if cols, err = wh.GetColumns(ctx, in.rel); err != nil {
			return "", err
		}
	}
	if len(cols) == 0 {
		return "", fail(fmt.Errorf("Not able to get columns for unit test '%s' from relation %s because the relation doesn't exist", in.node.Name, in.rel), "get_fixture_sql")
	}
	uc := NewUnitColumns(cols)
	defaults := make(manifest.Object, 0, len(uc.Names))
	for _, name := range uc.Names {
		v, err := mc.call("", "safe_cast", "null", uc.Types[name])
		if err != nil {
			return "", &InputError{Input: in.node, Err: err}
		}
		defaults = append(defaults, manifest.Field{Key: name, Value: strings.TrimSpace(v)})
	}
	var b strings.Builder
	b.WriteString("\n-- Fixture for " + in.node.Name + "\n")
	for i, row := range rows {
		formatted, err := mc.formatRow(row, uc, "'"+in.node.Name+"'")
		if err != nil {
			return "", fail(err, "format_row", "get_fixture_sql")
		}
		full := append(manifest.Object{}, defaults...)
		for _, f := range formatted {
			full = setField(full, f.Key, f.Value)
		}
		selectRow(&b, full, uc.Quoted)
		if i < len(rows)-1 {
			b.WriteString("\nunion all\n")
		}
	}
	if len(rows) == 0 {
		selectRow(&b, defaults, uc.Quoted)
		b.WriteString("\n    limit 0")
	}
	return b.String(), nil
}

// ExpectedSQL is dbt's get_expected_sql: the expected rows typed by the
// columns of the actual result (cols).
func (c *Compiler) ExpectedSQL(ctx context.Context, un *manifest.Node, rows []manifest.Object, cols *UnitColumns) (string, error) {
	mc := c.callerFor(ctx, un, nil)
	if c.overridden(un.Package, "get_expected_sql") != "" {
		types, quoted := jinja.NewDict(), jinja.NewDict()
		for _, n := range cols.Names {
			types.Set(n, cols.Types[n])
			quoted.Set(n, cols.Quoted[n])
		}
		return mc.call("", "get_expected_sql", dbtctx.TemplateValue(rows), types, quoted)
	}
	if len(rows) == 0 {
		return "select * from dbt_internal_unit_test_actual\n    limit 0", nil
	}
	var b strings.Builder
	for i, row := range rows {
		formatted, err := mc.formatRow(row, cols, "expected output")
		if err != nil {
			return "", &ExpectedError{Err: err}
		}
		selectRow(&b, formatted, cols.Quoted)
		if i < len(rows)-1 {
			b.WriteString("\nunion all\n")
		}
	}
	return b.String(), nil
}

// ExpectedError is a bad expected fixture (a column the model does not
// return); dbt reports it from inside the unit materialization.
type ExpectedError struct{ Err error }

func (e *ExpectedError) Error() string { return e.Err.Error() }
func (e *ExpectedError) Unwrap() error { return e.Err }

// UnitTestSQL is dbt's get_unit_test_sql: the actual and expected rows
// side by side, told apart by an actual_or_expected column.
func (c *Compiler) UnitTestSQL(ctx context.Context, un *manifest.Node, mainSQL, expectedSQL string, columns []string) (string, error) {
	if c.overridden(un.Package, "get_unit_test_sql", "default__get_unit_test_sql", "postgres__get_unit_test_sql") != "" {
		cols := make([]any, len(columns))
		for i, s := range columns {
			cols[i] = s
		}
		return c.callerFor(ctx, un, nil).call("", "get_unit_test_sql", mainSQL, expectedSQL, &jinja.List{Items: cols})
	}
	return "-- Build actual result given inputs\nwith dbt_internal_unit_test_actual as (\n  select\n    " +
		strings.Join(columns, ",") + ", 'actual' as \"actual_or_expected\"\n  from (\n    " + mainSQL +
		"\n  ) _dbt_internal_unit_test_actual\n),\n-- Build expected result\ndbt_internal_unit_test_expected as (\n  select\n    " +
		strings.Join(columns, ", ") + ", 'expected' as \"actual_or_expected\"\n  from (\n    " + expectedSQL +
		"\n  ) _dbt_internal_unit_test_expected\n)\n-- Union actual and expected results\nselect * from dbt_internal_unit_test_actual\nunion all\nselect * from dbt_internal_unit_test_expected", nil
}
