package extract

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

var update = flag.Bool("update", os.Getenv("UPDATE_GOLDEN") != "", "rewrite golden files")

func env(m map[string]string) LookupFunc {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestInterpolate(t *testing.T) {
	lookup := env(map[string]string{"HOST": "db", "EMPTY": ""})
	tests := []struct{ in, want, err string }{
		{"plain", "plain", ""},
		{"${HOST}:5432", "db:5432", ""},
		{"${MISSING:-http://x}/a", "http://x/a", ""},
		{"${EMPTY:-fallback}", "fallback", ""},
		{"${EMPTY}", "", ""},
		{"$${HOST}", "${HOST}", ""},
		{"a${HOST}b${HOST}", "adbbdb", ""},
		{"$HOST", "$HOST", ""},
		{"${MISSING}", "", "environment variable MISSING is not set (write ${MISSING:-default} for a fallback)"},
		{"${HOST", "", `unterminated "${": expected "}"`},
		{"${1X}", "", `expected an environment variable name in ${...}, found "1X"`},
	}
	for _, tc := range tests {
		got, err := Interpolate(tc.in, lookup)
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("Interpolate(%q) error = %v, want %s", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("Interpolate(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

// parseYAML parses the load mapping found under "load:" in src.
func parseYAML(t *testing.T, src string, lookup LookupFunc) (Spec, error) {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
		t.Fatal(err)
	}
	root := doc.Content[0]
	var load *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "load" {
			load = root.Content[i+1]
		}
	}
	return ParseSpecNode(Decl{Source: "raw", Table: "orders", ProjectDir: "/proj", File: "models/src.yml", Lookup: lookup}, load)
}

// TestParseSpecGolden parses each testdata/config/*.yml and compares the
// spec (or the error) with the .golden file beside it.
func TestParseSpecGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/config/*.yml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no config cases: %v", err)
	}
	lookup := env(map[string]string{"API_URL": "http://api.test", "PER_PAGE": "50"})
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			spec, err := parseYAML(t, string(src), lookup)
			var got string
			if err != nil {
				got = "error: " + err.Error() + "\n"
			} else {
				b, _ := json.MarshalIndent(spec, "", "  ")
				got = string(b) + "\n"
			}
			golden := strings.TrimSuffix(file, ".yml") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with UPDATE_GOLDEN=1)", err)
			}
			if got != string(want) {
				t.Errorf("got:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

func TestParseSpecMap(t *testing.T) {
	spec, err := ParseSpec(Decl{Source: "raw", Table: "customers", Schema: "landing", ProjectDir: "/p"}, map[string]any{
		"format":    "csv",
		"path":      []any{"a.csv", "/abs/b*.csv"},
		"delimiter": ";",
		"header":    false,
		"columns":   []any{map[string]any{"id": "bigint"}, map[string]any{"name": "text"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if spec.Schema != "landing" || spec.Identifier != "customers" || spec.CSV.Delimiter != ';' || spec.CSV.Header {
		t.Errorf("unexpected spec %+v %+v", spec, spec.CSV)
	}
	if got := strings.Join(spec.CSV.Paths, " "); got != "/p/a.csv /abs/b*.csv" {
		t.Errorf("paths %q", got)
	}
	if len(spec.Columns) != 2 || spec.Columns[0].Name != "id" || spec.Columns[1].Type != "text" {
		t.Errorf("columns %+v", spec.Columns)
	}

	_, err = ParseSpec(Decl{Source: "raw", Table: "t"}, map[string]any{"format": "http", "url": "http://x", "timeout": "soon"})
	if err == nil || err.Error() != `source raw.t: meta.gdbt.load.timeout: expected a positive duration like 10s, found "soon"` {
		t.Errorf("got %v", err)
	}
	spec, err = ParseSpec(Decl{Source: "raw", Table: "t"}, map[string]any{"format": "http", "url": "http://x", "timeout": 7})
	if err != nil || spec.HTTP.Timeout != 7*time.Second {
		t.Errorf("timeout: %v %v", spec.HTTP, err)
	}
}
