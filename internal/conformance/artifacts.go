package conformance

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Fields compared per manifest entry. depends_on.macros is kept apart: gdbt's
// built-in macros are its own, so it only feeds a figure (and an allow-listed kind).
var (
	nodeFields = []string{
		"name", "resource_type", "package_name", "path", "original_file_path", "fqn",
		"alias", "schema", "database", "relation_name", "checksum", "raw_code", "language",
		"tags", "description", "columns", "meta", "docs", "refs", "sources",
		"depends_on.nodes", "test_metadata", "column_name", "attached_node", "file_key_name",
		"version", "latest_version", "access", "constraints", "contract", "group",
		"patch_path", "unique_key", "doc_blocks",
	}
	sourceFields = []string{
		"name", "source_name", "resource_type", "package_name", "path", "original_file_path",
		"fqn", "database", "schema", "identifier", "relation_name", "loader", "loaded_at_field",
		"freshness", "quoting", "external", "description", "source_description", "columns",
		"meta", "source_meta", "tags", "config",
	}
	exposureFields = []string{
		"name", "resource_type", "package_name", "path", "original_file_path", "fqn", "type",
		"owner", "description", "label", "maturity", "meta", "tags", "config", "url",
		"depends_on.nodes", "refs", "sources",
	}
	macroFields = []string{
		"name", "resource_type", "package_name", "path", "original_file_path", "macro_sql",
		"depends_on.macros", "description", "meta", "docs", "arguments", "supported_languages",
	}
	docFields   = []string{"name", "resource_type", "package_name", "path", "original_file_path", "block_contents"}
	groupFields = []string{"name", "resource_type", "package_name", "path", "original_file_path", "owner", "description", "config"}
)

// Entry is one manifest entry reduced to the compared fields, each as canonical JSON.
type Entry map[string]json.RawMessage

// ManifestSubset is the part of manifest.json the harness compares and the goldens keep.
type ManifestSubset struct {
	Project   string              `json:"project"`
	Nodes     map[string]Entry    `json:"nodes"`
	Sources   map[string]Entry    `json:"sources"`
	Exposures map[string]Entry    `json:"exposures"`
	Macros    map[string]Entry    `json:"macros"` // the project's own macros only
	Docs      map[string]Entry    `json:"docs"`
	ParentMap map[string][]string `json:"parent_map"`
	ChildMap  map[string][]string `json:"child_map"`
	Groups    map[string]Entry    `json:"groups,omitempty"`
	// Disabled is the disabled section with each list flattened: the
	// first entry under its unique_id, a further one under "<id>#<i>".
	Disabled map[string]Entry `json:"disabled,omitempty"`
	// GroupMap lists each group's members, sorted (dbt writes them in the
	// order it parsed them).
	GroupMap map[string][]string `json:"group_map,omitempty"`
	// UnitTests is the unit_tests section.
	UnitTests map[string]Entry `json:"unit_tests,omitempty"`
	// MacroDeps is depends_on.macros per node: compared only as a figure.
	MacroDeps map[string][]string `json:"-"`
	// CompiledPath maps target/compiled-relative paths to unique ids.
	CompiledPath map[string]string `json:"-"`
}

type rawManifest struct {
	Metadata struct {
		ProjectName string `json:"project_name"`
	} `json:"metadata"`
	Nodes     map[string]map[string]json.RawMessage   `json:"nodes"`
	Sources   map[string]map[string]json.RawMessage   `json:"sources"`
	Exposures map[string]map[string]json.RawMessage   `json:"exposures"`
	Macros    map[string]map[string]json.RawMessage   `json:"macros"`
	Docs      map[string]map[string]json.RawMessage   `json:"docs"`
	ParentMap map[string][]string                     `json:"parent_map"`
	ChildMap  map[string][]string                     `json:"child_map"`
	Groups    map[string]map[string]json.RawMessage   `json:"groups"`
	Disabled  map[string][]map[string]json.RawMessage `json:"disabled"`
	GroupMap  map[string][]string                     `json:"group_map"`
}

// errNoArtifact says a tool did not write an artifact.
var errNoArtifact = errors.New("artifact not written")

// readJSONFile reads a target/ artifact, rewriting database names first.
func readJSONFile(path string, rw *strings.Replacer, v any) error {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s: %w", path, errNoArtifact)
	}
	if err != nil {
		return err
	}
	if rw != nil {
		b = []byte(rw.Replace(string(b)))
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// LoadManifest reads target/manifest.json and keeps the compared subset.
// project is the root project's name (for "the project's own macros").
func LoadManifest(path string, rw *strings.Replacer) (*ManifestSubset, error) {
	var m rawManifest
	if err := readJSONFile(path, rw, &m); err != nil {
		return nil, err
	}
	ms := &ManifestSubset{
		Project:      m.Metadata.ProjectName,
		Nodes:        map[string]Entry{},
		Sources:      map[string]Entry{},
		Exposures:    map[string]Entry{},
		Macros:       map[string]Entry{},
		Docs:         map[string]Entry{},
		ParentMap:    m.ParentMap,
		ChildMap:     m.ChildMap,
		MacroDeps:    map[string][]string{},
		CompiledPath: map[string]string{},
	}
	nodeEntry := func(n map[string]json.RawMessage) Entry {
		e := pick(n, nodeFields)
		for k, v := range configFields(n["config"]) {
			e["config."+k] = v
		}
		return e
	}
	for id, n := range m.Nodes {
		ms.Nodes[id] = nodeEntry(n)
		var dep struct {
			Macros []string `json:"macros"`
		}
		_ = json.Unmarshal(n["depends_on"], &dep)
		ms.MacroDeps[id] = dep.Macros
		var cp string
		if json.Unmarshal(n["compiled_path"], &cp) == nil && cp != "" {
			ms.CompiledPath[compiledKey(cp)] = id
		}
	}
	for id, n := range m.Sources {
		ms.Sources[id] = pick(n, sourceFields)
	}
	units, err := loadUnitTests(path, rw)
	if err != nil {
		return nil, err
	}
	ms.UnitTests = units
	for id, n := range m.Exposures {
		ms.Exposures[id] = pick(n, exposureFields)
	}
	if len(m.Groups) > 0 {
		ms.Groups = map[string]Entry{}
		for id, g := range m.Groups {
			ms.Groups[id] = pick(g, groupFields)
		}
	}
	if len(m.Disabled) > 0 {
		ms.Disabled = map[string]Entry{}
		for id, list := range m.Disabled {
			for i, n := range list {
				key := id
				if i > 0 {
					key = fmt.Sprintf("%s#%d", id, i)
				}
				switch {
				case strings.HasPrefix(id, "source."):
					ms.Disabled[key] = pick(n, sourceFields)
				case strings.HasPrefix(id, "exposure."):
					ms.Disabled[key] = pick(n, exposureFields)
				default:
					ms.Disabled[key] = nodeEntry(n)
				}
			}
		}
	}
	if len(m.GroupMap) > 0 {
		ms.GroupMap = map[string][]string{}
		for g, ids := range m.GroupMap {
			ms.GroupMap[g] = append([]string{}, ids...)
			sort.Strings(ms.GroupMap[g])
		}
	}
	for id, n := range m.Macros {
		var pkg string
		_ = json.Unmarshal(n["package_name"], &pkg)
		if pkg == ms.Project {
			ms.Macros[id] = pick(n, macroFields)
		}
	}
	for id, n := range m.Docs {
		var pkg string
		_ = json.Unmarshal(n["package_name"], &pkg)
		if pkg == ms.Project {
			ms.Docs[id] = pick(n, docFields)
		}
	}
	return ms, nil
}

// compiledKey strips the "target/compiled/" prefix dbt puts in compiled_path.
func compiledKey(p string) string {
	p = filepath.ToSlash(p)
	if i := strings.Index(p, "compiled/"); i >= 0 {
		return p[i+len("compiled/"):]
	}
	return p
}

// pick keeps the named fields (a dotted name reaches one level down) as canonical JSON.
func pick(n map[string]json.RawMessage, fields []string) Entry {
	e := Entry{}
	for _, f := range fields {
		var v json.RawMessage
		if top, sub, ok := strings.Cut(f, "."); ok {
			var inner map[string]json.RawMessage
			if json.Unmarshal(n[top], &inner) == nil {
				v = inner[sub]
			}
		} else {
			v = n[f]
		}
		if v == nil {
			continue // absent in this tool's manifest: compared as missing
		}
		e[f] = canonicalJSON(v)
	}
	return e
}

func configFields(raw json.RawMessage) map[string]json.RawMessage {
	var c map[string]json.RawMessage
	if json.Unmarshal(raw, &c) != nil {
		return nil
	}
	for k, v := range c {
		c[k] = canonicalJSON(v)
	}
	return c
}

// canonicalJSON re-encodes v with sorted keys and no insignificant whitespace.
func canonicalJSON(v json.RawMessage) json.RawMessage {
	var x any
	d := json.NewDecoder(bytes.NewReader(v))
	d.UseNumber()
	if d.Decode(&x) != nil {
		return v
	}
	b, err := json.Marshal(x) // maps marshal with sorted keys
	if err != nil {
		return v
	}
	return b
}

// RunResult is what the harness compares per executed node.
type RunResult struct {
	Status       string          `json:"status"`
	Failures     json.RawMessage `json:"failures"`
	RowsAffected json.RawMessage `json:"rows_affected"`
	// BatchResults are a microbatch model's batches (null otherwise).
	BatchResults json.RawMessage `json:"batch_results"`
	Message      string          `json:"message,omitempty"` // shown in diffs, never compared
}

// LoadRunResults reads target/run_results.json keyed by unique_id.
func LoadRunResults(path string, rw *strings.Replacer) (map[string]RunResult, error) {
	var rr struct {
		Results []struct {
			UniqueID        string          `json:"unique_id"`
			Status          string          `json:"status"`
			Failures        json.RawMessage `json:"failures"`
			Message         *string         `json:"message"`
			BatchResults    json.RawMessage `json:"batch_results"`
			AdapterResponse struct {
				RowsAffected json.RawMessage `json:"rows_affected"`
			} `json:"adapter_response"`
		} `json:"results"`
	}
	if err := readJSONFile(path, rw, &rr); err != nil {
		return nil, err
	}
	out := map[string]RunResult{}
	for _, r := range rr.Results {
		x := RunResult{Status: r.Status, Failures: canonOrNull(r.Failures), RowsAffected: canonOrNull(r.AdapterResponse.RowsAffected),
			BatchResults: canonOrNull(r.BatchResults)}
		if r.Message != nil {
			x.Message = *r.Message
		}
		out[r.UniqueID] = x
	}
	return out, nil
}

func canonOrNull(v json.RawMessage) json.RawMessage {
	if len(v) == 0 {
		return json.RawMessage("null")
	}
	return canonicalJSON(v)
}

// LoadCompiled reads every file under target/compiled, keyed by its path below it.
func LoadCompiled(dir string, rw *strings.Replacer) (map[string]string, error) {
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && p == dir {
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
		s := string(b)
		if rw != nil {
			s = rw.Replace(s)
		}
		out[filepath.ToSlash(rel)] = s
		return nil
	})
	return out, err
}

// normalizeSpace collapses runs of whitespace to one space and trims the ends.
func normalizeSpace(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
