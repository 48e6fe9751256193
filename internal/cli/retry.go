package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/gdbt/gdbt/runtime/run"
)

func init() {
	runCommands["retry"] = func(ctx context.Context, a *app) int { return a.retry(ctx) }
}

// previousRun is what retry reads from run_results.json.
type previousRun struct {
	Results []struct {
		UniqueID string `json:"unique_id"`
		Status   string `json:"status"`
	} `json:"results"`
	Args map[string]any `json:"args"`
}

// retryable are dbt's RETRYABLE_STATUSES.
var retryable = map[string]bool{"error": true, "fail": true, "skipped": true, "runtime error": true, "partial success": true}

// retry runs `gdbt retry`: the nodes of the previous invocation (from
// target/run_results.json, or --state) that errored, failed or were
// skipped are run again by the same command with its flags. --vars and
// --threads given now override the previous ones, as in dbt.
func (a *app) retry(ctx context.Context) int {
	if err := a.load(false); err != nil {
		a.printError(err)
		return exitCrash
	}
	stateDir := a.proj.TargetPath
	if stateDir == "" {
		stateDir = "target"
	}
	if a.f.State != "" {
		stateDir = a.f.State
	}
	path := stateDir
	if !filepath.IsAbs(path) {
		path = filepath.Join(a.proj.Root, path)
	}
	var prev previousRun
	data, err := os.ReadFile(filepath.Join(path, "run_results.json"))
	if err == nil {
		err = json.Unmarshal(data, &prev)
	}
	if err != nil || len(prev.Results) == 0 {
		a.printError(fmt.Errorf("Runtime Error\n  Could not find previous run in '%s' target directory", stateDir))
		return exitCrash
	}
	which, _ := prev.Args["which"].(string)
	var ids []string
	for _, r := range prev.Results {
		if !retryable[r.Status] {
			continue
		}
		// Hooks are retried only by run-operation.
		if which != "run-operation" && strings.HasPrefix(r.UniqueID, "operation.") {
			continue
		}
		ids = append(ids, r.UniqueID)
	}
	sort.Strings(ids)
	ids = append([]string{}, ids...) // non-nil: an empty list selects nothing

	// The previous invocation's flags, except those only the command line
	// may override.
	if a.f.Vars == "" {
		switch v := prev.Args["vars"].(type) {
		case string:
			a.f.Vars = v
		case map[string]any:
			if len(v) > 0 {
				b, _ := json.Marshal(v)
				a.f.Vars = string(b)
			}
		}
	}
	if a.f.Threads == 0 {
		if n, ok := prev.Args["threads"].(float64); ok {
			a.f.Threads = int(n)
		}
	}
	if t, ok := prev.Args["target"].(string); ok && t != "" {
		a.f.Target = t
	}
	if v, ok := prev.Args["event_time_start"].(string); ok {
		a.f.EventTimeStart = v
	}
	if v, ok := prev.Args["event_time_end"].(string); ok {
		a.f.EventTimeEnd = v
	}
	batches, started := previousBatches(data)
	flag := func(k string) bool { b, _ := prev.Args[k].(bool); return b }
	a.f.FullRefresh, a.f.FailFast, a.f.Empty = flag("full_refresh"), flag("fail_fast"), flag("empty")
	a.f.Select, a.f.Exclude, a.f.Selector = nil, nil, ""
	a.proj, a.res = nil, nil // reload with the previous vars and target

	tasks := map[string]func(context.Context, run.Options) int{
		"seed": run.Seed, "run": run.Run, "test": run.Test, "snapshot": run.Snapshot, "build": run.Build,
	}
	switch {
	case tasks[which] != nil:
		return a.retryTask(ctx, which, tasks[which], ids, batches, started)
	case which == "generate":
		return a.docsGenerate(ctx, ids)
	case which == "run-operation":
		if len(ids) == 0 {
			// The operation succeeded: nothing to do, as dbt.
			return exitOK
		}
		macro, _ := prev.Args["macro"].(string)
		if macro == "" {
			a.printError(fmt.Errorf("Runtime Error\n  the previous run-operation recorded no macro name"))
			return exitCrash
		}
		a.args = []string{macro}
		if a.f.Args == "" {
			if m, ok := prev.Args["args"].(map[string]any); ok && len(m) > 0 {
				b, _ := json.Marshal(m)
				a.f.Args = string(b)
			} else if s, ok := prev.Args["args"].(string); ok {
				a.f.Args = s
			}
		}
		return a.runOperation(ctx)
	}
	a.printError(fmt.Errorf("Runtime Error\n  gdbt retry cannot re-run the previous command %q (retry supports build, run, seed, snapshot, test, docs generate and run-operation)", which))
	return exitCrash
}

func (a *app) retryTask(ctx context.Context, which string, task func(context.Context, run.Options) int, ids []string,
	batches map[string]*run.BatchResults, started time.Time) int {
	if err := a.parseProject(); err != nil {
		a.printError(err)
		return exitCrash
	}
	o, err := a.runSetup(which, ids)
	if err != nil {
		a.printError(err)
		return exitCrash
	}
	o.PreviousBatches, o.InvocationStartedAt = batches, started
	return task(ctx, o)
}
