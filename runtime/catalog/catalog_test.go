package catalog

import (
	"strings"
	"testing"

	"github.com/gdbt/gdbt/runtime/artifacts"
)

func sp(s string) *string { return &s }

func TestBuild(t *testing.T) {
	rows := []Row{
		{Database: "db", Schema: "raw", Table: "Events", TableType: "BASE TABLE", Column: "id", Index: 1, ColumnType: "integer", Owner: sp("me")},
		{Database: "db", Schema: "raw", Table: "Events", TableType: "BASE TABLE", Column: "at", Index: 2, ColumnType: "timestamp without time zone", ColumnComment: sp("when"), Owner: sp("me")},
		{Database: "db", Schema: "s", Table: "m", TableType: "VIEW", TableComment: sp("a model"), Column: "x", Index: 1, ColumnType: "text", Owner: sp("me")},
		{Database: "db", Schema: "s", Table: "unrelated", TableType: "VIEW", Column: "x", Index: 1, ColumnType: "text"},
	}
	rels := []Relation{
		{UniqueID: "model.p.m", Database: "DB", Schema: "S", Identifier: "M"},
		// Two sources on one table both get it; names match case-insensitively.
		{UniqueID: "source.p.raw.events", Database: "db", Schema: "raw", Identifier: "events", Source: true},
		{UniqueID: "source.p.raw2.events", Database: "db", Schema: "raw", Identifier: "EVENTS", Source: true},
		{UniqueID: "model.p.missing", Database: "db", Schema: "s", Identifier: "missing"},
	}
	a := Build(rows, rels)
	a.Metadata = artifacts.Metadata{DBTSchemaVersion: Schema, Env: map[string]string{}}
	b, err := artifacts.PyJSON(a)
	if err != nil {
		t.Fatal(err)
	}
	got := string(b)
	want := `{"metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/catalog/v1.json", "dbt_version": "", "generated_at": "", "invocation_id": "", "invocation_started_at": "", "env": {}}, ` +
		`"nodes": {"model.p.m": {"metadata": {"type": "VIEW", "schema": "s", "name": "m", "database": "db", "comment": "a model", "owner": "me"}, "columns": {"x": {"type": "text", "index": 1, "name": "x", "comment": null}}, "stats": {"has_stats": {"id": "has_stats", "label": "Has Stats?", "value": false, "include": false, "description": "Indicates whether there are statistics for this table"}}, "unique_id": "model.p.m"}}, ` +
		`"sources": {"source.p.raw.events": {"metadata": {"type": "BASE TABLE", "schema": "raw", "name": "Events", "database": "db", "comment": null, "owner": "me"}, "columns": {"id": {"type": "integer", "index": 1, "name": "id", "comment": null}, "at": {"type": "timestamp without time zone", "index": 2, "name": "at", "comment": "when"}}, "stats": {"has_stats": {"id": "has_stats", "label": "Has Stats?", "value": false, "include": false, "description": "Indicates whether there are statistics for this table"}}, "unique_id": "source.p.raw.events"}, ` +
		`"source.p.raw2.events": {"metadata": {"type": "BASE TABLE", "schema": "raw", "name": "Events", "database": "db", "comment": null, "owner": "me"}, "columns": {"id": {"type": "integer", "index": 1, "name": "id", "comment": null}, "at": {"type": "timestamp without time zone", "index": 2, "name": "at", "comment": "when"}}, "stats": {"has_stats": {"id": "has_stats", "label": "Has Stats?", "value": false, "include": false, "description": "Indicates whether there are statistics for this table"}}, "unique_id": "source.p.raw2.events"}}, ` +
		`"errors": null}`
	if got != want {
		t.Errorf("catalog:\n%s\nwant\n%s", got, want)
	}
}

func TestQuery(t *testing.T) {
	q := Query("db", []string{"a", "o'b"})
	for _, want := range []string{"'db' as table_database", "upper(sch.nspname) = upper('a') or upper(sch.nspname) = upper('o''b')",
		"tbl.relkind in ('r', 'v', 'f', 'p', 'm')", "order by sch.nspname, tbl.relname, col.attnum"} {
		if !strings.Contains(q, want) {
			t.Errorf("query lacks %q:\n%s", want, q)
		}
	}
	if !strings.Contains(Query("db", nil), "where (false)") {
		t.Error("no schemas should match nothing")
	}
}
