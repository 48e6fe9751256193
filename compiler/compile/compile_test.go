package compile

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gdbt/gdbt/compiler/manifest"
	"github.com/gdbt/gdbt/compiler/parser"
	"github.com/gdbt/gdbt/compiler/project"
)

func TestInjectCTEs(t *testing.T) {
	cte := []manifest.CTE{{ID: "a", SQL: " __dbt__cte__a as (\nselect 1\n)"}}
	two := append(cte, manifest.CTE{ID: "b", SQL: " __dbt__cte__b as (\nselect 2\n)"})
	tests := []struct{ name, sql, want string }{
		{"no with", "\n\nselect * from __dbt__cte__a", "\n\nwith __dbt__cte__a as (\nselect 1\n) select * from __dbt__cte__a"},
		{"with", "with x as (select 1) select * from x", "with  __dbt__cte__a as (\nselect 1\n), x as (select 1) select * from x"},
		{"upper WITH after comment", "-- hi\nWITH x as (select 1) select 1", "-- hi\nWITH  __dbt__cte__a as (\nselect 1\n), x as (select 1) select 1"},
		{"recursive", "with recursive r as (select 1) select 1", "with recursive  __dbt__cte__a as (\nselect 1\n), r as (select 1) select 1"},
		{"with-like name", "without as (select 1) select 1", "withwithout as (select 1) select 1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctes := cte
			if tc.name == "with-like name" {
				ctes = nil
			}
			got := InjectCTEs(tc.sql, ctes)
			if tc.name == "with-like name" {
				if got != tc.sql {
					t.Errorf("no CTEs must leave the SQL alone: %q", got)
				}
				return
			}
			if got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
	if got := InjectCTEs("select 1", two); got != "with __dbt__cte__a as (\nselect 1\n),  __dbt__cte__b as (\nselect 2\n) select 1" {
		t.Errorf("two CTEs: %q", got)
	}
}

// TestCompiledMatchesDBT compiles fixture projects and compares every file
// with what dbt-core 1.12.6 wrote for the same project with the schema and
// database given here: the conformance harness's golden
// (fixtures/projects/<fixture>/expected/compiled, see its meta.json) where
// there is one, else testdata/<fixture>.
func TestCompiledMatchesDBT(t *testing.T) {
	for _, tc := range []struct{ fixture, schema, db, want string }{
		{"basic", "basic", "basic_dbt", filepath.Join("..", "..", "fixtures", "projects", "basic", "expected", "compiled")},
		{"versions", "vers", "showcase_lead", filepath.Join("testdata", "versions")},
	} {
		t.Run(tc.fixture, func(t *testing.T) { compareCompiled(t, tc.fixture, tc.schema, tc.db, tc.want) })
	}
}

func compareCompiled(t *testing.T, fixture, schema, db, root string) {
	dir := filepath.Join("..", "..", "fixtures", "projects", fixture)
	p, err := project.Load(dir, project.Options{ProfilesDir: dir, Env: func(k string) (string, bool) {
		switch k {
		case "GDBT_PG_SCHEMA":
			return schema, true
		case "GDBT_PG_DBNAME":
			return db, true
		}
		return "", false
	}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := parser.Parse(p, parser.Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := New(res, nil)
	got := map[string]string{}
	for _, n := range res.Manifest.Nodes {
		if n.ResourceType == manifest.Seed {
			continue
		}
		sql, err := c.Node(context.Background(), n)
		if err != nil {
			t.Fatalf("%s: %v", n.UniqueID, err)
		}
		rel := n.OriginalFilePath
		switch {
		case n.TestMetadata != nil:
			rel = filepath.Join(rel, n.Path)
		case n.ResourceType == manifest.Snapshot:
			rel = filepath.Join(rel, n.Name+".sql")
		}
		got[filepath.ToSlash(rel)] = sql
	}
	want := map[string]string{}
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
	if len(want) == 0 {
		t.Fatalf("no expected files under %s", root)
	}
	for rel, w := range want {
		g, ok := got[rel]
		if !ok {
			t.Errorf("%s: not compiled", rel)
			continue
		}
		if g != w {
			t.Errorf("%s differs:\n--- dbt\n%s\n--- gdbt\n%s", rel, w, g)
		}
	}
	for rel := range got {
		if _, ok := want[rel]; !ok && !strings.HasPrefix(rel, "seeds/") {
			t.Errorf("%s: compiled by gdbt but not by dbt", rel)
		}
	}
}

// TestParallelCompile compiles every node from many goroutines at once;
// with -race it proves the compiler's bookkeeping is safe.
func TestParallelCompile(t *testing.T) {
	dir := filepath.Join("..", "..", "fixtures", "projects", "basic")
	p, err := project.Load(dir, project.Options{ProfilesDir: dir, Env: func(string) (string, bool) { return "", false }})
	if err != nil {
		t.Fatal(err)
	}
	res, err := parser.Parse(p, parser.Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := New(res, nil)
	var nodes []*manifest.Node
	for _, n := range res.Manifest.Nodes {
		if n.ResourceType != manifest.Seed {
			nodes = append(nodes, n)
		}
	}
	errs := make(chan error, 8*len(nodes))
	done := make(chan struct{})
	for w := 0; w < 8; w++ {
		go func() {
			for _, n := range nodes {
				if _, err := c.Node(context.Background(), n); err != nil {
					errs <- err
				}
			}
			done <- struct{}{}
		}()
	}
	for w := 0; w < 8; w++ {
		<-done
	}
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
