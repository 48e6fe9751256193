package conformance

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// CatalogSubset is target/catalog.json without what changes from run to run
// (generated_at, invocation_id, the tool's version): the env metadata, every
// node and source entry (relation metadata, columns, stats) and the errors.
type CatalogSubset struct {
	Env     map[string]string          `json:"env"`
	Nodes   map[string]json.RawMessage `json:"nodes"`
	Sources map[string]json.RawMessage `json:"sources"`
	Errors  json.RawMessage            `json:"errors"`
}

// LoadCatalog reads a catalog.json written by docs generate.
func LoadCatalog(path string, rw *strings.Replacer) (*CatalogSubset, error) {
	var raw struct {
		Metadata struct {
			Env map[string]string `json:"env"`
		} `json:"metadata"`
		Nodes   map[string]json.RawMessage `json:"nodes"`
		Sources map[string]json.RawMessage `json:"sources"`
		Errors  json.RawMessage            `json:"errors"`
	}
	if err := readJSONFile(path, rw, &raw); err != nil {
		return nil, err
	}
	cs := &CatalogSubset{Env: raw.Metadata.Env, Nodes: map[string]json.RawMessage{}, Sources: map[string]json.RawMessage{},
		Errors: canonOrNull(raw.Errors)}
	if cs.Env == nil {
		cs.Env = map[string]string{}
	}
	for id, v := range raw.Nodes {
		cs.Nodes[id] = canonicalJSON(v)
	}
	for id, v := range raw.Sources {
		cs.Sources[id] = canonicalJSON(v)
	}
	return cs, nil
}

// compareCatalogs compares two catalogs entry by entry; a is dbt's.
func (c *stepCompare) compareCatalogs(a, b *CatalogSubset) {
	envA, _ := json.Marshal(a.Env) // maps marshal with sorted keys
	envB, _ := json.Marshal(b.Env)
	if !bytes.Equal(envA, envB) {
		c.add(KindCatalog, "metadata.env", "", fmt.Sprintf("dbt %s, gdbt %s", envA, envB), "")
	}
	if !bytes.Equal(a.Errors, b.Errors) {
		c.add(KindCatalog, "errors", "", fmt.Sprintf("dbt %s, gdbt %s", a.Errors, b.Errors), "")
	}
	for _, sec := range []struct {
		name string
		a, b map[string]json.RawMessage
	}{{"nodes", a.Nodes, b.Nodes}, {"sources", a.Sources, b.Sources}} {
		for _, id := range unionKeys(sec.a, sec.b) {
			ea, oka := sec.a[id]
			eb, okb := sec.b[id]
			switch {
			case !okb:
				c.add(KindCatalog, id, sec.name, "only dbt's catalog has it", "")
			case !oka:
				c.add(KindCatalog, id, sec.name, "only gdbt's catalog has it", "")
			case !bytes.Equal(ea, eb):
				c.add(KindCatalog, id, sec.name, "catalog entries differ", jsonDiff(ea, eb))
			}
		}
	}
}
