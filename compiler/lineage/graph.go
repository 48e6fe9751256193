package lineage

import (
	"encoding/csv"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/gdbt/gdbt/compiler/manifest"
	"github.com/gdbt/gdbt/compiler/sqlparse"
)

// assemble turns per-node results into the graph: nodes, edges from the
// SQL (depends_on for nodes without analyzed SQL), mismatches and columns.
func (b *builder) assemble(results []*nodeResult) *Graph {
	m := b.m
	g := &Graph{byID: map[string]*Node{}}
	add := func(n *Node) { g.Nodes = append(g.Nodes, n); g.byID[n.ID] = n }
	for id, n := range m.Nodes {
		switch n.ResourceType {
		case manifest.Model, manifest.Seed, manifest.Snapshot, manifest.Analysis, manifest.Test:
		default:
			continue
		}
		rel := n.RelationName
		mat := n.Config.String("materialized")
		if mat == "ephemeral" {
			rel = ctePrefix + n.Name
		}
		add(&Node{ID: id, Type: string(n.ResourceType), Name: n.Name, Relation: rel, Materialized: mat, File: n.OriginalFilePath})
	}
	for id, s := range m.Sources {
		add(&Node{ID: id, Type: "source", Name: s.SourceName + "." + s.Name, Relation: s.RelationName, File: s.OriginalFilePath})
	}
	for id, e := range m.Exposures {
		add(&Node{ID: id, Type: "exposure", Name: e.Name, File: e.OriginalFilePath})
	}
	sort.Slice(g.Nodes, func(i, j int) bool { return g.Nodes[i].ID < g.Nodes[j].ID })

	byID := map[string]*nodeResult{}
	for _, r := range results {
		byID[r.n.UniqueID] = r
		g.Diagnostics = append(g.Diagnostics, r.diags...)
	}
	sortDiags(g.Diagnostics)

	edge := func(from, to string) {
		if g.byID[from] != nil {
			g.Edges = append(g.Edges, Edge{From: from, To: to})
		}
	}
	for _, nd := range g.Nodes {
		var declared []string
		if n := m.Nodes[nd.ID]; n != nil {
			declared = n.DependsOnNodes
		} else if e := m.Exposures[nd.ID]; e != nil {
			declared = e.DependsOnNodes
		}
		r := byID[nd.ID]
		if r == nil || r.analysis == nil {
			for _, d := range sortedUnique(declared) {
				edge(d, nd.ID)
			}
			continue
		}
		nd.Analyzed = true
		for _, id := range r.reads {
			edge(id, nd.ID)
		}
		g.Mismatches = append(g.Mismatches, diff(nd.ID, r.reads, sortedUnique(declared))...)
	}
	sort.Slice(g.Edges, func(i, j int) bool {
		a, b := g.Edges[i], g.Edges[j]
		if a.From != b.From {
			return a.From < b.From
		}
		return a.To < b.To
	})

	cl := &columnLineage{b: b, g: g, results: byID, memo: map[string][]Column{}, busy: map[string]bool{}}
	cl.wanted = cl.referenced()
	for _, nd := range g.Nodes {
		nd.Columns = cl.columns(nd.ID)
	}
	return g
}

// diff compares the relations the SQL reads with depends_on (both sorted).
func diff(node string, reads, declared []string) []Mismatch {
	var out []Mismatch
	i, j := 0, 0
	for i < len(reads) || j < len(declared) {
		switch {
		case j == len(declared) || (i < len(reads) && reads[i] < declared[j]):
			out = append(out, Mismatch{Node: node, Dep: reads[i], Kind: Unreferenced})
			i++
		case i == len(reads) || declared[j] < reads[i]:
			out = append(out, Mismatch{Node: node, Dep: declared[j], Kind: Unread})
			j++
		default:
			i++
			j++
		}
	}
	return out
}

// columnLineage computes output columns, expanding `*` through upstream
// nodes whose columns are known. Memoized; cycles (which the DAG check
// rejects anyway) leave the star unexpanded.
type columnLineage struct {
	b       *builder
	g       *Graph
	results map[string]*nodeResult
	memo    map[string][]Column
	busy    map[string]bool
	// wanted lists, per node, the column names other nodes read from it.
	wanted map[string]map[string]bool
}

// referenced collects the upstream columns every analyzed node reads.
func (cl *columnLineage) referenced() map[string]map[string]bool {
	out := map[string]map[string]bool{}
	for _, r := range cl.results {
		if r.analysis == nil {
			continue
		}
		for _, c := range r.analysis.Columns {
			refs, _ := cl.refs(r.n, c.Sources)
			for _, ref := range refs {
				if ref.Node == "" || ref.Column == "*" {
					continue
				}
				if out[ref.Node] == nil {
					out[ref.Node] = map[string]bool{}
				}
				out[ref.Node][ref.Column] = true
			}
		}
	}
	return out
}

func (cl *columnLineage) columns(id string) []Column {
	if c, ok := cl.memo[id]; ok {
		return c
	}
	if cl.busy[id] {
		return nil
	}
	cl.busy[id] = true
	defer delete(cl.busy, id)
	var cols []Column
	m := cl.b.m
	switch {
	case m.Sources[id] != nil:
		for _, c := range m.Sources[id].Columns {
			cols = append(cols, Column{Name: c.Name, Sources: []ColumnRef{}})
		}
	case m.Nodes[id] != nil && m.Nodes[id].ResourceType == manifest.Seed:
		cols = seedColumns(m.Nodes[id])
	case cl.results[id] != nil && cl.results[id].analysis != nil && m.Nodes[id].ResourceType != manifest.Test:
		cols = cl.fromSQL(m.Nodes[id], cl.results[id].analysis)
	}
	cl.memo[id] = cols
	return cols
}

// known returns an upstream's column names when all are known.
func (cl *columnLineage) known(id string) []string {
	cols := cl.columns(id)
	if len(cols) == 0 {
		return nil
	}
	names := make([]string, len(cols))
	for i, c := range cols {
		if c.Name == "*" {
			return nil
		}
		names[i] = c.Name
	}
	return names
}

func (cl *columnLineage) fromSQL(n *manifest.Node, a *sqlparse.Analysis) []Column {
	out := []Column{}
	for _, c := range a.Columns {
		refs, partial := cl.refs(n, c.Sources)
		if !c.Star {
			out = append(out, Column{Name: c.Name, Sources: refs, Partial: c.Partial || partial})
			continue
		}
		// A star over base relations only (sources all "*") lists the
		// upstream's columns when they are known.
		onlyStars := len(c.Sources) > 0
		for _, s := range c.Sources {
			onlyStars = onlyStars && s.Column == "*"
		}
		if !onlyStars {
			out = append(out, cl.probe(n, out, refs, c.Partial || partial)...)
			continue
		}
		for _, r := range refs {
			names := []string(nil)
			if r.Node != "" {
				names = cl.known(r.Node)
			}
			if names == nil {
				out = append(out, Column{Name: "*", Sources: []ColumnRef{r}, Partial: c.Partial})
				continue
			}
			for _, name := range names {
				out = append(out, Column{Name: name, Sources: []ColumnRef{{Node: r.Node, Column: name}}, Partial: c.Partial})
			}
		}
	}
	return out
}

// refs resolves sqlparse sources to upstream columns. partial is set when
// a source has no table.
func (cl *columnLineage) refs(n *manifest.Node, srcs []sqlparse.Source) ([]ColumnRef, bool) {
	refs := make([]ColumnRef, 0, len(srcs))
	partial := false
	declared := map[string]bool{}
	for _, d := range n.DependsOnNodes {
		declared[d] = true
	}
	for _, s := range srcs {
		if s.Table.Name == "" {
			partial = true
			continue
		}
		ids := cl.b.rels.lookup(s.Table, n.Database)
		if len(ids) == 0 {
			refs = append(refs, ColumnRef{Relation: s.Table.String(), Column: s.Column})
			continue
		}
		id, _ := pick(ids, declared)
		refs = append(refs, ColumnRef{Node: id, Column: s.Column})
	}
	sortRefs(refs)
	return refs, partial
}

// seedColumns reads a seed's CSV header: dbt creates the table with those
// names, quoted. Declared columns are used when the file cannot be read.
func seedColumns(n *manifest.Node) []Column {
	var cols []Column
	if f, err := os.Open(filepath.Join(n.RootPath, n.OriginalFilePath)); err == nil {
		defer f.Close()
		r := csv.NewReader(f)
		r.FieldsPerRecord = -1
		if rec, err := r.Read(); err == nil || err == io.EOF {
			for i, h := range rec {
				if i == 0 && len(h) >= 3 && h[:3] == "\ufeff" {
					h = h[3:] // UTF-8 BOM
				}
				cols = append(cols, Column{Name: h, Sources: []ColumnRef{}})
			}
			return cols
		}
	}
	for _, c := range n.Columns {
		cols = append(cols, Column{Name: c.Name, Sources: []ColumnRef{}})
	}
	return cols
}

// probe names the columns behind a `*` over a CTE or subquery. sqlparse
// lists such a star as one entry whose sources are known but whose names
// are not; candidate names (declared in schema.yml, read from n by other
// nodes, the upstream columns' own names) are looked up by analyzing
//
//	select "a", "b" from (<n's SQL>) as q
//
// whose columns sqlparse resolves through the star. Sources no probed
// column explains stay behind a "*" entry.
func (cl *columnLineage) probe(n *manifest.Node, have []Column, refs []ColumnRef, partial bool) []Column {
	star := Column{Name: "*", Sources: refs, Partial: partial}
	taken := map[string]bool{}
	for _, c := range have {
		taken[c.Name] = true
	}
	var names []string
	for _, c := range n.Columns {
		if !taken[c.Name] {
			taken[c.Name] = true
			names = append(names, c.Name)
		}
	}
	// Columns often pass through under their upstream name; try those
	// too, unless a `*` over a table of unknown columns is in play (any
	// name would then seem to resolve through it).
	cands := map[string]bool{}
	for c := range cl.wanted[n.UniqueID] {
		cands[c] = true
	}
	for _, r := range refs {
		if r.Column == "*" {
			cands = cl.wanted[n.UniqueID]
			break
		}
		cands[r.Column] = true
	}
	var extra []string
	for c := range cands {
		if !taken[c] {
			extra = append(extra, c)
		}
	}
	sort.Strings(extra)
	names = append(names, extra...)
	r := cl.results[n.UniqueID]
	if len(names) == 0 || r == nil || r.own == "" {
		return []Column{star}
	}
	var q strings.Builder
	q.WriteString("select ")
	for i, name := range names {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString(`"` + strings.ReplaceAll(name, `"`, `""`) + `"`)
	}
	q.WriteString(" from (\n" + r.own + "\n) as __gdbt_probe")
	a, err := sqlparse.Analyze(q.String())
	if err != nil || len(a.Columns) != len(names) {
		return []Column{star}
	}
	var out []Column
	covered := map[ColumnRef]bool{}
	for i, c := range a.Columns {
		if c.Partial && len(c.Sources) == 0 {
			continue // not a column of n
		}
		crefs, p := cl.refs(n, c.Sources)
		for _, x := range crefs {
			covered[x] = true
		}
		out = append(out, Column{Name: names[i], Sources: crefs, Partial: c.Partial || p})
	}
	var rest []ColumnRef
	for _, x := range refs {
		if !covered[x] {
			rest = append(rest, x)
		}
	}
	if len(rest) > 0 || len(out) == 0 {
		star.Sources = rest
		if len(out) == 0 {
			star.Sources = refs
		}
		out = append(out, star)
	}
	return out
}
