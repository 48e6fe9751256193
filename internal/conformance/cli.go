package conformance

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// DefaultProjects are compared when the command line names none.
var DefaultProjects = []string{"basic", "showcase", "versions", "rt_basic", "groups", "custom_mat", "unit_tests", "contracts", "microbatch"}

// Main is the conformance command: it returns the process exit code
// (0: no failing difference, 1: failing differences, 2: the harness could not run).
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("conformance", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		repo      = fs.String("repo", "", "gdbt repository root (default: found from the current directory)")
		dbt       = fs.String("dbt", "", "dbt executable (default: <repo>/.venv/bin/dbt)")
		gdbt      = fs.String("gdbt", "", "gdbt executable (default: built from <repo>/cmd/gdbt into the work dir)")
		dbURL     = fs.String("db", "", "PostgreSQL URL (default: $GDBT_TEST_DATABASE_URL, else scripts/pg.sh start)")
		work      = fs.String("work", "", "work directory (default: <repo>/.cache/conformance)")
		jsonOut   = fs.String("json", "", "JSON report path (default: <work>/report.json)")
		allow     = fs.String("allow", "", "allow-list (default: <repo>/docs/conformance-allowlist.yml)")
		firstN    = fs.Int("n", 20, "print the first N failing differences")
		steps     = fs.String("steps", "", "comma-separated command steps, replacing the scenario's (e.g. parse,compile)")
		update    = fs.Bool("update-goldens", false, "write dbt's compiled SQL and manifest subset into <fixture>/expected")
		check     = fs.Bool("check-goldens", false, "report drift between dbt's output and <fixture>/expected")
		dbtOnly   = fs.Bool("dbt-only", false, "run dbt only (goldens without gdbt)")
		gdbtOnly  = fs.Bool("gdbt-only", false, "run gdbt only, comparing each step with dbt's recording in <fixture>/expected/"+OutcomesFile)
		bench     = fs.Bool("bench", false, "time parse, compile, seed and build of both tools; print timings, exit 0 unless the harness fails")
		corpusDir = fs.String("corpus", "", "directory of public projects made by scripts/corpus.sh (default: $GDBT_CORPUS, else <repo>/corpus)")
	)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: conformance [flags] [PROJECT...]\n\nPROJECT is a directory holding dbt_project.yml, a fixture name "+
			"(fixtures/projects/<name>), \"showcase\" (dbt_project/), a corpus name ($GDBT_CORPUS/<name>) or \"all\".\nDefault: %s.\n\n",
			strings.Join(DefaultProjects, " "))
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "conformance: "+format+"\n", a...)
		return 2
	}
	if *update && *check {
		return fail("-update-goldens and -check-goldens exclude each other")
	}
	if *gdbtOnly && (*dbtOnly || *update || *check || *bench || *steps != "") {
		return fail("-gdbt-only replays dbt's recording: it excludes -dbt-only, -update-goldens, -check-goldens, -bench and -steps")
	}
	root := *repo
	if root == "" {
		var err error
		if root, err = FindRepo("."); err != nil {
			return fail("%v", err)
		}
	}
	if *corpusDir == "" {
		*corpusDir = os.Getenv("GDBT_CORPUS")
	}
	if *corpusDir == "" {
		*corpusDir = filepath.Join(root, "corpus")
	}
	env, err := Prepare(ctx, PrepareOptions{Repo: root, Dbt: *dbt, Gdbt: *gdbt, DBURL: *dbURL, WorkDir: *work, NeedGdbt: !*dbtOnly, NoDbt: *gdbtOnly, Log: stderr})
	if err != nil {
		return fail("%v", err)
	}
	if *allow == "" {
		*allow = filepath.Join(root, "docs", "conformance-allowlist.yml")
	}
	al, err := LoadAllowList(*allow)
	if err != nil {
		return fail("%v", err)
	}
	names := fs.Args()
	if len(names) == 0 {
		names = DefaultProjects
	}
	if len(names) == 1 && names[0] == "all" {
		names = AllProjects(root, *corpusDir)
	}
	var stepList []Step
	if *bench {
		*steps = "parse,compile,seed,build"
	}
	if *steps != "" {
		for _, s := range strings.Split(*steps, ",") {
			st, err := ParseCommandStep(s)
			if err != nil {
				return fail("-steps %q: %v", s, err)
			}
			stepList = append(stepList, st)
		}
		nameSteps(stepList)
	}
	mode := GoldensOff
	if *update {
		mode = GoldensUpdate
	} else if *check {
		mode = GoldensCheck
	}
	var reports []*Report
	status := 0
	for _, n := range names {
		dir, name, err := ResolveProject(root, *corpusDir, n)
		if err != nil {
			return fail("%v", err)
		}
		start := time.Now()
		rep, err := RunWith(ctx, Config{
			Project: dir, Name: name, Steps: stepList, DBURL: env.DBURL, DbtPath: env.Dbt, GdbtPath: env.Gdbt,
			WorkDir: env.WorkDir, DbtOnly: *dbtOnly, GdbtOnly: *gdbtOnly,
			Log: func(f string, a ...any) { fmt.Fprintf(stderr, "conformance: "+f+"\n", a...) },
		}, RunOptions{Goldens: mode, ShellDir: root, PkgDir: filepath.Join(root, "internal", "conformance"), AllowList: al})
		if err != nil {
			fmt.Fprintf(stderr, "conformance: %s: %v\n", n, err)
			status = 2
			continue
		}
		if env.GdbtBuildErr != "" {
			rep.Differences = append([]*Difference{{Step: "build gdbt", Kind: KindExitCode, ID: "cmd/gdbt",
				Detail: "go build ./cmd/gdbt failed", Diff: env.GdbtBuildErr}}, rep.Differences...)
		}
		reports = append(reports, rep)
		rep.WriteTable(stdout)
		fmt.Fprintf(stdout, "(%s wall clock for the whole comparison)\n", time.Since(start).Round(time.Second))
		if *bench {
			continue
		}
		rep.WriteDifferences(stdout, *firstN)
		if len(rep.Failing()) > 0 && status == 0 {
			status = 1
		}
	}
	if *jsonOut == "" {
		*jsonOut = filepath.Join(env.WorkDir, "report.json")
	}
	if err := WriteJSON(*jsonOut, reports); err != nil {
		return fail("writing %s: %v", *jsonOut, err)
	}
	fmt.Fprintf(stdout, "\nJSON report: %s\n", *jsonOut)
	return status
}

// PrepareOptions locate the tools and the database.
type PrepareOptions struct {
	Repo, Dbt, Gdbt, DBURL, WorkDir string
	NeedGdbt                        bool
	NoDbt                           bool // gdbt-only runs: dbt need not be installed
	Log                             io.Writer
}

// Env is what Prepare found.
type Env struct {
	Dbt, Gdbt, DBURL, WorkDir string
	GdbtBuildErr              string // go build output when building gdbt failed
}

// Prepare finds dbt (failing with a clear message when the venv is missing),
// the Postgres URL (failing when no server is reachable) and gdbt (building it;
// a failed build is not an error: every gdbt step then reports a difference).
func Prepare(ctx context.Context, o PrepareOptions) (*Env, error) {
	e := &Env{Dbt: o.Dbt, Gdbt: o.Gdbt, DBURL: o.DBURL, WorkDir: o.WorkDir}
	if e.WorkDir == "" {
		e.WorkDir = filepath.Join(o.Repo, ".cache", "conformance")
	}
	var err error
	if e.WorkDir, err = filepath.Abs(e.WorkDir); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(e.WorkDir, 0o755); err != nil {
		return nil, err
	}
	if e.Dbt == "" {
		e.Dbt = filepath.Join(o.Repo, ".venv", "bin", "dbt")
	}
	if _, err := os.Stat(e.Dbt); err != nil && !o.NoDbt {
		return nil, fmt.Errorf("dbt not found at %s: create the oracle venv with scripts/venv.sh (dbt-core and dbt-postgres pinned in scripts/requirements-oracle.txt)", e.Dbt)
	}
	if e.DBURL == "" {
		e.DBURL = os.Getenv("GDBT_TEST_DATABASE_URL")
	}
	if e.DBURL == "" {
		out, err := exec.CommandContext(ctx, filepath.Join(o.Repo, "scripts", "pg.sh"), "start").Output()
		if err != nil {
			var ee *exec.ExitError
			msg := err.Error()
			if errors.As(err, &ee) {
				msg = strings.TrimSpace(string(ee.Stderr))
			}
			return nil, fmt.Errorf("no PostgreSQL: scripts/pg.sh start failed: %s (set GDBT_TEST_DATABASE_URL to use another server)", msg)
		}
		e.DBURL = strings.TrimSpace(string(out))
	}
	if err := execOn(ctx, e.DBURL, "select 1"); err != nil {
		return nil, fmt.Errorf("no PostgreSQL at %s: %v (run scripts/pg.sh start)", redact(e.DBURL), err)
	}
	if e.Gdbt == "" && o.NeedGdbt {
		bin := filepath.Join(e.WorkDir, "bin", "gdbt")
		cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/gdbt")
		cmd.Dir = o.Repo
		if out, err := cmd.CombinedOutput(); err != nil {
			e.GdbtBuildErr = fmt.Sprintf("%v\n%s", err, out)
			if o.Log != nil {
				fmt.Fprintf(o.Log, "conformance: go build ./cmd/gdbt failed; every gdbt step will be a difference:\n%s", out)
			}
		} else {
			e.Gdbt = bin
		}
	}
	return e, nil
}

// FindRepo walks up from dir to the directory whose go.mod declares module github.com/gdbt/gdbt.
func FindRepo(dir string) (string, error) {
	d, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for {
		b, err := os.ReadFile(filepath.Join(d, "go.mod"))
		if err == nil && strings.Contains(string(b), "module github.com/gdbt/gdbt\n") {
			return d, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", fmt.Errorf("not inside the gdbt repository (no go.mod with module github.com/gdbt/gdbt above %s); pass -repo", dir)
		}
		d = parent
	}
}

// ResolveProject maps a command-line name to a project directory and a short name.
func ResolveProject(repo, corpus, n string) (dir, name string, err error) {
	isProject := func(d string) bool {
		_, err := os.Stat(filepath.Join(d, "dbt_project.yml"))
		return err == nil
	}
	switch {
	case n == "showcase":
		return filepath.Join(repo, "dbt_project"), "showcase", nil
	case isProject(filepath.Join(repo, "fixtures", "projects", n)) && !strings.ContainsRune(n, os.PathSeparator):
		return filepath.Join(repo, "fixtures", "projects", n), n, nil
	case corpus != "" && corpusProjects(corpus)[n] != "":
		return filepath.Join(corpus, corpusProjects(corpus)[n]), n, nil
	case corpus != "" && isProject(filepath.Join(corpus, n)):
		return filepath.Join(corpus, n), n, nil
	case isProject(n):
		abs, err := filepath.Abs(n)
		if err != nil {
			return "", "", err
		}
		name := filepath.Base(abs)
		if name == "dbt_project" {
			name = filepath.Base(filepath.Dir(abs))
		}
		return abs, name, nil
	}
	return "", "", fmt.Errorf("%q: expected a dbt project directory, a fixture name (fixtures/projects/<name>), \"showcase\" or a name under GDBT_CORPUS; found none holding dbt_project.yml", n)
}

// AllProjects is the showcase, every fixture project with a scenario file or
// named in DefaultProjects, and every corpus project.
func AllProjects(repo, corpus string) []string {
	out := append([]string{}, DefaultProjects...)
	if corpus != "" {
		out = append(out, sortedKeys(corpusProjects(corpus))...)
	}
	return out
}

// corpusProjects reads <corpus>/projects.txt (written by scripts/corpus.sh):
// "<name> <project dir relative to corpus> <source>" per line.
func corpusProjects(corpus string) map[string]string {
	b, err := os.ReadFile(filepath.Join(corpus, "projects.txt"))
	if err != nil {
		return nil
	}
	m := map[string]string{}
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Fields(l)
		if len(f) >= 2 {
			m[f[0]] = f[1]
		}
	}
	return m
}
