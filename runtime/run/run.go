// Package run is the task layer behind gdbt seed|run|test|snapshot|build:
// it opens the warehouse, creates schemas, runs on-run-start hooks, runs
// the selected nodes through the scheduler and the materializations,
// prints dbt's console lines, runs on-run-end hooks and writes
// target/run_results.json. It returns the process exit code.
package run

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/gdbt/gdbt/compiler/compile"
	"github.com/gdbt/gdbt/compiler/dbtctx"
	"github.com/gdbt/gdbt/compiler/graph"
	"github.com/gdbt/gdbt/compiler/manifest"
	"github.com/gdbt/gdbt/compiler/parser"
	"github.com/gdbt/gdbt/runtime/adapter/postgres"
	"github.com/gdbt/gdbt/runtime/artifacts"
	"github.com/gdbt/gdbt/runtime/console"
	"github.com/gdbt/gdbt/runtime/materialize"
	"github.com/gdbt/gdbt/runtime/scheduler"
)

// Exit codes, as dbt's.
const (
	ExitOK      = 0
	ExitFailure = 1 // a node errored or a test failed
	ExitCrash   = 2 // the run itself could not proceed
)

// Options configure one invocation.
type Options struct {
	Parse *parser.Result
	// Selected lists the unique_ids chosen by the selector; nil selects
	// every node the command runs. Nodes of other resource types and
	// ephemeral models are dropped.
	Selected      []string
	Threads       int // 0: the profile's
	FullRefresh   bool
	FailFast      bool
	Empty         bool
	StoreFailures bool
	Out           io.Writer // console; nil discards
	Color         bool
	// TargetDir is where artifacts go; "" means <project root>/target.
	TargetDir string
	// Adapter is an open warehouse (tests); nil opens one from the profile.
	Adapter *postgres.Adapter
	// Args is written as run_results.json's args.
	Args map[string]any
	// Now replaces the clock for console timestamps (golden tests).
	Now func() time.Time
	// EventTimeStart and EventTimeEnd bound microbatch models' batches
	// (--event-time-start, --event-time-end).
	EventTimeStart, EventTimeEnd *time.Time
	// PreviousBatches are the batch results of microbatch models a retry
	// runs again: only their failed batches run.
	PreviousBatches map[string]*BatchResults
	// InvocationStartedAt is the retried invocation's start: the default
	// end of its batches.
	InvocationStartedAt time.Time
}

type command string

const (
	cmdSeed     command = "seed"
	cmdRun      command = "run"
	cmdTest     command = "test"
	cmdSnapshot command = "snapshot"
	cmdBuild    command = "build"
)

// Seed runs `gdbt seed`.
func Seed(ctx context.Context, o Options) int { return execute(ctx, o, cmdSeed) }

// Run runs `gdbt run`.
func Run(ctx context.Context, o Options) int { return execute(ctx, o, cmdRun) }

// Test runs `gdbt test`.
func Test(ctx context.Context, o Options) int { return execute(ctx, o, cmdTest) }

// Snapshot runs `gdbt snapshot`.
func Snapshot(ctx context.Context, o Options) int { return execute(ctx, o, cmdSnapshot) }

// Build runs `gdbt build`.
func Build(ctx context.Context, o Options) int { return execute(ctx, o, cmdBuild) }

func (c command) runs(n *manifest.Node) bool {
	if n.ResourceType == manifest.Model && n.Config.String("materialized") == "ephemeral" {
		return false
	}
	if e, ok := n.Config["enabled"].(bool); ok && !e {
		return false
	}
	switch c {
	case cmdSeed:
		return n.ResourceType == manifest.Seed
	case cmdRun:
		return n.ResourceType == manifest.Model
	case cmdTest:
		return n.ResourceType == manifest.Test || n.ResourceType == manifest.UnitTest
	case cmdSnapshot:
		return n.ResourceType == manifest.Snapshot
	case cmdBuild:
		switch n.ResourceType {
		case manifest.Seed, manifest.Model, manifest.Test, manifest.Snapshot, manifest.UnitTest:
			return true
		}
	}
	return false
}

// invocation is one command's state.
type invocation struct {
	o       Options
	cmd     command
	m       *manifest.Manifest
	c       *compile.Compiler
	a       *postgres.Adapter
	r       *materialize.Runner
	p       *printer
	target  string
	started time.Time

	// unitTests maps a model to the unit tests build runs just before it.
	unitTests map[string][]string

	mu      sync.Mutex
	index   int
	total   int
	results []*nodeResult
	dirs    map[string]bool
}

type nodeResult struct {
	node     *manifest.Node
	uniqueID string
	status   materialize.Status
	message  *string
	resp     *dbtctx.Response
	failures *int64
	timing   []artifacts.Timing
	thread   string
	elapsed  time.Duration
	compiled *bool
	code     *string
	relation *string
	isHook   bool
	// batchResults are a microbatch model's batches.
	batchResults *BatchResults
}

func newInvocationID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

func execute(ctx context.Context, o Options, cmd command) (code int) {
	started := time.Now()
	out := o.Out
	if out == nil {
		out = io.Discard
	}
	now := o.Now
	if now == nil {
		now = time.Now
	}
	p := &printer{w: out, color: o.Color, now: now}
	res := o.Parse
	proj := res.Project
	inv := &invocation{o: o, cmd: cmd, m: res.Manifest, p: p, started: started, dirs: map[string]bool{}}
	inv.target = o.TargetDir
	if inv.target == "" {
		tp := proj.TargetPath
		if tp == "" {
			tp = "target"
		}
		inv.target = filepath.Join(proj.Root, tp)
	}
	threads := o.Threads
	if threads <= 0 && proj.Profile != nil {
		threads = proj.Profile.Threads
	}
	if threads <= 0 {
		threads = 1
	}

	// Selection.
	var ids []string
	if o.Selected == nil {
		for id, n := range inv.m.Nodes {
			if cmd.runs(n) {
				ids = append(ids, id)
			}
		}
	} else {
		for _, id := range o.Selected {
			if n := inv.m.Nodes[id]; n != nil && cmd.runs(n) {
				ids = append(ids, id)
			}
		}
	}
	sort.Strings(ids)
	unitCount := 0
	if cmd == cmdBuild {
		ids, inv.unitTests, unitCount = splitUnitTests(inv.m, ids)
	}
	// dbt's build reports each selected exposure as a no-op; they are
	// scheduled with the nodes but take no part in schemas or hooks.
	var exposures []string
	if cmd == cmdBuild && len(ids) > 0 {
		for id := range inv.m.Exposures {
			if o.Selected == nil || contains(o.Selected, id) {
				exposures = append(exposures, id)
			}
		}
		sort.Strings(exposures)
	}

	targetName := ""
	if proj.Profile != nil {
		targetName = proj.Profile.TargetName
	}
	p.line("")
	p.line(fmt.Sprintf("Concurrency: %d threads (target='%s')", threads, targetName))
	p.line("")

	a := o.Adapter
	if a == nil {
		if proj.Profile == nil {
			p.line(p.errorTag("Encountered an error:\nRuntime Error\n  no profile loaded"))
			return ExitCrash
		}
		var err error
		a, err = postgres.OpenProfile(ctx, proj.Profile, threads)
		if err != nil {
			p.line("Encountered an error:\n" + err.Error())
			return ExitCrash
		}
		defer a.Close()
	}
	inv.a = a
	env := res.Env
	env.FullRefresh = o.FullRefresh
	env.Empty = o.Empty
	env.Context = ctx
	// log(msg, info=True) in models, hooks and materializations prints
	// with the run's lines, as dbt's info-level events do.
	env.Log = func(msg string, info bool) {
		if info {
			p.line(msg)
		}
	}
	env.InvocationID = newInvocationID()
	env.RunStartedAt = started.UTC()
	if env.Flags != nil {
		env.Flags.Set("FULL_REFRESH", o.FullRefresh)
		env.Flags.Set("STORE_FAILURES", o.StoreFailures)
		env.Flags.Set("WHICH", string(cmd))
		env.Flags.Set("EMPTY", o.Empty)
	}
	inv.c = compile.New(res, a)
	inv.r = &materialize.Runner{C: inv.c, A: a, FullRefresh: o.FullRefresh, Empty: o.Empty, StoreFailures: o.StoreFailures,
		ProjectRoot: proj.Root, PackageRoot: func(pkg string) string {
			if d := proj.Dependency(pkg); d != nil {
				return d.Root
			}
			return proj.Root
		}}
	// dbt keeps its own materializations over a package's unless the
	// project opts out of this flag.
	if v, ok := proj.Flags.Get("require_explicit_package_overrides_for_builtin_materializations").Interface().(bool); ok && !v {
		inv.r.PackageOverrides = true
	}

	interrupted := false
	defer func() {
		// Whatever happened, record what finished.
		if err := inv.writeResults(); err != nil {
			p.line("Encountered an error while writing run_results.json: " + err.Error())
			if code == ExitOK {
				code = ExitCrash
			}
		}
	}()

	if len(ids) == 0 {
		p.line(p.warningTag("Nothing to do. Try checking your model configs and model specification args"))
		return ExitOK
	}

	if err := inv.createSchemas(ctx, ids); err != nil {
		p.line("Encountered an error:\n" + err.Error())
		return ExitCrash
	}

	hookOK := inv.runHooks(ctx, "on-run-start", nil)
	if !hookOK {
		// dbt skips every node when an on-run-start hook fails.
		t := &task{inv: inv}
		inv.total = len(ids)
		for _, id := range ids {
			t.Skip(id, "on-run-start", 0)
		}
	}

	g, err := graph.Build(inv.m)
	if err != nil {
		p.line("Encountered an error:\n" + err.Error())
		return ExitCrash
	}
	if cmd == cmdBuild {
		g = g.AddTestEdges(inv.m)
	}
	inv.total = len(ids) + len(exposures) + unitCount
	runStart := time.Now()
	if hookOK {
		all := append(append([]string{}, ids...), exposures...)
		if _, err := scheduler.Run(ctx, g, all, scheduler.Options{Threads: threads, FailFast: o.FailFast}, &task{inv: inv}); err != nil {
			p.line("Encountered an error:\n" + err.Error())
			return ExitCrash
		}
	}
	if ctx.Err() != nil {
		interrupted = true
		inv.cleanupLeftovers(ids)
	}
	if !interrupted {
		inv.runHooks(ctx, "on-run-end", ids)
	}
	inv.summary(time.Since(runStart), interrupted)

	if interrupted {
		return ExitCrash
	}
	for _, r := range inv.results {
		switch r.status {
		case materialize.Error, materialize.Fail, materialize.PartialSuccess:
			return ExitFailure
		}
	}
	return ExitOK
}

// createSchemas creates the schemas the selected nodes build into, after
// reading all of them into the relation cache with one query.
func (inv *invocation) createSchemas(ctx context.Context, ids []string) error {
	set := map[string]bool{}
	for _, id := range ids {
		n := inv.m.Nodes[id]
		if n.ResourceType == manifest.UnitTest || n.ResourceType == manifest.Test && !inv.r.StoresFailures(n.Config) {
			continue
		}
		if n.Schema != "" {
			set[n.Schema] = true
		}
	}
	var schemas []string
	for s := range set {
		schemas = append(schemas, s)
	}
	sort.Strings(schemas)
	if err := inv.a.Prefetch(ctx, schemas); err != nil {
		return err
	}
	for _, s := range schemas {
		exists, err := inv.a.SchemaExists(ctx, "", s)
		if err != nil {
			return err
		}
		if !exists {
			if err := inv.a.CreateSchema(ctx, "", s); err != nil {
				return err
			}
		}
	}
	return nil
}

// cleanupLeftovers drops intermediate and backup relations an interrupted
// node may have left (they live inside transactions, so normally the
// rollback removes them; this catches a commit that raced the signal).
func (inv *invocation) cleanupLeftovers(ids []string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, id := range ids {
		n := inv.m.Nodes[id]
		if n.ResourceType == manifest.Test || n.ResourceType == manifest.UnitTest {
			continue
		}
		for _, suffix := range []string{"__dbt_tmp", "__dbt_backup"} {
			name := n.Alias + suffix
			if len(name) > 63 {
				name = n.Alias[:63-len(suffix)] + suffix
			}
			if rel, _ := inv.a.GetRelation(ctx, "", n.Schema, name); rel != nil {
				_ = inv.a.DropRelation(ctx, rel)
			}
		}
	}
}

// task adapts the invocation to the scheduler.
type task struct{ inv *invocation }

func (t *task) next() int {
	t.inv.mu.Lock()
	defer t.inv.mu.Unlock()
	t.inv.index++
	return t.inv.index
}

func (t *task) record(r *nodeResult) {
	t.inv.mu.Lock()
	t.inv.results = append(t.inv.results, r)
	t.inv.mu.Unlock()
}

func describe(n *manifest.Node) string {
	switch n.ResourceType {
	case manifest.Model:
		lang := n.Language
		if lang == "" {
			lang = "sql"
		}
		return fmt.Sprintf("%s %s model %s.%s", lang, n.Config.String("materialized"), n.Schema, n.Alias)
	case manifest.Seed:
		return fmt.Sprintf("seed file %s.%s", n.Schema, n.Alias)
	case manifest.Snapshot:
		return fmt.Sprintf("snapshot %s.%s", n.Schema, n.Alias)
	case manifest.Test:
		return "test " + n.Name
	case manifest.UnitTest:
		return "unit_test " + unitTestName(n)
	}
	return string(n.ResourceType) + " " + n.Name
}

func strp(s string) *string { return &s }

func (t *task) Run(ctx context.Context, uid string, thread int) bool {
	inv := t.inv
	if e := inv.m.Exposures[uid]; e != nil {
		return t.noOp(uid, e, thread)
	}
	n := inv.m.Nodes[uid]
	if n.ResourceType == manifest.UnitTest {
		return t.runUnitTest(ctx, n, thread)
	}
	if ok := t.runUnitTestsOf(ctx, uid, thread); !ok {
		// A failing unit test skips its model, as in dbt's build.
		t.skipOne(uid, thread)
		return false
	}
	if dbtctx.IsMicrobatch(n) {
		return t.runMicrobatch(ctx, uid, n, thread)
	}
	idx := t.next()
	p := inv.p
	p.line(console.Fancy("START "+describe(n), "RUN", idx, inv.total, nil, false))
	r := &nodeResult{node: n, uniqueID: uid, thread: fmt.Sprintf("Thread-%d (worker)", thread)}
	start := time.Now()
	compiled, err := inv.r.Compile(ctx, n)
	compEnd := time.Now()
	r.timing = append(r.timing, artifacts.Timing{Name: "compile", StartedAt: start, CompletedAt: compEnd})
	if n.ResourceType != manifest.Seed {
		ok := err == nil
		r.compiled = &ok
		r.code = strp(compiled)
		if ok {
			inv.writeFile("compiled", n, compiled)
			// dbt also writes the compiled SQL of the ephemeral models
			// it injected as CTEs.
			for _, cte := range n.ExtraCTEs {
				if e := inv.m.Nodes[cte.ID]; e != nil && e.Compiled {
					inv.writeFile("compiled", e, e.CompiledCode)
				}
			}
		}
	} else {
		r.code = strp("")
	}
	if n.RelationName != "" && n.ResourceType != manifest.Test {
		r.relation = strp(n.RelationName)
	}
	var res *materialize.Result
	if err == nil {
		execStart := time.Now()
		res, err = inv.r.Execute(ctx, n, compiled)
		r.timing = append(r.timing, artifacts.Timing{Name: "execute", StartedAt: execStart, CompletedAt: time.Now()})
	}
	r.elapsed = time.Since(start)
	if err != nil {
		r.status = materialize.Error
		msg := inv.errorMessage(n, err)
		r.message = &msg
		r.resp = nil
	} else {
		r.status = res.Status
		r.resp = res.Response
		r.failures = res.Failures
		if res.Message != "" {
			r.message = strp(res.Message)
		}
		if n.ResourceType == manifest.Test && res.Status == materialize.Pass {
			r.message = nil
		}
		if n.ResourceType == manifest.Test && inv.r.StoresFailures(n.Config) {
			rel := inv.c.Env().Relation(n)
			r.relation = strp(rel.String())
		}
		if res.MainSQL != "" {
			inv.writeFile("run", n, res.MainSQL)
		}
	}
	p.line(inv.resultLine(n, r, idx))
	t.record(r)
	switch r.status {
	case materialize.Error, materialize.Fail:
		return false
	}
	return true
}

// noOp reports an exposure in build: nothing runs, one NO-OP line, a
// result with status no-op, as dbt's no-op runner does.
func (t *task) noOp(uid string, e *manifest.ExposureDef, thread int) bool {
	idx := t.next()
	var zero time.Duration
	t.inv.p.line(console.Fancy("NO-OP exposure "+e.Name, t.inv.p.yellow("NO-OP"), idx, t.inv.total, &zero, false))
	var none int64
	t.record(&nodeResult{
		node:     &manifest.Node{UniqueID: uid, ResourceType: manifest.Exposure, Name: e.Name, Package: e.Package},
		uniqueID: uid, status: materialize.NoOp, message: strp("NO-OP"), failures: &none,
		thread: fmt.Sprintf("Thread-%d (worker)", thread), timing: []artifacts.Timing{},
	})
	return true
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

func (t *task) Skip(uid, cause string, thread int) {
	// A skipped model's unit tests are skipped with it.
	for _, u := range t.inv.unitTests[uid] {
		t.skipOne(u, thread)
	}
	t.skipOne(uid, thread)
}

func (t *task) skipOne(uid string, thread int) {
	inv := t.inv
	n := inv.m.Nodes[uid]
	if n == nil {
		if e := inv.m.Exposures[uid]; e != nil {
			n = &manifest.Node{UniqueID: uid, ResourceType: manifest.Exposure, Name: e.Name, Package: e.Package}
		} else {
			return
		}
	}
	idx := t.next()
	var msg string
	switch n.ResourceType {
	case manifest.Model, manifest.Seed, manifest.Snapshot:
		msg = fmt.Sprintf("SKIP relation %s.%s", n.Schema, n.Alias)
	default:
		msg = fmt.Sprintf("SKIP %s %s", n.ResourceType, n.Name)
	}
	inv.p.line(console.Fancy(msg, inv.p.yellow("SKIP"), idx, inv.total, nil, false))
	th := "main"
	if thread > 0 {
		th = fmt.Sprintf("Thread-%d (worker)", thread)
	}
	// As dbt: a skipped node was not compiled; models, seeds and
	// snapshots keep their relation name.
	no := false
	r := &nodeResult{node: n, uniqueID: uid, status: materialize.Skipped, thread: th, compiled: &no}
	if n.ResourceType == manifest.UnitTest {
		r.compiled = nil // dbt writes null for a skipped unit test
	}
	if n.RelationName != "" && n.ResourceType != manifest.Test {
		r.relation = strp(n.RelationName)
	}
	t.record(r)
}

func (inv *invocation) resultLine(n *manifest.Node, r *nodeResult, idx int) string {
	p := inv.p
	d := r.elapsed
	desc := describe(n)
	failures := int64(0)
	if r.failures != nil {
		failures = *r.failures
	}
	msg := ""
	if r.message != nil {
		msg = *r.message
	}
	switch n.ResourceType {
	case manifest.Test:
		switch r.status {
		case materialize.Error:
			return console.Fancy("ERROR "+n.Name, p.red("ERROR"), idx, inv.total, &d, false)
		case materialize.Pass:
			return console.Fancy("PASS "+n.Name, p.green("PASS"), idx, inv.total, &d, false)
		case materialize.Warn:
			s := fmt.Sprintf("WARN %d", failures)
			return console.Fancy(s+" "+n.Name, p.yellow(s), idx, inv.total, &d, false)
		default:
			s := fmt.Sprintf("FAIL %d", failures)
			return console.Fancy(s+" "+n.Name, p.red(s), idx, inv.total, &d, false)
		}
	case manifest.Seed:
		if r.status == materialize.Error {
			return console.Fancy(fmt.Sprintf("ERROR loading seed file %s.%s", n.Schema, n.Alias), p.red("ERROR"), idx, inv.total, &d, false)
		}
		return console.Fancy(fmt.Sprintf("OK loaded seed file %s.%s", n.Schema, n.Alias), p.green(msg), idx, inv.total, &d, false)
	case manifest.Snapshot:
		if r.status == materialize.Error {
			return console.Fancy(fmt.Sprintf("ERROR snapshotting %s.%s", n.Schema, n.Alias), p.red("ERROR"), idx, inv.total, &d, false)
		}
		return console.Fancy(fmt.Sprintf("OK snapshotted %s.%s", n.Schema, n.Alias), p.green(msg), idx, inv.total, &d, false)
	}
	if r.status == materialize.Error {
		return console.Fancy("ERROR creating "+desc, p.red("ERROR"), idx, inv.total, &d, false)
	}
	return console.Fancy("OK created "+desc, p.green(msg), idx, inv.total, &d, false)
}

// errorMessage renders a node failure as dbt's result message.
func (inv *invocation) errorMessage(n *manifest.Node, err error) string {
	var ne *materialize.NodeError
	if errors.As(err, &ne) {
		msg := ne.Error()
		if ne.Kind == materialize.DatabaseError && n.ResourceType != manifest.Seed {
			loc := inv.relPath("compiled", n)
			if ne.Line > 0 {
				loc += fmt.Sprintf(":%d:%d", ne.Line, ne.Col)
			}
			msg += "\n  compiled code at " + loc
		}
		return msg
	}
	return fmt.Sprintf("Runtime Error in %s %s (%s)\n  %s", n.ResourceType, n.Name, n.OriginalFilePath, strings.ReplaceAll(err.Error(), "\n", "\n  "))
}

// relPath is a node's file under target/<kind>, relative to the project
// root as dbt prints it.
func (inv *invocation) relPath(kind string, n *manifest.Node) string {
	tp := inv.o.Parse.Project.TargetPath
	if tp == "" {
		tp = "target"
	}
	return filepath.ToSlash(filepath.Join(tp, kind, n.OutputPath()))
}

func (inv *invocation) writeFile(kind string, n *manifest.Node, text string) {
	inv.writeAt(kind, n.OutputPath(), text)
}

// writeAt writes text to target/<kind>/<rel>.
func (inv *invocation) writeAt(kind, rel, text string) {
	full := filepath.Join(inv.target, kind, filepath.FromSlash(rel))
	dir := filepath.Dir(full)
	// The directory is created under the lock: a worker that finds it
	// marked must also find it on disk.
	inv.mu.Lock()
	if !inv.dirs[dir] {
		if err := os.MkdirAll(dir, 0o755); err == nil {
			inv.dirs[dir] = true
		}
	}
	inv.mu.Unlock()
	_ = os.WriteFile(full, []byte(text), 0o644)
}

// summary prints the end-of-run block.
func (inv *invocation) summary(elapsed time.Duration, interrupted bool) {
	p := inv.p
	counts := map[string]int{}
	display := map[string]string{}
	for _, r := range inv.results {
		key := string(r.node.ResourceType)
		disp := key
		switch {
		case r.isHook:
			key, disp = "operation", "project hook"
		case r.node.ResourceType == manifest.Model:
			key = r.node.Config.String("materialized") + " model"
			disp = strings.ReplaceAll(key, "_", " ")
		case r.node.ResourceType == manifest.Test:
			disp = "data test"
		case r.node.ResourceType == manifest.UnitTest:
			disp = "unit test"
		}
		counts[key]++
		display[key] = disp
	}
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = console.Pluralize(counts[k], display[k])
	}
	p.line("")
	p.line(fmt.Sprintf("Finished running %s%s (%0.2fs).", strings.Join(parts, ", "), console.Humanize(elapsed), elapsed.Seconds()))

	var errs, warns []*nodeResult
	partial := 0
	stats := map[string]int{}
	for _, r := range inv.results {
		switch r.status {
		case materialize.Error, materialize.Fail:
			errs = append(errs, r)
			stats["error"]++
		case materialize.PartialSuccess:
			partial++
			stats["error"]++
		case materialize.Warn:
			warns = append(warns, r)
			stats["warn"]++
		case materialize.Skipped:
			stats["skip"]++
		case materialize.NoOp:
			stats["noop"]++
		default:
			stats["pass"]++
		}
	}
	p.line("")
	switch {
	case interrupted:
		p.line(p.yellow("Exited because of keyboard interrupt"))
	case len(errs) > 0:
		p.line(p.red(fmt.Sprintf("Completed with %s, %s, and %s:", console.Pluralize(len(errs), "error"), partialSuccesses(partial), console.Pluralize(len(warns), "warning"))))
	case partial > 0:
		p.line(p.yellow(fmt.Sprintf("Completed with %s and %s", partialSuccesses(partial), console.Pluralize(len(warns), "warning"))))
	case len(warns) > 0:
		p.line(p.yellow(fmt.Sprintf("Completed with %s:", console.Pluralize(len(warns), "warning"))))
	default:
		p.line(p.green("Completed successfully"))
	}
	for _, r := range errs {
		p.line("")
		p.line(p.errorTag(fmt.Sprintf("in %s %s (%s)", r.resourceType(), r.node.Name, r.node.OriginalFilePath)))
		if r.message != nil {
			p.line("  " + *r.message)
		} else {
			p.line("  Status: " + string(r.status))
		}
		if !r.isHook && r.compiled != nil && *r.compiled {
			p.line("")
			p.line("  compiled code at " + inv.relPath("compiled", r.node))
		}
		if !r.isHook && r.node.ResourceType == manifest.Test && inv.r.StoresFailures(r.node.Config) && r.relation != nil {
			msg := "select * from " + *r.relation
			border := strings.Repeat("-", len(msg))
			p.line("")
			p.line("  See test failures:\n  " + border + "\n  " + msg + "\n  " + border)
		}
	}
	for _, r := range warns {
		p.line("")
		p.line(p.warningTag(fmt.Sprintf("in %s %s (%s)", r.resourceType(), r.node.Name, r.node.OriginalFilePath)))
		if r.message != nil {
			p.line(p.warningTag(*r.message))
		}
		if r.compiled != nil && *r.compiled {
			p.line("")
			p.line("  compiled code at " + inv.relPath("compiled", r.node))
		}
	}
	p.line("")
	p.line(fmt.Sprintf("Done. PASS=%d WARN=%d ERROR=%d SKIP=%d NO-OP=%d REUSED=%d TOTAL=%d",
		stats["pass"], stats["warn"], stats["error"], stats["skip"], stats["noop"], 0, len(inv.results)))
}

func (r *nodeResult) resourceType() string {
	if r.isHook {
		return "operation"
	}
	return string(r.node.ResourceType)
}

// writeResults writes target/run_results.json for the results so far.
func (inv *invocation) writeResults() error {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	rr := &artifacts.RunResults{
		Metadata:    artifacts.NewMetadata(inv.c0InvocationID(), inv.started, time.Now(), os.Environ()),
		ElapsedTime: time.Since(inv.started).Seconds(),
		Args:        inv.o.Args,
	}
	for _, r := range inv.results {
		ar := artifacts.Result{
			Status:        string(r.status),
			Timing:        r.timing,
			ThreadID:      r.thread,
			ExecutionTime: r.elapsed.Seconds(),
			Message:       r.message,
			Failures:      r.failures,
			UniqueID:      r.uniqueID,
			Compiled:      r.compiled,
			CompiledCode:  r.code,
			RelationName:  r.relation,
		}
		if r.resp != nil {
			ar.AdapterResponse = &artifacts.AdapterResponse{Message: r.resp.Message, Code: r.resp.Code, RowsAffected: r.resp.RowsAffected}
			if r.resp.RowsText != "" {
				ar.AdapterResponse.RowsAffected = r.resp.RowsText
			}
		}
		if r.batchResults != nil {
			ar.BatchResults = r.batchResults
		}
		rr.Results = append(rr.Results, ar)
	}
	return rr.Write(inv.target)
}

func (inv *invocation) c0InvocationID() string {
	if inv.c != nil {
		return inv.c.Env().InvocationID
	}
	return newInvocationID()
}
