package lineage

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/gdbt/gdbt/compiler/source"
)

// View says what a rendering shows.
type View struct {
	// Columns renders column-level lineage instead of node-level.
	Columns bool
	// Keep selects the nodes shown; nil shows DefaultKeep's. Edges are
	// those between shown nodes.
	Keep func(*Node) bool
}

// DefaultKeep shows what a lineage picture is about: sources, seeds,
// models, snapshots and exposures (not tests and analyses).
func DefaultKeep(n *Node) bool {
	switch n.Type {
	case "source", "seed", "model", "snapshot", "exposure":
		return true
	}
	return false
}

// Formats lists the formats Write accepts.
var Formats = []string{"dot", "mermaid", "json"}

// Write renders g in format (dot, mermaid or json).
func (g *Graph) Write(w io.Writer, format string, v View) error {
	bw := bufio.NewWriter(w)
	var err error
	switch format {
	case "dot":
		g.writeDOT(bw, v)
	case "mermaid":
		g.writeMermaid(bw, v)
	case "json":
		err = g.writeJSON(bw, v)
	default:
		return fmt.Errorf("lineage: --format: expected one of %s, found %q", strings.Join(Formats, ", "), format)
	}
	if err != nil {
		return err
	}
	return bw.Flush()
}

// shown is the part of the graph a view renders.
type shown struct {
	nodes []*Node
	index map[string]int
	edges []Edge
	// cols lists per node the columns drawn: its own, then upstream
	// columns that shown nodes read but the node does not list (a source
	// without declared columns), sorted.
	cols [][]string
	// colEdges are (from node, from col) → (to node, to col) by index.
	colEdges [][4]int
}

func (g *Graph) view(v View) *shown {
	keep := v.Keep
	if keep == nil {
		keep = DefaultKeep
	}
	s := &shown{index: map[string]int{}}
	for _, n := range g.Nodes {
		if keep(n) {
			s.index[n.ID] = len(s.nodes)
			s.nodes = append(s.nodes, n)
		}
	}
	for _, e := range g.Edges {
		_, a := s.index[e.From]
		_, b := s.index[e.To]
		if a && b {
			s.edges = append(s.edges, e)
		}
	}
	if !v.Columns {
		return s
	}
	s.cols = make([][]string, len(s.nodes))
	colIdx := make([]map[string]int, len(s.nodes))
	for i, n := range s.nodes {
		colIdx[i] = map[string]int{}
		for _, c := range n.Columns {
			if _, dup := colIdx[i][c.Name]; !dup {
				colIdx[i][c.Name] = len(s.cols[i])
				s.cols[i] = append(s.cols[i], c.Name)
			}
		}
	}
	extra := make([]map[string]bool, len(s.nodes))
	for _, n := range s.nodes {
		for _, c := range n.Columns {
			for _, r := range c.Sources {
				j, ok := s.index[r.Node]
				if !ok {
					continue
				}
				if _, has := colIdx[j][r.Column]; !has {
					if extra[j] == nil {
						extra[j] = map[string]bool{}
					}
					extra[j][r.Column] = true
				}
			}
		}
	}
	for j, set := range extra {
		names := make([]string, 0, len(set))
		for c := range set {
			names = append(names, c)
		}
		sort.Strings(names)
		for _, c := range names {
			colIdx[j][c] = len(s.cols[j])
			s.cols[j] = append(s.cols[j], c)
		}
	}
	for i, n := range s.nodes {
		for _, c := range n.Columns {
			to := colIdx[i][c.Name]
			for _, r := range c.Sources {
				j, ok := s.index[r.Node]
				if !ok {
					continue
				}
				s.colEdges = append(s.colEdges, [4]int{j, colIdx[j][r.Column], i, to})
			}
		}
	}
	sort.Slice(s.colEdges, func(a, b int) bool {
		x, y := s.colEdges[a], s.colEdges[b]
		for k := range x {
			if x[k] != y[k] {
				return x[k] < y[k]
			}
		}
		return false
	})
	// Drop duplicates (two output entries with one name).
	k := 0
	for i, e := range s.colEdges {
		if i == 0 || e != s.colEdges[k-1] {
			s.colEdges[k] = e
			k++
		}
	}
	s.colEdges = s.colEdges[:k]
	return s
}

// ---- DOT ----

func dotID(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s) + `"`
}

func htmlEsc(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;").Replace(s)
}

func dotShape(n *Node) string {
	switch {
	case n.Type == "source":
		return "shape=cylinder"
	case n.Type == "seed":
		return "shape=note"
	case n.Type == "snapshot":
		return "shape=box3d"
	case n.Type == "exposure":
		return "shape=hexagon"
	case n.Materialized == "ephemeral":
		return "shape=box, style=dashed"
	case n.Type == "model":
		return "shape=box"
	}
	return "shape=box, style=dotted"
}

func (g *Graph) writeDOT(w *bufio.Writer, v View) {
	s := g.view(v)
	w.WriteString("digraph lineage {\n  rankdir=LR;\n")
	if v.Columns {
		w.WriteString("  node [shape=plain];\n")
	}
	for i, n := range s.nodes {
		if !v.Columns {
			fmt.Fprintf(w, "  %s [label=%s, %s];\n", dotID(n.ID), dotID(n.Name), dotShape(n))
			continue
		}
		fmt.Fprintf(w, "  %s [label=<<table border=\"0\" cellborder=\"1\" cellspacing=\"0\"><tr><td bgcolor=\"lightgrey\"><b>%s</b> <i>%s</i></td></tr>",
			dotID(n.ID), htmlEsc(n.Name), htmlEsc(n.Type))
		for j, c := range s.cols[i] {
			fmt.Fprintf(w, "<tr><td port=\"c%d\" align=\"left\">%s</td></tr>", j, htmlEsc(c))
		}
		w.WriteString("</table>>];\n")
	}
	if v.Columns {
		for _, e := range s.colEdges {
			fmt.Fprintf(w, "  %s:c%d -> %s:c%d;\n", dotID(s.nodes[e[0]].ID), e[1], dotID(s.nodes[e[2]].ID), e[3])
		}
	} else {
		for _, e := range s.edges {
			fmt.Fprintf(w, "  %s -> %s;\n", dotID(e.From), dotID(e.To))
		}
	}
	w.WriteString("}\n")
}

// ---- Mermaid ----

func mermaidLabel(s string) string {
	return `"` + strings.NewReplacer(`"`, "#quot;", "\n", " ").Replace(s) + `"`
}

func mermaidShape(n *Node, label string) string {
	l := mermaidLabel(label)
	switch {
	case n.Type == "source":
		return "[(" + l + ")]"
	case n.Type == "seed":
		return "[/" + l + "/]"
	case n.Type == "snapshot":
		return "[[" + l + "]]"
	case n.Type == "exposure":
		return "{{" + l + "}}"
	case n.Materialized == "ephemeral":
		return "([" + l + "])"
	case n.Type == "model":
		return "[" + l + "]"
	}
	return ">" + l + "]"
}

func (g *Graph) writeMermaid(w *bufio.Writer, v View) {
	s := g.view(v)
	w.WriteString("flowchart LR\n")
	id := func(i int) string { return "n" + strconv.Itoa(i) }
	for i, n := range s.nodes {
		if !v.Columns {
			fmt.Fprintf(w, "  %s%s\n", id(i), mermaidShape(n, n.Name))
			continue
		}
		fmt.Fprintf(w, "  subgraph %s[%s]\n", id(i), mermaidLabel(n.Name+" ("+n.Type+")"))
		for j, c := range s.cols[i] {
			fmt.Fprintf(w, "    %sc%d[%s]\n", id(i), j, mermaidLabel(c))
		}
		w.WriteString("  end\n")
	}
	if v.Columns {
		for _, e := range s.colEdges {
			fmt.Fprintf(w, "  %sc%d --> %sc%d\n", id(e[0]), e[1], id(e[2]), e[3])
		}
		return
	}
	for _, e := range s.edges {
		fmt.Fprintf(w, "  %s --> %s\n", id(s.index[e.From]), id(s.index[e.To]))
	}
}

// ---- JSON ----

type jsonDiag struct {
	Severity string `json:"severity"`
	File     string `json:"file,omitempty"`
	Line     int    `json:"line,omitempty"`
	Column   int    `json:"column,omitempty"`
	Message  string `json:"message"`
}

// DiagnosticJSON is the JSON form of a diagnostic.
func diagJSON(d *source.Diagnostic) jsonDiag {
	j := jsonDiag{Severity: "error", Message: d.Msg}
	if d.Severity == source.Warning {
		j.Severity = "warning"
	}
	if d.File != nil {
		p := d.Position()
		j.File, j.Line, j.Column = p.File, p.Line, p.Column
	}
	return j
}

func (g *Graph) writeJSON(w *bufio.Writer, v View) error {
	s := g.view(v)
	nodes := make([]Node, len(s.nodes))
	for i, n := range s.nodes {
		nodes[i] = *n
		if !v.Columns {
			nodes[i].Columns = nil
		}
	}
	mism := []Mismatch{}
	for _, x := range g.Mismatches {
		if _, ok := s.index[x.Node]; ok {
			mism = append(mism, x)
		}
	}
	diags := make([]jsonDiag, len(g.Diagnostics))
	for i, d := range g.Diagnostics {
		diags[i] = diagJSON(d)
	}
	edges := s.edges
	if edges == nil {
		edges = []Edge{}
	}
	doc := struct {
		Nodes       []Node     `json:"nodes"`
		Edges       []Edge     `json:"edges"`
		Mismatches  []Mismatch `json:"mismatches"`
		Diagnostics []jsonDiag `json:"diagnostics"`
	}{nodes, edges, mism, diags}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(doc)
}
