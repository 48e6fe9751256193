// Package cli implements gdbt's command line: dbt's commands and flags,
// dispatched to the compiler and the runtime. main is only
// os.Exit(cli.Main(...)), so every command can be tested in-process.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/gdbt/gdbt/compiler/compile"
	"github.com/gdbt/gdbt/compiler/dbtctx"
	"github.com/gdbt/gdbt/compiler/lineage"
	"github.com/gdbt/gdbt/compiler/manifest"
	"github.com/gdbt/gdbt/compiler/parser"
	"github.com/gdbt/gdbt/compiler/project"
	"github.com/gdbt/gdbt/runtime/artifacts"
)

// Exit codes, as dbt's: 1 when nodes ran and some failed (or a check of
// debug failed), 2 when the command stops with "Encountered an error:" —
// a project that does not load or parse, a bad selection, a node that does
// not compile under compile, a crash.
const (
	exitOK      = 0
	exitFailure = 1
	exitCrash   = 2
)

// Flags are the options shared by dbt's commands.
type Flags struct {
	ProjectDir     string
	ProfilesDir    string
	Target         string
	Profile        string
	Vars           string
	Threads        int
	Select         multi
	Exclude        multi
	Selector       string
	FullRefresh    bool
	FailFast       bool
	Empty          bool
	Inline         string
	Output         string
	OutputKeys     multi
	ResourceTypes  multi
	Format         string
	Columns        bool
	State          string
	Indirect       string
	Limit          int
	Args           string
	LogFormat      string
	NoVersionCheck bool
	// NoCompile: docs generate builds the catalog without compiling
	// (no run_results.json, no manifest.json).
	NoCompile bool
	// EventTimeStart and EventTimeEnd bound microbatch batches.
	EventTimeStart, EventTimeEnd string
	// ShowAllDeprecations prints every deprecation warning, not only the
	// first of each kind.
	ShowAllDeprecations bool
}

type multi []string

func (m *multi) String() string { return strings.Join(*m, " ") }
func (m *multi) Set(v string) error {
	*m = append(*m, strings.Fields(v)...)
	return nil
}

// Main runs gdbt with args and returns the process exit code.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stdout)
		return exitOK
	}
	if args[0] == "--version" || args[0] == "version" {
		fmt.Fprintln(stdout, "gdbt (dbt-compatible), implements dbt-core 1.12 for postgres")
		return exitOK
	}
	cmd := args[0]
	if path := os.Getenv("GDBT_CPUPROFILE"); path != "" {
		// For profiling gdbt itself; not a user-facing feature.
		if pf, err := os.Create(path); err == nil {
			_ = pprof.StartCPUProfile(pf)
			defer func() { pprof.StopCPUProfile(); pf.Close() }()
		}
	}
	var f Flags
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.ProjectDir, "project-dir", "", "the dbt project directory")
	fs.StringVar(&f.ProfilesDir, "profiles-dir", "", "the directory holding profiles.yml")
	fs.StringVar(&f.Target, "target", "", "the profile target")
	fs.StringVar(&f.Target, "t", "", "the profile target")
	fs.StringVar(&f.Profile, "profile", "", "the profile")
	fs.StringVar(&f.Vars, "vars", "", "variables as YAML")
	fs.IntVar(&f.Threads, "threads", 0, "worker threads")
	fs.Var(&f.Select, "select", "selection")
	fs.Var(&f.Select, "s", "selection")
	fs.Var(&f.Select, "models", "selection")
	fs.Var(&f.Select, "m", "selection")
	fs.Var(&f.Exclude, "exclude", "exclusion")
	fs.StringVar(&f.Selector, "selector", "", "a selector from selectors.yml")
	fs.BoolVar(&f.FullRefresh, "full-refresh", false, "rebuild incremental models and seeds")
	fs.BoolVar(&f.FullRefresh, "f", false, "rebuild incremental models and seeds")
	fs.BoolVar(&f.FailFast, "fail-fast", false, "stop at the first failure")
	fs.BoolVar(&f.FailFast, "x", false, "stop at the first failure")
	fs.BoolVar(&f.Empty, "empty", false, "limit refs and sources to zero rows")
	fs.StringVar(&f.Inline, "inline", "", "compile this SQL instead of the project's nodes")
	fs.StringVar(&f.Output, "output", "", "ls output: json, name, path, selector")
	fs.StringVar(&f.Output, "o", "", "ls output")
	fs.Var(&f.OutputKeys, "output-keys", "ls json keys")
	fs.Var(&f.ResourceTypes, "resource-type", "ls resource types")
	fs.Var(&f.ResourceTypes, "resource-types", "ls resource types")
	fs.StringVar(&f.Format, "format", "dot", "lineage format: dot, mermaid, json")
	fs.BoolVar(&f.Columns, "columns", false, "lineage: column level")
	fs.StringVar(&f.State, "state", "", "directory with a previous manifest")
	fs.StringVar(&f.Indirect, "indirect-selection", "eager", "test selection mode")
	fs.IntVar(&f.Limit, "limit", 5, "show: rows")
	fs.StringVar(&f.Args, "args", "", "run-operation arguments")
	fs.StringVar(&f.LogFormat, "log-format", "text", "text or json")
	fs.BoolVar(&f.NoVersionCheck, "no-version-check", false, "skip require-dbt-version")
	fs.BoolVar(&f.NoCompile, "no-compile", false, "docs generate: build the catalog without compiling")
	// gdbt parses the whole project every time: dbt's partial-parsing
	// switches are accepted and change nothing.
	ignore := func(string) error { return nil }
	fs.BoolFunc("partial-parse", "accepted for dbt compatibility; gdbt always parses the whole project", ignore)
	fs.BoolFunc("no-partial-parse", "accepted for dbt compatibility", ignore)
	fs.StringVar(&f.EventTimeStart, "event-time-start", "", "microbatch: the start of the batches (inclusive)")
	fs.StringVar(&f.EventTimeEnd, "event-time-end", "", "microbatch: the end of the batches (exclusive)")
	fs.BoolVar(&f.ShowAllDeprecations, "show-all-deprecations", false, "print every deprecation warning, not only the first of each kind")
	// dbt accepts flags anywhere after the command; positional words (a
	// run-operation macro name) are kept.
	if bad := unknownOption(cmd, args[1:], fs); bad != "" {
		// dbt's command-line parser (click) rejects an option the command
		// does not take before doing anything else.
		fmt.Fprintf(stderr, "Usage: gdbt %s [OPTIONS]\nTry 'gdbt %s --help' for help.\n\nError: No such option '%s'.\n", cmd, cmd, bad)
		return exitCrash
	}
	var positional []string
	rest := joinMultiValues(args[1:])
	for len(rest) > 0 {
		if err := fs.Parse(rest); err != nil {
			return exitCrash
		}
		rest = fs.Args()
		if len(rest) > 0 {
			positional = append(positional, rest[0])
			rest = rest[1:]
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	app := &app{f: f, stdout: stdout, stderr: stderr, args: positional, start: time.Now(), cmd: cmd}
	// dbt ends every command, failed or not, with the summary of the
	// deprecations it met.
	defer app.deprecationsSummary()
	var err error
	switch cmd {
	case "parse":
		err = app.parse(ctx)
	case "compile":
		err = app.compile(ctx)
	case "ls", "list":
		err = app.ls(ctx)
	case "clean":
		err = app.clean(ctx)
	case "deps":
		err = app.deps(ctx)
	default:
		if extra, ok := extraCommands[cmd]; ok {
			err = extra(ctx, app)
			break
		}
		if runner, ok := runCommands[cmd]; ok {
			return runner(ctx, app)
		}
		fmt.Fprintf(stderr, "gdbt: unknown command %q\n", cmd)
		usage(stderr)
		return exitCrash
	}
	if err != nil {
		app.printError(err)
		var f *checkFailed
		if errors.As(err, &f) {
			return exitFailure
		}
		return exitCrash
	}
	return exitOK
}

// commandOptions lists the shared flags a command takes, for the commands
// whose dbt options are a narrow subset of them (dbt parse has no
// --select, --exclude, --full-refresh …). Commands not listed take all.
var commandOptions = map[string]map[string]bool{
	"parse": setOf("project-dir", "profiles-dir", "target", "t", "profile", "vars", "threads",
		"fail-fast", "x", "state", "indirect-selection", "log-format", "no-version-check",
		"partial-parse", "no-partial-parse", "show-all-deprecations"),
}

func setOf(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// unknownOption returns the first argument naming a flag gdbt knows but
// cmd does not take, as it was written ("--select"), or "".
func unknownOption(cmd string, args []string, fs *flag.FlagSet) string {
	allowed, ok := commandOptions[cmd]
	if !ok {
		return ""
	}
	for _, a := range args {
		if a == "--" {
			break
		}
		if len(a) < 2 || a[0] != '-' {
			continue
		}
		opt, _, _ := strings.Cut(a, "=")
		name := strings.TrimLeft(opt, "-")
		if fs.Lookup(name) != nil && !allowed[name] {
			return opt
		}
	}
	return ""
}

// multiValueFlags take several space-separated values, as dbt's do:
// --select a b --exclude c.
var multiValueFlags = map[string]bool{"--select": true, "-s": true, "--models": true, "-m": true,
	"--exclude": true, "--resource-type": true, "--resource-types": true, "--output-keys": true}

// joinMultiValues folds the words after a multi-value flag into one
// argument, so the flag package sees --select "a b".
func joinMultiValues(args []string) []string {
	var out []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		out = append(out, a)
		if !multiValueFlags[a] || strings.Contains(a, "=") {
			continue
		}
		var vals []string
		for i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") {
			i++
			vals = append(vals, args[i])
		}
		out = append(out, strings.Join(vals, " "))
	}
	return out
}

// extraCommands are offline commands registered by other files of this
// package (lineage).
var extraCommands = map[string]func(ctx context.Context, a *app) error{}

// runCommands are the commands that reach the warehouse; the runtime
// registers them (see run.go).
var runCommands = map[string]func(ctx context.Context, a *app) int{}

func usage(w io.Writer) {
	fmt.Fprint(w, `gdbt: a dbt-compatible data build tool for PostgreSQL

Usage: gdbt <command> [flags]

Commands:
  parse        read the project and write target/manifest.json
  compile      render every node (or --inline SQL) to target/compiled
  ls           list resources (--output json|name|path|selector)
  lineage      print the model/source graph (--format dot|mermaid|json)
  seed, run, test, build, snapshot, show, run-operation, docs generate, debug
  load         land CSV files and API data declared in sources' meta.gdbt.load
  deps, clean

Flags: --project-dir --profiles-dir --target --vars --threads --select --exclude
       --selector --full-refresh --fail-fast --empty --state
`)
}

type app struct {
	cmd    string // the command, as flags.WHICH shows it to templates
	f      Flags
	stdout io.Writer
	stderr io.Writer
	args   []string
	start  time.Time
	proj   *project.Project
	res    *parser.Result
	// deprecations counts each deprecation warning met, in the order each
	// first occurred.
	deprecations []parser.DeprecationCount
}

// userError marks an error in the user's project or invocation rather
// than in gdbt. dbt reports both as "Encountered an error:" and exits 2.
type userError struct{ err error }

func (e *userError) Error() string { return e.err.Error() }
func (e *userError) Unwrap() error { return e.err }

// checkFailed is a command that ran to the end and found problems (lineage's
// SQL errors): exit 1, as a dbt run with failed nodes.
type checkFailed struct{ err error }

func (e *checkFailed) Error() string { return e.err.Error() }
func (e *checkFailed) Unwrap() error { return e.err }

func (a *app) printError(err error) {
	msg := err.Error()
	if a.proj != nil {
		msg = a.proj.Redact(msg)
	}
	fmt.Fprintf(a.stderr, "%s  Encountered an error:\n%s\n", time.Now().Format("15:04:05"), msg)
}

func (a *app) projectDir() string {
	if a.f.ProjectDir != "" {
		return a.f.ProjectDir
	}
	if d := os.Getenv("DBT_PROJECT_DIR"); d != "" {
		return d
	}
	return "."
}

func (a *app) load(noProfile bool) error {
	if a.proj != nil {
		return nil
	}
	defer a.trace("load project", time.Now())
	p, err := project.Load(a.projectDir(), project.Options{
		ProfilesDir: a.f.ProfilesDir, Target: a.f.Target, Profile: a.f.Profile,
		Vars: a.f.Vars, Threads: a.f.Threads, NoProfile: noProfile, NoVersionCheck: a.f.NoVersionCheck,
	})
	if err != nil {
		return &userError{err}
	}
	a.proj = p
	return nil
}

func (a *app) parseProject() error {
	if a.res != nil {
		return nil
	}
	parseCollector() // commands that parse nothing (load, deps, clean) keep the default
	if err := a.load(false); err != nil {
		return err
	}
	opts := parser.Options{Threads: a.threads()}
	if os.Getenv("GDBT_TRACE") != "" {
		opts.Trace = a.stderr
	}
	res, err := parser.Parse(a.proj, opts)
	if err != nil {
		return &userError{err}
	}
	for _, w := range res.Warnings {
		a.warn(w)
	}
	res.Env.Flags.Set("WHICH", a.cmd)
	res.Env.Flags.Set("FULL_REFRESH", a.f.FullRefresh)
	res.Env.FullRefresh = a.f.FullRefresh
	res.Env.Empty = a.f.Empty
	a.res = res
	return nil
}

// warn prints a warning; of a deprecation, only the first of its kind
// unless --show-all-deprecations, each counted for the summary.
func (a *app) warn(w parser.Warning) {
	if w.Deprecation != "" {
		i := slices.IndexFunc(a.deprecations, func(c parser.DeprecationCount) bool { return c.Event == w.Deprecation })
		if i < 0 {
			a.deprecations = append(a.deprecations, parser.DeprecationCount{Event: w.Deprecation})
			i = len(a.deprecations) - 1
		}
		a.deprecations[i].Count++
		if a.deprecations[i].Count > 1 && !a.f.ShowAllDeprecations {
			return
		}
	}
	a.logf("%s", a.proj.Redact(w.Text))
}

// deprecationsSummary prints dbt's summary of the deprecations the
// command met, if any.
func (a *app) deprecationsSummary() {
	if len(a.deprecations) > 0 {
		a.logf("%s", parser.DeprecationsSummary(a.deprecations, a.f.ShowAllDeprecations))
	}
}

func (a *app) threads() int {
	if a.f.Threads > 0 {
		return a.f.Threads
	}
	if a.proj != nil && a.proj.Profile != nil && a.proj.Profile.Threads > 0 {
		return a.proj.Profile.Threads
	}
	return 4
}

func (a *app) targetDir() string {
	t := a.proj.TargetPath
	if t == "" {
		t = "target"
	}
	if filepath.IsAbs(t) {
		return t
	}
	return filepath.Join(a.proj.Root, t)
}

func (a *app) logf(format string, args ...any) {
	fmt.Fprintf(a.stdout, "%s  %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}

func (a *app) parse(ctx context.Context) error {
	if err := a.parseProject(); err != nil {
		return err
	}
	defer a.trace("write manifest", time.Now())
	return a.writeManifest()
}

// trace writes how long a step took to stderr when GDBT_TRACE is set; the
// parser's own phases are traced the same way.
func (a *app) trace(step string, start time.Time) {
	if os.Getenv("GDBT_TRACE") != "" {
		fmt.Fprintf(a.stderr, "%-15s %8.1f ms\n", step, float64(time.Since(start).Microseconds())/1000)
	}
}

func (a *app) compile(ctx context.Context) error {
	if err := a.parseProject(); err != nil {
		return err
	}
	var wh dbtctx.Warehouse
	if a.proj.Profile != nil {
		lw := &lazyWarehouse{profile: a.proj.Profile, threads: a.threads()}
		defer lw.Close()
		wh = lw
	}
	c := compile.New(a.res, wh)
	a.res.Env.Context = ctx
	if a.f.Inline != "" {
		n := &manifest.Node{UniqueID: "sql_operation." + a.proj.Name + ".inline_query", ResourceType: "sql_operation",
			Package: a.proj.Name, Name: "inline_query", RawCode: a.f.Inline, OriginalFilePath: "inline_query",
			Config: manifest.Config{"materialized": "view"}}
		sql, err := c.Node(ctx, n)
		if err != nil {
			return &userError{err}
		}
		fmt.Fprintln(a.stdout, sql)
		return nil
	}
	ids, _, err := a.selectFor("compile")
	if err != nil {
		return err
	}
	results := &artifacts.RunResults{Args: a.runArgs("compile")}
	for _, id := range ids {
		n := a.res.Manifest.Nodes[id]
		if n == nil {
			continue
		}
		start := time.Now()
		res := artifacts.Result{Status: "success", ThreadID: "Thread-1 (worker)", UniqueID: id}
		if n.ResourceType != manifest.Seed {
			sql, err := c.Node(ctx, n)
			if err != nil {
				return &userError{fmt.Errorf("Runtime Error\n  Compilation Error in %s %s (%s)\n    %s", n.ResourceType, n.Name, n.OriginalFilePath, indent(indent(err.Error())))}
			}
			if err := a.writeCompiled(n, sql); err != nil {
				return err
			}
			yes := true
			res.Compiled, res.CompiledCode = &yes, &sql
			if n.RelationName != "" {
				rel := n.RelationName
				res.RelationName = &rel
			}
		}
		end := time.Now()
		res.Timing = []artifacts.Timing{{Name: "compile", StartedAt: start, CompletedAt: end}, {Name: "execute", StartedAt: end, CompletedAt: end}}
		res.ExecutionTime = end.Sub(start).Seconds()
		if n.Config.String("materialized") == "ephemeral" {
			continue // compiled into its callers; dbt lists no result for it
		}
		results.Results = append(results.Results, res)
	}
	results.Metadata = artifacts.NewMetadata(a.res.Env.InvocationID, a.start, time.Now(), os.Environ())
	results.ElapsedTime = time.Since(a.start).Seconds()
	if err := results.Write(a.targetDir()); err != nil {
		return err
	}
	// gdbt reads the SQL it compiled: syntax errors and relations named
	// without ref()/source() are reported at their place in the .sql file.
	// dbt does not parse SQL, so they are warnings and the exit code stays
	// dbt's.
	diags, err := lineage.CheckSQL(ctx, c, ids, lineage.Options{})
	if err != nil {
		return err
	}
	for _, d := range diags {
		fmt.Fprintf(a.stderr, "warning: %s\n", d.Error())
	}
	return a.writeManifest()
}

// writeCompiled writes target/compiled/<package>/<original path>.
func (a *app) writeCompiled(n *manifest.Node, sql string) error {
	rel := n.OutputPath()
	p := filepath.Join(a.targetDir(), "compiled", filepath.FromSlash(rel))
	n.CompiledPath = filepath.ToSlash(filepath.Join(a.proj.TargetPath, "compiled", rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return os.WriteFile(p, []byte(sql), 0o644)
}

func (a *app) ls(ctx context.Context) error {
	if err := a.parseProject(); err != nil {
		return err
	}
	ids, _, err := a.selectFor("ls")
	if err != nil {
		return err
	}
	return a.lsPrint(ids)
}

func (a *app) clean(ctx context.Context) error {
	if err := a.load(true); err != nil {
		return err
	}
	removed, err := project.Clean(a.proj)
	for _, r := range removed {
		a.logf("Cleaned %s/*", r)
	}
	return err
}

func (a *app) deps(ctx context.Context) error {
	if err := a.load(true); err != nil {
		return err
	}
	_, err := project.Deps(ctx, a.proj)
	if err != nil {
		return &userError{err}
	}
	return nil
}
