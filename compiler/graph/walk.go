package graph

import (
	"github.com/gdbt/gdbt/compiler/manifest"
)

// Unlimited is the depth that means "no limit" for Ancestors/Descendants.
const Unlimited = -1

// Ancestors returns the nodes that have a dependency path of length 1 to
// depth into one of from (any length when depth < 0), sorted. A node of from
// is included only when it is an ancestor of another node of from — the
// rule dbt's "+model" uses. Test edges are not followed.
func (g *Graph) Ancestors(from []ID, depth int) []ID {
	return g.reach(from, depth, g.parOff, g.par)
}

// Descendants is Ancestors in the other direction.
func (g *Graph) Descendants(from []ID, depth int) []ID {
	return g.reach(from, depth, g.chiOff, g.chi)
}

func (g *Graph) reach(from []ID, depth int, off, adj []int32) []ID {
	found := make([]bool, len(g.ids))
	frontier := append([]ID(nil), from...)
	var next []ID
	count := 0
	for step := 0; len(frontier) > 0 && (depth < 0 || step < depth); step++ {
		next = next[:0]
		for _, v := range frontier {
			for _, w := range adj[off[v]:off[v+1]] {
				if !found[w] {
					found[w] = true
					count++
					next = append(next, w)
				}
			}
		}
		frontier, next = next, frontier
	}
	out := make([]ID, 0, count)
	for i, f := range found {
		if f {
			out = append(out, ID(i))
		}
	}
	return out
}

// Induced returns the subgraph on keep with only the edges between kept
// nodes (no transitive edges), as dbt does before selecting, to drop
// disabled nodes. IDs are renumbered.
func (g *Graph) Induced(keep []ID) *Graph {
	in := make([]bool, len(g.ids))
	for _, k := range keep {
		in[k] = true
	}
	return g.rebuild(in, func(v ID, emit func(ID, bool)) {
		for _, p := range g.Parents(v) {
			if in[p] {
				emit(p, false)
			}
		}
		for _, p := range g.TestParents(v) {
			if in[p] {
				emit(p, true)
			}
		}
	})
}

// Subset returns the graph on keep where a path between two kept nodes
// through dropped nodes becomes a direct edge, as dbt's get_subset_graph
// does for the run queue. A bridged edge is a test edge when its last hop
// is one (only scheduling looks at subsets, and it follows both kinds).
// IDs are renumbered.
func (g *Graph) Subset(keep []ID) *Graph {
	in := make([]bool, len(g.ids))
	for _, k := range keep {
		in[k] = true
	}
	cover := g.covers(in)
	return g.rebuild(in, func(v ID, emit func(ID, bool)) {
		for _, p := range g.Parents(v) {
			for _, c := range cover[p] {
				emit(c, false)
			}
		}
		for _, p := range g.TestParents(v) {
			for _, c := range cover[p] {
				emit(c, true)
			}
		}
	})
}

// covers maps every node to the kept nodes that stand for it: itself when
// kept, else the kept nodes nearest above it.
func (g *Graph) covers(in []bool) [][]ID {
	cover := make([][]ID, len(g.ids))
	stamp := make([]int32, len(g.ids)) // stamp[x] == v+1: x already in v's cover
	for _, v := range g.Topo() {
		if in[v] {
			cover[v] = []ID{v}
			continue
		}
		ps, tps := g.Parents(v), g.TestParents(v)
		if len(ps)+len(tps) == 1 {
			if len(ps) == 1 {
				cover[v] = cover[ps[0]]
			} else {
				cover[v] = cover[tps[0]]
			}
			continue
		}
		var c []ID
		for _, list := range [2][]ID{ps, tps} {
			for _, p := range list {
				for _, x := range cover[p] {
					if stamp[x] != v+1 {
						stamp[x] = v + 1
						c = append(c, x)
					}
				}
			}
		}
		cover[v] = c
	}
	return cover
}

// rebuild makes a new graph over the kept nodes; parents(v, emit) lists
// v's new parents by old ID and whether the edge is a test edge.
func (g *Graph) rebuild(in []bool, parents func(ID, func(ID, bool))) *Graph {
	newID := make([]ID, len(g.ids))
	ng := &Graph{index: map[string]ID{}}
	for i, k := range in {
		newID[i] = None
		if k {
			newID[i] = ID(len(ng.ids))
			ng.index[g.ids[i]] = newID[i]
			ng.ids = append(ng.ids, g.ids[i])
		}
	}
	n := len(ng.ids)
	ng.parOff = make([]int32, n+1)
	ng.tparOff = make([]int32, n+1)
	// Per kept node, gather its new parents once each; a parent reached by
	// any dependency edge gives a dependency edge.
	stamp := make([]int32, n)
	onlyTest := make([]bool, n)
	var list []ID
	for i, k := range in {
		if !k {
			continue
		}
		v := newID[i]
		list = list[:0]
		parents(ID(i), func(p ID, test bool) {
			np := newID[p]
			if stamp[np] != v+1 {
				stamp[np] = v + 1
				onlyTest[np] = test
				list = append(list, np)
			} else if !test {
				onlyTest[np] = false
			}
		})
		for _, p := range list {
			if onlyTest[p] {
				ng.tpar = append(ng.tpar, p)
			} else {
				ng.par = append(ng.par, p)
			}
		}
		sortIDs(ng.par[ng.parOff[v]:])
		sortIDs(ng.tpar[ng.tparOff[v]:])
		ng.parOff[v+1] = int32(len(ng.par))
		ng.tparOff[v+1] = int32(len(ng.tpar))
	}
	ng.chiOff, ng.chi = invert(n, ng.parOff, ng.par, nil)
	ng.tchiOff, ng.tchi = invert(n, ng.tparOff, ng.tpar, nil)
	return ng
}

// AddTestEdges returns a copy of g where each test comes before the nodes
// downstream of everything it tests, so `build` does not run a model on
// top of data that a test is about to reject (dbt's "parent_test" edges).
// Only models, seeds, snapshots and other non-test nodes of m.Nodes wait;
// edges implied by others are left out.
func (g *Graph) AddTestEdges(m *manifest.Manifest) *Graph {
	n := len(g.ids)
	isTest := make([]bool, n)
	executable := make([]bool, n)
	for i, uid := range g.ids {
		if node := m.Nodes[uid]; node != nil {
			switch node.ResourceType {
			case manifest.Test:
				isTest[i] = true
			case manifest.UnitTest:
			default:
				executable[i] = true
			}
		}
	}
	extra := make([][]ID, n) // child → test parents
	var count []int32
	for t := 0; t < n; t++ {
		if !isTest[t] {
			continue
		}
		deps := g.Parents(ID(t))
		switch len(deps) {
		case 0:
		case 1:
			for _, c := range g.Children(deps[0]) {
				if executable[c] {
					extra[c] = append(extra[c], ID(t))
				}
			}
		default:
			if count == nil {
				count = make([]int32, n)
			}
			clear(count)
			for _, d := range deps {
				for _, x := range g.Descendants([]ID{d}, Unlimited) {
					count[x]++
				}
			}
			want := int32(len(deps))
			for x := 0; x < n; x++ {
				if count[x] != want || !executable[x] {
					continue
				}
				minimal := true
				for _, p := range g.Parents(ID(x)) {
					if count[p] == want {
						minimal = false
						break
					}
				}
				if minimal {
					extra[x] = append(extra[x], ID(t))
				}
			}
		}
	}
	ng := Graph{ids: g.ids, index: g.index, parOff: g.parOff, par: g.par, chiOff: g.chiOff, chi: g.chi}
	ng.tparOff = make([]int32, n+1)
	ng.tpar = nil
	for v := 0; v < n; v++ {
		ng.tpar = append(ng.tpar, extra[v]...)
		sortIDs(ng.tpar[ng.tparOff[v]:])
		ng.tparOff[v+1] = int32(len(ng.tpar))
	}
	ng.tchiOff, ng.tchi = invert(n, ng.tparOff, ng.tpar, nil)
	return &ng
}
