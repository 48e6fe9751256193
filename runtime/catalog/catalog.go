// Package catalog builds dbt's target/catalog.json (schema v1) for
// `gdbt docs generate`: one pg_catalog query per database covering every
// schema the manifest's nodes and sources live in (the query shape
// dbt-postgres uses), rows mapped back to the nodes and sources whose
// relations they describe.
package catalog

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/gdbt/gdbt/compiler/dbtctx"
	"github.com/gdbt/gdbt/compiler/manifest"
	"github.com/gdbt/gdbt/runtime/artifacts"
)

// Schema is the schema URL dbt 1.12 writes.
const Schema = "https://schemas.getdbt.com/dbt/catalog/v1.json"

// TableMetadata is a relation's metadata block.
type TableMetadata struct {
	Type     string  `json:"type"`
	Schema   string  `json:"schema"`
	Name     string  `json:"name"`
	Database *string `json:"database"`
	Comment  *string `json:"comment"`
	Owner    *string `json:"owner"`
}

// Column is one column of a relation.
type Column struct {
	Type    string  `json:"type"`
	Index   int64   `json:"index"`
	Name    string  `json:"name"`
	Comment *string `json:"comment"`
}

// Stat is one entry of stats; Postgres only ever has has_stats.
type Stat struct {
	ID          string `json:"id"`
	Label       string `json:"label"`
	Value       any    `json:"value"`
	Include     bool   `json:"include"`
	Description string `json:"description"`
}

// Table is a relation's entry under nodes or sources.
type Table struct {
	Metadata TableMetadata
	Columns  []*Column // by index
	Stats    []*Stat
	UniqueID string
}

// MarshalJSON keeps columns in index order, as dbt's dict does.
func (t *Table) MarshalJSON() ([]byte, error) {
	cols := make(orderedMap, 0, len(t.Columns))
	for _, c := range t.Columns {
		cols = append(cols, kv{c.Name, c})
	}
	stats := make(orderedMap, 0, len(t.Stats))
	for _, s := range t.Stats {
		stats = append(stats, kv{s.ID, s})
	}
	return json.Marshal(orderedMap{
		{"metadata", t.Metadata}, {"columns", cols}, {"stats", stats}, {"unique_id", t.UniqueID},
	})
}

// Artifact is catalog.json.
type Artifact struct {
	Metadata artifacts.Metadata
	Nodes    []*Table // in catalog row order
	Sources  []*Table
	Errors   []string // nil writes null
}

// MarshalJSON writes dbt's key order.
func (a *Artifact) MarshalJSON() ([]byte, error) {
	nodes := make(orderedMap, 0, len(a.Nodes))
	for _, t := range a.Nodes {
		nodes = append(nodes, kv{t.UniqueID, t})
	}
	sources := make(orderedMap, 0, len(a.Sources))
	for _, t := range a.Sources {
		sources = append(sources, kv{t.UniqueID, t})
	}
	var errs any
	if a.Errors != nil {
		errs = a.Errors
	}
	return json.Marshal(orderedMap{{"metadata", a.Metadata}, {"nodes", nodes}, {"sources", sources}, {"errors", errs}})
}

// Write writes dir/catalog.json in Python's json.dumps format.
func (a *Artifact) Write(dir string) (string, error) {
	b, err := artifacts.PyJSON(a)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	path := filepath.Join(dir, "catalog.json")
	return path, os.WriteFile(path, b, 0o644)
}

type kv struct {
	k string
	v any
}

// orderedMap is a JSON object whose keys keep their order.
type orderedMap []kv

func (m orderedMap) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, e := range m {
		if i > 0 {
			buf.WriteByte(',')
		}
		k, err := json.Marshal(e.k)
		if err != nil {
			return nil, err
		}
		buf.Write(k)
		buf.WriteByte(':')
		v, err := json.Marshal(e.v)
		if err != nil {
			return nil, err
		}
		buf.Write(v)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// Row is one row of the catalog query: a column of a relation.
type Row struct {
	Database, Schema, Table, TableType string
	TableComment                       *string
	Column                             string
	Index                              int64
	ColumnType                         string
	ColumnComment                      *string
	Owner                              *string
}

// Query is the catalog query for schemas of database, shaped like
// dbt-postgres's postgres__get_catalog: pg_catalog rather than
// information_schema so comments and owners come along, one statement for
// all schemas.
func Query(database string, schemas []string) string {
	var where strings.Builder
	for i, s := range schemas {
		if i > 0 {
			where.WriteString(" or ")
		}
		where.WriteString("upper(sch.nspname) = upper(" + literal(s) + ")")
	}
	if len(schemas) == 0 {
		where.WriteString("false")
	}
	return `select
    ` + literal(database) + ` as table_database,
    sch.nspname as table_schema,
    tbl.relname as table_name,
    case tbl.relkind
        when 'v' then 'VIEW'
        when 'm' then 'MATERIALIZED VIEW'
        else 'BASE TABLE'
    end as table_type,
    tbl_desc.description as table_comment,
    col.attname as column_name,
    col.attnum as column_index,
    pg_catalog.format_type(col.atttypid, col.atttypmod) as column_type,
    col_desc.description as column_comment,
    pg_get_userbyid(tbl.relowner) as table_owner
from pg_catalog.pg_namespace sch
join pg_catalog.pg_class tbl on tbl.relnamespace = sch.oid
join pg_catalog.pg_attribute col on col.attrelid = tbl.oid
left outer join pg_catalog.pg_description tbl_desc on (tbl_desc.objoid = tbl.oid and tbl_desc.objsubid = 0)
left outer join pg_catalog.pg_description col_desc on (col_desc.objoid = tbl.oid and col_desc.objsubid = col.attnum)
where (` + where.String() + `)
  and not pg_is_other_temp_schema(sch.oid)
  and tbl.relpersistence in ('p', 'u')
  and tbl.relkind in ('r', 'v', 'f', 'p', 'm')
  and col.attnum > 0
  and not col.attisdropped
order by sch.nspname, tbl.relname, col.attnum`
}

func literal(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// Relation is a relation the catalog is asked about, with the unique_id of
// the node or source it belongs to.
type Relation struct {
	UniqueID                     string
	Database, Schema, Identifier string
	Source                       bool
}

// Catalogable lists the relations of the manifest dbt catalogs: nodes that
// are relations (not ephemeral models, not hooks or analyses) and sources.
// selected, when not nil, keeps only those unique_ids.
func Catalogable(m *manifest.Manifest, selected map[string]bool) []Relation {
	var out []Relation
	for id, n := range m.Nodes {
		switch n.ResourceType {
		case manifest.Model, manifest.Seed, manifest.Snapshot, manifest.Test:
		default:
			continue
		}
		if n.ResourceType == manifest.Model && n.Config.String("materialized") == "ephemeral" {
			continue
		}
		if selected != nil && !selected[id] {
			continue
		}
		out = append(out, Relation{UniqueID: id, Database: n.Database, Schema: n.Schema, Identifier: identifier(n)})
	}
	for id, s := range m.Sources {
		if selected != nil && !selected[id] {
			continue
		}
		out = append(out, Relation{UniqueID: id, Database: s.Database, Schema: s.Schema, Identifier: s.Identifier, Source: true})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].UniqueID < out[j].UniqueID })
	return out
}

func identifier(n *manifest.Node) string {
	if n.Alias != "" {
		return n.Alias
	}
	return n.Name
}

// Options configure Generate.
type Options struct {
	Manifest *manifest.Manifest
	// Selected restricts the catalog to these unique_ids (nodes and
	// sources); nil catalogs everything.
	Selected     map[string]bool
	InvocationID string
	Started      time.Time
	Now          func() time.Time
}

// Generate runs the catalog query on wh and builds the artifact. A failed
// query becomes an entry of Errors, as dbt records it, not an error.
func Generate(ctx context.Context, wh dbtctx.Warehouse, o Options) (*Artifact, error) {
	now := o.Now
	if now == nil {
		now = time.Now
	}
	rels := Catalogable(o.Manifest, o.Selected)
	// One query per database (Postgres cannot reach others anyway).
	byDB := map[string]map[string]bool{}
	for _, r := range rels {
		if byDB[r.Database] == nil {
			byDB[r.Database] = map[string]bool{}
		}
		byDB[r.Database][strings.ToLower(r.Schema)] = true
	}
	var dbs []string
	for d := range byDB {
		dbs = append(dbs, d)
	}
	sort.Strings(dbs)
	var rows []Row
	var errs []string
	for _, db := range dbs {
		var schemas []string
		for s := range byDB[db] {
			schemas = append(schemas, s)
		}
		sort.Strings(schemas)
		_, t, err := wh.Execute(ctx, Query(db, schemas), true)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			errs = append(errs, err.Error())
			continue
		}
		rs, err := rowsOf(t)
		if err != nil {
			return nil, err
		}
		rows = append(rows, rs...)
	}
	a := Build(rows, rels)
	a.Errors = errs
	a.Metadata = artifacts.NewMetadata(o.InvocationID, o.Started, now(), os.Environ())
	a.Metadata.DBTSchemaVersion = Schema
	return a, nil
}

func rowsOf(t *dbtctx.Table) ([]Row, error) {
	idx := map[string]int{}
	for i, n := range t.Names {
		idx[n] = i
	}
	for _, need := range []string{"table_database", "table_schema", "table_name", "table_type", "column_name", "column_index", "column_type"} {
		if _, ok := idx[need]; !ok {
			return nil, fmt.Errorf("Catalog information missing required key %s", need)
		}
	}
	str := func(r []any, k string) string {
		i, ok := idx[k]
		if !ok || r[i] == nil {
			return ""
		}
		return fmt.Sprint(r[i])
	}
	opt := func(r []any, k string) *string {
		i, ok := idx[k]
		if !ok || r[i] == nil {
			return nil
		}
		s := fmt.Sprint(r[i])
		return &s
	}
	out := make([]Row, 0, len(t.Rows))
	for _, r := range t.Rows {
		var index int64
		switch v := r[idx["column_index"]].(type) {
		case int64:
			index = v
		case float64:
			index = int64(v)
		default:
			if _, err := fmt.Sscan(fmt.Sprint(v), &index); err != nil {
				return nil, fmt.Errorf("catalog: column_index %v is not a number", v)
			}
		}
		out = append(out, Row{
			Database: str(r, "table_database"), Schema: str(r, "table_schema"), Table: str(r, "table_name"),
			TableType: str(r, "table_type"), TableComment: opt(r, "table_comment"), Column: str(r, "column_name"),
			Index: index, ColumnType: str(r, "column_type"), ColumnComment: opt(r, "column_comment"), Owner: opt(r, "table_owner"),
		})
	}
	return out, nil
}

type key struct{ db, schema, name string }

func keyOf(db, schema, name string) key {
	return key{strings.ToLower(db), strings.ToLower(schema), strings.ToLower(name)}
}

// Build groups rows into relations (in row order) and maps each to the
// node (the last one naming it) and the sources whose relation it is,
// matching names case-insensitively as dbt does. Rows of relations not in
// rels are dropped.
func Build(rows []Row, rels []Relation) *Artifact {
	nodeOf := map[key]string{}
	sourcesOf := map[key][]string{}
	for _, r := range rels {
		k := keyOf(r.Database, r.Schema, r.Identifier)
		if r.Source {
			sourcesOf[k] = append(sourcesOf[k], r.UniqueID)
		} else {
			nodeOf[k] = r.UniqueID
		}
	}
	var order []key
	tables := map[key]*Table{}
	for _, row := range rows {
		k := keyOf(row.Database, row.Schema, row.Table)
		t := tables[k]
		if t == nil {
			db := row.Database
			t = &Table{
				Metadata: TableMetadata{Type: row.TableType, Schema: row.Schema, Name: row.Table, Database: &db,
					Comment: row.TableComment, Owner: row.Owner},
				Stats: []*Stat{{ID: "has_stats", Label: "Has Stats?", Value: false, Include: false,
					Description: "Indicates whether there are statistics for this table"}},
			}
			tables[k] = t
			order = append(order, k)
		}
		col := &Column{Type: row.ColumnType, Index: row.Index, Name: row.Column, Comment: row.ColumnComment}
		replaced := false
		for i, c := range t.Columns {
			if c.Name == col.Name {
				t.Columns[i] = col
				replaced = true
			}
		}
		if !replaced {
			t.Columns = append(t.Columns, col)
		}
	}
	a := &Artifact{Nodes: []*Table{}, Sources: []*Table{}}
	for _, k := range order {
		t := tables[k]
		if id, ok := nodeOf[k]; ok {
			c := *t
			c.UniqueID = id
			a.Nodes = append(a.Nodes, &c)
		}
		ids := append([]string(nil), sourcesOf[k]...)
		sort.Strings(ids)
		for _, id := range ids {
			c := *t
			c.UniqueID = id
			a.Sources = append(a.Sources, &c)
		}
	}
	return a
}
