package project

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/gdbt/gdbt/compiler/source"
)

func sourcePos() source.Position { return source.Position{File: "t", Line: 1, Column: 1} }

// FuzzLoadProject writes the input as dbt_project.yml and loads it: any
// input must give a project or an error, never a panic.
func FuzzLoadProject(f *testing.F) {
	for _, seed := range []string{
		"name: x\n",
		"name: x\nmodels:\n  +materialized: \"{{ 'table' }}\"\n  x:\n    a: 1\n",
		"name: x\nvars: {a: [1, 2]}\non-run-start: \"{{ x }}\"\n",
		"name: \"{{ env_var('A', 'b') }}\"\n",
		"name: x\nmodels: &a\n  b: *a\n",
		"a: &a [*a]\n",
		"name: x\ntarget-path: \"{{ 5 | as_number }}\"\n",
		"- 1\n",
		"name: x\nrequire-dbt-version: '>=1.0'\n",
		"name: x\ndispatch: [{macro_namespace: a, search_order: [b]}]\n",
		"name: x\nquoting: {identifier: \"{{ 'True' | as_bool }}\"}\n",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, ProjectFile), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		p, err := Load(dir, opts(map[string]string{"A": "a"}, Options{NoProfile: true, NoVersionCheck: true}))
		if err == nil {
			if p.Name == "" {
				t.Fatal("loaded a project without a name")
			}
			_, _ = p.Discover(context.Background())
			_ = p.ConfigFor("model", p.Name, []string{p.Name, "a", "b"})
		}
	})
}

// genTree writes a project with n model files spread over nested folders
// plus a schema file per folder.
func genTree(tb testing.TB, n int) string {
	dir := tb.TempDir()
	must := func(err error) {
		if err != nil {
			tb.Fatal(err)
		}
	}
	must(os.WriteFile(filepath.Join(dir, ProjectFile), []byte("name: big\n"), 0o644))
	for i := 0; i < n; i++ {
		sub := filepath.Join(dir, "models", fmt.Sprintf("d%02d", i%50), fmt.Sprintf("e%02d", (i/50)%20))
		if i < 1000 {
			must(os.MkdirAll(sub, 0o755))
			if i%50 == 0 || i < 50 {
				must(os.WriteFile(filepath.Join(sub, "schema.yml"), []byte("version: 2\n"), 0o644))
			}
		}
		must(os.WriteFile(filepath.Join(sub, fmt.Sprintf("m%05d.sql", i)), []byte("select 1"), 0o644))
	}
	return dir
}

var (
	bigOnce sync.Once
	bigDir  string
)

func bigTree(b *testing.B) string {
	bigOnce.Do(func() {
		d, err := os.MkdirTemp("", "gdbt-discover-bench")
		if err != nil {
			b.Fatal(err)
		}
		// One tree for every benchmark of the run (b.TempDir would be
		// removed after the first); TestMain deletes it.
		bigDir = d
		genTreeInto(b, d, 10000)
	})
	return bigDir
}

func genTreeInto(b *testing.B, dir string, n int) string {
	must := func(err error) {
		if err != nil {
			b.Fatal(err)
		}
	}
	must(os.WriteFile(filepath.Join(dir, ProjectFile), []byte("name: big\n"), 0o644))
	for i := 0; i < n; i++ {
		sub := filepath.Join(dir, "models", fmt.Sprintf("d%02d", i%50), fmt.Sprintf("e%02d", (i/50)%20))
		must(os.MkdirAll(sub, 0o755))
		must(os.WriteFile(filepath.Join(sub, fmt.Sprintf("m%05d.sql", i)), []byte("select 1"), 0o644))
	}
	return dir
}

func TestMain(m *testing.M) {
	code := m.Run()
	if bigDir != "" {
		os.RemoveAll(bigDir)
	}
	os.Exit(code)
}

func TestDiscoverLarge(t *testing.T) {
	dir := genTree(t, 2000)
	p, err := Load(dir, opts(nil, Options{NoProfile: true}))
	if err != nil {
		t.Fatal(err)
	}
	fsx, err := p.Discover(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got := len(fsx.Of(ModelFile)); got != 2000 {
		t.Errorf("models %d, want 2000", got)
	}
	want := walkDirSQL(t, dir)
	for i, f := range fsx.Of(ModelFile) {
		if f.Path != want[i] {
			t.Fatalf("file %d: %s, WalkDir says %s", i, f.Path, want[i])
		}
	}
	data, err := fsx.ReadAll(context.Background(), fsx.Of(ModelFile))
	if err != nil {
		t.Fatal(err)
	}
	for i, d := range data {
		if string(d) != "select 1" {
			t.Fatalf("file %d read %q", i, d)
		}
	}
}

// walkDirSQL is the plain baseline: filepath.WalkDir over models/.
func walkDirSQL(tb testing.TB, dir string) []string {
	var out []string
	err := filepath.WalkDir(filepath.Join(dir, "models"), func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(path, ".sql") {
			rel, _ := filepath.Rel(dir, path)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

func BenchmarkDiscover10k(b *testing.B) {
	dir := bigTree(b)
	p, err := Load(dir, opts(nil, Options{NoProfile: true}))
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		fsx, err := p.Discover(context.Background())
		if err != nil || len(fsx.Of(ModelFile)) != 10000 {
			b.Fatalf("%v %d", err, len(fsx.Of(ModelFile)))
		}
	}
}

func BenchmarkWalkDir10k(b *testing.B) {
	dir := bigTree(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if n := len(walkDirSQL(b, dir)); n != 10000 {
			b.Fatal(n)
		}
	}
}

func BenchmarkDiscoverAndRead10k(b *testing.B) {
	dir := bigTree(b)
	p, err := Load(dir, opts(nil, Options{NoProfile: true}))
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		fsx, err := p.Discover(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		if _, err := fsx.ReadAll(context.Background(), fsx.Of(ModelFile)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWalkDirAndRead10k(b *testing.B) {
	dir := bigTree(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, f := range walkDirSQL(b, dir) {
			if _, err := os.ReadFile(filepath.Join(dir, f)); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkWalkSerial10k(b *testing.B) {
	dir := bigTree(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if fs, err := walkSerial(context.Background(), dir, []string{"models"}); err != nil || len(fs) != 10000 {
			b.Fatal(err, len(fs))
		}
	}
}

func BenchmarkWalkParallel10k(b *testing.B) {
	dir := bigTree(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if fs, err := walkParallel(context.Background(), dir, []string{"models"}); err != nil || len(fs) != 10000 {
			b.Fatal(err, len(fs))
		}
	}
}

// walkSerial is walkParallel on one goroutine (benchmark baseline).
func walkSerial(ctx context.Context, base string, roots []string) ([]string, error) {
	var files []string
	var visit func(rel string) error
	visit = func(rel string) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		entries, err := os.ReadDir(filepath.Join(base, filepath.FromSlash(rel)))
		if err != nil {
			if os.IsNotExist(err) {
				return nil
			}
			return err
		}
		for _, e := range entries {
			child := e.Name()
			if rel != "." {
				child = rel + "/" + e.Name()
			}
			switch {
			case e.IsDir():
				if err := visit(child); err != nil {
					return err
				}
			case e.Type()&os.ModeSymlink != 0:
				if st, err := os.Stat(filepath.Join(base, filepath.FromSlash(child))); err == nil && !st.IsDir() {
					files = append(files, child)
				}
			case e.Type().IsRegular():
				files = append(files, child)
			}
		}
		return nil
	}
	for _, r := range roots {
		if err := visit(r); err != nil {
			return nil, err
		}
	}
	sort.Strings(files)
	return files, nil
}
