// Package graph is the dependency DAG over a manifest's nodes, sources and
// exposures. Nodes are dense int32 IDs assigned in unique_id order, so
// "lowest ID" and "first unique_id" are the same tie-break everywhere.
// A Graph is immutable once built; methods are safe for concurrent use.
package graph

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/gdbt/gdbt/compiler/manifest"
)

// ID is a node index in a Graph, 0..Len()-1.
type ID = int32

// None is the ID of no node.
const None ID = -1

// Graph is a DAG with edges parent → child. Adjacency is stored in CSR form
// (one offset array and one flat edge array per direction) to keep builds
// cheap for large projects.
type Graph struct {
	ids   []string      // ID → unique_id, sorted
	index map[string]ID // unique_id → ID

	// Dependency edges (from depends_on.nodes), sorted per node.
	parOff, par []int32
	chiOff, chi []int32

	// Test edges (dbt's "parent_test"), added only for build: a test runs
	// before the downstream nodes of what it tests. They order execution but
	// are invisible to selection.
	tparOff, tpar []int32
	tchiOff, tchi []int32

	once  sync.Once
	order []ID // Topo, computed once
}

// CycleError reports a dependency cycle. Path starts and ends with the same
// unique_id.
type CycleError struct {
	Path []string
}

func (e *CycleError) Error() string {
	return "Found a cycle: " + strings.Join(e.Path, " --> ")
}

// MissingDependencyError reports a depends_on entry that names no node.
type MissingDependencyError struct {
	Node, Dependency string
}

func (e *MissingDependencyError) Error() string {
	return fmt.Sprintf("%s depends on a node named %q which was not found", e.Node, e.Dependency)
}

// Edge is one parent → child edge, by unique_id.
type Edge struct{ Parent, Child string }

// Build makes the graph of every node, source and exposure in m, with an
// edge from each depends_on.nodes entry to its dependent. It rejects
// missing dependencies and cycles.
func Build(m *manifest.Manifest) (*Graph, error) {
	items := make([]item, 0, len(m.Nodes)+len(m.Sources)+len(m.Exposures))
	for id, n := range m.Nodes {
		items = append(items, item{id, n.DependsOnNodes})
	}
	for id := range m.Sources {
		items = append(items, item{id: id})
	}
	for id, e := range m.Exposures {
		items = append(items, item{id, e.DependsOnNodes})
	}
	return build(items)
}

type item struct {
	id   string
	deps []string
}

// FromEdges builds a graph from bare unique_ids and edges (tests and
// benchmarks; callers with a manifest use Build).
func FromEdges(nodes []string, edges []Edge) (*Graph, error) {
	dm := make(map[string][]string, len(nodes))
	for _, e := range edges {
		dm[e.Child] = append(dm[e.Child], e.Parent)
	}
	items := make([]item, len(nodes))
	for i, n := range nodes {
		items[i] = item{n, dm[n]}
	}
	return build(items)
}

func build(items []item) (*Graph, error) {
	slices.SortFunc(items, func(a, b item) int { return strings.Compare(a.id, b.id) })
	g := &Graph{index: make(map[string]ID, len(items)), ids: make([]string, 0, len(items))}
	w := 0
	for i, it := range items {
		if i > 0 && it.id == items[i-1].id {
			items[w-1].deps = append(items[w-1].deps[:len(items[w-1].deps):len(items[w-1].deps)], it.deps...)
			continue
		}
		items[w] = it
		g.index[it.id] = ID(w)
		g.ids = append(g.ids, it.id)
		w++
	}
	items = items[:w]
	n := len(g.ids)

	// Parents in CSR; count children while going.
	g.parOff = make([]int32, n+1)
	childCount := make([]int32, n+1)
	var missing error
	for i, it := range items {
		id := it.id
		start := len(g.par)
		for _, d := range it.deps {
			p, ok := g.index[d]
			if !ok {
				if missing == nil {
					missing = &MissingDependencyError{Node: id, Dependency: d}
				}
				continue
			}
			g.par = append(g.par, p)
		}
		ps := g.par[start:]
		if len(ps) > 1 {
			sortIDs(ps)
			k := 1
			for j := 1; j < len(ps); j++ {
				if ps[j] != ps[k-1] {
					ps[k] = ps[j]
					k++
				}
			}
			g.par = g.par[:start+k]
			ps = ps[:k]
		}
		for _, p := range ps {
			childCount[p+1]++
		}
		g.parOff[i+1] = int32(len(g.par))
	}
	if missing != nil {
		return nil, missing
	}
	g.chiOff, g.chi = invert(n, g.parOff, g.par, childCount)
	g.tparOff = make([]int32, n+1)
	g.tchiOff = make([]int32, n+1)
	order, err := g.topo()
	if err != nil {
		return nil, err
	}
	g.once.Do(func() { g.order = order })
	return g, nil
}

// invert turns parent lists into child lists. Walking parents in ID order
// leaves each child list sorted.
func invert(n int, off, adj []int32, counts []int32) ([]int32, []int32) {
	if counts == nil {
		counts = make([]int32, n+1)
		for _, p := range adj {
			counts[p+1]++
		}
	}
	outOff := make([]int32, n+1)
	for i := 1; i <= n; i++ {
		outOff[i] = outOff[i-1] + counts[i]
	}
	out := make([]int32, len(adj))
	fill := append([]int32(nil), outOff[:n]...)
	for c := 0; c < n; c++ {
		for _, p := range adj[off[c]:off[c+1]] {
			out[fill[p]] = int32(c)
			fill[p]++
		}
	}
	return outOff, out
}

func sortIDs(s []int32) {
	if len(s) < 12 {
		for i := 1; i < len(s); i++ {
			for j := i; j > 0 && s[j] < s[j-1]; j-- {
				s[j], s[j-1] = s[j-1], s[j]
			}
		}
		return
	}
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
}

// Len is the number of nodes.
func (g *Graph) Len() int { return len(g.ids) }

// UniqueID returns the unique_id of id.
func (g *Graph) UniqueID(id ID) string { return g.ids[id] }

// Lookup returns the ID of a unique_id.
func (g *Graph) Lookup(uniqueID string) (ID, bool) {
	id, ok := g.index[uniqueID]
	return id, ok
}

// UniqueIDs maps ids to unique_ids.
func (g *Graph) UniqueIDs(ids []ID) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = g.ids[id]
	}
	return out
}

// Parents are id's direct dependencies (without test edges), sorted.
// The slice is shared: do not modify it.
func (g *Graph) Parents(id ID) []ID { return g.par[g.parOff[id]:g.parOff[id+1]] }

// Children are id's direct dependents (without test edges), sorted.
func (g *Graph) Children(id ID) []ID { return g.chi[g.chiOff[id]:g.chiOff[id+1]] }

// TestParents are tests that must finish before id runs (build only).
func (g *Graph) TestParents(id ID) []ID { return g.tpar[g.tparOff[id]:g.tparOff[id+1]] }

// TestChildren are nodes that wait for test id (build only).
func (g *Graph) TestChildren(id ID) []ID { return g.tchi[g.tchiOff[id]:g.tchiOff[id+1]] }

// HasTestEdges reports whether AddTestEdges made this graph.
func (g *Graph) HasTestEdges() bool { return len(g.tpar) > 0 }

// Topo returns every node in a deterministic topological order: by depth
// (longest path from a root, counting test edges), then by unique_id. That is
// the order dbt's queue dispatches in with one thread.
// The slice is shared: do not modify it.
func (g *Graph) Topo() []ID {
	g.once.Do(func() { g.order, _ = g.topo() })
	return g.order
}

// Levels returns each node's depth: 0 for roots, else 1 + the deepest parent.
func (g *Graph) Levels() []int32 {
	level, _, _ := g.levels()
	return level
}

func (g *Graph) levels() (level []int32, maxLevel int32, cyclic []bool) {
	n := len(g.ids)
	indeg := make([]int32, n)
	for i := 0; i < n; i++ {
		indeg[i] = (g.parOff[i+1] - g.parOff[i]) + (g.tparOff[i+1] - g.tparOff[i])
	}
	level = make([]int32, n)
	cur := make([]int32, 0, n)
	for i := 0; i < n; i++ {
		if indeg[i] == 0 {
			cur = append(cur, int32(i))
		}
	}
	seen := 0
	next := make([]int32, 0, n)
	var lv int32
	for len(cur) > 0 {
		seen += len(cur)
		next = next[:0]
		for _, v := range cur {
			level[v] = lv
			for _, c := range g.Children(v) {
				if indeg[c]--; indeg[c] == 0 {
					next = append(next, c)
				}
			}
			for _, c := range g.TestChildren(v) {
				if indeg[c]--; indeg[c] == 0 {
					next = append(next, c)
				}
			}
		}
		cur, next = next, cur
		lv++
	}
	if seen < n {
		cyclic = make([]bool, n)
		for i := 0; i < n; i++ {
			cyclic[i] = indeg[i] > 0
		}
	}
	return level, lv - 1, cyclic
}

func (g *Graph) topo() ([]ID, error) {
	level, maxLevel, cyclic := g.levels()
	if cyclic != nil {
		return nil, g.findCycle(cyclic)
	}
	n := len(g.ids)
	if n == 0 {
		return nil, nil
	}
	// Counting sort by level; IDs ascend within a level.
	start := make([]int32, maxLevel+2)
	for _, l := range level {
		start[l+1]++
	}
	for i := 1; i < len(start); i++ {
		start[i] += start[i-1]
	}
	order := make([]ID, n)
	for i := 0; i < n; i++ {
		l := level[i]
		order[start[l]] = ID(i)
		start[l]++
	}
	return order, nil
}

// findCycle walks the nodes Kahn's algorithm could not place. Every such
// node has a parent in the same set, so following parents from the lowest
// one must revisit a node; that loop is reported in dependency order and
// rotated to start at its lowest unique_id.
func (g *Graph) findCycle(cyclic []bool) error {
	start := None
	for i, c := range cyclic {
		if c {
			start = ID(i)
			break
		}
	}
	pos := map[ID]int{}
	var walk []ID
	v := start
	for {
		if i, ok := pos[v]; ok {
			walk = walk[i:]
			break
		}
		pos[v] = len(walk)
		walk = append(walk, v)
		next := None
		for _, p := range g.Parents(v) {
			if cyclic[p] {
				next = p
				break
			}
		}
		if next == None {
			for _, p := range g.TestParents(v) {
				if cyclic[p] {
					next = p
					break
				}
			}
		}
		if next == None { // unreachable: a blocked node has a blocked parent
			return errors.New("graph: cycle detection lost its way")
		}
		v = next
	}
	// walk follows child → parent; reverse to parent → child.
	for i, j := 0, len(walk)-1; i < j; i, j = i+1, j-1 {
		walk[i], walk[j] = walk[j], walk[i]
	}
	low := 0
	for i, id := range walk {
		if id < walk[low] {
			low = i
		}
	}
	path := make([]string, 0, len(walk)+1)
	for i := range walk {
		path = append(path, g.ids[walk[(low+i)%len(walk)]])
	}
	path = append(path, path[0])
	return &CycleError{Path: path}
}
