package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/gdbt/gdbt/compiler/compile"
	"github.com/gdbt/gdbt/compiler/manifest"
	"github.com/gdbt/gdbt/runtime/artifacts"
	"github.com/gdbt/gdbt/runtime/catalog"
)

func init() {
	runCommands["docs"] = func(ctx context.Context, a *app) int { return a.docsCmd(ctx) }
}

func (a *app) docsCmd(ctx context.Context) int {
	if len(a.args) == 0 || a.args[0] != "generate" {
		fmt.Fprintln(a.stderr, "Usage: gdbt docs generate [--select ...]  (docs serve is not implemented: serve target/ with any static file server)")
		return exitCrash
	}
	return a.docsGenerate(ctx, nil)
}

// docsGenerate runs `gdbt docs generate`: it compiles the selected nodes
// against the warehouse (dbt's default --compile), writes
// target/run_results.json and the manifest, then builds target/catalog.json
// from one catalog query per database. only, when not nil, replaces the
// selection (retry).
func (a *app) docsGenerate(ctx context.Context, only []string) int {
	if err := a.parseProject(); err != nil {
		a.printError(err)
		return exitCrash
	}
	m := a.res.Manifest
	var nodeIDs, sourceIDs []string
	if only != nil {
		for _, id := range only {
			if m.Nodes[id] != nil {
				nodeIDs = append(nodeIDs, id)
			} else if m.Sources[id] != nil {
				sourceIDs = append(sourceIDs, id)
			}
		}
	} else {
		var err error
		if nodeIDs, _, err = a.selectFor("docs"); err != nil {
			a.printError(err)
			return exitCrash
		}
		if sourceIDs, _, err = a.selectFor("source"); err != nil {
			a.printError(err)
			return exitCrash
		}
	}
	wh, err := a.openWarehouse(ctx, "generate")
	if err != nil {
		a.printError(err)
		return exitCrash
	}
	defer wh.Close()
	a.logf("")
	a.logf("Concurrency: %d threads (target='%s')", a.threads(), a.targetName())
	a.logf("")

	c := compile.New(a.res, wh)
	rr := &artifacts.RunResults{Args: map[string]any{"which": "generate", "compile": true}}
	for k, v := range a.runArgs("generate") {
		rr.Args[k] = v
	}
	failed := false
	for _, id := range nodeIDs {
		if a.f.NoCompile {
			break
		}
		n := m.Nodes[id]
		res, ok := a.compileForDocs(ctx, c, n)
		if !ok {
			failed = true
		}
		if n.Config.String("materialized") == "ephemeral" {
			continue // compiled into its callers; dbt lists no result for it
		}
		rr.Results = append(rr.Results, res)
	}
	rr.Metadata = artifacts.NewMetadata(a.res.Env.InvocationID, a.start, time.Now(), os.Environ())
	rr.ElapsedTime = time.Since(a.start).Seconds()
	if !a.f.NoCompile {
		if err := rr.Write(a.targetDir()); err != nil {
			a.printError(err)
			return exitCrash
		}
		if err := a.writeManifest(); err != nil {
			a.printError(err)
			return exitCrash
		}
	}
	if failed {
		for _, r := range rr.Results {
			if r.Status == "error" && r.Message != nil {
				a.logf("")
				a.logf("%s", *r.Message)
			}
		}
		a.logf("compile failed, cannot generate docs")
		return exitFailure
	}

	a.logf("Building catalog")
	selected := map[string]bool{}
	for _, id := range append(append([]string(nil), nodeIDs...), sourceIDs...) {
		selected[id] = true
	}
	art, err := catalog.Generate(ctx, wh, catalog.Options{Manifest: m, Selected: selected,
		InvocationID: a.res.Env.InvocationID, Started: a.start})
	if err != nil {
		a.printError(err)
		return exitCrash
	}
	path, err := art.Write(a.targetDir())
	if err != nil {
		a.printError(err)
		return exitCrash
	}
	if len(art.Errors) > 0 {
		s := "s"
		if len(art.Errors) == 1 {
			s = ""
		}
		a.logf("dbt encountered %d failure%s while writing the catalog", len(art.Errors), s)
	}
	abs, _ := filepath.Abs(path)
	a.logf("Catalog written to %s", abs)
	if len(art.Errors) > 0 {
		return exitFailure
	}
	return exitOK
}

// compileForDocs compiles one node and writes target/compiled, returning
// the run_results entry dbt's compile step records.
func (a *app) compileForDocs(ctx context.Context, c *compile.Compiler, n *manifest.Node) (artifacts.Result, bool) {
	start := time.Now()
	r := artifacts.Result{Status: "success", ThreadID: "Thread-1 (worker)", UniqueID: n.UniqueID}
	var err error
	if n.ResourceType != manifest.Seed {
		var sql string
		sql, err = c.Node(ctx, n)
		ok := err == nil
		r.Compiled = &ok
		if ok {
			r.CompiledCode = &sql
			if werr := a.writeCompiled(n, sql); werr != nil {
				err = werr
			}
		}
		if n.RelationName != "" && n.ResourceType != manifest.Test {
			rel := n.RelationName
			r.RelationName = &rel
		}
	}
	compiled := time.Now()
	r.Timing = []artifacts.Timing{{Name: "compile", StartedAt: start, CompletedAt: compiled},
		{Name: "execute", StartedAt: compiled, CompletedAt: compiled}}
	r.ExecutionTime = time.Since(start).Seconds()
	if err != nil {
		r.Status = "error"
		msg := fmt.Sprintf("Compilation Error in %s %s (%s)\n  %s", n.ResourceType, n.Name, n.OriginalFilePath, indent(err.Error()))
		r.Message = &msg
		r.Timing = r.Timing[:1]
		return r, false
	}
	return r, true
}

func indent(s string) string {
	out := make([]rune, 0, len(s))
	for _, c := range s {
		out = append(out, c)
		if c == '\n' {
			out = append(out, ' ', ' ')
		}
	}
	return string(out)
}
