package graph

import (
	"errors"
	"fmt"
	"math/rand"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/gdbt/gdbt/compiler/manifest"
)

// edges "a>b c>d" → parent a, child b.
func mustGraph(t testing.TB, nodes string, edges string) *Graph {
	t.Helper()
	g, err := FromEdges(strings.Fields(nodes), parseEdges(edges))
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func parseEdges(s string) []Edge {
	var out []Edge
	for _, e := range strings.Fields(s) {
		p, c, _ := strings.Cut(e, ">")
		out = append(out, Edge{p, c})
	}
	return out
}

func names(g *Graph, ids []ID) string { return strings.Join(g.UniqueIDs(ids), " ") }

func ids(t testing.TB, g *Graph, s string) []ID {
	var out []ID
	for _, n := range strings.Fields(s) {
		id, ok := g.Lookup(n)
		if !ok {
			t.Fatalf("no node %s", n)
		}
		out = append(out, id)
	}
	return out
}

func TestTopo(t *testing.T) {
	cases := []struct {
		name, nodes, edges, want string
	}{
		{"empty", "", "", ""},
		{"isolated sorted", "c a b", "", "a b c"},
		{"chain", "a b c", "c>b b>a", "c b a"},
		{"levels then names", "a b c d e", "a>e b>c c>d e>d", "a b c e d"},
		{"longest path wins", "a b c z", "a>b b>c a>z c>z", "a b c z"},
		{"duplicate edges", "a b", "a>b a>b", "a b"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := mustGraph(t, tc.nodes, tc.edges)
			if got := names(g, g.Topo()); got != tc.want {
				t.Fatalf("Topo = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestCycle(t *testing.T) {
	cases := []struct {
		name, nodes, edges, want string
	}{
		{"two", "model.p.a model.p.b", "model.p.a>model.p.b model.p.b>model.p.a",
			"Found a cycle: model.p.a --> model.p.b --> model.p.a"},
		{"self", "model.p.a", "model.p.a>model.p.a", "Found a cycle: model.p.a --> model.p.a"},
		{"three with tail", "a b c d e", "e>a a>b b>c c>a c>d",
			"Found a cycle: a --> b --> c --> a"},
		{"rotated to lowest", "x y z", "z>y y>x x>z", "Found a cycle: x --> z --> y --> x"},
		{"downstream of cycle", "a b c d", "a>b b>a b>c c>d", "Found a cycle: a --> b --> a"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := FromEdges(strings.Fields(tc.nodes), parseEdges(tc.edges))
			var ce *CycleError
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v, want CycleError", err)
			}
			if err.Error() != tc.want {
				t.Fatalf("got %q\nwant %q", err.Error(), tc.want)
			}
		})
	}
}

func TestMissingDependency(t *testing.T) {
	m := manifest.New()
	m.Nodes["model.p.a"] = &manifest.Node{UniqueID: "model.p.a", DependsOnNodes: []string{"model.p.gone"}}
	_, err := Build(m)
	var me *MissingDependencyError
	if !errors.As(err, &me) || me.Dependency != "model.p.gone" {
		t.Fatalf("err = %v", err)
	}
}

func TestBuildManifest(t *testing.T) {
	m := manifest.New()
	m.Sources["source.p.raw.orders"] = &manifest.SourceDef{UniqueID: "source.p.raw.orders"}
	m.Nodes["model.p.stg"] = &manifest.Node{UniqueID: "model.p.stg", DependsOnNodes: []string{"source.p.raw.orders"}}
	m.Nodes["model.p.fct"] = &manifest.Node{UniqueID: "model.p.fct", DependsOnNodes: []string{"model.p.stg", "model.p.stg"}}
	m.Exposures["exposure.p.dash"] = &manifest.ExposureDef{UniqueID: "exposure.p.dash", DependsOnNodes: []string{"model.p.fct"}}
	g, err := Build(m)
	if err != nil {
		t.Fatal(err)
	}
	want := "source.p.raw.orders model.p.stg model.p.fct exposure.p.dash"
	if got := names(g, g.Topo()); got != want {
		t.Fatalf("Topo = %q", got)
	}
	// The graph agrees with the manifest's parent map.
	pm := m.ParentMap()
	for i := 0; i < g.Len(); i++ {
		got := g.UniqueIDs(g.Parents(ID(i)))
		if !reflect.DeepEqual(got, pm[g.UniqueID(ID(i))]) {
			t.Errorf("%s parents %v, parent_map %v", g.UniqueID(ID(i)), got, pm[g.UniqueID(ID(i))])
		}
	}
}

// a → b → c → d, a → x → d, y → c
const walkNodes = "a b c d x y"
const walkEdges = "a>b b>c c>d a>x x>d y>c"

func TestAncestorsDescendants(t *testing.T) {
	g := mustGraph(t, walkNodes, walkEdges)
	cases := []struct {
		dir   string
		from  string
		depth int
		want  string
	}{
		{"up", "d", Unlimited, "a b c x y"},
		{"up", "d", 1, "c x"},
		{"up", "d", 2, "a b c x y"},
		{"up", "d", 0, ""},
		{"up", "a", Unlimited, ""},
		{"up", "c d", Unlimited, "a b c x y"}, // c is an ancestor of d
		{"up", "b x", 1, "a"},
		{"down", "a", Unlimited, "b c d x"},
		{"down", "a", 1, "b x"},
		{"down", "y", 1, "c"},
		{"down", "a b", 1, "b c x"},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%s %s %d", tc.dir, tc.from, tc.depth), func(t *testing.T) {
			var got []ID
			if tc.dir == "up" {
				got = g.Ancestors(ids(t, g, tc.from), tc.depth)
			} else {
				got = g.Descendants(ids(t, g, tc.from), tc.depth)
			}
			if names(g, got) != tc.want {
				t.Fatalf("got %q, want %q", names(g, got), tc.want)
			}
		})
	}
}

func edgeList(g *Graph) string {
	var out []string
	for i := 0; i < g.Len(); i++ {
		for _, p := range g.Parents(ID(i)) {
			out = append(out, g.UniqueID(p)+">"+g.UniqueID(ID(i)))
		}
		for _, p := range g.TestParents(ID(i)) {
			out = append(out, g.UniqueID(p)+"=>"+g.UniqueID(ID(i)))
		}
	}
	return strings.Join(out, " ")
}

func TestSubsetAndInduced(t *testing.T) {
	g := mustGraph(t, walkNodes, walkEdges)
	cases := []struct {
		keep, subset, induced string
	}{
		{"a d", "a>d", ""},
		{"a c d", "a>c a>d c>d", "c>d"},
		{"y d", "y>d", ""},
		{"b x", "", ""},
		{"a b c d x y", "a>b b>c y>c c>d x>d a>x", "a>b b>c y>c c>d x>d a>x"},
	}
	for _, tc := range cases {
		t.Run(tc.keep, func(t *testing.T) {
			k := ids(t, g, tc.keep)
			if got := edgeList(g.Subset(k)); got != tc.subset {
				t.Errorf("Subset edges %q, want %q", got, tc.subset)
			}
			if got := edgeList(g.Induced(k)); got != tc.induced {
				t.Errorf("Induced edges %q, want %q", got, tc.induced)
			}
		})
	}
}

func TestTestEdges(t *testing.T) {
	m := manifest.New()
	add := func(id string, rt manifest.ResourceType, deps ...string) {
		m.Nodes[id] = &manifest.Node{UniqueID: id, ResourceType: rt, DependsOnNodes: deps}
	}
	add("model.p.a", manifest.Model)
	add("model.p.b", manifest.Model, "model.p.a")
	add("model.p.c", manifest.Model, "model.p.b")
	add("model.p.d", manifest.Model, "model.p.c", "model.p.a")
	add("model.p.e", manifest.Model, "model.p.a")
	add("test.p.not_null_a", manifest.Test, "model.p.a")
	add("test.p.rel_b_e", manifest.Test, "model.p.b", "model.p.e")
	add("test.p.rel_c_a", manifest.Test, "model.p.c", "model.p.a")
	add("unit_test.p.u", manifest.UnitTest, "model.p.a")
	g, err := Build(m)
	if err != nil {
		t.Fatal(err)
	}
	tg := g.AddTestEdges(m)
	var got []string
	for _, e := range strings.Fields(edgeList(tg)) {
		if strings.Contains(e, "=>") {
			got = append(got, e)
		}
	}
	want := "test.p.not_null_a=>model.p.b test.p.not_null_a=>model.p.d test.p.rel_c_a=>model.p.d test.p.not_null_a=>model.p.e"
	if strings.Join(got, " ") != want {
		t.Fatalf("test edges\n got %q\nwant %q", strings.Join(got, " "), want)
	}
	if g.HasTestEdges() || !tg.HasTestEdges() {
		t.Fatal("AddTestEdges must copy")
	}
	// Tests now come before the models they guard.
	order := names(tg, tg.Topo())
	if strings.Index(order, "test.p.not_null_a") > strings.Index(order, "model.p.b") {
		t.Fatalf("order %s", order)
	}
	// Selection does not follow test edges.
	if got := names(tg, tg.Ancestors(ids(t, tg, "model.p.b"), Unlimited)); got != "model.p.a" {
		t.Fatalf("ancestors %q", got)
	}
}

func TestQueueOrder(t *testing.T) {
	// a → b → c, a → d; e isolated; selection leaves out b.
	g := mustGraph(t, "a b c d e", "a>b b>c a>d")
	q := NewQueue(g, ids(t, g, "e c d a a"))
	var order []string
	for q.Remaining() > 0 {
		ready := q.Ready()
		if len(ready) == 0 {
			t.Fatal("stuck")
		}
		for _, id := range ready {
			order = append(order, g.UniqueID(id))
			q.MarkDone(id)
		}
	}
	// Levels in the subset: a, e = 0; c, d = 1 (c waits for a through b).
	if got := strings.Join(order, " "); got != "a e c d" {
		t.Fatalf("order %q", got)
	}
	if q.Len() != 4 {
		t.Fatalf("Len %d", q.Len())
	}
}

func TestQueuePriority(t *testing.T) {
	// A ready node at a lower level beats one with a lower name.
	g := mustGraph(t, "a b m z", "a>b b>m")
	q := NewQueue(g, ids(t, g, "a b m z"))
	first := q.Ready() // a, z
	if names(g, first) != "a z" {
		t.Fatalf("first %q", names(g, first))
	}
	q.MarkDone(first[0])
	if id, ok := q.Next(); !ok || g.UniqueID(id) != "b" {
		t.Fatalf("next %v %v", id, ok)
	}
	if _, ok := q.Next(); ok {
		t.Fatal("m must wait for b")
	}
	if q.Running() != 2 || q.Remaining() != 3 {
		t.Fatalf("running %d remaining %d", q.Running(), q.Remaining())
	}
	iq := NewIndependentQueue(g, ids(t, g, "m b a"))
	if got := names(g, iq.Ready()); got != "a b m" {
		t.Fatalf("independent %q", got)
	}
}

func TestQueueMarkDoneNotRunning(t *testing.T) {
	g := mustGraph(t, "a b", "a>b")
	q := NewQueue(g, ids(t, g, "a b"))
	defer func() {
		if recover() == nil {
			t.Fatal("want panic")
		}
	}()
	q.MarkDone(ids(t, g, "b")[0])
}

// Random DAGs: every queue run respects edges through unselected nodes, and
// one worker sees exactly Topo order of the subset.
func TestQueueRandom(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	for iter := 0; iter < 50; iter++ {
		n := 30
		nodes := make([]string, n)
		for i := range nodes {
			nodes[i] = fmt.Sprintf("n%02d", i)
		}
		var edges []Edge
		for c := 1; c < n; c++ {
			for k := 0; k < 3; k++ {
				if r.Intn(2) == 0 {
					edges = append(edges, Edge{nodes[r.Intn(c)], nodes[c]})
				}
			}
		}
		g, err := FromEdges(nodes, edges)
		if err != nil {
			t.Fatal(err)
		}
		var sel []ID
		for i := 0; i < n; i++ {
			if r.Intn(3) > 0 {
				sel = append(sel, ID(i))
			}
		}
		q := NewQueue(g, sel)
		doneAt := map[ID]int{}
		step := 0
		var order []string
		for q.Remaining() > 0 {
			id, ok := q.Next()
			if !ok {
				t.Fatal("stuck")
			}
			for _, a := range g.Ancestors([]ID{id}, Unlimited) {
				if _, selected := indexOf(sel, a); selected {
					if _, ok := doneAt[a]; !ok {
						t.Fatalf("%s ran before ancestor %s", g.UniqueID(id), g.UniqueID(a))
					}
				}
			}
			q.MarkDone(id)
			doneAt[id] = step
			step++
			order = append(order, g.UniqueID(id))
		}
		sub := g.Subset(sel)
		if want := names(sub, sub.Topo()); strings.Join(order, " ") != want {
			t.Fatalf("order %v\nwant %v", order, want)
		}
	}
}

func indexOf(s []ID, x ID) (int, bool) {
	for i, v := range s {
		if v == x {
			return i, true
		}
	}
	return -1, false
}

func TestQueueConcurrent(t *testing.T) {
	nodes, edges := layeredDAG(2000)
	g, err := FromEdges(nodes, edges)
	if err != nil {
		t.Fatal(err)
	}
	all := make([]ID, g.Len())
	for i := range all {
		all[i] = ID(i)
	}
	q := NewQueue(g, all)
	var mu sync.Mutex
	done := make([]bool, g.Len())
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for q.Remaining() > 0 {
				id, ok := q.Next()
				if !ok {
					continue
				}
				mu.Lock()
				for _, p := range g.Parents(id) {
					if !done[p] {
						t.Errorf("%d before parent %d", id, p)
					}
				}
				done[id] = true
				mu.Unlock()
				q.MarkDone(id)
			}
		}()
	}
	wg.Wait()
}

// layeredDAG makes a dbt-shaped DAG: sources, staging, then models with a
// few parents each from earlier layers.
func layeredDAG(n int) ([]string, []Edge) {
	r := rand.New(rand.NewSource(42))
	nodes := make([]string, n)
	for i := range nodes {
		nodes[i] = fmt.Sprintf("model.proj.m%05d", i)
	}
	var edges []Edge
	for c := n / 10; c < n; c++ {
		k := 1 + r.Intn(4)
		for j := 0; j < k; j++ {
			edges = append(edges, Edge{nodes[r.Intn(c)], nodes[c]})
		}
	}
	return nodes, edges
}

func benchManifest(n int) *manifest.Manifest {
	nodes, edges := layeredDAG(n)
	m := manifest.New()
	for _, id := range nodes {
		m.Nodes[id] = &manifest.Node{UniqueID: id, ResourceType: manifest.Model}
	}
	for _, e := range edges {
		c := m.Nodes[e.Child]
		c.DependsOnNodes = append(c.DependsOnNodes, e.Parent)
	}
	return m
}

func BenchmarkBuildTopo10k(b *testing.B) {
	m := benchManifest(10000)
	b.ReportAllocs()
	for b.Loop() {
		g, err := Build(m)
		if err != nil {
			b.Fatal(err)
		}
		if len(g.Topo()) != 10000 {
			b.Fatal("short topo")
		}
	}
}

func BenchmarkQueueDrain10k(b *testing.B) {
	m := benchManifest(10000)
	g, _ := Build(m)
	all := make([]ID, g.Len())
	for i := range all {
		all[i] = ID(i)
	}
	b.ReportAllocs()
	for b.Loop() {
		q := NewQueue(g, all)
		for q.Remaining() > 0 {
			for _, id := range q.Ready() {
				q.MarkDone(id)
			}
		}
	}
}
