package run

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/gdbt/gdbt/compiler/dbtctx"
	"github.com/gdbt/gdbt/compiler/jinja"
	"github.com/gdbt/gdbt/compiler/manifest"
	"github.com/gdbt/gdbt/compiler/project"
	"github.com/gdbt/gdbt/runtime/artifacts"
	"github.com/gdbt/gdbt/runtime/console"
	"github.com/gdbt/gdbt/runtime/materialize"
)

type projectHook struct {
	pkg string
	idx int
	sql string
}

// hooksOf lists on-run-start or on-run-end hooks: packages' first (by
// name), the root project's last, as dbt orders them.
func hooksOf(root *project.Project, kind string) []projectHook {
	all := root.All()
	deps := append([]*project.Project(nil), all[1:]...)
	sort.Slice(deps, func(i, j int) bool { return deps[i].Name < deps[j].Name })
	var out []projectHook
	for _, p := range append(deps, all[0]) {
		list := p.OnRunStart
		if kind == "on-run-end" {
			list = p.OnRunEnd
		}
		for i, h := range list {
			out = append(out, projectHook{pkg: p.Name, idx: i, sql: h.SQL})
		}
	}
	return out
}

// runHooks runs the project hooks of kind and reports whether all passed.
// on-run-end hooks see schemas, database_schemas and results.
func (inv *invocation) runHooks(ctx context.Context, kind string, ids []string) bool {
	hooks := hooksOf(inv.o.Parse.Project, kind)
	if len(hooks) == 0 {
		return true
	}
	p := inv.p
	if kind == "on-run-end" {
		p.line("")
	}
	failed := false
	for i, h := range hooks {
		name := fmt.Sprintf("%s.%s.%d", h.pkg, kind, h.idx)
		hookName := fmt.Sprintf("%s-%s-%d", h.pkg, kind, h.idx)
		node := inv.m.Nodes["operation."+h.pkg+"."+hookName] // the parser's operation node
		if node == nil {
			node = &manifest.Node{UniqueID: "operation." + h.pkg + "." + hookName, ResourceType: manifest.Operation,
				Package: h.pkg, Name: hookName, Path: "hooks/" + hookName + ".sql", OriginalFilePath: "./dbt_project.yml", Config: manifest.Config{}}
		}
		r := &nodeResult{node: node, uniqueID: node.UniqueID, thread: "main", isHook: true, resp: nil}
		zero, one := int64(0), int64(1)
		if failed {
			r.status = materialize.Skipped
			r.message = strp(name + " skipped")
			r.failures = &one
			p.line(console.Fancy("SKIP hook: "+name, p.yellow("SKIP"), i+1, len(hooks), nil, true))
			inv.record(r)
			continue
		}
		start := time.Now()
		sql, err := inv.renderHook(ctx, node, name, h.sql, ids)
		if err == nil {
			inv.writeFile("compiled", node, sql) // as dbt, under dbt_project.yml/hooks/
		}
		compEnd := time.Now()
		r.timing = append(r.timing, artifacts.Timing{Name: "compile", StartedAt: start, CompletedAt: compEnd})
		p.line(console.Fancy("START hook: "+name, "RUN", i+1, len(hooks), nil, true))
		if err == nil && sql != "" {
			_, _, err = inv.a.Execute(ctx, sql, false)
		}
		end := time.Now()
		r.timing = append(r.timing, artifacts.Timing{Name: "execute", StartedAt: compEnd, CompletedAt: end})
		r.elapsed = end.Sub(compEnd)
		d := r.elapsed
		if err != nil {
			failed = true
			r.status = materialize.Error
			r.failures = &one
			r.message = strp(name + " failed, error:\n " + err.Error())
			p.line(console.Fancy("ERROR hook: "+name, p.red("ERROR"), i+1, len(hooks), &d, true))
		} else {
			r.status = materialize.Success
			r.failures = &zero
			r.message = strp(name + " passed")
			p.line(console.Fancy("OK hook: "+name, p.green("OK"), i+1, len(hooks), &d, true))
		}
		inv.record(r)
	}
	if kind == "on-run-start" {
		p.line("")
	}
	return !failed
}

func (inv *invocation) record(r *nodeResult) {
	inv.mu.Lock()
	inv.results = append(inv.results, r)
	inv.mu.Unlock()
}

func (inv *invocation) renderHook(ctx context.Context, node *manifest.Node, name, text string, ids []string) (string, error) {
	env := inv.c.Env()
	t, err := env.Jinja.Parse(name, text)
	if err != nil {
		return "", err
	}
	nc := env.NewNodeContext(nil, dbtctx.Execute)
	if ids != nil {
		// dbt's schemas are those of the relations this run made: models,
		// seeds and snapshots (and tests storing failures) that neither
		// failed nor were skipped.
		seen := map[string]bool{}
		seenDB := map[[2]string]bool{}
		schemas := &jinja.List{}
		dbSchemas := &jinja.List{}
		inv.mu.Lock()
		for _, r := range inv.results {
			n := r.node
			if r.isHook || !relational(n) || r.status == materialize.Error || r.status == materialize.Fail || r.status == materialize.Skipped {
				continue
			}
			if !seen[n.Schema] {
				seen[n.Schema] = true
				schemas.Items = append(schemas.Items, n.Schema)
			}
			if k := [2]string{n.Database, n.Schema}; !seenDB[k] {
				seenDB[k] = true
				dbSchemas.Items = append(dbSchemas.Items, jinja.Tuple{n.Database, n.Schema})
			}
		}
		inv.mu.Unlock()
		nc.Set("schemas", schemas)
		nc.Set("database_schemas", dbSchemas)
		results := &jinja.List{}
		inv.mu.Lock()
		for _, r := range inv.results {
			d := jinja.NewDict()
			d.Set("status", string(r.status))
			if r.message != nil {
				d.Set("message", *r.message)
			} else {
				d.Set("message", nil)
			}
			d.Set("execution_time", r.elapsed.Seconds())
			d.Set("thread_id", r.thread)
			if r.failures != nil {
				d.Set("failures", *r.failures)
			} else {
				d.Set("failures", nil)
			}
			d.Set("unique_id", r.uniqueID)
			if !r.isHook {
				d.Set("node", dbtctx.NodeDict(r.node))
			}
			results.Items = append(results.Items, d)
		}
		inv.mu.Unlock()
		nc.Set("results", results)
	}
	return t.Execute(nc, nil)
}

// relational is dbt's is_relational: refable nodes, and tests that store
// their failures.
func relational(n *manifest.Node) bool {
	switch n.ResourceType {
	case manifest.Model, manifest.Seed, manifest.Snapshot:
		return true
	case manifest.Test:
		return n.Config.Bool("store_failures")
	}
	return false
}
