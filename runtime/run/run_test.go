package run

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/gdbt/gdbt/compiler/dbtctx"
	"github.com/gdbt/gdbt/compiler/parser"
	"github.com/gdbt/gdbt/compiler/project"
	"github.com/gdbt/gdbt/internal/pgtest"
	"github.com/gdbt/gdbt/runtime/adapter/postgres"
)

// fixture is a fixture project bound to a fresh database.
type fixture struct {
	t      *testing.T
	dir    string
	url    string
	env    map[string]string
	target string
}

func fixtureDir(name string) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "fixtures", "projects", name)
}

func newFixture(t *testing.T, name string) *fixture {
	t.Helper()
	dbURL := pgtest.NewDatabase(t)
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	pass, _ := u.User.Password()
	f := &fixture{t: t, dir: fixtureDir(name), url: dbURL, target: t.TempDir(), env: map[string]string{
		"RT_PG_HOST": u.Hostname(), "RT_PG_PORT": u.Port(), "RT_PG_USER": u.User.Username(), "RT_PG_PASSWORD": pass,
		"RT_PG_DBNAME": strings.TrimPrefix(u.Path, "/"), "RT_PG_SCHEMA": "rt",
	}}
	return f
}

func (f *fixture) parse(vars string) *parser.Result {
	f.t.Helper()
	p, err := project.Load(f.dir, project.Options{ProfilesDir: f.dir, Vars: vars, Env: func(k string) (string, bool) {
		v, ok := f.env[k]
		return v, ok
	}})
	if err != nil {
		f.t.Fatal(err)
	}
	res, err := parser.Parse(p, parser.Options{})
	if err != nil {
		f.t.Fatal(err)
	}
	return res
}

type invoke func(context.Context, Options) int

// run parses the project and runs cmd; it returns the exit code and the
// console output with timestamps and timings masked.
func (f *fixture) run(cmd invoke, vars string, mod func(*Options)) (int, string) {
	f.t.Helper()
	res := f.parse(vars)
	var out bytes.Buffer
	o := Options{Parse: res, Out: &out, TargetDir: f.target}
	if mod != nil {
		mod(&o)
	}
	code := cmd(context.Background(), o)
	// The database name is random per test.
	return code, strings.ReplaceAll(mask(out.String()), `"`+f.env["RT_PG_DBNAME"]+`"`, `"DB"`)
}

var (
	clock    = regexp.MustCompile(`(?m)^\d\d:\d\d:\d\d  `)
	timings  = regexp.MustCompile(` in \d+\.\d\ds\]`)
	finished = regexp.MustCompile(`in \d+ hours \d+ minutes and \d+\.\d\d seconds \(\d+\.\d\ds\)`)
)

func mask(s string) string {
	s = clock.ReplaceAllString(s, "HH:MM:SS  ")
	s = timings.ReplaceAllString(s, " in N.NNs]")
	return finished.ReplaceAllString(s, "in 0 hours 0 minutes and N.NN seconds (N.NNs)")
}

// exec runs SQL on the fixture's database.
func (f *fixture) exec(sql string) {
	f.t.Helper()
	a, err := postgres.Open(context.Background(), f.url, postgres.Options{Threads: 1})
	if err != nil {
		f.t.Fatal(err)
	}
	defer a.Close()
	if _, _, err := a.Execute(context.Background(), sql, false); err != nil {
		f.t.Fatalf("%s: %v", sql, err)
	}
}

// rows runs a query and prints its rows, one per line, values separated
// by "|".
func (f *fixture) rows(sql string) string {
	f.t.Helper()
	a, err := postgres.Open(context.Background(), f.url, postgres.Options{Threads: 1})
	if err != nil {
		f.t.Fatal(err)
	}
	defer a.Close()
	_, t, err := a.Execute(context.Background(), sql, true)
	if err != nil {
		f.t.Fatalf("%s: %v", sql, err)
	}
	return formatTable(t)
}

func formatTable(t *dbtctx.Table) string {
	var b strings.Builder
	for _, r := range t.Rows {
		for i, v := range r {
			if i > 0 {
				b.WriteString("|")
			}
			if v == nil {
				b.WriteString("NULL")
			} else {
				fmt.Fprint(&b, v)
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}
