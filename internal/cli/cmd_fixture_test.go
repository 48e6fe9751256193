package cli

import (
	"bytes"
	"context"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gdbt/gdbt/internal/pgtest"
)

// cmdFixture is fixtures/projects/cmd_basic copied to a temporary
// directory and pointed (through its profile's env vars) at a fresh
// database holding the raw tables of setup.sql. Tests using it cannot run
// in parallel: the profile reads the process environment.
type cmdFixture struct {
	t      *testing.T
	dir    string
	dbURL  string
	dbName string
}

func newCmdFixture(t *testing.T) *cmdFixture {
	t.Helper()
	dbURL := pgtest.NewDatabase(t)
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	pass, _ := u.User.Password()
	f := &cmdFixture{t: t, dir: t.TempDir(), dbURL: dbURL, dbName: strings.TrimPrefix(u.Path, "/")}
	for k, v := range map[string]string{
		"CMD_PG_HOST": u.Hostname(), "CMD_PG_PORT": u.Port(), "CMD_PG_USER": u.User.Username(),
		"CMD_PG_PASSWORD": pass, "CMD_PG_DBNAME": f.dbName, "CMD_PG_SCHEMA": "cmd",
	} {
		t.Setenv(k, v)
	}
	copyTree(t, filepath.Join("..", "..", "fixtures", "projects", "cmd_basic"), f.dir)
	setup, err := os.ReadFile(filepath.Join(f.dir, "setup.sql"))
	if err != nil {
		t.Fatal(err)
	}
	f.exec(string(setup))
	return f
}

// exec runs SQL (several statements allowed) on the fixture's database.
func (f *cmdFixture) exec(sql string) {
	f.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, f.dbURL)
	if err != nil {
		f.t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.PgConn().Exec(ctx, sql).ReadAll(); err != nil {
		f.t.Fatalf("%v\n%s", err, sql)
	}
}

// query returns the first column of every row, as text.
func (f *cmdFixture) query(sql string) []string {
	f.t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, f.dbURL)
	if err != nil {
		f.t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, sql)
	if err != nil {
		f.t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			f.t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

// gdbt runs the CLI in-process on the fixture and returns the exit code and
// stdout+stderr with volatile parts masked.
func (f *cmdFixture) gdbt(args ...string) (int, string) {
	f.t.Helper()
	var out bytes.Buffer
	all := append(append([]string{}, args...), "--project-dir", f.dir, "--profiles-dir", f.dir)
	code := Main(all, nil, &out, &out)
	return code, f.mask(out.String())
}

var (
	maskClock    = regexp.MustCompile(`(?m)^\d\d:\d\d:\d\d  `)
	maskTiming   = regexp.MustCompile(` in \d+\.\d\ds\]`)
	maskFinished = regexp.MustCompile(`in \d+ hours \d+ minutes and \d+\.\d\d seconds \(\d+\.\d\ds\)`)
)

func (f *cmdFixture) mask(s string) string {
	s = maskClock.ReplaceAllString(s, "HH:MM:SS  ")
	s = maskTiming.ReplaceAllString(s, " in N.NNs]")
	s = maskFinished.ReplaceAllString(s, "in 0 hours 0 minutes and N.NN seconds (N.NNs)")
	s = strings.ReplaceAll(s, f.dir, "<project>")
	s = strings.ReplaceAll(s, f.dbName, "<db>")
	return s
}

// golden compares got with testdata/cmd_basic/<name>.golden; UPDATE_GOLDEN=1
// rewrites the file.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "cmd_basic", name+".golden")
	if os.Getenv("UPDATE_GOLDEN") != "" {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with UPDATE_GOLDEN=1 to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from %s:\n--- got\n%s\n--- want\n%s", name, path, got, want)
	}
}

// mustRun runs a command that has to succeed.
func (f *cmdFixture) mustRun(args ...string) string {
	f.t.Helper()
	code, out := f.gdbt(args...)
	if code != 0 {
		f.t.Fatalf("gdbt %s: exit %d\n%s", strings.Join(args, " "), code, out)
	}
	return out
}
