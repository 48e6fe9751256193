package run

import (
	"context"
	"fmt"
	"path"
	"sort"
	"time"

	"github.com/gdbt/gdbt/compiler/manifest"
	"github.com/gdbt/gdbt/runtime/artifacts"
	"github.com/gdbt/gdbt/runtime/console"
	"github.com/gdbt/gdbt/runtime/materialize"
)

// splitUnitTests takes the unit tests out of build's schedule: dbt's build
// runs each one just before its model, on the model's worker. Unit tests
// whose model is not selected do not run. It returns the remaining ids,
// model → unit tests, and how many unit tests will run.
func splitUnitTests(m *manifest.Manifest, ids []string) ([]string, map[string][]string, int) {
	selected := map[string]bool{}
	for _, id := range ids {
		selected[id] = true
	}
	byModel := map[string][]string{}
	rest := ids[:0:0]
	count := 0
	for _, id := range ids {
		n := m.Nodes[id]
		if n.ResourceType != manifest.UnitTest {
			rest = append(rest, id)
			continue
		}
		if len(n.DependsOnNodes) > 0 && selected[n.DependsOnNodes[0]] {
			byModel[n.DependsOnNodes[0]] = append(byModel[n.DependsOnNodes[0]], id)
			count++
		}
	}
	for _, l := range byModel {
		sort.Strings(l)
	}
	return rest, byModel, count
}

// unitTestName is how dbt names a unit test in progress lines:
// <model>::<test>[_v<version>].
func unitTestName(n *manifest.Node) string {
	if n.Unit == nil {
		return n.Name
	}
	return n.Unit.Model + "::" + n.Unit.TestedName
}

// runUnitTestsOf runs the unit tests build attached to model uid, in
// order; false when one of them did not pass. As in dbt, the unit tests
// after a failure are skipped.
func (t *task) runUnitTestsOf(ctx context.Context, uid string, thread int) bool {
	ok := true
	for _, u := range t.inv.unitTests[uid] {
		if !ok {
			t.skipOne(u, thread)
			continue
		}
		ok = t.runUnitTest(ctx, t.inv.m.Nodes[u], thread)
	}
	return ok
}

// runUnitTest compiles and runs one unit test and reports it as dbt's
// test runner does.
func (t *task) runUnitTest(ctx context.Context, n *manifest.Node, thread int) bool {
	inv := t.inv
	idx := t.next()
	p := inv.p
	p.line(console.Fancy("START "+describe(n), "RUN", idx, inv.total, nil, false))
	r := &nodeResult{node: n, uniqueID: n.UniqueID, thread: fmt.Sprintf("Thread-%d (worker)", thread)}
	start := time.Now()
	ut, err := inv.r.CompileUnitTest(ctx, n)
	compEnd := time.Now()
	r.timing = append(r.timing, artifacts.Timing{Name: "compile", StartedAt: start, CompletedAt: compEnd})
	var res *materialize.Result
	if err == nil {
		yes := true
		r.compiled, r.code = &yes, strp(ut.SQL)
		inv.writeFile("compiled", n, ut.SQL)
		// dbt writes each input's fixture SQL too, beside the test.
		for _, in := range ut.Inputs {
			inv.writeAt("compiled", path.Join(in.Package, n.OriginalFilePath, in.Name+".sql"), in.CompiledCode)
		}
		execStart := time.Now()
		res, err = inv.r.ExecuteUnitTest(ctx, n, ut, inv.o.Color)
		r.timing = append(r.timing, artifacts.Timing{Name: "execute", StartedAt: execStart, CompletedAt: time.Now()})
	}
	r.elapsed = time.Since(start)
	if err != nil {
		r.status = materialize.Error
		msg := inv.errorMessage(n, err)
		r.message = &msg
		r.compiled, r.code = nil, nil // dbt reports the definition, never compiled
	} else {
		r.status, r.resp, r.failures = res.Status, res.Response, res.Failures
		if res.Message != "" {
			r.message = strp(res.Message)
		}
		inv.writeFile("run", n, res.MainSQL)
	}
	d := r.elapsed
	name := unitTestName(n)
	switch r.status {
	case materialize.Error:
		p.line(console.Fancy("ERROR "+name, p.red("ERROR"), idx, inv.total, &d, false))
	case materialize.Pass:
		p.line(console.Fancy("PASS "+name, p.green("PASS"), idx, inv.total, &d, false))
	default:
		p.line(console.Fancy("FAIL 1 "+name, p.red("FAIL 1"), idx, inv.total, &d, false))
	}
	t.record(r)
	return r.status == materialize.Pass
}
