package extract

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/gdbt/gdbt/runtime/extract/fixtureapi"
	"gopkg.in/yaml.v3"
)

// TestShowcase loads the showcase project's declared sources (its
// _sources.yml) from the showcase fixtures through the fixture API, twice,
// and checks row counts against fixtures/showcase/expected.json.
func TestShowcase(t *testing.T) {
	t.Parallel()
	root, _ := filepath.Abs("../..")
	projectDir := filepath.Join(root, "dbt_project")
	srcFile := filepath.Join(projectDir, "models", "staging", "_sources.yml")
	b, err := os.ReadFile(srcFile)
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	var expected struct {
		RawRows      map[string]int64 `json:"raw_rows"`
		DistinctKeys map[string]int64 `json:"distinct_keys"`
	}
	eb, err := os.ReadFile(filepath.Join(root, "fixtures", "showcase", "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(eb, &expected); err != nil {
		t.Fatal(err)
	}

	api, err := fixtureapi.New(fixtureapi.Config{DataDir: filepath.Join(root, "fixtures", "showcase", "api"), Token: testToken})
	if err != nil {
		t.Fatal(err)
	}
	srv := newLoopback(t, api)
	lookup := env(map[string]string{"SHOWCASE_API_URL": srv, "SHOWCASE_API_TOKEN": testToken})

	var specs []Spec
	for _, src := range mapItems(yamlGet(doc.Content[0], "sources")) {
		for _, tbl := range mapItems(yamlGet(src, "tables")) {
			load := yamlGet(yamlGet(yamlGet(tbl, "meta"), "gdbt"), "load")
			if load == nil {
				continue
			}
			d := Decl{Source: yamlGet(src, "name").Value, Table: yamlGet(tbl, "name").Value, ProjectDir: projectDir, File: srcFile, Lookup: lookup}
			if s := yamlGet(src, "schema"); s != nil {
				d.Schema = s.Value
			}
			spec, err := ParseSpecNode(d, load)
			if err != nil {
				t.Fatal(err)
			}
			specs = append(specs, spec)
		}
	}
	if len(specs) == 0 {
		t.Fatal("no load declarations in the showcase")
	}
	pool := testPool(t)
	ctx := testCtx(t)
	for run := 1; run <= 2; run++ {
		rep, err := Run(ctx, pool, specs, Options{Lookup: lookup})
		if err != nil {
			t.Fatalf("run %d: %v", run, err)
		}
		for i, tr := range rep.Tables {
			s := specs[i]
			want, ok := expected.RawRows[s.Table]
			if s.HTTP != nil && s.HTTP.Mode == ModeMerge {
				want, ok = expected.DistinctKeys[s.Table]
			}
			if !ok {
				t.Errorf("expected.json has no count for %s", s.Table)
				continue
			}
			if n := count(t, pool, `select count(*) from `+relation(s.Schema, s.Identifier)); n != want {
				t.Errorf("run %d: %s has %d rows, want %d", run, s.Name(), n, want)
			}
			if run == 2 && (tr.Rows != 0 || tr.Status != StatusUpToDate) {
				t.Errorf("run 2: %s wrote %d rows (%s), want nothing", s.Name(), tr.Rows, tr.Status)
			}
		}
	}
}

func newLoopback(t *testing.T, h *fixtureapi.Server) string {
	t.Helper()
	s := httptestServer(h)
	t.Cleanup(s.Close)
	return s.URL
}

func yamlGet(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

func mapItems(n *yaml.Node) []*yaml.Node {
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	return n.Content
}
