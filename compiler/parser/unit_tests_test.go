package parser

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gdbt/gdbt/compiler/manifest"
	"github.com/gdbt/gdbt/compiler/project"
)

// TestUnitTestsMatchDBT parses fixtures/projects/unit_tests and compares
// every field of manifest.json's unit_tests entries (and the disabled
// one) with dbt's, kept in the fixture's expected/manifest.json by the
// conformance harness (-update-goldens).
func TestUnitTestsMatchDBT(t *testing.T) {
	dir := filepath.Join("..", "..", "fixtures", "projects", "unit_tests")
	var meta struct{ Database, Schema string }
	readJSON(t, filepath.Join(dir, "expected", "meta.json"), &meta)
	var golden struct {
		UnitTests map[string]map[string]json.RawMessage `json:"unit_tests"`
		Disabled  map[string]map[string]json.RawMessage `json:"disabled"`
	}
	readJSON(t, filepath.Join(dir, "expected", "manifest.json"), &golden)
	if len(golden.UnitTests) == 0 {
		t.Fatal("expected/manifest.json holds no unit tests")
	}
	p := loadFixture(t, "unit_tests", map[string]string{"GDBT_PG_DBNAME": meta.Database, "GDBT_PG_SCHEMA": meta.Schema})
	res, err := Parse(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := res.Manifest.WriteJSON(&buf, manifest.Metadata{}); err != nil {
		t.Fatal(err)
	}
	var got struct {
		UnitTests map[string]map[string]json.RawMessage   `json:"unit_tests"`
		Disabled  map[string][]map[string]json.RawMessage `json:"disabled"`
	}
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	compare := func(id string, want, have map[string]json.RawMessage) {
		for field, w := range want {
			if g := dig(have, field); canonical(t, g) != canonical(t, w) {
				t.Errorf("%s %s:\n dbt  %s\n gdbt %s", id, field, canonical(t, w), canonical(t, g))
			}
		}
	}
	for id, want := range golden.UnitTests {
		have, ok := got.UnitTests[id]
		if !ok {
			t.Errorf("%s: only in dbt's manifest", id)
			continue
		}
		compare(id, want, have)
	}
	for id := range got.UnitTests {
		if _, ok := golden.UnitTests[id]; !ok {
			t.Errorf("%s: only in gdbt's manifest", id)
		}
	}
	for id, want := range golden.Disabled {
		if !strings.HasPrefix(id, "unit_test.") {
			continue
		}
		if len(got.Disabled[id]) != 1 {
			t.Errorf("%s: disabled in dbt's manifest, not in gdbt's", id)
			continue
		}
		compare(id, want, got.Disabled[id][0])
	}
}

// dig reads a field, a dotted name reaching one level down (depends_on.nodes).
func dig(m map[string]json.RawMessage, field string) json.RawMessage {
	head, rest, nested := strings.Cut(field, ".")
	if !nested {
		return m[field]
	}
	var inner map[string]json.RawMessage
	if json.Unmarshal(m[head], &inner) != nil {
		return nil
	}
	return inner[rest]
}

func canonical(t *testing.T, raw json.RawMessage) string {
	if raw == nil {
		return "<missing>"
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func readJSON(t *testing.T, path string, v any) {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatal(err)
	}
}

// loadFixture loads fixtures/projects/<name> with its own profiles.yml and
// only env as the environment.
func loadFixture(t *testing.T, name string, env map[string]string) *project.Project {
	t.Helper()
	dir := filepath.Join("..", "..", "fixtures", "projects", name)
	p, err := project.Load(dir, project.Options{ProfilesDir: dir, Env: func(k string) (string, bool) {
		v, ok := env[k]
		return v, ok
	}})
	if err != nil {
		t.Fatal(err)
	}
	return p
}
