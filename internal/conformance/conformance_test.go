package conformance

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestConformanceProjects runs dbt and gdbt on the default projects (basic, the
// showcase and versions; GDBT_CONFORMANCE_PROJECTS="a b" picks others) and fails on every
// difference docs/conformance-allowlist.yml does not allow, and on drift between
// dbt's output and the fixtures' expected/ goldens.
//
// It never skips: without the oracle venv (scripts/venv.sh) or PostgreSQL
// (scripts/pg.sh start, or GDBT_TEST_DATABASE_URL) it fails and says which is
// missing. With -short it runs only parse and compile.
func TestConformanceProjects(t *testing.T) {
	ctx := context.Background()
	repo, env, al := prepareTest(t, PrepareOptions{WorkDir: "conformance-test"}, "dbt and PostgreSQL")
	projects := DefaultProjects
	if p := strings.Fields(os.Getenv("GDBT_CONFORMANCE_PROJECTS")); len(p) > 0 {
		projects = p
	}
	var steps []Step
	if testing.Short() {
		steps = DefaultSteps()[:2]
	}
	for _, p := range projects {
		t.Run(p, func(t *testing.T) {
			// Projects use their own databases and work directories: they run
			// side by side (go test's -parallel, GOMAXPROCS by default), which
			// roughly halves the wall time dbt's start-up costs on two cores.
			t.Parallel()
			dir, name, err := ResolveProject(repo, os.Getenv("GDBT_CORPUS"), p)
			if err != nil {
				t.Fatal(err)
			}
			goldens := GoldensOff
			if _, err := os.Stat(filepath.Join(dir, "expected", "meta.json")); err == nil {
				goldens = GoldensCheck
			}
			rep, err := RunWith(ctx, Config{Project: dir, Name: name, Steps: steps, DBURL: env.DBURL, DbtPath: env.Dbt,
				GdbtPath: env.Gdbt, WorkDir: env.WorkDir, Log: t.Logf},
				RunOptions{Goldens: goldens, ShellDir: repo, PkgDir: filepath.Join(repo, "internal", "conformance"), AllowList: al})
			if err != nil {
				t.Fatal(err)
			}
			checkReport(t, rep, "dbt and gdbt")
		})
	}
}

// prepareTest finds the repository, prepares the tools (o.WorkDir names a
// directory under .cache) and loads the allow-list; needs says what the
// test cannot run without.
func prepareTest(t *testing.T, o PrepareOptions, needs string) (string, *Env, *AllowList) {
	t.Helper()
	repo, err := FindRepo(".")
	if err != nil {
		t.Fatal(err)
	}
	o.Repo, o.NeedGdbt, o.WorkDir = repo, true, filepath.Join(repo, ".cache", o.WorkDir)
	env, err := Prepare(context.Background(), o)
	if err != nil {
		t.Fatalf("this test needs %s: %v", needs, err)
	}
	if env.GdbtBuildErr != "" {
		t.Errorf("go build ./cmd/gdbt failed (every gdbt step will differ):\n%s", env.GdbtBuildErr)
	}
	al, err := LoadAllowList(filepath.Join(repo, "docs", "conformance-allowlist.yml"))
	if err != nil {
		t.Fatal(err)
	}
	return repo, env, al
}

// checkReport logs a report's table and fails on each difference the
// allow-list does not cover; who names the two sides compared.
func checkReport(t *testing.T, rep *Report, who string) {
	t.Helper()
	var out bytes.Buffer
	rep.WriteTable(&out)
	t.Log(out.String())
	if fail := rep.Failing(); len(fail) > 0 {
		out.Reset()
		rep.WriteDifferences(&out, 15)
		t.Errorf("%d differences between %s not in docs/conformance-allowlist.yml:\n%s", len(fail), who, out.String())
	}
}
