package conformance

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// goldenState writes or checks <fixture>/expected after dbt's compile step.
type goldenState struct {
	mode    string
	dir     string
	project string // dbt project name (target/compiled/<project>/...)
	db      string
	target  string
	schema  string
}

// GoldenMeta is expected/meta.json.
type GoldenMeta struct {
	DbtVersion string `json:"dbt_version"`
	Database   string `json:"database"`
	Target     string `json:"target"`
	Schema     string `json:"schema"`
	Note       string `json:"note"`
}

// goldenFiles renders what expected/ should hold, path -> content.
func (g *goldenState) goldenFiles(dbtProject, version string) (map[string][]byte, error) {
	files := map[string][]byte{}
	t := targetDir(dbtProject)
	ms, err := LoadManifest(filepath.Join(t, "manifest.json"), nil)
	if err != nil {
		return nil, fmt.Errorf("goldens: dbt's manifest: %w", err)
	}
	b, err := marshalGolden(ms)
	if err != nil {
		return nil, err
	}
	files["manifest.json"] = b
	compiled, err := LoadCompiled(filepath.Join(t, "compiled"), nil)
	if err != nil {
		return nil, err
	}
	for p, s := range compiled {
		files["compiled/"+strings.TrimPrefix(p, g.project+"/")] = []byte(s)
	}
	meta := GoldenMeta{DbtVersion: version, Database: g.db, Target: g.target, Schema: g.schema,
		Note: "written by internal/conformance from dbt's compile step; regenerate with: go run ./internal/conformance/cmd/conformance -update-goldens -dbt-only -steps parse,compile <project>"}
	if files["meta.json"], err = marshalGolden(meta); err != nil {
		return nil, err
	}
	return files, nil
}

// handle runs after the compile step.
func (g *goldenState) handle(c *stepCompare, dbtProject string) error {
	version := dbtVersionFromManifest(filepath.Join(targetDir(dbtProject), "manifest.json"))
	want, err := g.goldenFiles(dbtProject, version)
	if err != nil {
		return err
	}
	have, err := readTree(g.dir)
	if err != nil {
		return err
	}
	delete(have, OutcomesFile) // recorded by the scenario's steps, not by compile
	switch g.mode {
	case GoldensUpdate:
		for p := range have {
			if err := os.Remove(filepath.Join(g.dir, filepath.FromSlash(p))); err != nil {
				return err
			}
		}
		for p, b := range want {
			out := filepath.Join(g.dir, filepath.FromSlash(p))
			if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
				return err
			}
			if err := os.WriteFile(out, b, 0o644); err != nil {
				return err
			}
		}
	case GoldensCheck:
		for _, p := range unionKeys(want, have) {
			w, okw := want[p]
			h, okh := have[p]
			switch {
			case !okh:
				c.add(KindGoldenDrift, p, "", "dbt writes it, "+g.dir+" lacks it (run with -update-goldens)", "")
			case !okw:
				c.add(KindGoldenDrift, p, "", "in "+g.dir+" but dbt no longer writes it", "")
			case string(w) != string(h):
				c.add(KindGoldenDrift, p, "", "dbt's output drifted from the golden", UnifiedDiff("golden/"+p, "dbt/"+p, string(h), string(w)))
			}
		}
	}
	return nil
}

func dbtVersionFromManifest(path string) string {
	var m struct {
		Metadata struct {
			DbtVersion string `json:"dbt_version"`
		} `json:"metadata"`
	}
	b, err := os.ReadFile(path)
	if err != nil || json.Unmarshal(b, &m) != nil {
		return ""
	}
	return m.Metadata.DbtVersion
}

func readTree(dir string) (map[string][]byte, error) {
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == dir && errors.Is(err, fs.ErrNotExist) {
				return fs.SkipAll
			}
			return err
		}
		if d.IsDir() {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = b
		return nil
	})
	return out, err
}

// marshalGolden indents with one space and keeps <, > and & readable.
func marshalGolden(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	err := enc.Encode(v)
	return buf.Bytes(), err
}
