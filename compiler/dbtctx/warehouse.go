package dbtctx

import (
	"context"
	"strings"

	"github.com/gdbt/gdbt/compiler/jinja"
)

// Warehouse is what templates may ask of the database (run_query,
// statement, adapter.get_relation, …). The runtime implements it with pgx;
// the compiler only sees this interface.
type Warehouse interface {
	// Execute runs sql; with fetch it returns the rows as a table.
	Execute(ctx context.Context, sql string, fetch bool) (*Response, *Table, error)
	GetRelation(ctx context.Context, database, schema, identifier string) (*Relation, error)
	ListRelations(ctx context.Context, database, schema string) ([]*Relation, error)
	GetColumns(ctx context.Context, rel *Relation) ([]*Column, error)
	CreateSchema(ctx context.Context, database, schema string) error
	DropSchema(ctx context.Context, database, schema string) error
	DropRelation(ctx context.Context, rel *Relation) error
	RenameRelation(ctx context.Context, from, to *Relation) error
	TruncateRelation(ctx context.Context, rel *Relation) error
	SchemaExists(ctx context.Context, database, schema string) (bool, error)
}

// Response is dbt's AdapterResponse.
type Response struct {
	Message      string
	Code         string
	RowsAffected int64
	// RowsText, when set, is rows_affected as the string a macro stored
	// (store_raw_result(rows_affected="-1") in dbt's no-op paths).
	RowsText string
}

// Attr implements jinja.Object.
func (r *Response) Attr(name string) (any, bool) {
	switch name {
	case "_message":
		return r.Message, true
	case "code":
		return r.Code, true
	case "rows_affected":
		return r.RowsAffected, true
	}
	return nil, false
}

// String prints the response message, as str(AdapterResponse) does.
func (r *Response) String() string { return r.Message }

// Column is a warehouse column (dbt's Column).
type Column struct {
	Name             string
	DataType         string // as Postgres names it: integer, character varying, …
	CharSize         *int64
	NumericPrecision *int64
	NumericScale     *int64
}

var stringTypes = map[string]bool{"text": true, "character varying": true, "varchar": true, "character": true, "char": true, "citext": true}
var intTypes = map[string]bool{"integer": true, "bigint": true, "smallint": true, "int": true, "int4": true, "int8": true, "int2": true, "serial": true, "bigserial": true}
var floatTypes = map[string]bool{"real": true, "double precision": true, "float4": true, "float8": true, "float": true}

// FullType renders the column type with size and precision, as dbt's
// Column.data_type does.
func (c *Column) FullType() string {
	t := strings.ToLower(c.DataType)
	switch {
	case t == "character varying" || t == "varchar" || t == "character" || t == "char":
		if c.CharSize != nil {
			return c.DataType + "(" + jinja.ToString(*c.CharSize) + ")"
		}
		return c.DataType
	case t == "numeric" || t == "decimal":
		if c.NumericPrecision != nil && c.NumericScale != nil {
			return c.DataType + "(" + jinja.ToString(*c.NumericPrecision) + "," + jinja.ToString(*c.NumericScale) + ")"
		}
	}
	return c.DataType
}

// Attr implements jinja.Object.
func (c *Column) Attr(name string) (any, bool) {
	t := strings.ToLower(c.DataType)
	ptr := func(p *int64) any {
		if p == nil {
			return nil
		}
		return *p
	}
	switch name {
	case "name", "column":
		return c.Name, true
	case "quoted":
		return QuoteIdent(c.Name), true
	case "dtype":
		return c.DataType, true
	case "data_type":
		return c.FullType(), true
	case "char_size":
		return ptr(c.CharSize), true
	case "numeric_precision":
		return ptr(c.NumericPrecision), true
	case "numeric_scale":
		return ptr(c.NumericScale), true
	case "is_string":
		return boolFn(stringTypes[t]), true
	case "is_integer":
		return boolFn(intTypes[t]), true
	case "is_float":
		return boolFn(floatTypes[t]), true
	case "is_numeric":
		return boolFn(t == "numeric" || t == "decimal"), true
	case "is_number":
		return boolFn(intTypes[t] || floatTypes[t] || t == "numeric" || t == "decimal"), true
	case "string_size":
		return jinja.Func(func(s *jinja.State, a *jinja.Args) (any, error) { return c.stringSize(), nil }), true
	case "string_type":
		return jinja.Func(func(s *jinja.State, a *jinja.Args) (any, error) {
			return "character varying(" + jinja.ToString(a.Pos[0]) + ")", nil
		}), true
	case "expanded_data_type":
		return c.FullType(), true
	case "can_expand_to":
		// A string column can widen to a longer string column.
		return jinja.Func(func(s *jinja.State, a *jinja.Args) (any, error) {
			o, ok := a.Bind(s, "can_expand_to", "other_column")[0].(*Column)
			if !ok || !stringTypes[t] || !stringTypes[strings.ToLower(o.DataType)] {
				return false, nil
			}
			return o.stringSize() > c.stringSize(), nil
		}), true
	}
	return nil, false
}

// stringSize is a string column's length, 256 where it has none (text).
func (c *Column) stringSize() int64 {
	if c.CharSize == nil || strings.ToLower(c.DataType) == "text" {
		return 256
	}
	return *c.CharSize
}

// Repr prints like dbt's Column repr.
func (c *Column) Repr() string {
	return "<Column " + c.Name + " (" + c.FullType() + ")>"
}

func boolFn(b bool) jinja.Func {
	return jinja.Func(func(s *jinja.State, a *jinja.Args) (any, error) { return b, nil })
}

// Table is a query result as templates see it (dbt hands agate tables to
// templates: rows, columns, column_names).
type Table struct {
	Names []string
	Rows  [][]any
}

// NewTable returns a table with the given columns and rows.
func NewTable(names []string, rows [][]any) *Table {
	for _, r := range rows {
		for i, v := range r {
			r[i] = jinja.Normalize(v)
		}
	}
	return &Table{Names: names, Rows: rows}
}

func (t *Table) rowsAsTuples() *jinja.List {
	out := &jinja.List{}
	for _, r := range t.Rows {
		out.Items = append(out.Items, jinja.Tuple(append([]any(nil), r...)))
	}
	return out
}

func (t *Table) rows() *tableRows {
	rs := make([]any, len(t.Rows))
	for i := range t.Rows {
		rs[i] = &tableRow{t: t, i: i}
	}
	return &tableRows{items: rs}
}

// Attr implements jinja.Object.
func (t *Table) Attr(name string) (any, bool) {
	switch name {
	case "rows":
		return t.rows(), true
	case "columns":
		cols := &tableColumns{}
		for i := range t.Names {
			cols.items = append(cols.items, &tableColumn{t: t, i: i})
		}
		return cols, true
	case "column_names":
		names := make(jinja.Tuple, len(t.Names))
		for i, n := range t.Names {
			names[i] = n
		}
		return names, true
	case "print_table":
		return jinja.Func(func(s *jinja.State, a *jinja.Args) (any, error) { return "", nil }), true
	}
	return nil, false
}

// Iter iterates the rows.
func (t *Table) Iter() []any { return t.rows().items }

// Len is the number of rows.
func (t *Table) Len() int { return len(t.Rows) }

// Item indexes rows by position.
func (t *Table) Item(k any) (any, bool) { return t.rows().Item(k) }

type tableRows struct{ items []any }

func (r *tableRows) Iter() []any { return r.items }
func (r *tableRows) Len() int    { return len(r.items) }
func (r *tableRows) Item(k any) (any, bool) {
	i, ok := k.(int64)
	if !ok {
		return nil, false
	}
	if i < 0 {
		i += int64(len(r.items))
	}
	if i < 0 || i >= int64(len(r.items)) {
		return nil, false
	}
	return r.items[i], true
}

type tableRow struct {
	t *Table
	i int
}

func (r *tableRow) Iter() []any { return append([]any(nil), r.t.Rows[r.i]...) }
func (r *tableRow) Len() int    { return len(r.t.Names) }
func (r *tableRow) Item(k any) (any, bool) {
	switch x := k.(type) {
	case int64:
		if x < 0 {
			x += int64(len(r.t.Names))
		}
		if x < 0 || x >= int64(len(r.t.Names)) {
			return nil, false
		}
		return r.t.Rows[r.i][x], true
	case string:
		for j, n := range r.t.Names {
			if n == x {
				return r.t.Rows[r.i][j], true
			}
		}
	}
	return nil, false
}
func (r *tableRow) Attr(name string) (any, bool) {
	switch name {
	case "values":
		return jinja.Func(func(s *jinja.State, a *jinja.Args) (any, error) {
			return jinja.Tuple(r.Iter()), nil
		}), true
	case "keys":
		return jinja.Func(func(s *jinja.State, a *jinja.Args) (any, error) {
			return jinja.NewList(toAnySlice(r.t.Names)...), nil
		}), true
	case "dict":
		return jinja.Func(func(s *jinja.State, a *jinja.Args) (any, error) {
			d := jinja.NewDict()
			for j, n := range r.t.Names {
				d.Set(n, r.t.Rows[r.i][j])
			}
			return d, nil
		}), true
	}
	return r.Item(name)
}
func (r *tableRow) Repr() string { return jinja.Repr(jinja.Tuple(r.Iter())) }

type tableColumns struct{ items []any }

// Attr gives agate's MappedSequence methods: keys, values, items, get.
func (c *tableColumns) Attr(name string) (any, bool) {
	names := func() []any {
		out := make([]any, len(c.items))
		for i, it := range c.items {
			col := it.(*tableColumn)
			out[i] = col.t.Names[col.i]
		}
		return out
	}
	switch name {
	case "keys":
		return jinja.Func(func(s *jinja.State, a *jinja.Args) (any, error) { return jinja.Tuple(names()), nil }), true
	case "values":
		return jinja.Func(func(s *jinja.State, a *jinja.Args) (any, error) {
			return jinja.Tuple(append([]any(nil), c.items...)), nil
		}), true
	case "items":
		return jinja.Func(func(s *jinja.State, a *jinja.Args) (any, error) {
			ns := names()
			out := make(jinja.Tuple, len(ns))
			for i := range ns {
				out[i] = jinja.Tuple{ns[i], c.items[i]}
			}
			return out, nil
		}), true
	case "get":
		return jinja.Func(func(s *jinja.State, a *jinja.Args) (any, error) {
			v := a.Bind(s, "get", "key", "default")
			if x, ok := c.Item(v[0]); ok {
				return x, nil
			}
			if jinja.IsMissing(v[1]) {
				return nil, nil
			}
			return v[1], nil
		}), true
	}
	return nil, false
}

func (c *tableColumns) Iter() []any { return c.items }
func (c *tableColumns) Len() int    { return len(c.items) }
func (c *tableColumns) Item(k any) (any, bool) {
	switch x := k.(type) {
	case int64:
		if x < 0 {
			x += int64(len(c.items))
		}
		if x < 0 || x >= int64(len(c.items)) {
			return nil, false
		}
		return c.items[x], true
	case string:
		for _, it := range c.items {
			col := it.(*tableColumn)
			if col.t.Names[col.i] == x {
				return col, true
			}
		}
	}
	return nil, false
}

type tableColumn struct {
	t *Table
	i int
}

func (c *tableColumn) Attr(name string) (any, bool) {
	switch name {
	case "name":
		return c.t.Names[c.i], true
	case "values", "values_without_nulls", "values_distinct":
		return jinja.Func(func(s *jinja.State, a *jinja.Args) (any, error) {
			out := make(jinja.Tuple, 0, len(c.t.Rows))
			for _, r := range c.t.Rows {
				if name == "values_without_nulls" && r[c.i] == nil {
					continue
				}
				out = append(out, r[c.i])
			}
			return out, nil
		}), true
	}
	return nil, false
}

func toAnySlice(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}
