package genproject

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"testing"
)

var (
	refCall  = regexp.MustCompile(`ref\('m(\d+)'\)`)
	viewCall = regexp.MustCompile(`materialized='view'`)
)

// readRefs writes a project and returns each model's refs and whether it
// is a view, by model number.
func readRefs(t *testing.T, o Options) (refs map[int][]int, views map[int]bool) {
	t.Helper()
	dir := t.TempDir()
	if err := Write(dir, o); err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join(dir, "models", "*", "m*.sql"))
	if err != nil {
		t.Fatal(err)
	}
	refs, views = map[int][]int{}, map[int]bool{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		name := filepath.Base(f)
		i, err := strconv.Atoi(name[1 : len(name)-len(".sql")])
		if err != nil {
			t.Fatal(err)
		}
		refs[i] = []int{}
		for _, m := range refCall.FindAllSubmatch(b, -1) {
			r, _ := strconv.Atoi(string(m[1]))
			refs[i] = append(refs[i], r)
		}
		views[i] = viewCall.Match(b)
	}
	if len(refs) != o.Models {
		t.Fatalf("%d model files, want %d", len(refs), o.Models)
	}
	return refs, views
}

// depth is the longest chain of refs below model i.
func depth(refs map[int][]int, i int, memo map[int]int) int {
	if d, ok := memo[i]; ok {
		return d
	}
	d := 0
	for _, r := range refs[i] {
		d = max(d, 1+depth(refs, r, memo))
	}
	memo[i] = d
	return d
}

// The views project must stay queryable: Postgres inlines every view a
// query reads, so a view's expansion grows as 3^depth. Every model past
// the first three still reads three distinct earlier ones.
func TestViewsAreShallow(t *testing.T) {
	refs, views := readRefs(t, Options{Models: 1000, Views: true})
	memo := map[int]int{}
	for i, rs := range refs {
		if !views[i] {
			t.Errorf("m%05d is not a view", i)
		}
		if d := depth(refs, i, memo); d > 2 {
			t.Errorf("m%05d sits %d views deep, want at most 2", i, d)
		}
		if i < 3 {
			continue
		}
		u := slices.Compact(slices.Sorted(slices.Values(rs)))
		if len(rs) != 3 || len(u) != 3 || u[2] >= i {
			t.Errorf("m%05d refs %v, want three distinct earlier models", i, rs)
		}
	}
}

// The default project is the 10,000-model parse benchmark's: its shape
// (a long ref chain, one model in five a table) must not change.
func TestDefaultShape(t *testing.T) {
	refs, views := readRefs(t, Options{Models: 200})
	for i, rs := range refs {
		if want := i%5 != 4; views[i] != want {
			t.Errorf("m%05d view=%v, want %v", i, views[i], want)
		}
		if i >= 3 && !slices.Equal(rs, []int{i - 1, i / 2, i / 3}) {
			t.Errorf("m%05d refs %v, want %v", i, rs, []int{i - 1, i / 2, i / 3})
		}
	}
	if d := depth(refs, 199, map[int]int{}); d != 197 {
		t.Errorf("m00199 is %d deep, want 197", d)
	}
}
