package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// maxRowsInDiff bounds the rows a relation-rows difference shows.
const maxRowsInDiff = 20

// stepCompare collects one step's differences and figures.
type stepCompare struct {
	step    string
	diffs   []*Difference
	fig     Figures
	badNode map[string]bool // unique ids with any difference in this step
	nodes   map[string]bool // unique ids compared in this step
	ignore  map[string][]string
}

func (c *stepCompare) add(kind Kind, id, field, detail, diff string) {
	c.diffs = append(c.diffs, &Difference{Step: c.step, Kind: kind, ID: id, Field: field, Detail: detail, Diff: diff})
	if strings.Contains(id, ".") && c.nodes[id] {
		c.badNode[id] = true
	}
}

// compareManifests compares the subsets field by field.
func (c *stepCompare) compareManifests(a, b *ManifestSubset) {
	groups := []struct {
		kind Kind
		a, b map[string]Entry
	}{
		{KindManifestNode, a.Nodes, b.Nodes},
		{KindManifestSource, a.Sources, b.Sources},
		{KindManifestExpo, a.Exposures, b.Exposures},
		{KindManifestMacro, a.Macros, b.Macros},
		{KindManifestDoc, a.Docs, b.Docs},
		{KindManifestUnit, a.UnitTests, b.UnitTests},
		{KindManifestGroup, a.Groups, b.Groups},
		{KindManifestDisabled, a.Disabled, b.Disabled},
	}
	for _, g := range groups {
		switch g.kind {
		case KindManifestNode, KindManifestSource, KindManifestExpo:
			for id := range g.a {
				c.nodes[id] = true
			}
			for id := range g.b {
				c.nodes[id] = true
			}
		}
	}
	for _, g := range groups {
		// A field one tool never writes for any entry both have is one difference,
		// not one per entry.
		common, absentA, absentB := 0, map[string]int{}, map[string]int{}
		for id, ea := range g.a {
			eb, ok := g.b[id]
			if !ok {
				continue
			}
			common++
			for f := range ea {
				if _, ok := eb[f]; !ok {
					absentB[f]++
				}
			}
			for f := range eb {
				if _, ok := ea[f]; !ok {
					absentA[f]++
				}
			}
		}
		never := map[string]bool{}
		for _, f := range sortedKeys(absentB) {
			if common > 1 && absentB[f] == common {
				never[f] = true
				c.add(g.kind, "*", f, fmt.Sprintf("gdbt writes no %s in any of the %d entries both manifests have", f, common), "")
			}
		}
		for _, f := range sortedKeys(absentA) {
			if common > 1 && absentA[f] == common {
				never[f] = true
				c.add(g.kind, "*", f, fmt.Sprintf("dbt writes no %s in any of the %d entries both manifests have", f, common), "")
			}
		}
		for _, id := range unionKeys(g.a, g.b) {
			ea, oka := g.a[id]
			eb, okb := g.b[id]
			switch {
			case !okb:
				c.add(g.kind, id, "", "only in dbt's manifest", "")
				continue
			case !oka:
				c.add(g.kind, id, "", "only in gdbt's manifest", "")
				continue
			}
			for _, f := range unionKeys(ea, eb) {
				va, vb := ea[f], eb[f]
				if bytes.Equal(va, vb) {
					continue
				}
				if never[f] {
					c.badNode[id] = true
					continue
				}
				c.add(g.kind, id, f, valueDetail(va, vb), jsonDiff(va, vb))
			}
		}
	}
	for _, m := range []struct {
		name string
		a, b map[string][]string
	}{{"parent_map", a.ParentMap, b.ParentMap}, {"child_map", a.ChildMap, b.ChildMap}, {"group_map", a.GroupMap, b.GroupMap}} {
		for _, id := range unionKeys(m.a, m.b) {
			la, lb := m.a[id], m.b[id]
			if slices.Equal(la, lb) {
				continue
			}
			c.add(KindManifestGraph, id, m.name, fmt.Sprintf("dbt %v, gdbt %v", la, lb), "")
		}
	}
	// depends_on.macros: a figure, and a difference an allow-list entry usually covers.
	for _, id := range unionKeys(a.MacroDeps, b.MacroDeps) {
		if _, ok := a.MacroDeps[id]; !ok {
			continue
		}
		if _, ok := b.MacroDeps[id]; !ok {
			continue
		}
		c.fig.MacroDeps++
		if slices.Equal(a.MacroDeps[id], b.MacroDeps[id]) {
			c.fig.MacroDepsIdentical++
			continue
		}
		c.diffs = append(c.diffs, &Difference{Step: c.step, Kind: KindMacroDeps, ID: id, Field: "depends_on.macros",
			Detail: fmt.Sprintf("dbt %v, gdbt %v", a.MacroDeps[id], b.MacroDeps[id])})
	}
}

func valueDetail(a, b json.RawMessage) string {
	show := func(v json.RawMessage) string {
		if v == nil {
			return "(absent)"
		}
		s := string(v)
		if len(s) > 80 {
			s = s[:77] + "..."
		}
		return s
	}
	return fmt.Sprintf("dbt %s, gdbt %s", show(a), show(b))
}

// jsonDiff gives a line diff of two values when they are long enough to need one.
func jsonDiff(a, b json.RawMessage) string {
	if len(a) < 80 && len(b) < 80 {
		return ""
	}
	return UnifiedDiff("dbt", "gdbt", prettyJSON(a), prettyJSON(b))
}

func prettyJSON(v json.RawMessage) string {
	if v == nil {
		return ""
	}
	// A JSON string (raw_code, macro_sql) diffs best as its text.
	var s string
	if json.Unmarshal(v, &s) == nil {
		return s + "\n"
	}
	var out bytes.Buffer
	if json.Indent(&out, v, "", "  ") != nil {
		return string(v) + "\n"
	}
	return out.String() + "\n"
}

// compareCompiled compares target/compiled trees; ids map paths to unique ids.
func (c *stepCompare) compareCompiled(a, b map[string]string, ids map[string]string) {
	for _, p := range unionKeys(a, b) {
		id := p
		if u, ok := ids[p]; ok {
			id = u
		}
		sa, oka := a[p]
		sb, okb := b[p]
		c.fig.Compiled++
		switch {
		case !okb:
			c.add(KindCompiledSQL, id, p, "compiled only by dbt", "")
		case !oka:
			c.add(KindCompiledSQL, id, p, "compiled only by gdbt", "")
		case sa == sb:
			c.fig.CompiledExact++
			c.fig.CompiledNormalized++
		case normalizeSpace(sa) == normalizeSpace(sb):
			c.fig.CompiledNormalized++
			c.add(KindCompiledSpace, id, p, "compiled SQL differs in whitespace only", UnifiedDiff("dbt/"+p, "gdbt/"+p, sa, sb))
		default:
			c.add(KindCompiledSQL, id, p, "compiled SQL differs", UnifiedDiff("dbt/"+p, "gdbt/"+p, sa, sb))
		}
	}
}

// compareRunResults compares status, failures and rows affected per unique id.
func (c *stepCompare) compareRunResults(a, b map[string]RunResult) {
	for _, id := range unionKeys(a, b) {
		c.nodes[id] = true
		ra, oka := a[id]
		rb, okb := b[id]
		isTest := strings.HasPrefix(id, "test.") || strings.HasPrefix(id, "unit_test.")
		c.fig.Results++
		if isTest {
			c.fig.Tests++
		}
		switch {
		case !okb:
			c.add(KindRunResult, id, "", fmt.Sprintf("only dbt ran it (%s)", ra.Status), "")
			continue
		case !oka:
			c.add(KindRunResult, id, "", fmt.Sprintf("only gdbt ran it (%s)", rb.Status), "")
			continue
		}
		same := true
		if ra.Status != rb.Status {
			same = false
			c.add(KindRunResult, id, "status", fmt.Sprintf("dbt %s, gdbt %s (gdbt: %s)", ra.Status, rb.Status, firstLine(rb.Message)), "")
		}
		if !bytes.Equal(ra.Failures, rb.Failures) {
			same = false
			c.add(KindRunResult, id, "failures", fmt.Sprintf("dbt %s, gdbt %s", ra.Failures, rb.Failures), "")
		}
		if !bytes.Equal(ra.RowsAffected, rb.RowsAffected) {
			same = false
			c.add(KindRunResult, id, "adapter_response.rows_affected", fmt.Sprintf("dbt %s, gdbt %s", ra.RowsAffected, rb.RowsAffected), "")
		}
		if !bytes.Equal(ra.BatchResults, rb.BatchResults) {
			same = false
			c.add(KindRunResult, id, "batch_results", fmt.Sprintf("dbt %s, gdbt %s", ra.BatchResults, rb.BatchResults), "")
		}
		if same {
			c.fig.ResultsIdentical++
			if isTest {
				c.fig.TestsIdentical++
			}
		}
	}
}

// compareRelations compares every relation of the two databases.
func (c *stepCompare) compareRelations(ctx context.Context, urlA, urlB string) error {
	ra, err := readRelations(ctx, urlA, c.ignoredColumns)
	if err != nil {
		return err
	}
	rb, err := readRelations(ctx, urlB, c.ignoredColumns)
	if err != nil {
		return err
	}
	c.compareRelationSets(ra, rb)
	return nil
}

func rowsDiff(key string, onlyA, onlyB []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "--- dbt/%s (rows only here, COPY text)\n+++ gdbt/%s\n", key, key)
	for i, r := range onlyA {
		if i == maxRowsInDiff {
			fmt.Fprintf(&b, "-... %d more\n", len(onlyA)-i)
			break
		}
		b.WriteString("-" + r + "\n")
	}
	for i, r := range onlyB {
		if i == maxRowsInDiff {
			fmt.Fprintf(&b, "+... %d more\n", len(onlyB)-i)
			break
		}
		b.WriteString("+" + r + "\n")
	}
	return b.String()
}

// ignoredColumns are the scenario's volatile columns for a relation (schema.name glob).
func (c *stepCompare) ignoredColumns(key string) []string {
	var out []string
	for pat, cols := range c.ignore {
		if glob(pat, key) {
			out = append(out, cols...)
		}
	}
	return out
}

// finish turns per-id differences into node figures.
func (c *stepCompare) finish() {
	c.fig.Nodes = len(c.nodes)
	c.fig.NodesIdentical = c.fig.Nodes - len(c.badNode)
}

// artifactPair loads one artifact from both sides; a missing artifact on one
// side is a difference, on both sides nothing.
func artifactPair[T any](c *stepCompare, name string, load func(side string) (T, error)) (a, b T, ok bool) {
	a, errA := load("dbt")
	b, errB := load("gdbt")
	missA, missB := errors.Is(errA, errNoArtifact), errors.Is(errB, errNoArtifact)
	switch {
	case missA && missB:
		return a, b, false
	case errA != nil && !missA:
		c.add(KindArtifactMissing, name, "", "dbt's is unreadable: "+errA.Error(), "")
		return a, b, false
	case errB != nil && !missB:
		c.add(KindArtifactMissing, name, "", "gdbt's is unreadable: "+errB.Error(), "")
		return a, b, false
	case missA:
		c.add(KindArtifactMissing, name, "", "written by gdbt only", "")
		return a, b, false
	case missB:
		c.add(KindArtifactMissing, name, "", "written by dbt only", "")
		return a, b, false
	}
	return a, b, true
}

func unionKeys[V any](a, b map[string]V) []string {
	m := make(map[string]bool, len(a)+len(b))
	for k := range a {
		m[k] = true
	}
	for k := range b {
		m[k] = true
	}
	return sortedKeys(m)
}
