package conformance

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// StepTimeout bounds one tool's run of one step.
var StepTimeout = 20 * time.Minute

// Goldens modes for Config.Goldens.
const (
	GoldensOff    = ""
	GoldensUpdate = "update" // write dbt's output into <project>/expected
	GoldensCheck  = "check"  // fail when dbt's output differs from <project>/expected
)

// RunOptions are the Config fields that are not about the project itself.
type RunOptions struct {
	Goldens   string // GoldensOff, GoldensUpdate or GoldensCheck
	GoldenDir string // default <Project>/expected
	ShellDir  string // working directory of shell steps (default: the current directory)
	PkgDir    string // internal/conformance, for testdata/scenarios lookup
	AllowList *AllowList
}

// commands that never touch the database: relations are not compared after them.
var readOnlyCommands = map[string]bool{"parse": true, "compile": true, "ls": true, "list": true, "docs": true,
	"deps": true, "debug": true, "clean": true, "show": true}

// side is one tool's copy of the project and its database.
type side struct {
	tool     string // "dbt" or "gdbt"
	exe      string
	root     string // copy root (the project plus any local packages above it)
	project  string // project dir inside root
	profiles string
	db       string
	url      string
	logs     string
}

// Run runs the scenario with both tools and compares them. An error means the
// harness itself could not work (no dbt, no Postgres, unreadable project);
// everything gdbt gets wrong is a Difference in the report.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	return RunWith(ctx, cfg, RunOptions{})
}

// RunWith is Run with goldens, allow-list and directory options.
func RunWith(ctx context.Context, cfg Config, opt RunOptions) (*Report, error) {
	logf := cfg.Log
	if logf == nil {
		logf = func(string, ...any) {}
	}
	proj, err := filepath.Abs(cfg.Project)
	if err != nil {
		return nil, err
	}
	dp, err := readDbtProject(proj)
	if err != nil {
		return nil, err
	}
	name := cfg.Name
	if name == "" {
		name = filepath.Base(proj)
	}
	if cfg.DbtOnly && cfg.GdbtOnly {
		return nil, errors.New("DbtOnly and GdbtOnly exclude each other")
	}
	if cfg.DbtPath == "" && !cfg.GdbtOnly {
		return nil, errors.New("no dbt executable given (run scripts/venv.sh; it installs .venv/bin/dbt)")
	}
	if _, err := exec.LookPath(cfg.DbtPath); err != nil && !cfg.GdbtOnly {
		return nil, fmt.Errorf("dbt executable %s: %w (run scripts/venv.sh)", cfg.DbtPath, err)
	}
	if cfg.DBURL == "" {
		return nil, errors.New("no database URL given (run scripts/pg.sh start)")
	}
	if cfg.WorkDir == "" {
		return nil, errors.New("no work directory given")
	}
	scPath := cfg.Scenario
	if scPath == "" {
		scPath = scenarioPath(proj, name, opt.PkgDir)
	}
	sc, err := LoadScenario(scPath)
	if err != nil {
		return nil, err
	}
	steps := sc.Steps
	if len(cfg.Steps) > 0 {
		steps = cfg.Steps
	}
	if hasPackages(proj) && (len(steps) == 0 || steps[0].Name != "deps") {
		steps = append([]Step{{Kind: StepCommand, Args: []string{"deps"}, Name: "deps"}}, steps...)
	}

	dbPrefix := sanitizeDBName(name)
	if sc.Database != "" {
		dbPrefix = sanitizeDBName(sc.Database)
	}
	work := filepath.Join(cfg.WorkDir, dbPrefix)
	if err := os.RemoveAll(work); err != nil {
		return nil, err
	}
	root, err := copyRoot(proj)
	if err != nil {
		return nil, err
	}
	rel, _ := filepath.Rel(root, proj)
	sides := []*side{{tool: "dbt", exe: cfg.DbtPath}, {tool: "gdbt", exe: cfg.GdbtPath}}
	for _, s := range sides {
		s.root = filepath.Join(work, s.tool)
		s.project = filepath.Join(s.root, rel)
		s.logs = filepath.Join(work, "logs-"+s.tool)
		s.db = dbPrefix + "_" + s.tool
		if s.url, err = withDatabase(cfg.DBURL, s.db); err != nil {
			return nil, fmt.Errorf("database URL %q: %w", cfg.DBURL, err)
		}
		if err := copyTree(root, s.root); err != nil {
			return nil, err
		}
		if err := os.MkdirAll(s.logs, 0o755); err != nil {
			return nil, err
		}
		s.profiles = s.project
		if sc.Profile != "project" {
			s.profiles = filepath.Join(work, "profiles-"+s.tool)
			if err := writeProfile(s.profiles, dp.Profile, cfg.DBURL, s.db, projectOutput(proj, dp.Profile, sc)); err != nil {
				return nil, err
			}
		}
	}
	// Rewrite both database names to one placeholder before comparing.
	rw := strings.NewReplacer(sides[1].db, "<database>", sides[0].db, "<database>")

	// Template database: setup runs once, both sides are clones of it.
	tpl := dbPrefix + "_tpl"
	tplURL, _ := withDatabase(cfg.DBURL, tpl)
	logf("%s: creating databases %s, %s from %s", name, sides[0].db, sides[1].db, tpl)
	if err := recreateDatabase(ctx, cfg.DBURL, tpl, "template0"); err != nil {
		return nil, fmt.Errorf("postgres at %s: %w (run scripts/pg.sh start)", redact(cfg.DBURL), err)
	}
	for i, st := range sc.Setup {
		if err := runDBStep(ctx, st, tplURL, proj, opt.ShellDir, filepath.Join(work, fmt.Sprintf("setup-%d.log", i))); err != nil {
			return nil, fmt.Errorf("%s: setup step %d (%s): %w", scPath, i+1, st.Name, err)
		}
	}
	for _, s := range sides {
		if err := recreateDatabase(ctx, cfg.DBURL, s.db, tpl); err != nil {
			return nil, err
		}
	}

	rep := &Report{Project: name, Dir: proj}
	if !cfg.GdbtOnly {
		rep.DbtVersion = toolVersion(ctx, cfg.DbtPath)
	}
	shape := projectOutput(proj, dp.Profile, sc)
	seen := map[string]string{} // difference key -> first step
	gold := &goldenState{mode: opt.Goldens, dir: opt.GoldenDir, project: dp.Name, db: sides[0].db, target: shape.target, schema: shape.schema}
	if gold.dir == "" {
		gold.dir = filepath.Join(proj, "expected")
	}
	ignored := (&stepCompare{ignore: sc.IgnoreColumns}).ignoredColumns
	var recorded *Outcomes // GdbtOnly: dbt's outcomes, one per step
	if cfg.GdbtOnly {
		if len(cfg.Steps) > 0 {
			return nil, errors.New("gdbt-only replays the scenario dbt's recording was made with: give no steps")
		}
		if recorded, err = LoadOutcomes(filepath.Join(gold.dir, OutcomesFile)); err != nil {
			return nil, fmt.Errorf("gdbt-only needs dbt's recording (make it with -update-goldens -dbt-only): %w", err)
		}
		rep.DbtVersion = recorded.DbtVersion + " (recorded)"
		var names []string
		for _, st := range steps {
			names = append(names, st.Name)
		}
		var recNames []string
		for _, o := range recorded.Steps {
			recNames = append(recNames, o.Name)
		}
		if !slices.Equal(names, recNames) {
			return nil, fmt.Errorf("%s was recorded for steps %q, the scenario has %q: record it again with -update-goldens -dbt-only",
				filepath.Join(gold.dir, OutcomesFile), recNames, names)
		}
	}
	var recorder *outcomeRecorder // dbt's outcomes for the recording
	if opt.Goldens != GoldensOff && len(cfg.Steps) == 0 && !cfg.GdbtOnly {
		recorder = &outcomeRecorder{mode: opt.Goldens, path: filepath.Join(gold.dir, OutcomesFile), version: rep.DbtVersion}
		if _, err := os.Stat(recorder.path); err != nil && opt.Goldens == GoldensCheck {
			recorder = nil // nothing recorded to check against
		}
	}
	addDiffs := func(c *stepCompare) {
		for _, d := range c.diffs {
			key := fmt.Sprintf("%s\x00%s\x00%s\x00%s\x00%s", d.Kind, d.ID, d.Field, d.Detail, d.Diff)
			if first, ok := seen[key]; ok {
				d.Repeat = first
				d.Diff = "" // shown with the first occurrence; keeps the JSON report small
			} else {
				seen[key] = c.step
			}
			if a := opt.AllowList.Match(name, d); a != nil {
				d.Allowed = a.Reason
			}
			rep.Differences = append(rep.Differences, d)
		}
	}
	for i, st := range steps {
		sr := &StepResult{Name: st.Name, Kind: st.Kind}
		rep.Steps = append(rep.Steps, sr)
		c := &stepCompare{step: st.Name, badNode: map[string]bool{}, nodes: map[string]bool{}, ignore: sc.IgnoreColumns}
		logf("%s: step %d/%d %s", name, i+1, len(steps), st.Name)
		switch st.Kind {
		case StepCommand:
			for _, s := range sides {
				run := &sr.Dbt
				if s.tool == "gdbt" {
					run = &sr.Gdbt
				}
				if !s.active(cfg) {
					run.Skipped = true
					continue
				}
				cleanTarget(s.project)
				*run = runTool(ctx, s, st, sc.Target, append(slices.Clip(cfg.Env), sc.Env...), i)
			}
			if cfg.DbtOnly || cfg.GdbtOnly {
				break
			}
			if sr.Dbt.Exit != sr.Gdbt.Exit || sr.Gdbt.Err != "" {
				detail := fmt.Sprintf("dbt exited %d, gdbt %d", sr.Dbt.Exit, sr.Gdbt.Exit)
				if sr.Gdbt.Err != "" {
					detail = fmt.Sprintf("dbt exited %d; gdbt did not run: %s", sr.Dbt.Exit, sr.Gdbt.Err)
				}
				c.add(KindExitCode, st.Name, "", detail, logTail(sr.Gdbt.Log, 15))
			}
			compareArtifacts(c, sides, rw)
		case StepSQL, StepShell:
			for _, s := range sides {
				if !s.active(cfg) {
					continue
				}
				start := time.Now()
				err := runDBStep(ctx, st, s.url, proj, opt.ShellDir, filepath.Join(s.logs, fmt.Sprintf("%02d-%s.log", i, st.Kind)))
				run := ToolRun{Seconds: time.Since(start).Seconds()}
				if err != nil {
					run.Exit, run.Err = 1, err.Error()
					c.add(KindStepError, st.Name, s.tool, err.Error(), "")
				}
				if s.tool == "dbt" {
					sr.Dbt = run
				} else {
					sr.Gdbt = run
				}
			}
		}
		if cfg.GdbtOnly {
			got, err := readOutcome(ctx, sides[1], st, sr.Gdbt, rw, ignored)
			if err != nil {
				return nil, err
			}
			want := recorded.Steps[i]
			sr.Dbt.Exit = want.Exit
			c.compareOutcome(want, got, sr.Gdbt.Log)
		}
		if recorder != nil {
			o, err := readOutcome(ctx, sides[0], st, sr.Dbt, rw, ignored)
			if err != nil {
				return nil, err
			}
			recorder.steps = append(recorder.steps, o)
		}
		if !cfg.DbtOnly && !cfg.GdbtOnly && (st.Kind != StepCommand || !readOnlyCommands[st.Args[0]]) {
			if err := c.compareRelations(ctx, sides[0].url, sides[1].url); err != nil {
				return nil, fmt.Errorf("step %s: reading relations: %w", st.Name, err)
			}
		}
		if st.Kind == StepCommand && st.Name == "compile" && gold.mode != GoldensOff {
			if sr.Dbt.Exit != 0 {
				return nil, fmt.Errorf("goldens: dbt compile exited %d (log: %s); nothing written or checked", sr.Dbt.Exit, sr.Dbt.Log)
			}
			if err := gold.handle(c, sides[0].project); err != nil {
				return nil, err
			}
		}
		c.finish()
		sr.Figures = c.fig
		addDiffs(c)
	}
	if recorder != nil {
		c := &stepCompare{step: OutcomesFile, badNode: map[string]bool{}, nodes: map[string]bool{}}
		if err := recorder.finish(c); err != nil {
			return nil, err
		}
		addDiffs(c)
	}
	return rep, nil
}

// active tells whether a side runs steps in this configuration.
func (s *side) active(cfg Config) bool {
	if s.tool == "dbt" {
		return !cfg.GdbtOnly
	}
	return !cfg.DbtOnly
}

// compareArtifacts compares manifest, compiled SQL and run results of one step.
func compareArtifacts(c *stepCompare, sides []*side, rw *strings.Replacer) {
	path := func(side, name string) string {
		s := sides[0]
		if side == "gdbt" {
			s = sides[1]
		}
		return filepath.Join(targetDir(s.project), name)
	}
	ids := map[string]string{}
	ma, mb, ok := artifactPair(c, "manifest.json", func(side string) (*ManifestSubset, error) {
		return LoadManifest(path(side, "manifest.json"), rw)
	})
	for _, m := range []*ManifestSubset{mb, ma} { // dbt's wins
		if m != nil {
			for k, v := range m.CompiledPath {
				ids[k] = v
			}
		}
	}
	if ok {
		c.compareManifests(ma, mb)
	} else {
		// One side wrote none: every node the other side has counts as differing.
		for _, m := range []*ManifestSubset{ma, mb} {
			if m == nil {
				continue
			}
			for id := range m.Nodes {
				c.nodes[id], c.badNode[id] = true, true
			}
		}
	}
	ca, _ := LoadCompiled(path("dbt", "compiled"), rw)
	cb, _ := LoadCompiled(path("gdbt", "compiled"), rw)
	if len(ca)+len(cb) > 0 {
		c.compareCompiled(ca, cb, ids)
	}
	if ka, kb, ok := artifactPair(c, "catalog.json", func(side string) (*CatalogSubset, error) {
		return LoadCatalog(path(side, "catalog.json"), rw)
	}); ok {
		c.compareCatalogs(ka, kb)
	}
	ra, rb, ok := artifactPair(c, "run_results.json", func(side string) (map[string]RunResult, error) {
		return LoadRunResults(path(side, "run_results.json"), rw)
	})
	if ok {
		c.compareRunResults(ra, rb)
	} else {
		for _, m := range []map[string]RunResult{ra, rb} {
			for id, r := range m {
				c.nodes[id], c.badNode[id] = true, true
				c.fig.Results++
				if strings.HasPrefix(id, "test.") {
					c.fig.Tests++
				}
				_ = r
			}
		}
	}
}

// runTool runs one command step with one tool.
func runTool(ctx context.Context, s *side, st Step, target string, extraEnv []string, idx int) ToolRun {
	logPath := filepath.Join(s.logs, fmt.Sprintf("%02d-%s.log", idx, safeName(st.Name)))
	if s.exe == "" {
		return ToolRun{Exit: -1, Err: "no gdbt executable (build it: go build -o bin/gdbt ./cmd/gdbt)"}
	}
	if _, err := exec.LookPath(s.exe); err != nil {
		return ToolRun{Exit: -1, Err: err.Error()}
	}
	args := append([]string{}, st.Args...)
	args = append(args, "--project-dir", s.project, "--profiles-dir", s.profiles)
	if target != "" {
		args = append(args, "--target", target)
	}
	ctx, cancel := context.WithTimeout(ctx, StepTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, s.exe, args...)
	cmd.Dir = s.project
	cmd.Env = toolEnv(s, extraEnv)
	out, err := os.Create(logPath)
	if err != nil {
		return ToolRun{Exit: -1, Err: err.Error()}
	}
	defer out.Close()
	fmt.Fprintf(out, "$ %s %s\n", s.exe, strings.Join(args, " "))
	cmd.Stdout, cmd.Stderr = out, out
	start := time.Now()
	err = cmd.Run()
	run := ToolRun{Seconds: time.Since(start).Seconds(), Log: logPath}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case ctx.Err() != nil:
		run.Exit, run.Err = -1, fmt.Sprintf("timed out after %s", StepTimeout)
	case errors.As(err, &ee):
		run.Exit = ee.ExitCode()
		if ee.ExitCode() < 0 {
			run.Err = ee.Error() // killed by a signal (a crash)
		}
	default:
		run.Exit, run.Err = -1, err.Error()
	}
	return run
}

// toolEnv points every profile convention we know at the side's database.
func toolEnv(s *side, extra []string) []string {
	u, _ := url.Parse(s.url)
	host, port, user := u.Hostname(), u.Port(), u.User.Username()
	pass, _ := u.User.Password()
	if port == "" {
		port = "5432"
	}
	var env []string
	for _, e := range os.Environ() {
		k, _, _ := strings.Cut(e, "=")
		if strings.HasPrefix(k, "GDBT_PG_") || strings.HasPrefix(k, "POSTGRES_") || strings.HasPrefix(k, "DBT_") || strings.HasPrefix(k, "PG") {
			continue
		}
		env = append(env, e)
	}
	env = append(env,
		"GDBT_PG_HOST="+host, "GDBT_PG_PORT="+port, "GDBT_PG_USER="+user, "GDBT_PG_PASSWORD="+pass, "GDBT_PG_DBNAME="+s.db,
		"POSTGRES_HOST="+host, "POSTGRES_PORT="+port, "POSTGRES_USER="+user, "POSTGRES_PASSWORD="+pass,
		"DBT_ENV_SECRET_POSTGRES_PASS="+pass, "POSTGRES_DB="+s.db, "POSTGRES_DATABASE="+s.db, "POSTGRES_SCHEMA=public",
		"PGPASSWORD="+pass,
		"DO_NOT_TRACK=1", "DBT_SEND_ANONYMOUS_USAGE_STATS=false",
		"DBT_LOG_PATH="+filepath.Join(s.logs, "dbt-logs"),
	)
	return append(env, extra...)
}

// runDBStep runs a sql or shell step against one database.
func runDBStep(ctx context.Context, st Step, dbURL, projectDir, shellDir, logPath string) error {
	if st.Kind == StepSQL {
		return execOn(ctx, dbURL, st.Text)
	}
	ctx, cancel := context.WithTimeout(ctx, StepTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-euo", "pipefail", "-c", st.Text)
	cmd.Dir = shellDir
	cmd.Env = append(os.Environ(), "CONFORMANCE_DB_URL="+dbURL, "CONFORMANCE_PROJECT_DIR="+projectDir)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	_ = os.MkdirAll(filepath.Dir(logPath), 0o755)
	_ = os.WriteFile(logPath, out.Bytes(), 0o644)
	if err != nil {
		return fmt.Errorf("%w: %s", err, lastLines(out.String(), 10))
	}
	return nil
}

type dbtProject struct {
	Name       string `yaml:"name"`
	Profile    string `yaml:"profile"`
	TargetPath string `yaml:"target-path"`
}

func readDbtProject(dir string) (*dbtProject, error) {
	b, err := os.ReadFile(filepath.Join(dir, "dbt_project.yml"))
	if err != nil {
		return nil, fmt.Errorf("%s is not a dbt project: %w", dir, err)
	}
	var p dbtProject
	if err := yaml.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, "dbt_project.yml"), err)
	}
	if p.Profile == "" {
		p.Profile = "default"
	}
	return &p, nil
}

func hasPackages(dir string) bool {
	for _, f := range []string{"packages.yml", "dependencies.yml"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			return true
		}
	}
	return false
}

// copyRoot is the smallest directory holding the project and every local package
// it names with a relative path (dbt-utils' integration_tests uses "../").
func copyRoot(proj string) (string, error) {
	root := proj
	for _, f := range []string{"packages.yml", "dependencies.yml"} {
		b, err := os.ReadFile(filepath.Join(proj, f))
		if err != nil {
			continue
		}
		var doc struct {
			Packages []struct {
				Local string `yaml:"local"`
			} `yaml:"packages"`
		}
		if err := yaml.Unmarshal(b, &doc); err != nil {
			return "", fmt.Errorf("%s: %w", filepath.Join(proj, f), err)
		}
		for _, p := range doc.Packages {
			if p.Local == "" || filepath.IsAbs(p.Local) {
				continue
			}
			dir := filepath.Clean(filepath.Join(proj, p.Local))
			for !isWithin(dir, root) {
				root = filepath.Dir(root)
			}
		}
	}
	return root, nil
}

func isWithin(p, dir string) bool {
	rel, err := filepath.Rel(dir, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, "../")
}

// Never copied: VCS and tool state anywhere, and a project's own output
// directories (and our goldens) next to its dbt_project.yml.
var (
	skipAnywhere    = map[string]bool{".git": true, ".venv": true, "node_modules": true}
	skipNextProject = map[string]bool{"target": true, "logs": true, "dbt_packages": true, "dbt_modules": true, "expected": true}
)

func skipDir(p string, name string) bool {
	if skipAnywhere[name] {
		return true
	}
	if !skipNextProject[name] {
		return false
	}
	_, err := os.Stat(filepath.Join(filepath.Dir(p), "dbt_project.yml"))
	return err == nil
}

func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() && rel != "." && skipDir(p, d.Name()) {
			return filepath.SkipDir
		}
		out := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(out, 0o755)
		case d.Type()&fs.ModeSymlink != 0:
			t, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return os.Symlink(t, out)
		case d.Type().IsRegular():
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			return os.WriteFile(out, b, 0o644)
		}
		return nil
	})
}

// outputShape is what a generated profile keeps from the project's own one.
type outputShape struct {
	target, schema string
	threads        int
}

// envDefault matches "{{ env_var('X', 'default') }}" and keeps the default.
var envDefault = regexp.MustCompile(`^\{\{\s*env_var\(\s*['"][^'"]+['"]\s*,\s*['"]([^'"]*)['"]\s*\)\s*\}\}$`)

// projectOutput reads the target name, schema and threads of the project's own
// profiles.yml (a literal, or the default of an env_var call), so a generated
// profile builds the same relation names whatever env vars the project expects.
// The scenario's schema and target win; the fallbacks are dev and public.
func projectOutput(proj, profile string, sc *Scenario) outputShape {
	o := outputShape{target: "dev", schema: "public", threads: 4}
	b, err := os.ReadFile(filepath.Join(proj, "profiles.yml"))
	if err == nil {
		var doc map[string]struct {
			Target  string                    `yaml:"target"`
			Outputs map[string]map[string]any `yaml:"outputs"`
		}
		if yaml.Unmarshal(b, &doc) == nil {
			if p, ok := doc[profile]; ok {
				if p.Target != "" {
					o.target = p.Target
				}
				out := p.Outputs[o.target]
				if v, ok := out["schema"].(string); ok {
					if m := envDefault.FindStringSubmatch(strings.TrimSpace(v)); m != nil {
						v = m[1]
					}
					if v != "" && !strings.Contains(v, "{{") {
						o.schema = v
					}
				}
				if n, ok := out["threads"].(int); ok && n > 0 {
					o.threads = n
				}
			}
		}
	}
	if sc.Schema != "" {
		o.schema = sc.Schema
	}
	if sc.Target != "" {
		o.target = sc.Target
	}
	return o
}

func writeProfile(dir, profile, dbURL, db string, o outputShape) error {
	u, err := url.Parse(dbURL)
	if err != nil {
		return err
	}
	port := u.Port()
	if port == "" {
		port = "5432"
	}
	pass, _ := u.User.Password()
	portN, err := strconv.Atoi(port)
	if err != nil {
		return fmt.Errorf("database URL port %q: %w", port, err)
	}
	doc := map[string]any{profile: map[string]any{
		"target": o.target,
		"outputs": map[string]any{o.target: map[string]any{
			"type": "postgres", "host": u.Hostname(), "port": portN, "user": u.User.Username(),
			"password": pass, "dbname": db, "schema": o.schema, "threads": o.threads,
		}},
	}}
	b, err := yaml.Marshal(doc)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "profiles.yml"), b, 0o600)
}

// targetDir is where a tool writes artifacts (target-path is not followed:
// the harness compares what lands in <project>/target).
func targetDir(project string) string { return filepath.Join(project, "target") }

// cleanTarget removes the artifacts of the previous step, keeping dbt's
// partial-parse state so timings are what a user sees.
func cleanTarget(project string) {
	t := targetDir(project)
	for _, n := range []string{"manifest.json", "run_results.json", "catalog.json", "compiled", "run"} {
		_ = os.RemoveAll(filepath.Join(t, n))
	}
}

var nonIdent = regexp.MustCompile(`[^a-z0-9_]+`)

func sanitizeDBName(s string) string {
	s = nonIdent.ReplaceAllString(strings.ToLower(s), "_")
	if s == "" || (s[0] >= '0' && s[0] <= '9') {
		s = "p_" + s
	}
	if len(s) > 50 {
		s = s[:50]
	}
	return s
}

func safeName(s string) string {
	s = regexp.MustCompile(`[^A-Za-z0-9_.-]+`).ReplaceAllString(s, "_")
	if len(s) > 60 {
		s = s[:60]
	}
	return s
}

func redact(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return "(unparsable URL)"
	}
	return p.Redacted()
}

func toolVersion(ctx context.Context, exe string) string {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, exe, "--version").CombinedOutput()
	if err != nil {
		return ""
	}
	for _, l := range strings.Split(string(out), "\n") {
		if strings.Contains(l, "installed:") {
			return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(l), "- installed:"))
		}
	}
	return firstLine(string(out))
}

func logTail(path string, n int) string {
	if path == "" {
		return ""
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	return lastLines(string(b), n)
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n") + "\n"
}
