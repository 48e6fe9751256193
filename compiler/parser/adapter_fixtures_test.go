package parser

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// parseAdapterFixture parses fixtures/projects/<name>, one of the
// dbt-tests-adapter ports, which ship no profiles.yml: the harness
// generates one; so does this.
func parseAdapterFixture(t *testing.T, name string) *Result {
	t.Helper()
	profiles := t.TempDir()
	prof := "adapter:\n  target: dev\n  outputs:\n    dev: {type: postgres, host: localhost, port: 5432, user: u, password: p, dbname: postgres, schema: adapter, threads: 1}\n"
	if err := os.WriteFile(filepath.Join(profiles, "profiles.yml"), []byte(prof), 0o600); err != nil {
		t.Fatal(err)
	}
	return mustParse(t, filepath.Join("..", "..", "fixtures", "projects", name), profiles)
}

// Exposures as dbt-core 1.12.6 writes them into manifest.json for the
// adapter_docs_* fixtures: descriptions render doc(), meta and tags gather
// into config.
func TestExposureProperties(t *testing.T) {
	tests := []struct {
		fixture, id                  string
		description, meta, tags, cfg string
	}{
		{"adapter_docs_references", "exposure.adapter_docs_references.notebook_exposure",
			"A notebook exposure that reads the summary view.", `{"languages":["python"],"tool":"my_tool"}`, `["my_department"]`,
			`{"enabled":true,"meta":{"languages":["python"],"tool":"my_tool"},"tags":["my_department"]}`},
		{"adapter_docs_generate", "exposure.adapter_docs_generate.simple_exposure",
			"", `{}`, `[]`, `{"enabled":true,"meta":{},"tags":[]}`},
		{"adapter_docs_generate", "exposure.adapter_docs_generate.notebook_exposure",
			"A description of the complex exposure\n", `{"languages":["python"],"tool":"my_tool"}`, `["my_department"]`,
			`{"enabled":true,"meta":{"languages":["python"],"tool":"my_tool"},"tags":["my_department"]}`},
	}
	js := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	for _, tc := range tests {
		t.Run(tc.id, func(t *testing.T) {
			ex := parseAdapterFixture(t, tc.fixture).Manifest.Exposures[tc.id]
			if ex == nil {
				t.Fatalf("no exposure %s", tc.id)
			}
			if ex.Description != tc.description {
				t.Errorf("description %q, want %q", ex.Description, tc.description)
			}
			for _, f := range []struct{ what, got, want string }{
				{"meta", js(ex.Meta), tc.meta}, {"tags", js(ex.Tags), tc.tags}, {"config", js(ex.Config), tc.cfg},
			} {
				if f.got != f.want {
					t.Errorf("%s %s, want %s", f.what, f.got, f.want)
				}
			}
		})
	}
}

// A schema file's macros: entry patches the macro as dbt-core 1.12.6 does
// (adapter_docs_generate's manifest.json).
func TestMacroPatch(t *testing.T) {
	md := parseAdapterFixture(t, "adapter_docs_generate").Manifest.Macros["macro.adapter_docs_generate.test_nothing"]
	if md == nil {
		t.Fatal("no macro test_nothing")
	}
	got, err := json.Marshal(map[string]any{"description": md.Description, "meta": md.Meta, "arguments": md.Arguments, "patch_path": md.PatchPath})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"arguments":[{"description":"The model the test is declared on.","name":"model","type":"Relation"}],` +
		`"description":"A generic test that checks nothing.","meta":{"some_key":100},"patch_path":"adapter_docs_generate://macros/schema.yml"}`
	if string(got) != want {
		t.Errorf("patched macro\n got %s\nwant %s", got, want)
	}
}

// A top-level docs: on a model entry moves into config, as dbt's
// normalize_attribute does (adapter_docs_generate: show false).
func TestPatchDocsLifted(t *testing.T) {
	m := parseAdapterFixture(t, "adapter_docs_generate").Manifest
	for _, id := range []string{"model.adapter_docs_generate.model", "model.adapter_docs_generate.second_model"} {
		n := m.Nodes[id]
		if n == nil {
			t.Fatalf("no node %s", id)
		}
		got, _ := json.Marshal(map[string]any{"docs": n.Docs, "config.docs": n.Config["docs"]})
		if want := `{"config.docs":{"node_color":null,"show":false},"docs":{"node_color":null,"show":false}}`; string(got) != want {
			t.Errorf("%s: %s, want %s", id, got, want)
		}
	}
}
