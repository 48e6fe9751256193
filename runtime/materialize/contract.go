package materialize

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/gdbt/gdbt/compiler/dbtctx"
	"github.com/gdbt/gdbt/compiler/manifest"
)

// Model contracts (contract: {enforced: true}). Before a table, view or
// incremental model is built, the columns its query returns are compared
// with the columns its schema file declares (dbt-postgres's
// assert_columns_equivalent: names and the driver's type names); a
// mismatch fails the node with dbt's table of differences. Tables are then
// created from the declared columns and constraints and filled with an
// insert (postgres__create_table_as with get_table_columns_and_constraints).

// psycopgTypeNames are the names psycopg2 gives the type OIDs it knows;
// dbt compares contracts by these names (STRING shown as TEXT).
var psycopgTypeNames = map[uint32]string{
	16: "BOOLEAN", 17: "BINARY", 18: "STRING", 19: "STRING", 20: "LONGINTEGER", 21: "INTEGER", 23: "INTEGER",
	25: "STRING", 26: "ROWID", 114: "JSON", 199: "JSONARRAY", 651: "CIDRARRAY", 700: "FLOAT", 701: "FLOAT",
	704: "INTERVAL", 705: "UNKNOWN", 1000: "BOOLEANARRAY", 1001: "BINARYARRAY", 1002: "STRINGARRAY",
	1003: "STRINGARRAY", 1005: "INTEGERARRAY", 1006: "INTEGERARRAY", 1007: "INTEGERARRAY", 1009: "STRINGARRAY",
	1013: "ROWIDARRAY", 1014: "STRINGARRAY", 1015: "STRINGARRAY", 1016: "LONGINTEGERARRAY", 1021: "FLOATARRAY",
	1022: "FLOATARRAY", 1028: "ROWIDARRAY", 1040: "MACADDRARRAY", 1041: "INETARRAY", 1042: "STRING", 1043: "STRING",
	1082: "DATE", 1083: "TIME", 1114: "DATETIME", 1115: "DATETIMEARRAY", 1182: "DATEARRAY", 1183: "TIMEARRAY",
	1184: "DATETIMETZ", 1185: "DATETIMETZARRAY", 1186: "INTERVAL", 1187: "INTERVALARRAY", 1231: "DECIMALARRAY",
	1266: "TIME", 1270: "TIMEARRAY", 1700: "DECIMAL", 3802: "JSONB", 3807: "JSONBARRAY", 3904: "type",
	3905: "typeARRAY", 3906: "type", 3907: "typeARRAY", 3908: "tsrange", 3909: "tsrangeARRAY", 3910: "tstzrange",
	3911: "tstzrangeARRAY", 3912: "daterange", 3913: "daterangeARRAY", 3926: "type", 3927: "typeARRAY",
}

func contractTypeName(oid uint32) string {
	name, ok := psycopgTypeNames[oid]
	if !ok {
		return fmt.Sprintf("unknown type_code %d", oid)
	}
	if name == "STRING" {
		return "TEXT"
	}
	return name
}

// contractColumn is one column of either side of the comparison.
type contractColumn struct {
	name, dataType string
}

func (c contractColumn) formatted() string { return strings.ToLower(c.name) + " " + c.dataType }

// emptySubquery is dbt's get_empty_subquery_sql: the query's columns
// without a row.
func emptySubquery(sql, header string) string {
	return header + "select * from (\n        " + sql + "\n    ) as __dbt_sbq\n    where false\n    limit 0\n"
}

// emptySchemaSQL is get_empty_schema_sql: one null cast per declared
// column, and dbt's warning for numeric columns without precision.
func emptySchemaSQL(cols []*manifest.Column) (sql, warning string, err error) {
	var b strings.Builder
	b.WriteString("select\n    ")
	var missing, naked []string
	for i, c := range cols {
		switch strings.ToLower(strings.TrimSpace(c.DataType)) {
		case "":
			missing = append(missing, "'"+c.Name+"'")
		case "numeric", "decimal", "number":
			naked = append(naked, "'"+c.Name+"'")
		}
		if i > 0 {
			b.WriteString(", ")
		}
		typ := c.DataType
		if strings.EqualFold(typ, "string") {
			typ = "TEXT" // api.Column.translate_type
		}
		b.WriteString("\n      \n    cast(null as " + typ + ")\n as " + columnName(c))
	}
	if len(missing) > 0 {
		return "", "", fmt.Errorf("Contracted models require data_type to be defined for each column. Please ensure that the column name and data_type are defined within the YAML configuration for the [%s] column(s).", strings.Join(missing, ", "))
	}
	if len(naked) > 0 {
		warning = "Detected columns with numeric type and unspecified precision/scale, this can lead to unintended rounding: [" + strings.Join(naked, ", ") + "]`"
	}
	return b.String(), warning, nil
}

// columnName is a declared column as DDL names it (quoted when quote: true).
func columnName(c *manifest.Column) string {
	if q, _ := c.Quote.(bool); q {
		return dbtctx.QuoteIdent(c.Name)
	}
	return c.Name
}

// queryColumns runs the empty version of sql and names its columns' types.
func (x *exec) queryColumns(ctx context.Context, sql string) ([]contractColumn, error) {
	cols, err := x.conn.QueryColumns(ctx, sql)
	if err != nil {
		return nil, err
	}
	out := make([]contractColumn, len(cols))
	for i, c := range cols {
		out[i] = contractColumn{name: c.Name, dataType: contractTypeName(c.OID)}
	}
	return out, nil
}

// assertContract fails the node unless sql returns exactly the declared
// columns with the declared types.
func (x *exec) assertContract(ctx context.Context, sql string) error {
	if len(x.n.Columns) == 0 {
		return x.contractError("This model has an enforced contract, and its 'columns' specification is missing")
	}
	header, _ := x.cfg("sql_header").(string)
	got, err := x.queryColumns(ctx, emptySubquery(sql, header))
	if err != nil {
		return err
	}
	declared, warning, err := emptySchemaSQL(x.n.Columns)
	if err != nil {
		return x.contractError(err.Error())
	}
	if env := x.r.C.Env(); warning != "" && env.Log != nil {
		env.Log("[WARNING]: "+warning, true)
	}
	want, err := x.queryColumns(ctx, emptySubquery(declared, ""))
	if err != nil {
		return err
	}
	if columnsEquivalent(got, want) {
		return nil
	}
	return x.contractError("This model has an enforced contract that failed.\n" +
		"Please ensure the name, data_type, and number of columns in your contract match the columns in your model's definition.\n\n" +
		mismatchTable(want, got))
}

// columnsEquivalent is assert_columns_equivalent's test: same count, and
// every query column declared under its name with the same type.
func columnsEquivalent(got, want []contractColumn) bool {
	if len(got) != len(want) {
		return false
	}
	for _, g := range got {
		found := false
		for _, w := range want {
			if w.name == g.name {
				if w.formatted() != g.formatted() {
					return false
				}
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// mismatchTable is dbt's ContractError table: type mismatches and columns
// missing on either side, sorted by name, printed as agate prints tables.
func mismatchTable(yaml, sql []contractColumn) string {
	type row [4]string
	var rows []row
	inSQL := map[string]bool{}
	for _, s := range sql {
		inSQL[s.name] = true
		matched := false
		for _, y := range yaml {
			if y.name == s.name {
				matched = true
				if y.dataType != s.dataType {
					rows = append(rows, row{s.name, s.dataType, y.dataType, "data type mismatch"})
				}
				break
			}
		}
		if !matched {
			rows = append(rows, row{s.name, s.dataType, "", "missing in contract"})
		}
	}
	for _, y := range yaml {
		if !inSQL[y.name] {
			rows = append(rows, row{y.name, "", y.dataType, "missing in definition"})
		}
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i][0] < rows[j][0] })
	all := append([]row{{"column_name", "definition_type", "contract_type", "mismatch_reason"}}, rows...)
	const maxWidth = 50
	for i := range all {
		for j, v := range all[i] {
			if len([]rune(v)) > maxWidth {
				all[i][j] = string([]rune(v)[:maxWidth-3]) + "..."
			}
		}
	}
	var width [4]int
	for _, r := range all {
		for j, v := range r {
			width[j] = max(width[j], len([]rune(v)))
		}
	}
	var b strings.Builder
	line := func(r row) {
		b.WriteString("|")
		for j, v := range r {
			b.WriteString(" " + v + strings.Repeat(" ", width[j]-len([]rune(v))) + " |")
		}
		b.WriteString("\n")
	}
	line(all[0])
	var sep row
	for j := range sep {
		sep[j] = strings.Repeat("-", width[j])
	}
	line(sep)
	for _, r := range all[1:] {
		line(r)
	}
	return b.String()
}

// contractError is the compilation error dbt raises from inside
// assert_columns_equivalent, with its macro stack.
func (x *exec) contractError(msg string) error {
	stack := []string{"macro assert_columns_equivalent (macros/relations/column/columns_spec_ddl.sql)",
		"macro default__get_assert_columns_equivalent (macros/relations/column/columns_spec_ddl.sql)",
		"macro get_assert_columns_equivalent (macros/relations/column/columns_spec_ddl.sql)"}
	switch m := x.n.Config.String("materialized"); m {
	case "view":
		stack = append(stack, "macro default__create_view_as (macros/relations/view/create.sql)",
			"macro create_view_as (macros/relations/view/create.sql)",
			"macro default__get_create_view_as_sql (macros/relations/view/create.sql)",
			"macro get_create_view_as_sql (macros/relations/view/create.sql)",
			"macro statement (macros/etc/statement.sql)",
			"macro materialization_view_default (macros/materializations/models/view.sql)")
	default:
		stack = append(stack, "macro postgres__create_table_as (macros/adapters.sql)",
			"macro create_table_as (macros/relations/table/create.sql)",
			"macro default__get_create_table_as_sql (macros/relations/table/create.sql)",
			"macro get_create_table_as_sql (macros/relations/table/create.sql)")
		if m == "incremental" {
			stack = append(stack, "macro materialization_incremental_default (macros/materializations/models/incremental/incremental.sql)")
		} else {
			stack = append(stack, "macro statement (macros/etc/statement.sql)",
				"macro materialization_table_default (macros/materializations/models/table.sql)")
		}
	}
	stack = append(stack, "model "+x.n.Name+" ("+x.n.OriginalFilePath+")")
	var b strings.Builder
	b.WriteString(msg)
	b.WriteString("\n\n")
	for i, s := range stack {
		if i == 0 {
			b.WriteString("> in " + s)
		} else {
			b.WriteString("\n> called by " + s)
		}
	}
	return &NodeError{Kind: CompilationError, Node: x.n, Err: fmt.Errorf("%s", b.String())}
}

// contractTableSQL is postgres__create_table_as for an enforced contract:
// the table is created from the declared columns and constraints, then
// filled from the query. It returns the statement and the offset of sql
// in it.
func (x *exec) contractTableSQL(rel *dbtctx.Relation, sql string) (string, int) {
	var cols []string
	for _, c := range x.n.Columns {
		parts := []string{columnName(c) + " " + c.DataType}
		for _, k := range c.Constraints {
			if k, ok := k.(manifest.Constraint); ok {
				if s := columnConstraintDDL(k); s != "" {
					parts = append(parts, s)
				}
			}
		}
		cols = append(cols, strings.Join(parts, " "))
	}
	var model []string
	for _, k := range x.n.Constraints {
		if s := modelConstraintDDL(k); s != "" {
			model = append(model, s)
		}
	}
	var b strings.Builder
	if h, ok := x.cfg("sql_header").(string); ok {
		b.WriteString(h)
	}
	b.WriteString("\n\n  create ")
	if x.n.Config.Bool("unlogged") {
		b.WriteString("unlogged")
	}
	b.WriteString(" table " + rel.String() + "\n  \n  \n    \n  \n  (\n    ")
	for i, c := range cols {
		b.WriteString(c)
		if i < len(cols)-1 || len(model) > 0 {
			b.WriteString(",")
		}
		b.WriteString("\n    ")
	}
	b.WriteString("\n    ")
	for i, m := range model {
		b.WriteString(m)
		if i < len(model)-1 {
			b.WriteString(",")
		}
		b.WriteString("\n    ")
	}
	names := make([]string, len(x.n.Columns))
	for i, c := range x.n.Columns {
		names[i] = columnName(c)
	}
	list := strings.Join(names, ", ")
	b.WriteString(")\n ;\n    insert into " + rel.String() + " (\n      " + list + "\n    )\n  \n  (\n    \n    select " + list + "\n    from (\n        ")
	from := b.Len()
	b.WriteString(sql)
	b.WriteString("\n    ) as model_subq\n  );")
	return b.String(), from
}

// columnConstraintDDL is render_column_constraint; "" for a constraint
// that renders to nothing (a check without expression).
func columnConstraintDDL(k manifest.Constraint) string {
	expr := ""
	if k.Expression != nil {
		expr = *k.Expression
	}
	var s string
	switch k.Type {
	case "check":
		if expr != "" {
			s = "check (" + expr + ")"
		}
	case "not_null":
		s = "not null " + expr
	case "unique":
		s = "unique " + expr
	case "primary_key":
		s = "primary key " + expr
	case "foreign_key":
		if k.To != nil && *k.To != "" && len(k.ToColumns) > 0 {
			s = "references " + *k.To + " (" + strings.Join(k.ToColumns, ", ") + ")"
		} else if expr != "" {
			s = "references " + expr
		}
	case "custom":
		s = expr
	}
	return strings.TrimSpace(s)
}

// modelConstraintDDL is render_model_constraint.
func modelConstraintDDL(k manifest.Constraint) string {
	prefix := ""
	if k.Name != nil && *k.Name != "" {
		prefix = "constraint " + *k.Name + " "
	}
	expr := ""
	if k.Expression != nil {
		expr = *k.Expression
	}
	cols := strings.Join(k.Columns, ", ")
	withExpr := func(kw string) string {
		if expr != "" {
			kw += " " + expr
		}
		return prefix + kw + " (" + cols + ")"
	}
	switch k.Type {
	case "check":
		if expr != "" {
			return prefix + "check (" + expr + ")"
		}
	case "unique":
		return withExpr("unique")
	case "primary_key":
		return withExpr("primary key")
	case "foreign_key":
		if k.To != nil && *k.To != "" && len(k.ToColumns) > 0 {
			return prefix + "foreign key (" + cols + ") references " + *k.To + " (" + strings.Join(k.ToColumns, ", ") + ")"
		}
		if expr != "" {
			return prefix + "foreign key (" + cols + ") references " + expr
		}
	case "custom":
		if expr != "" {
			return prefix + expr
		}
	}
	return ""
}
