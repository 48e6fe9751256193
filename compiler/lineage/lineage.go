// Package lineage derives table- and column-level lineage from compiled
// SQL and checks it against what the project declares:
//
//	g, err := lineage.Build(ctx, compiler, lineage.Options{})
//	g.Nodes        // sources, seeds, models, snapshots, analyses, tests, exposures
//	g.Edges        // parent → child, read from the SQL (depends_on where there is none)
//	g.Mismatches   // where the SQL and depends_on disagree
//	g.Diagnostics  // SQL syntax errors and hard-coded relations, at file:line:col
//	               // of the original .sql file
//
//	diags := lineage.CheckSQL(ctx, compiler, ids) // the checks alone, for `gdbt compile`
//
// Every node is compiled (in parallel) and its SQL analyzed by sqlparse.
// The SQL analyzed is the node's own render, without the CTEs injected for
// ephemeral models: an ephemeral then shows up as a read of
// __dbt__cte__<name>, which resolves to that model, and its own SQL is
// analyzed on its own. Relation names resolve to project nodes and sources
// by their relation_name under Postgres' identifier rules.
//
// Positions: a problem found at a byte of rendered SQL is reported at the
// template position that produced the byte (jinja.SourceMap). The map is
// built only for nodes that have something to report, by rendering them
// once more with recording on, so the common path costs nothing.
package lineage

import (
	"context"
	"sort"
	"strings"

	"github.com/gdbt/gdbt/compiler/compile"
	"github.com/gdbt/gdbt/compiler/manifest"
	"github.com/gdbt/gdbt/compiler/source"
)

// Node is one resource in the lineage graph.
type Node struct {
	ID   string `json:"id"`
	Type string `json:"type"` // manifest resource type; "source" for sources
	// Name is the model/seed/... name, "source_name.table" for sources.
	Name string `json:"name"`
	// Relation is the relation_name, "__dbt__cte__<name>" for ephemerals.
	Relation     string `json:"relation,omitempty"`
	Materialized string `json:"materialized,omitempty"`
	File         string `json:"file,omitempty"`
	// Analyzed is true when the node's SQL was compiled and parsed; its
	// edges then come from the SQL.
	Analyzed bool `json:"analyzed"`
	// Columns are the output columns: for analyzed nodes from the SQL, for
	// sources and seeds the declared (or CSV header) columns.
	Columns []Column `json:"columns,omitempty"`
}

// Column is one output column and the upstream columns it derives from.
type Column struct {
	// Name is the column name as Postgres names it; "*" stands for the
	// columns of a `*` that could not be listed (a star over a relation
	// whose columns are unknown).
	Name    string      `json:"name"`
	Sources []ColumnRef `json:"sources"`
	// Partial is set when some reference could not be resolved without a
	// catalog, so Sources may be incomplete.
	Partial bool `json:"partial,omitempty"`
}

// ColumnRef names an upstream column.
type ColumnRef struct {
	// Node is the unique_id of the upstream node or source; empty for a
	// relation outside the project, which Relation then names.
	Node     string `json:"node,omitempty"`
	Relation string `json:"relation,omitempty"`
	Column   string `json:"column"`
}

// Edge says To reads From.
type Edge struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// MismatchKind says how the SQL and depends_on disagree.
type MismatchKind string

const (
	// Unreferenced: the SQL reads a project relation that is not in
	// depends_on (written by name instead of ref()/source()).
	Unreferenced MismatchKind = "read-but-not-declared"
	// Unread: depends_on lists a node the SQL never reads (for instance a
	// `-- depends_on: {{ ref(...) }}` hint, or a ref in dead code).
	Unread MismatchKind = "declared-but-not-read"
)

// Mismatch is one disagreement between a node's SQL and its depends_on.
type Mismatch struct {
	Node string       `json:"node"`
	Dep  string       `json:"dep"`
	Kind MismatchKind `json:"kind"`
}

// Graph is the project's lineage. Nodes are sorted by ID, edges by (From,
// To); all slices are deterministic.
type Graph struct {
	Nodes       []*Node
	Edges       []Edge
	Mismatches  []Mismatch
	Diagnostics source.Diagnostics

	byID map[string]*Node
}

// Node returns the node with unique_id id, or nil.
func (g *Graph) Node(id string) *Node { return g.byID[id] }

// Options tune Build and CheckSQL.
type Options struct {
	// Threads is the number of compile/analyze workers; 0 means one per
	// CPU (GOMAXPROCS).
	Threads int
	// SearchPath lists the schemas an unqualified relation name is looked
	// up in (Postgres' search_path); nil means ["public"].
	SearchPath []string
}

// Build compiles and analyzes every SQL node of c's manifest and returns
// the lineage graph. Problems in nodes (compile errors, SQL syntax errors,
// hard-coded relations) are Diagnostics, not errors; the error is only
// ctx's.
func Build(ctx context.Context, c *compile.Compiler, opts Options) (*Graph, error) {
	m := c.Manifest()
	var ids []string
	for id, n := range m.Nodes {
		if analyzable(n) {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	b := newBuilder(c, opts)
	results, err := b.run(ctx, ids)
	if err != nil {
		return nil, err
	}
	return b.assemble(results), nil
}

// CheckSQL analyzes the compiled SQL of the nodes ids (compiling those not
// compiled yet; c caches) and returns SQL syntax errors (Severity Error)
// and hard-coded relations (Warning) at positions of the original files,
// sorted. Nodes that are not SQL (seeds, Python models) are skipped.
func CheckSQL(ctx context.Context, c *compile.Compiler, ids []string, opts Options) (source.Diagnostics, error) {
	m := c.Manifest()
	var todo []string
	for _, id := range ids {
		if n := m.Nodes[id]; n != nil && analyzable(n) {
			todo = append(todo, id)
		}
	}
	sort.Strings(todo)
	b := newBuilder(c, opts)
	results, err := b.run(ctx, todo)
	if err != nil {
		return nil, err
	}
	var ds source.Diagnostics
	for _, r := range results {
		ds = append(ds, r.diags...)
	}
	sortDiags(ds)
	return ds, nil
}

func analyzable(n *manifest.Node) bool {
	switch n.ResourceType {
	case manifest.Model, manifest.Snapshot, manifest.Analysis, manifest.Test:
	default:
		return false
	}
	if enabled, ok := n.Config["enabled"].(bool); ok && !enabled {
		return false // a test whose model is disabled stays in the manifest, switched off
	}
	return n.Language == "" || n.Language == "sql"
}

func sortDiags(ds source.Diagnostics) {
	key := func(d *source.Diagnostic) (string, int) {
		if d.File == nil {
			return "", -1
		}
		return d.File.Name, int(d.Pos)
	}
	sort.SliceStable(ds, func(i, j int) bool {
		fi, pi := key(ds[i])
		fj, pj := key(ds[j])
		if fi != fj {
			return fi < fj
		}
		if pi != pj {
			return pi < pj
		}
		return ds[i].Msg < ds[j].Msg
	})
}

func sortedUnique(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	k := 0
	for i, v := range out {
		if i == 0 || v != out[k-1] {
			out[k] = v
			k++
		}
	}
	return out[:k]
}

// displayName is the name a user knows a node by.
func displayName(m *manifest.Manifest, id string) string {
	if n := m.Nodes[id]; n != nil {
		return n.Name
	}
	if s := m.Sources[id]; s != nil {
		return s.SourceName + "." + s.Name
	}
	if e := m.Exposures[id]; e != nil {
		return e.Name
	}
	return id
}

// refHint is how the user should have written a reference to id.
func refHint(m *manifest.Manifest, id string) string {
	if n := m.Nodes[id]; n != nil {
		if n.Package != m.ProjectName && n.Package != "" {
			return "{{ ref('" + n.Package + "', '" + n.Name + "') }}"
		}
		return "{{ ref('" + n.Name + "') }}"
	}
	if s := m.Sources[id]; s != nil {
		return "{{ source('" + s.SourceName + "', '" + s.Name + "') }}"
	}
	return id
}

func kindOf(m *manifest.Manifest, id string) string {
	if n := m.Nodes[id]; n != nil {
		return string(n.ResourceType)
	}
	if _, ok := m.Sources[id]; ok {
		return "source"
	}
	return strings.SplitN(id, ".", 2)[0]
}
