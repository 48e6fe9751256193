package manifest_test

import (
	"bytes"
	"encoding/json"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
)

type summaryNode struct {
	Name string `json:"name"`
	Type string `json:"type"`
	Succ []int  `json:"succ"`
}

// byName turns a graph summary into name → "type -> sorted successor
// names", which is independent of numbering.
func byName(t *testing.T, linked map[string]summaryNode) map[string]string {
	t.Helper()
	out := map[string]string{}
	for idx, n := range linked {
		var succ []string
		for _, s := range n.Succ {
			sn, ok := linked[strconv.Itoa(s)]
			if !ok {
				t.Fatalf("node %s (%s): successor %d does not exist", idx, n.Name, s)
			}
			succ = append(succ, sn.Name)
		}
		sort.Strings(succ)
		out[n.Name] = n.Type + " -> " + strings.Join(succ, ",")
	}
	return out
}

// The expected graph is dbt-core 1.12.6's graph_summary.json from `dbt
// compile` on fixtures/projects/basic. Indexes differ (dbt numbers in
// parse order), names, types and edges must not.
func TestGraphSummaryMatchesDBT(t *testing.T) {
	raw, err := os.ReadFile("testdata/basic_dbt_graph_summary.json")
	if err != nil {
		t.Fatal(err)
	}
	var want struct {
		Linked map[string]summaryNode `json:"linked"`
	}
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	m := parseBasic(t)
	var buf bytes.Buffer
	if err := m.WriteGraphSummary(&buf, "inv-1", nil); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(buf.String(), `{"_invocation_id": "inv-1", "linked": {"0": {"name": `) {
		t.Errorf("unexpected layout: %.80s", buf.String())
	}
	var got struct {
		InvocationID  string                 `json:"_invocation_id"`
		Linked        map[string]summaryNode `json:"linked"`
		WithTestEdges map[string]summaryNode `json:"with_test_edges"`
	}
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.WithTestEdges != nil {
		t.Error("with_test_edges written without test edges")
	}
	for i := range got.Linked {
		if n, err := strconv.Atoi(i); err != nil || n < 0 || n >= len(got.Linked) {
			t.Errorf("index %q is not in 0..%d", i, len(got.Linked)-1)
		}
	}
	g, w := byName(t, got.Linked), byName(t, want.Linked)
	for name, ws := range w {
		if gs, ok := g[name]; !ok {
			t.Errorf("%s: missing (dbt: %s)", name, ws)
		} else if gs != ws {
			t.Errorf("%s:\n  ours %s\n  dbt  %s", name, gs, ws)
		}
	}
	for name, gs := range g {
		if _, ok := w[name]; !ok {
			t.Errorf("%s: extra (ours: %s)", name, gs)
		}
	}
}

func TestGraphSummaryTestEdges(t *testing.T) {
	m := parseBasic(t)
	edge := [2]string{"test.basic.unique_stg_customers_customer_id.c7614daada", "model.basic.customer_orders"}
	var buf bytes.Buffer
	if err := m.WriteGraphSummary(&buf, "", [][2]string{edge}); err != nil {
		t.Fatal(err)
	}
	var got struct {
		InvocationID  *string                `json:"_invocation_id"`
		Linked        map[string]summaryNode `json:"linked"`
		WithTestEdges map[string]summaryNode `json:"with_test_edges"`
	}
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.InvocationID != nil {
		t.Errorf("empty invocation id should be null, got %q", *got.InvocationID)
	}
	linked, with := byName(t, got.Linked), byName(t, got.WithTestEdges)
	if strings.Contains(linked[edge[0]], edge[1]) {
		t.Errorf("linked already has the test edge: %s", linked[edge[0]])
	}
	if !strings.Contains(with[edge[0]], edge[1]) {
		t.Errorf("with_test_edges lacks the test edge: %s", with[edge[0]])
	}
}
