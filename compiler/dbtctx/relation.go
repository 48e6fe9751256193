// Package dbtctx builds the Jinja context dbt gives a node: ref, source,
// config, var, adapter, this, … It has a parse-time mode, which records
// what a node depends on, and a run-time mode, which resolves relations and
// reaches the warehouse through the Warehouse interface the runtime
// implements (so the compiler never imports the runtime or pgx).
package dbtctx

import (
	"strings"

	"github.com/gdbt/gdbt/compiler/jinja"
)

// Relation is a database relation as templates see it (dbt's BaseRelation
// with Postgres's quoting: everything quoted by default).
type Relation struct {
	Database, Schema, Identifier string
	Type                         string // table, view, cte, materialized_view, external or ""

	QuoteDatabase, QuoteSchema, QuoteIdentifier       bool
	IncludeDatabase, IncludeSchema, IncludeIdentifier bool

	// Limit renders the relation as an empty subquery (--empty).
	Limit *int64
	// EventTime filters the relation to a microbatch batch.
	EventTime *EventTimeFilter
}

// NewRelation returns a fully quoted, fully included relation.
func NewRelation(database, schema, identifier, typ string) *Relation {
	return &Relation{
		Database: database, Schema: schema, Identifier: identifier, Type: typ,
		QuoteDatabase: true, QuoteSchema: true, QuoteIdentifier: true,
		IncludeDatabase: true, IncludeSchema: true, IncludeIdentifier: true,
	}
}

// QuoteIdent quotes a Postgres identifier.
func QuoteIdent(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// String renders the relation as SQL: "db"."schema"."name", wrapped in
// the --empty and event-time subqueries when they apply (the limit inside
// the filter, as dbt).
func (r *Relation) String() string {
	if r.Type == "cte" {
		return r.Identifier
	}
	s := r.render()
	if r.Limit != nil {
		if *r.Limit == 0 {
			s = "(select * from " + s + " where false limit 0) _dbt_limit_subq_" + r.Identifier
		} else {
			s = "(select * from " + s + " limit " + jinja.ToString(*r.Limit) + ") _dbt_limit_subq_" + r.Identifier
		}
	}
	if r.EventTime != nil {
		s = r.EventTime.wrap(s, r.Identifier)
	}
	return s
}

// render is the relation's path alone (dbt's BaseRelation.render).
func (r *Relation) render() string {
	if r.Type == "cte" {
		return r.Identifier
	}
	var parts []string
	add := func(v string, include, quote bool) {
		if !include || v == "" {
			return
		}
		if quote {
			v = QuoteIdent(v)
		}
		parts = append(parts, v)
	}
	add(r.Database, r.IncludeDatabase, r.QuoteDatabase)
	add(r.Schema, r.IncludeSchema, r.QuoteSchema)
	add(r.Identifier, r.IncludeIdentifier, r.QuoteIdentifier)
	return strings.Join(parts, ".")
}

func (r *Relation) clone() *Relation { c := *r; return &c }

// Attr implements jinja.Object.
func (r *Relation) Attr(name string) (any, bool) {
	switch name {
	case "database":
		return strOrNone(r.Database), true
	case "schema":
		return strOrNone(r.Schema), true
	case "identifier", "name", "table":
		return strOrNone(r.Identifier), true
	case "type":
		return strOrNone(r.Type), true
	case "is_table":
		return r.Type == "table", true
	case "is_view":
		return r.Type == "view", true
	case "is_cte":
		return r.Type == "cte", true
	case "is_materialized_view":
		return r.Type == "materialized_view", true
	case "can_be_renamed":
		return r.Type == "table" || r.Type == "view" || r.Type == "materialized_view", true
	case "can_be_replaced":
		return r.Type == "view", true
	case "render":
		return jinja.Func(func(s *jinja.State, a *jinja.Args) (any, error) { return r.render(), nil }), true
	case "quote_policy":
		return jinja.Normalize(map[string]any{"database": r.QuoteDatabase, "schema": r.QuoteSchema, "identifier": r.QuoteIdentifier}), true
	case "include_policy":
		return jinja.Normalize(map[string]any{"database": r.IncludeDatabase, "schema": r.IncludeSchema, "identifier": r.IncludeIdentifier}), true
	case "path":
		return jinja.Normalize(map[string]any{"database": r.Database, "schema": r.Schema, "identifier": r.Identifier}), true
	case "get":
		return jinja.Func(func(s *jinja.State, a *jinja.Args) (any, error) {
			v := a.Bind(s, "get", "key", "default")
			if x, ok := r.Item(v[0]); ok {
				return x, nil
			}
			if jinja.IsMissing(v[1]) {
				return nil, nil
			}
			return v[1], nil
		}), true
	case "include":
		return jinja.Func(func(s *jinja.State, a *jinja.Args) (any, error) {
			v := a.Bind(s, "include", "database", "schema", "identifier")
			c := r.clone()
			setBool(&c.IncludeDatabase, v[0])
			setBool(&c.IncludeSchema, v[1])
			setBool(&c.IncludeIdentifier, v[2])
			return c, nil
		}), true
	case "quote":
		return jinja.Func(func(s *jinja.State, a *jinja.Args) (any, error) {
			v := a.Bind(s, "quote", "database", "schema", "identifier")
			c := r.clone()
			setBool(&c.QuoteDatabase, v[0])
			setBool(&c.QuoteSchema, v[1])
			setBool(&c.QuoteIdentifier, v[2])
			return c, nil
		}), true
	case "without_identifier":
		return jinja.Func(func(s *jinja.State, a *jinja.Args) (any, error) {
			c := r.clone()
			c.IncludeIdentifier = false
			return c, nil
		}), true
	case "incorporate", "replace_path":
		return jinja.Func(func(s *jinja.State, a *jinja.Args) (any, error) {
			c := r.clone()
			apply := func(k string, v any) {
				str := ""
				if v != nil {
					str = jinja.ToString(v)
				}
				switch k {
				case "database":
					c.Database = str
				case "schema":
					c.Schema = str
				case "identifier":
					c.Identifier = str
				case "type":
					c.Type = str
				}
			}
			for _, kv := range a.Kw {
				if kv.Name == "path" {
					if d, ok := kv.Value.(*jinja.Dict); ok {
						for i, k := range d.Keys() {
							apply(jinja.ToString(k), d.Values()[i])
						}
					}
					continue
				}
				apply(kv.Name, kv.Value)
			}
			return c, nil
		}), true
	}
	return nil, false
}

// IsMapping makes `relation is mapping` true: dbt's relations are
// dataclasses that behave as mappings, which packages test for
// (dbt_utils._is_relation).
func (r *Relation) IsMapping() bool { return true }

// Item implements mapping access: relation['schema'], relation.get('metadata').
func (r *Relation) Item(key any) (any, bool) {
	k, ok := key.(string)
	if !ok {
		return nil, false
	}
	switch k {
	case "metadata":
		return jinja.Normalize(map[string]any{"type": "PostgresRelation"}), true
	case "database", "schema", "identifier", "type":
		return r.Attr(k)
	}
	return nil, false
}

// Repr prints like dbt's relation repr.
func (r *Relation) Repr() string { return `<PostgresRelation ` + r.String() + `>` }

func strOrNone(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func setBool(dst *bool, v any) {
	if b, ok := v.(bool); ok {
		*dst = b
	}
}
