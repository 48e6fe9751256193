package lineage

import (
	"bytes"
	"strings"
	"testing"

	"github.com/gdbt/gdbt/compiler/compile"
	"github.com/gdbt/gdbt/compiler/manifest"
	"github.com/gdbt/gdbt/compiler/sqlparse"
)

func ctes(names ...string) []manifest.CTE {
	var out []manifest.CTE
	for _, n := range names {
		out = append(out, manifest.CTE{ID: "model.p." + n, SQL: " __dbt__cte__" + n + " as (\nselect 1 as x\n)"})
	}
	return out
}

func TestSplitInjected(t *testing.T) {
	tests := []struct {
		name string
		own  string
		ctes []manifest.CTE
	}{
		{"none", "select 1", nil},
		{"new with", "select * from __dbt__cte__a", ctes("a")},
		{"leading blank lines", "\n\n  select * from __dbt__cte__a", ctes("a")},
		{"existing with", "with x as (select 1) select * from x, __dbt__cte__a", ctes("a")},
		{"WITH RECURSIVE after comment", "-- c\nWITH RECURSIVE r as (select 1) select * from r, __dbt__cte__a", ctes("a")},
		{"two", "select * from __dbt__cte__a, __dbt__cte__b", ctes("a", "b")},
		// The own SQL mentions the CTE text itself: the check by
		// re-injection still finds the right cut.
		{"cte text repeated", "select ' __dbt__cte__a as (\nselect 1 as x\n)' as s", ctes("a")},
		{"cte text in a comment before WITH", "-- __dbt__cte__a as (\nselect 1 as x\n), \nwith y as (select 1) select 1", ctes("a")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			compiled := compile.InjectCTEs(tt.own, tt.ctes)
			own, in, ok := splitInjected(compiled, tt.ctes)
			if !ok {
				t.Fatalf("split failed for %q", compiled)
			}
			if own != tt.own {
				t.Fatalf("own = %q, want %q", own, tt.own)
			}
			// Every byte of own maps to the same byte of compiled.
			for i := 0; i < len(own); i++ {
				if j := in.toCompiled(i); compiled[j] != own[i] {
					t.Fatalf("byte %d maps to %d: %q vs %q", i, j, own[i], compiled[j])
				}
			}
		})
	}
	if _, _, ok := splitInjected("select 1", ctes("a")); ok {
		t.Error("split succeeded on SQL without the CTEs")
	}
}

// FuzzSplitInjected: whatever the SQL, splitting what InjectCTEs made
// gives back the SQL.
func FuzzSplitInjected(f *testing.F) {
	f.Add("select * from __dbt__cte__a", 1)
	f.Add("with x as (select 1) select 1", 2)
	f.Add("  -- with\n/* with */ WITH recursive r as (select 1) select 1", 1)
	f.Add("with", 1)
	f.Fuzz(func(t *testing.T, own string, n int) {
		n = n%3 + 1
		if n < 1 {
			n += 3
		}
		cs := ctes("a", "b", "c")[:n]
		compiled := compile.InjectCTEs(own, cs)
		got, in, ok := splitInjected(compiled, cs)
		if !ok {
			t.Fatalf("split failed for %q", compiled)
		}
		if got != own {
			t.Fatalf("own = %q, want %q", got, own)
		}
		for i := 0; i < len(own); i++ {
			if compiled[in.toCompiled(i)] != own[i] {
				t.Fatalf("byte %d maps wrong", i)
			}
		}
	})
}

func TestRelationLookup(t *testing.T) {
	m := manifest.New()
	node := func(id, name, db, schema, alias, rel, mat string) {
		m.Nodes[id] = &manifest.Node{UniqueID: id, Name: name, ResourceType: manifest.Model, Database: db, Schema: schema,
			Alias: alias, RelationName: rel, Config: manifest.Config{"materialized": mat}}
	}
	node("model.p.orders", "orders", "wh", "analytics", "orders", `"wh"."analytics"."orders"`, "view")
	node("model.p.Mixed", "Mixed", "wh", "analytics", "Mixed", `"wh"."analytics"."Mixed"`, "table")
	node("model.p.Eph", "Eph", "wh", "analytics", "Eph", "", "ephemeral")
	node("model.p.pub", "pub", "wh", "public", "pub", `"wh"."public"."pub"`, "table")
	node("model.p.unq", "unq", "wh", "analytics", "unq", `"wh"."analytics".UNQ`, "table")
	m.Sources["source.p.raw.orders"] = &manifest.SourceDef{UniqueID: "source.p.raw.orders", Database: "wh", Schema: "analytics",
		Identifier: "orders", RelationName: `"wh"."analytics"."orders"`}
	ix := newRelIndex(m, nil)
	tests := []struct {
		sql  string // a FROM clause
		want string // ids joined by ","
	}{
		{`wh.analytics.orders`, "model.p.orders,source.p.raw.orders"},
		{`"wh"."analytics"."orders"`, "model.p.orders,source.p.raw.orders"},
		{`analytics.orders`, "model.p.orders,source.p.raw.orders"},
		{`ANALYTICS.ORDERS`, "model.p.orders,source.p.raw.orders"},
		{`"Analytics".orders`, ""}, // quoted: case matters
		{`otherdb.analytics.orders`, ""},
		{`orders`, ""}, // not on the search path
		{`pub`, "model.p.pub"},
		{`analytics.Mixed`, ""}, // folds to mixed
		{`analytics."Mixed"`, "model.p.Mixed"},
		{`__dbt__cte__eph`, "model.p.Eph"},
		{`__DBT__CTE__Eph`, "model.p.Eph"},
		{`analytics.unq`, "model.p.unq"}, // relation_name part was unquoted
	}
	for _, tt := range tests {
		a, err := sqlparse.Analyze("select * from " + tt.sql)
		if err != nil || len(a.Reads) != 1 {
			t.Fatalf("%s: %v", tt.sql, err)
		}
		got := strings.Join(ix.lookup(a.Reads[0].TableName, "wh"), ",")
		if got != tt.want {
			t.Errorf("lookup(%s) = %q, want %q", tt.sql, got, tt.want)
		}
	}
}

func TestDiff(t *testing.T) {
	got := diff("n", []string{"a", "c", "d"}, []string{"b", "c", "e"})
	want := []Mismatch{{"n", "a", Unreferenced}, {"n", "b", Unread}, {"n", "d", Unreferenced}, {"n", "e", Unread}}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("%d: got %v, want %v", i, got[i], want[i])
		}
	}
}

// TestRenderEscaping: names with quotes, markup and newlines stay inside
// their labels in every format.
func TestRenderEscaping(t *testing.T) {
	weird := `a"b<c>&d` + "\ne"
	src := &Node{ID: `source.p.s."x"`, Type: "source", Name: weird, Columns: []Column{{Name: weird, Sources: []ColumnRef{}}}}
	mod := &Node{ID: "model.p.m", Type: "model", Name: "m", Analyzed: true,
		Columns: []Column{{Name: "c", Sources: []ColumnRef{{Node: src.ID, Column: weird}}}}}
	g := &Graph{Nodes: []*Node{mod, src}, Edges: []Edge{{From: src.ID, To: mod.ID}}, byID: map[string]*Node{mod.ID: mod, src.ID: src}}
	tests := []struct {
		format  string
		columns bool
		want    []string
	}{
		{"dot", false, []string{`"source.p.s.\"x\"" [label="a\"b<c>&d\ne", shape=cylinder];`, `"source.p.s.\"x\"" -> "model.p.m";`}},
		{"dot", true, []string{`<td port="c0" align="left">a&quot;b&lt;c&gt;&amp;d` + "\ne</td>", `"source.p.s.\"x\"":c0 -> "model.p.m":c0;`}},
		{"mermaid", false, []string{`n1[("a#quot;b<c>&d e")]`, "n1 --> n0"}},
		{"mermaid", true, []string{`n1c0["a#quot;b<c>&d e"]`, "n1c0 --> n0c0"}},
		{"json", true, []string{`"name": "a\"b<c>&d\ne"`}},
	}
	for _, tt := range tests {
		var buf bytes.Buffer
		if err := g.Write(&buf, tt.format, View{Columns: tt.columns}); err != nil {
			t.Fatal(err)
		}
		for _, w := range tt.want {
			if !strings.Contains(buf.String(), w) {
				t.Errorf("%s columns=%v: output lacks %s\n%s", tt.format, tt.columns, w, buf.String())
			}
		}
	}
	if err := g.Write(&bytes.Buffer{}, "svg", View{}); err == nil || !strings.Contains(err.Error(), `found "svg"`) {
		t.Errorf("unknown format: %v", err)
	}
}
