package manifest_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/gdbt/gdbt/compiler/manifest"
)

func col(schema, table, typ string, idx int64, name, ctype string) map[string]any {
	return map[string]any{
		"table_database": "postgres", "table_schema": schema, "table_name": table, "table_type": typ,
		"table_comment": nil, "table_owner": "postgres",
		"column_name": name, "column_index": idx, "column_type": ctype, "column_comment": nil,
	}
}

func TestNewCatalog(t *testing.T) {
	m := manifest.New()
	m.Nodes["model.p.a"] = &manifest.Node{UniqueID: "model.p.a", ResourceType: manifest.Model, Database: "postgres", Schema: "s", Alias: "A_alias"}
	m.Nodes["model.p.eph"] = &manifest.Node{UniqueID: "model.p.eph", ResourceType: manifest.Model, Database: "postgres", Schema: "s", Alias: "eph"}
	m.Sources["source.p.raw.t"] = &manifest.SourceDef{UniqueID: "source.p.raw.t", Database: "postgres", Schema: "raw", Identifier: "t"}
	m.Sources["source.p.raw2.t"] = &manifest.SourceDef{UniqueID: "source.p.raw2.t", Database: "postgres", Schema: "raw", Identifier: "t"}

	withStats := col("raw", "t", "BASE TABLE", 1, "id", "integer")
	withStats["stats:rows:label"] = "Rows"
	withStats["stats:rows:value"] = 10.0
	withStats["stats:rows:include"] = true
	withStats["stats:rows:description"] = "row count"
	withStats["stats:hidden:label"] = "Hidden"
	withStats["stats:hidden:value"] = "x"
	withStats["stats:hidden:include"] = false
	comment := col("s", "a_alias", "VIEW", 2, "name", "text")
	comment["column_comment"] = "the name"
	rows := []map[string]any{
		comment, // index 2 first: output is in index order
		col("s", "a_alias", "VIEW", 1, "id", "integer"),
		withStats,
		col("other", "x", "BASE TABLE", 1, "id", "integer"), // matches nothing
	}
	c, err := manifest.NewCatalog(m, rows)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	meta := manifest.ArtifactMetadata{DBTVersion: "1.12.6", GeneratedAt: "2026-01-01T00:00:00.000000Z", InvocationID: "i"}
	if err := c.WriteJSON(&buf, meta); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, want string }{
		{"node matched by lower-cased alias, columns by index",
			`"model.p.a": {"metadata": {"type": "VIEW", "schema": "s", "name": "a_alias", "database": "postgres", "comment": null, "owner": "postgres"}, "columns": {"id": {"type": "integer", "index": 1, "name": "id", "comment": null}, "name": {"type": "text", "index": 2, "name": "name", "comment": "the name"}}, "stats": {"has_stats": {"id": "has_stats", "label": "Has Stats?", "value": false, "include": false, "description": "Indicates whether there are statistics for this table"}}, "unique_id": "model.p.a"}`},
		{"included stats kept, has_stats true",
			`"stats": {"rows": {"id": "rows", "label": "Rows", "value": 10.0, "include": true, "description": "row count"}, "has_stats": {"id": "has_stats", "label": "Has Stats?", "value": true, "include": false, "description": "Indicates whether there are statistics for this table"}}, "unique_id": "source.p.raw.t"}`},
		{"a relation shared by two sources is listed under both", `"unique_id": "source.p.raw2.t"}`},
		{"header", `{"metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/catalog/v1.json", "dbt_version": "1.12.6", "generated_at": "2026-01-01T00:00:00.000000Z", "invocation_id": "i", "invocation_started_at": null, "env": {}}, "nodes": {"model.p.a": `},
		{"errors null", `, "errors": null}`},
	}
	out := buf.String()
	for _, tc := range tests {
		if !bytes.Contains(buf.Bytes(), []byte(tc.want)) {
			t.Errorf("%s: output lacks\n%s\nin\n%s", tc.name, tc.want, out)
		}
	}
	if len(c.Nodes) != 1 || len(c.Sources) != 2 {
		t.Errorf("got %d nodes, %d sources; want 1 and 2 (eph and other.x have no relation/node)", len(c.Nodes), len(c.Sources))
	}
	if _, err := manifest.NewCatalog(m, []map[string]any{{"table_name": "x"}}); err == nil {
		t.Error("row without table_schema accepted")
	}
	bad := col("s", "a_alias", "VIEW", 1, "id", "integer")
	bad["column_index"] = "one"
	if _, err := manifest.NewCatalog(m, []map[string]any{bad}); err == nil {
		t.Error("non-integer column_index accepted")
	}

	file := filepath.Join(t.TempDir(), "catalog.json")
	if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if !json.Valid(buf.Bytes()) {
		t.Fatal("invalid JSON")
	}
	validate(t, file)
}
