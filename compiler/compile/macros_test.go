// An external test package: compiling the macros_utils fixture needs a
// real warehouse (get_intervals_between and date_spine ask Postgres,
// get_columns_in_relation reads its catalog), and only the runtime talks to
// Postgres. The compile package itself still imports neither.
package compile_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gdbt/gdbt/compiler/compile"
	"github.com/gdbt/gdbt/compiler/manifest"
	"github.com/gdbt/gdbt/compiler/parser"
	"github.com/gdbt/gdbt/compiler/project"
	"github.com/gdbt/gdbt/internal/pgtest"
	pgadapter "github.com/gdbt/gdbt/runtime/adapter/postgres"
)

// TestMacrosUtilsCompiled compiles fixtures/projects/macros_utils, whose
// models call every cross-database and helper macro of our built-in
// packages with several argument shapes, and compares each file byte for
// byte with what dbt-core 1.12.6 + dbt-postgres 1.11 wrote for the same
// project (testdata/macros_utils). Regenerate the golden with
// fixtures/projects/macros_utils/regen_golden.sh: it runs the fixture's
// setup.sql in a fresh database and `dbt compile` against it.
func TestMacrosUtilsCompiled(t *testing.T) {
	dir := filepath.Join("..", "..", "fixtures", "projects", "macros_utils")
	ctx := context.Background()

	dbURL := pgtest.NewDatabase(t)
	env, err := profileEnv(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	p, err := project.Load(dir, project.Options{ProfilesDir: dir, Env: func(k string) (string, bool) {
		v, ok := env[k]
		return v, ok
	}})
	if err != nil {
		t.Fatal(err)
	}
	a, err := pgadapter.OpenProfile(ctx, p.Profile, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	setup, err := os.ReadFile(filepath.Join(dir, "setup.sql"))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := a.Execute(ctx, string(setup), false); err != nil {
		t.Fatalf("setup.sql: %v", err)
	}

	res, err := parser.Parse(p, parser.Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := compile.New(res, a)
	// As under `gdbt compile` (dbt-utils' star() looks at flags.WHICH).
	if f := c.Env().Flags; f != nil {
		f.Set("WHICH", "compile")
	}
	got := map[string]string{}
	for _, n := range res.Manifest.Nodes {
		if n.ResourceType == manifest.Seed {
			continue
		}
		sql, err := c.Node(ctx, n)
		if err != nil {
			t.Errorf("%s: %v", n.UniqueID, err)
			continue
		}
		got[filepath.ToSlash(n.OriginalFilePath)] = sql
	}

	want := map[string]string{}
	root := filepath.Join("testdata", "macros_utils")
	err = filepath.Walk(root, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		rel, _ := filepath.Rel(root, path)
		want[filepath.ToSlash(rel)] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(want) < 10 {
		t.Fatalf("only %d expected files under %s", len(want), root)
	}
	for rel, w := range want {
		g, ok := got[rel]
		if !ok {
			t.Errorf("%s: not compiled", rel)
			continue
		}
		if g != w {
			t.Errorf("%s differs:\n%s", rel, firstDifference(w, g))
		}
	}
	for rel := range got {
		if _, ok := want[rel]; !ok {
			t.Errorf("%s: compiled by gdbt but not by dbt", rel)
		}
	}
}

// profileEnv maps a postgres:// URL onto the fixture profile's variables.
func profileEnv(dbURL string) (map[string]string, error) {
	u, err := url.Parse(dbURL)
	if err != nil {
		return nil, err
	}
	pass, _ := u.User.Password()
	port := u.Port()
	if port == "" {
		port = "5432"
	}
	return map[string]string{
		"GDBT_PG_HOST":     u.Hostname(),
		"GDBT_PG_PORT":     port,
		"GDBT_PG_USER":     u.User.Username(),
		"GDBT_PG_PASSWORD": pass,
		"GDBT_PG_DBNAME":   strings.TrimPrefix(u.Path, "/"),
		"GDBT_PG_SCHEMA":   "macros_utils",
	}, nil
}

// firstDifference shows both texts around the first byte where they part,
// quoted so that whitespace differences are visible.
func firstDifference(want, got string) string {
	i := 0
	for i < len(want) && i < len(got) && want[i] == got[i] {
		i++
	}
	span := func(s string) string {
		lo, hi := max(i-160, 0), min(i+160, len(s))
		return strconv.Quote(s[min(lo, hi):hi])
	}
	return fmt.Sprintf("at byte %d\n--- dbt\n%s\n--- gdbt\n%s", i, span(want), span(got))
}

// TestMacroErrors checks the errors our macros raise carry dbt's words
// (taken from `dbt compile --inline` with dbt-core 1.12.6).
func TestMacroErrors(t *testing.T) {
	dir := filepath.Join("..", "..", "fixtures", "projects", "macros_utils")
	p, err := project.Load(dir, project.Options{ProfilesDir: dir, Env: func(string) (string, bool) { return "", false }})
	if err != nil {
		t.Fatal(err)
	}
	res, err := parser.Parse(p, parser.Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := compile.New(res, nil)
	tests := []struct{ name, sql, want string }{
		{"datediff part", "{{ dbt.datediff('a', 'b', 'fortnight') }}", "Unsupported datepart for macro datediff in postgres: 'fortnight'"},
		{"series bound", "{{ dbt.get_powers_of_two(0) }}", "upper bound must be positive"},
		{"series negative", "{{ dbt.generate_series(-3) }}", "upper bound must be positive"},
		{"partition shape", "{{ dbt.partition_range('a,b,c') }}", "Invalid partition time. Expected format: {Start Date}[,{End Date}]. Got: a,b,c"},
		{"range order", "{{ dbt.dates_in_range('20240105', '20240101') }}", "Partition start date is after the end date (2024-01-05 00:00:00, 2024-01-01 00:00:00)"},
		{"no default timestamp", "{{ dbt.default__current_timestamp() }}", "current_timestamp macro not implemented for adapter postgres"},
		{"no default columns", "{{ dbt.default__get_columns_in_relation(none) }}", "get_columns_in_relation macro not implemented for adapter postgres"},
		{"comment fence", "{{ postgres_escape_comment('x $dbt_comment_literal_block$') }}", "The string $dbt_comment_literal_block$ is not allowed in comments."},
		{"comment type", "{{ postgres_escape_comment(3) }}", "cannot escape a non-string: 3"},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := &manifest.Node{UniqueID: "sql_operation.macros_utils.inline_" + strconv.Itoa(i), ResourceType: "sql_operation",
				Package: "macros_utils", Name: "inline_" + strconv.Itoa(i), RawCode: tc.sql, OriginalFilePath: "inline_query",
				Config: manifest.Config{"materialized": "view"}}
			sql, err := c.Node(context.Background(), n)
			if err == nil {
				t.Fatalf("no error; compiled to %q", sql)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q\nwant it to contain %q", err, tc.want)
			}
		})
	}
}
