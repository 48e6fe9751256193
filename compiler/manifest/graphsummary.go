package manifest

import (
	"io"
	"strconv"
)

// WriteGraphSummary writes target/graph_summary.json as dbt does on
// compile/run/build: {"_invocation_id", "linked": {index: {name, type,
// succ}}} with every graph member numbered. testEdges, when not nil (dbt
// build), are the extra test→node edges the scheduler adds; they produce
// a second summary, "with_test_edges".
//
// dbt numbers members in its parse order (sources, then nodes, each
// followed by dependencies not yet seen); ours follows the same rule over
// sorted unique_ids, so indexes differ from dbt's but the graph is the same.
func (m *Manifest) WriteGraphSummary(w io.Writer, invocationID string, testEdges [][2]string) error {
	g := m.summaryGraph()
	var e jw
	e.beginObj()
	e.key("_invocation_id")
	e.strOrNull(invocationID)
	e.key("linked")
	g.write(&e)
	if testEdges != nil {
		for _, te := range testEdges {
			g.edge(te[0], te[1])
		}
		e.key("with_test_edges")
		g.write(&e)
	}
	e.endObj()
	_, err := w.Write(e.b)
	return err
}

type summaryGraph struct {
	ids   []string
	types []string
	index map[string]int
	succ  [][]int
	has   map[[2]int]bool

	typeOf func(id string) string
}

func (g *summaryGraph) typeOfID(id string) string {
	if g.typeOf == nil {
		return ""
	}
	return g.typeOf(id)
}

func (m *Manifest) summaryGraph() *summaryGraph {
	var typeOf func(string) string
	g := &summaryGraph{index: map[string]int{}, has: map[[2]int]bool{}}
	for _, id := range sortedIDs(m.Sources) {
		g.add(id, string(Source))
	}
	typeOf = func(id string) string {
		if n := m.Nodes[id]; n != nil {
			return string(n.ResourceType)
		}
		if _, ok := m.Sources[id]; ok {
			return string(Source)
		}
		if _, ok := m.Exposures[id]; ok {
			return string(Exposure)
		}
		return ""
	}
	g.typeOf = typeOf
	link := func(id string, deps []string) {
		g.add(id, typeOf(id))
		for _, d := range deps {
			if typeOf(d) == "" {
				continue // a dangling dependency; the parser reports it
			}
			g.edge(d, id)
		}
	}
	for _, id := range sortedIDs(m.Nodes) {
		link(id, m.Nodes[id].DependsOnNodes)
	}
	for _, id := range sortedIDs(m.Exposures) {
		link(id, m.Exposures[id].DependsOnNodes)
	}
	return g
}

func (g *summaryGraph) add(id, typ string) int {
	if i, ok := g.index[id]; ok {
		return i
	}
	i := len(g.ids)
	g.index[id] = i
	g.ids = append(g.ids, id)
	g.types = append(g.types, typ)
	g.succ = append(g.succ, nil)
	return i
}

// edge adds from→to (networkx add_edge: both ends added if missing, in
// that order; a repeated edge keeps its place).
func (g *summaryGraph) edge(from, to string) {
	f := g.add(from, g.typeOfID(from))
	t := g.add(to, g.typeOfID(to))
	if g.has[[2]int{f, t}] {
		return
	}
	g.has[[2]int{f, t}] = true
	g.succ[f] = append(g.succ[f], t)
}

func (g *summaryGraph) write(e *jw) {
	e.beginObj()
	for i, id := range g.ids {
		e.key(strconv.Itoa(i))
		e.beginObj()
		e.key("name")
		e.str(id)
		e.key("type")
		e.str(g.types[i])
		if len(g.succ[i]) > 0 {
			e.key("succ")
			e.beginArr()
			for _, s := range g.succ[i] {
				e.value(s)
			}
			e.endArr()
		}
		e.endObj()
	}
	e.endObj()
}
