package manifest

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
)

// CatalogSchema is the dbt_schema_version of catalog.json.
const CatalogSchema = "https://schemas.getdbt.com/dbt/catalog/v1.json"

// ArtifactMetadata is the header shared by catalog.json and other
// non-manifest artifacts.
type ArtifactMetadata struct {
	DBTVersion          string
	GeneratedAt         string // Timestamp format
	InvocationID        string
	InvocationStartedAt string
	Env                 map[string]string
}

// Catalog is catalog.json (schema v1): the relations that back manifest
// nodes and sources, as the warehouse describes them.
type Catalog struct {
	Nodes   map[string]*CatalogTable
	Sources map[string]*CatalogTable
	Errors  []string // nil is written as null
}

// CatalogTable is one relation.
type CatalogTable struct {
	Metadata TableMetadata
	Columns  []*CatalogColumn // in index order
	Stats    []StatsItem      // has_stats last, as dbt
	UniqueID string
}

// TableMetadata is a relation's metadata; empty Database, Comment and
// Owner are written as null.
type TableMetadata struct {
	Type, Schema, Name, Database, Comment, Owner string
}

// CatalogColumn is one column of a relation.
type CatalogColumn struct {
	Type    string
	Index   int64
	Name    string
	Comment *string
}

// StatsItem is one table statistic.
type StatsItem struct {
	ID          string
	Label       string
	Value       any // bool, string, float64 or nil
	Include     bool
	Description *string
}

// NewCatalog builds the catalog from the rows of the adapter's get_catalog
// query (one row per column), keyed as dbt names them: table_database,
// table_schema, table_name, table_type, table_comment, table_owner,
// column_name, column_index, column_type, column_comment, and optional
// stats:<id>:label|value|description|include. Relations are matched to
// manifest nodes by lower-cased database.schema.alias and to sources by
// database.schema.identifier; unmatched relations are dropped.
func NewCatalog(m *Manifest, rows []map[string]any) (*Catalog, error) {
	type key struct{ db, schema, name string }
	var order []key
	tables := map[key]*CatalogTable{}
	for i, r := range rows {
		schema, ok1 := r["table_schema"]
		name, ok2 := r["table_name"]
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("catalog row %d: missing table_schema or table_name (got %v)", i, r)
		}
		k := key{strings.ToLower(rowStr(r["table_database"])), strings.ToLower(rowStr(schema)), strings.ToLower(rowStr(name))}
		t := tables[k]
		if t == nil {
			t = &CatalogTable{
				Metadata: TableMetadata{
					Type: rowStr(r["table_type"]), Schema: rowStr(schema), Name: rowStr(name),
					Database: rowStr(r["table_database"]), Comment: rowStr(r["table_comment"]), Owner: rowStr(r["table_owner"]),
				},
				Stats: catalogStats(r),
			}
			tables[k] = t
			order = append(order, k)
		}
		idx, err := rowInt(r["column_index"])
		if err != nil {
			return nil, fmt.Errorf("catalog row %d: column_index: %w", i, err)
		}
		col := &CatalogColumn{Type: rowStr(r["column_type"]), Index: idx, Name: rowStr(r["column_name"])}
		if c, ok := r["column_comment"].(string); ok {
			col.Comment = &c
		}
		replaced := false
		for j, c := range t.Columns {
			if c.Name == col.Name {
				t.Columns[j] = col
				replaced = true
			}
		}
		if !replaced {
			t.Columns = append(t.Columns, col)
		}
	}

	nodeMap := map[key]string{}
	for _, id := range sortedIDs(m.Nodes) {
		n := m.Nodes[id]
		nodeMap[key{strings.ToLower(n.Database), strings.ToLower(n.Schema), strings.ToLower(n.Alias)}] = id
	}
	sourceMap := map[key][]string{}
	for _, id := range sortedIDs(m.Sources) {
		s := m.Sources[id]
		k := key{strings.ToLower(s.Database), strings.ToLower(s.Schema), strings.ToLower(s.Identifier)}
		sourceMap[k] = append(sourceMap[k], id)
	}
	c := &Catalog{Nodes: map[string]*CatalogTable{}, Sources: map[string]*CatalogTable{}}
	for _, k := range order {
		t := tables[k]
		if id, ok := nodeMap[k]; ok {
			cp := *t
			cp.UniqueID = id
			c.Nodes[id] = &cp
		}
		for _, id := range sourceMap[k] {
			cp := *t
			cp.UniqueID = id
			c.Sources[id] = &cp
		}
	}
	return c, nil
}

// catalogStats collects the stats:<id>:<field> columns of a row; only
// included stats are kept, and has_stats (never included) says whether
// there were any.
func catalogStats(r map[string]any) []StatsItem {
	ids := map[string]bool{}
	for k := range r {
		if rest, ok := strings.CutPrefix(k, "stats:"); ok {
			id, _, _ := strings.Cut(rest, ":")
			ids[id] = true
		}
	}
	var out []StatsItem
	for _, id := range sortedIDs(ids) {
		p := "stats:" + id + ":"
		label, ok := r[p+"label"].(string)
		include, ok2 := r[p+"include"].(bool)
		if !ok || !ok2 || !include {
			continue
		}
		it := StatsItem{ID: id, Label: label, Value: r[p+"value"], Include: include}
		if d, ok := r[p+"description"].(string); ok {
			it.Description = &d
		}
		out = append(out, it)
	}
	desc := "Indicates whether there are statistics for this table"
	return append(out, StatsItem{ID: "has_stats", Label: "Has Stats?", Value: len(out) > 0, Description: &desc})
}

func rowStr(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	}
	return fmt.Sprint(v)
}

func rowInt(v any) (int64, error) {
	switch x := v.(type) {
	case int:
		return int64(x), nil
	case int32:
		return int64(x), nil
	case int64:
		return x, nil
	case float64:
		return int64(x), nil
	case string:
		return strconv.ParseInt(x, 10, 64)
	}
	return 0, fmt.Errorf("want an integer, got %T %v", v, v)
}

// WriteJSON writes c as dbt's catalog.json.
func (c *Catalog) WriteJSON(w io.Writer, meta ArtifactMetadata) error {
	var e jw
	e.beginObj()
	e.key("metadata")
	writeArtifactMetadata(&e, CatalogSchema, meta)
	for _, sec := range []struct {
		name   string
		tables map[string]*CatalogTable
	}{{"nodes", c.Nodes}, {"sources", c.Sources}} {
		e.key(sec.name)
		e.beginObj()
		for _, id := range sortedIDs(sec.tables) {
			e.key(id)
			writeCatalogTable(&e, sec.tables[id])
		}
		e.endObj()
	}
	e.key("errors")
	if c.Errors == nil {
		e.null()
	} else {
		e.strs(c.Errors)
	}
	e.endObj()
	_, err := w.Write(e.b)
	return err
}

func writeArtifactMetadata(e *jw, schema string, meta ArtifactMetadata) {
	e.beginObj()
	writeMetadataHead(e, schema, meta)
	e.endObj()
}

// writeMetadataHead writes the metadata fields every artifact starts with.
func writeMetadataHead(e *jw, schema string, meta ArtifactMetadata) {
	e.key("dbt_schema_version")
	e.str(schema)
	e.key("dbt_version")
	e.str(meta.DBTVersion)
	e.key("generated_at")
	e.str(meta.GeneratedAt)
	e.key("invocation_id")
	e.strOrNull(meta.InvocationID)
	e.key("invocation_started_at")
	e.strOrNull(meta.InvocationStartedAt)
	e.key("env")
	e.value(orEmptyEnv(meta.Env))
}

func writeCatalogTable(e *jw, t *CatalogTable) {
	e.beginObj()
	e.key("metadata")
	e.beginObj()
	e.key("type")
	e.str(t.Metadata.Type)
	e.key("schema")
	e.str(t.Metadata.Schema)
	e.key("name")
	e.str(t.Metadata.Name)
	e.key("database")
	e.strOrNull(t.Metadata.Database)
	e.key("comment")
	e.strOrNull(t.Metadata.Comment)
	e.key("owner")
	e.strOrNull(t.Metadata.Owner)
	e.endObj()
	e.key("columns")
	e.beginObj()
	cols := append([]*CatalogColumn(nil), t.Columns...)
	sort.SliceStable(cols, func(i, j int) bool { return cols[i].Index < cols[j].Index })
	for _, c := range cols {
		e.key(c.Name)
		e.beginObj()
		e.key("type")
		e.str(c.Type)
		e.key("index")
		e.value(c.Index)
		e.key("name")
		e.str(c.Name)
		e.key("comment")
		if c.Comment == nil {
			e.null()
		} else {
			e.str(*c.Comment)
		}
		e.endObj()
	}
	e.endObj()
	e.key("stats")
	e.beginObj()
	for _, s := range t.Stats {
		e.key(s.ID)
		e.beginObj()
		e.key("id")
		e.str(s.ID)
		e.key("label")
		e.str(s.Label)
		e.key("value")
		e.value(s.Value)
		e.key("include")
		e.boolean(s.Include)
		e.key("description")
		if s.Description == nil {
			e.null()
		} else {
			e.str(*s.Description)
		}
		e.endObj()
	}
	e.endObj()
	e.key("unique_id")
	e.strOrNull(t.UniqueID)
	e.endObj()
}
