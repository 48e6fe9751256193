package parser

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gdbt/gdbt/compiler/manifest"
)

// manifestSections are the parts of manifest.json TestManifestMatchesDBT
// compares: everything parse derives from the project's files (macros are
// mostly dbt's own, metadata changes per run).
var manifestSections = []string{"nodes", "sources", "exposures", "disabled", "groups", "parent_map", "child_map", "group_map"}

// reduceManifest keeps manifestSections of a manifest.json, without
// created_at (a timestamp) and a seed's root_path (where the project was
// parsed), as indented JSON with sorted keys.
func reduceManifest(data []byte) ([]byte, error) {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		return nil, err
	}
	out := map[string]any{}
	for _, k := range manifestSections {
		out[k] = m[k]
	}
	var drop func(v any)
	drop = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			delete(x, "created_at")
			delete(x, "root_path")
			for _, e := range x {
				drop(e)
			}
		case []any:
			for _, e := range x {
				drop(e)
			}
		}
	}
	for _, k := range []string{"nodes", "sources", "exposures", "disabled", "groups"} {
		drop(out[k])
	}
	b, err := json.MarshalIndent(out, "", " ")
	return append(b, '\n'), err
}

// TestManifestMatchesDBT writes gdbt's manifest.json for fixtures and
// compares it, field by field, with dbt-core 1.12.6's for the same project
// (testdata/<fixture>.manifest.golden, reduced by reduceManifest).
// parse_props: source configs and unrendered_config from the sources:
// tree and the schema file, exposures switched off by config or by the
// exposures: tree under disabled, and constraints declared on a model
// version with the contract checksum and primary_key they give. versions:
// versions with tests of their own (data_tests: replacing the model's, an
// empty list, the legacy tests: key) and columns (include/exclude, a
// redeclared column, new ones), which decide each version's generic tests
// and the version node's columns.
//
// The goldens come from dbt, never by hand: in a copy of the fixture run
// GDBT_PG_DBNAME=postgres GDBT_PG_SCHEMA=<schema> .venv/bin/dbt parse
// --profiles-dir . (schema as in the table), then
// DBT_MANIFEST_<FIXTURE>=<copy>/target/manifest.json go test -run
// TestManifestMatchesDBT ./compiler/parser rewrites it (e.g.
// DBT_MANIFEST_PARSE_PROPS).
func TestManifestMatchesDBT(t *testing.T) {
	for _, tc := range []struct{ fixture, schema string }{{"parse_props", "parse_props"}, {"versions", "vers"}} {
		t.Run(tc.fixture, func(t *testing.T) {
			golden := filepath.Join("testdata", tc.fixture+".manifest.golden")
			if src := os.Getenv("DBT_MANIFEST_" + strings.ToUpper(tc.fixture)); src != "" {
				data, err := os.ReadFile(src)
				if err != nil {
					t.Fatal(err)
				}
				b, err := reduceManifest(data)
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, b, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			res, err := Parse(loadFixture(t, tc.fixture, map[string]string{"GDBT_PG_SCHEMA": tc.schema}), Options{})
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := res.Manifest.WriteJSON(&buf, manifest.Metadata{}); err != nil {
				t.Fatal(err)
			}
			got, err := reduceManifest(buf.Bytes())
			if err != nil {
				t.Fatal(err)
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			var g, w any
			if err := json.Unmarshal(got, &g); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(want, &w); err != nil {
				t.Fatal(err)
			}
			diffs := jsonDiffs("", w, g)
			for i, d := range diffs {
				if i == 30 {
					t.Errorf("… %d more", len(diffs)-i)
					break
				}
				t.Error(d)
			}
		})
	}
}

// jsonDiffs lists where decoded JSON values a (dbt's) and b (gdbt's)
// differ, by path.
func jsonDiffs(path string, a, b any) []string {
	am, aok := a.(map[string]any)
	bm, bok := b.(map[string]any)
	if aok && bok {
		keys := map[string]bool{}
		for k := range am {
			keys[k] = true
		}
		for k := range bm {
			keys[k] = true
		}
		var out []string
		for _, k := range sortedKeys(keys) {
			av, ain := am[k]
			bv, bin := bm[k]
			switch {
			case !bin:
				out = append(out, fmt.Sprintf("%s.%s: only dbt writes it: %s", path, k, short(av)))
			case !ain:
				out = append(out, fmt.Sprintf("%s.%s: only gdbt writes it: %s", path, k, short(bv)))
			default:
				out = append(out, jsonDiffs(path+"."+k, av, bv)...)
			}
		}
		return out
	}
	al, aok := a.([]any)
	bl, bok := b.([]any)
	if aok && bok && len(al) == len(bl) {
		var out []string
		for i := range al {
			out = append(out, jsonDiffs(fmt.Sprintf("%s[%d]", path, i), al[i], bl[i])...)
		}
		return out
	}
	if short(a) != short(b) {
		return []string{fmt.Sprintf("%s: dbt %s, gdbt %s", path, short(a), short(b))}
	}
	return nil
}

func short(v any) string {
	b, _ := json.Marshal(v)
	if len(b) > 300 {
		return string(b[:297]) + "..."
	}
	return string(b)
}

// TestWarningsMatchDBT checks the parse-time warnings gdbt gives for
// fixtures against what dbt-core 1.12.6 printed for them
// (testdata/<fixture>.warnings.golden: the [WARNING] blocks of
// .venv/bin/dbt --no-use-colors parse --no-partial-parse
// --show-all-deprecations, run in a copy of the fixture as for
// TestManifestMatchesDBT, without their timestamps and without the
// deprecations summary, which the CLI prints). parse_props: constraints
// on a view, patches for missing nodes or under the wrong key, tests on a
// missing model and on a disabled source, an unused config path.
// deprecations: every deprecation of dbt_project.yml keys and of generic
// test entries (configs and arguments beside the test's name), once per
// model version, between each schema section's patch warnings and the
// sources'. rt_basic: the one deprecation dbt gives for a fixture the
// conformance harness runs. The same text, wrapped where dbt wraps, in
// dbt's order.
func TestWarningsMatchDBT(t *testing.T) {
	for _, fixture := range []string{"parse_props", "deprecations", "rt_basic"} {
		t.Run(fixture, func(t *testing.T) {
			res, err := Parse(loadFixture(t, fixture, nil), Options{})
			if err != nil {
				t.Fatal(err)
			}
			var got strings.Builder
			for _, w := range res.Warnings {
				got.WriteString(w.Text + "\n")
			}
			want, err := os.ReadFile(filepath.Join("testdata", fixture+".warnings.golden"))
			if err != nil {
				t.Fatal(err)
			}
			if got.String() != string(want) {
				t.Errorf("warnings differ from dbt's:\n--- dbt\n%s--- gdbt\n%s", want, got.String())
			}
		})
	}
}

// fillText wraps as Python's textwrap.fill(…, break_on_hyphens=False);
// the wanted lines are Python's.
func TestFillText(t *testing.T) {
	for _, tc := range []struct {
		text  string
		width int
		want  string
	}{
		{"a bb ccc dddd", 6, "a bb\nccc\ndddd"},
		{"one  two   three", 8, "one  two\nthree"},
		{"averyverylongword x", 5, "avery\nveryl\nongwo\nrd x"},
		{"a newline\nis a space", 40, "a newline is a space"},
		{"well-known hyphen-words stay", 12, "well-known\nhyphen-words\nstay"},
	} {
		if got := fillText(tc.text, tc.width); got != tc.want {
			t.Errorf("fillText(%q, %d) = %q, want %q", tc.text, tc.width, got, tc.want)
		}
	}
}
