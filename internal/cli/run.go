package cli

import (
	"context"
	"os"
	"time"

	"github.com/gdbt/gdbt/runtime/run"
)

func init() {
	tasks := map[string]func(context.Context, run.Options) int{
		"seed":     run.Seed,
		"run":      run.Run,
		"test":     run.Test,
		"snapshot": run.Snapshot,
		"build":    run.Build,
	}
	for name, task := range tasks {
		runCommands[name] = func(ctx context.Context, a *app) int {
			return a.runTask(ctx, name, task)
		}
	}
}

// runTask parses, selects and hands the nodes to the runtime, which
// prints dbt's console lines and writes run_results.json.
func (a *app) runTask(ctx context.Context, name string, task func(context.Context, run.Options) int) int {
	// A project that does not parse and a bad selection stop the command
	// before any node runs: dbt's "Encountered an error:", exit 2.
	if err := a.parseProject(); err != nil {
		a.printError(err)
		return exitCrash
	}
	ids, _, err := a.selectFor(name)
	if err != nil {
		a.printError(err)
		return exitCrash
	}
	o, err := a.runSetup(name, ids)
	if err != nil {
		a.printError(err)
		return exitCrash
	}
	code := task(ctx, o)
	// dbt writes the manifest again after the run, with what compiling
	// added (foreign keys' `to` resolved to relations).
	if err := a.writeManifest(); err != nil {
		a.printError(err)
		return exitCrash
	}
	return code
}

// runSetup writes the parsed manifest and reads the event-time window:
// what every run-like command does between selecting and running.
func (a *app) runSetup(name string, ids []string) (run.Options, error) {
	if err := a.writeManifest(); err != nil {
		return run.Options{}, err
	}
	runCollector()
	start, end, err := a.eventTimeWindow()
	if err != nil {
		return run.Options{}, err
	}
	return a.runOptions(name, ids, start, end), nil
}

// runOptions are the options of a run-like command over ids.
func (a *app) runOptions(name string, ids []string, start, end *time.Time) run.Options {
	return run.Options{
		Parse:          a.res,
		Selected:       ids,
		Threads:        a.threads(),
		FullRefresh:    a.f.FullRefresh,
		FailFast:       a.f.FailFast,
		Empty:          a.f.Empty,
		Out:            a.stdout,
		Color:          isTerminal(a.stdout),
		TargetDir:      a.targetDir(),
		Args:           a.runArgs(name),
		EventTimeStart: start,
		EventTimeEnd:   end,
	}
}

func (a *app) runArgs(name string) map[string]any {
	args := map[string]any{"which": name, "threads": a.threads(), "full_refresh": a.f.FullRefresh,
		"fail_fast": a.f.FailFast, "empty": a.f.Empty, "project_dir": a.proj.Root}
	if len(a.f.Select) > 0 {
		args["select"] = []string(a.f.Select)
	}
	if len(a.f.Exclude) > 0 {
		args["exclude"] = []string(a.f.Exclude)
	}
	if a.f.Vars != "" {
		args["vars"] = a.f.Vars
	}
	if a.f.Target != "" {
		args["target"] = a.f.Target
	}
	start, _ := parseEventTime("", a.f.EventTimeStart)
	end, _ := parseEventTime("", a.f.EventTimeEnd)
	eventTimeArgs(args, start, end)
	return args
}

func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
