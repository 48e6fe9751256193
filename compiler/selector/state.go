package selector

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"

	"github.com/gdbt/gdbt/compiler/graph"
	"github.com/gdbt/gdbt/compiler/manifest"
)

// State is the --state comparison: the previous manifest.json and
// run_results.json, reduced to what state: and result: look at.
type State struct {
	Manifest *PrevManifest     // nil without manifest.json
	Results  map[string]string // unique_id → status; nil without run_results.json
}

// PrevManifest is the part of a manifest.json that state comparison reads.
type PrevManifest struct {
	Nodes     map[string]*PrevNode     `json:"nodes"`
	Sources   map[string]*PrevSource   `json:"sources"`
	Exposures map[string]*PrevExposure `json:"exposures"`
	Macros    map[string]*PrevMacro    `json:"macros"`
	UnitTests map[string]*PrevUnitTest `json:"unit_tests"`
}

// PrevUnitTest is a unit test of a previous manifest: dbt compares unit
// tests by their checksum alone.
type PrevUnitTest struct {
	Checksum string `json:"checksum"`
}

// PrevNode is a node of a previous manifest.
type PrevNode struct {
	ResourceType     string                    `json:"resource_type"`
	RawCode          string                    `json:"raw_code"`
	Checksum         struct{ Checksum string } `json:"checksum"`
	Config           map[string]any            `json:"config"`
	UnrenderedConfig map[string]any            `json:"unrendered_config"`
	FQN              []string                  `json:"fqn"`
	Description      string                    `json:"description"`
	Columns          map[string]PrevColumn     `json:"columns"`
	LatestVersion    any                       `json:"latest_version"`
	Access           string                    `json:"access"`
	DependsOn        struct {
		Macros []string `json:"macros"`
		Nodes  []string `json:"nodes"`
	} `json:"depends_on"`
	TestMetadata *struct {
		Name string `json:"name"`
	} `json:"test_metadata"`
}

// PrevColumn is a column of a previous node.
type PrevColumn struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	DataType    any    `json:"data_type"`
	Constraints []any  `json:"constraints"`
}

// PrevSource is a source table of a previous manifest.
type PrevSource struct {
	Database         any            `json:"database"`
	Schema           string         `json:"schema"`
	Identifier       string         `json:"identifier"`
	FQN              []string       `json:"fqn"`
	UnrenderedConfig map[string]any `json:"unrendered_config"`
	Quoting          any            `json:"quoting"`
	Freshness        any            `json:"freshness"`
	LoadedAtField    any            `json:"loaded_at_field"`
}

// PrevExposure is an exposure of a previous manifest.
type PrevExposure struct {
	FQN         []string       `json:"fqn"`
	Type        string         `json:"type"`
	Owner       any            `json:"owner"`
	Maturity    any            `json:"maturity"`
	URL         any            `json:"url"`
	Description string         `json:"description"`
	Label       any            `json:"label"`
	Config      map[string]any `json:"config"`
	DependsOn   struct {
		Nodes []string `json:"nodes"`
	} `json:"depends_on"`
}

// PrevMacro is a macro of a previous manifest.
type PrevMacro struct {
	MacroSQL string `json:"macro_sql"`
}

// LoadState reads manifest.json and run_results.json from a --state
// directory; either may be missing, but not both.
func LoadState(dir string) (*State, error) {
	st := &State{}
	if err := readJSON(filepath.Join(dir, "manifest.json"), &st.Manifest); err != nil {
		return nil, err
	}
	var rr struct {
		Results []struct {
			UniqueID string `json:"unique_id"`
			Status   string `json:"status"`
		} `json:"results"`
	}
	found := false
	if err := readJSON(filepath.Join(dir, "run_results.json"), &rr); err != nil {
		return nil, err
	} else if rr.Results != nil {
		found = true
		st.Results = make(map[string]string, len(rr.Results))
		for _, r := range rr.Results {
			st.Results[r.UniqueID] = r.Status
		}
	}
	if st.Manifest == nil && !found {
		return nil, fmt.Errorf("--state %s: found neither manifest.json nor run_results.json", dir)
	}
	return st, nil
}

func readJSON(path string, into any) error {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, into); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			line, col := lineCol(data, int(se.Offset))
			return fmt.Errorf("%s:%d:%d: invalid JSON: %v", path, line, col, err)
		}
		return fmt.Errorf("%s: %v", path, err)
	}
	return nil
}

func lineCol(data []byte, off int) (int, int) {
	line, col := 1, 1
	for i := 0; i < off && i < len(data); i++ {
		if data[i] == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return line, col
}

// builtinMacro: gdbt's own built-in macros differ from dbt's by design, so
// a manifest written by dbt would otherwise mark every node modified.
func builtinMacro(uid string) bool {
	return strings.HasPrefix(uid, "macro.dbt.") || strings.HasPrefix(uid, "macro.dbt_postgres.")
}

func (e *engine) searchState(check string) (bitset, error) {
	prev := e.opts.State.Manifest
	out := newBitset(e.g.Len())
	var changedMacros map[string]bool
	macrosChanged := func(deps []string) bool {
		if changedMacros == nil {
			changedMacros = modifiedMacros(e.m, prev)
		}
		return e.macrosChanged(deps, changedMacros, map[string]bool{})
	}
	for i, t := range e.t {
		uid := e.g.UniqueID(graph.ID(i))
		var hit bool
		switch {
		case t.node != nil && t.node.ResourceType == manifest.UnitTest:
			hit = unitTestState(check, t.node, prev.UnitTests[uid])
		case t.node != nil:
			hit = nodeState(check, t.node, prev.Nodes[uid], macrosChanged)
		case t.src != nil:
			old := prev.Sources[uid]
			hit = sourceState(check, t.src, old)
		case t.exp != nil:
			old := prev.Exposures[uid]
			hit = exposureState(check, t.exp, old, macrosChanged)
		}
		if hit {
			out.add(graph.ID(i))
		}
	}
	return out, nil
}

func nodeState(check string, n *manifest.Node, old *PrevNode, macrosChanged func([]string) bool) bool {
	switch check {
	case "new":
		return old == nil
	case "old":
		return old != nil
	case "modified", "unmodified":
		mod := !sameNodeContents(n, old) || macrosChanged(n.DependsOnMacros) ||
			(old != nil && n.ResourceType == manifest.Model && !sameContract(n, old))
		return mod == (check == "modified")
	case "modified.body":
		return old == nil || !sameBody(n, old)
	case "modified.configs":
		return old == nil || !sameConfig(n.ResourceType, n.UnrenderedConfig, old.UnrenderedConfig)
	case "modified.persisted_descriptions":
		return old == nil || !samePersistedDescription(n, old)
	case "modified.relation":
		return old == nil || !sameRelation(n.UnrenderedConfig, old.UnrenderedConfig)
	case "modified.macros":
		return macrosChanged(n.DependsOnMacros)
	case "modified.contract":
		return old == nil || (n.ResourceType == manifest.Model && !sameContract(n, old))
	}
	return false
}

// unitTestState is state:<check> of a unit test: new, old, and modified
// (any kind) when its checksum changed.
func unitTestState(check string, n *manifest.Node, old *PrevUnitTest) bool {
	switch check {
	case "new":
		return old == nil
	case "old":
		return old != nil
	case "unmodified":
		return old != nil && unitChecksum(n) == old.Checksum
	case "modified", "modified.body":
		return old == nil || unitChecksum(n) != old.Checksum
	}
	return false
}

func unitChecksum(n *manifest.Node) string {
	if n.Unit != nil {
		return n.Unit.Checksum
	}
	return n.Checksum
}

func sameNodeContents(n *manifest.Node, old *PrevNode) bool {
	if old == nil {
		return false
	}
	if n.ResourceType == manifest.Test && n.TestMetadata != nil {
		return sameConfig(n.ResourceType, n.UnrenderedConfig, old.UnrenderedConfig) && reflect.DeepEqual(n.FQN, old.FQN)
	}
	same := sameBody(n, old) &&
		sameConfig(n.ResourceType, n.UnrenderedConfig, old.UnrenderedConfig) &&
		samePersistedDescription(n, old) &&
		slicesEqual(n.FQN, old.FQN) &&
		sameRelation(n.UnrenderedConfig, old.UnrenderedConfig)
	if same && n.ResourceType == manifest.Model {
		// latest_version and access change how refs resolve downstream.
		same = versionString(n.LatestVersion) == versionString(old.LatestVersion) && access(n) == accessOr(old.Access)
	}
	return same
}

func slicesEqual(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func access(n *manifest.Node) string { return accessOr(n.Access) }

func accessOr(a string) string {
	if a == "" {
		return "protected"
	}
	return a
}

func sameBody(n *manifest.Node, old *PrevNode) bool {
	if n.ResourceType == manifest.Seed {
		return n.Checksum == old.Checksum.Checksum
	}
	return n.RawCode == old.RawCode
}

// Config keys that do not count as a config change (they are the relation,
// or metadata) and the only keys compared for tests, as dbt.
var (
	configCompareExcluded = map[string]bool{"alias": true, "schema": true, "database": true, "tags": true, "group": true}
	testConfigCompared    = []string{"severity", "where", "limit", "fail_calc", "warn_if", "error_if",
		"store_failures", "store_failures_as", "sql_header"}
)

func sameConfig(rt manifest.ResourceType, cur manifest.Config, old map[string]any) bool {
	c := normalize(map[string]any(cur))
	o := normalize(old)
	cm, _ := c.(map[string]any)
	om, _ := o.(map[string]any)
	keyEqual := func(k string) bool {
		cv, cok := cm[k]
		ov, ook := om[k]
		return cok == ook && reflect.DeepEqual(cv, ov)
	}
	if rt == manifest.Test {
		for _, k := range testConfigCompared {
			if !keyEqual(k) {
				return false
			}
		}
		return true
	}
	for _, m := range []map[string]any{cm, om} {
		for k := range m {
			if !configCompareExcluded[k] && !keyEqual(k) {
				return false
			}
		}
	}
	return true
}

func sameRelation(cur manifest.Config, old map[string]any) bool {
	c, _ := normalize(map[string]any(cur)).(map[string]any)
	o, _ := normalize(old).(map[string]any)
	for _, k := range []string{"database", "schema", "alias"} {
		if !reflect.DeepEqual(c[k], o[k]) {
			return false
		}
	}
	return true
}

func samePersistedDescription(n *manifest.Node, old *PrevNode) bool {
	pd, _ := n.Config["persist_docs"].(map[string]any)
	if truthy(pd["relation"]) && n.Description != old.Description {
		return false
	}
	if truthy(pd["columns"]) {
		cur := map[string]string{}
		for _, c := range n.Columns {
			cur[c.Name] = c.Description
		}
		prev := map[string]string{}
		for k, c := range old.Columns {
			prev[k] = c.Description
		}
		if !reflect.DeepEqual(cur, prev) {
			return false
		}
	}
	return true
}

func truthy(v any) bool {
	b, ok := v.(bool)
	return ok && b
}

func contractEnforced(cfg map[string]any) bool {
	c, _ := cfg["contract"].(map[string]any)
	return truthy(c["enforced"])
}

// sameContract compares what a model contract promises: the columns, their
// types (ignoring size and precision, as dbt) and constraints, and the
// materialization. dbt compares a checksum of the same facts.
func sameContract(n *manifest.Node, old *PrevNode) bool {
	was, is := contractEnforced(old.Config), contractEnforced(n.Config)
	if !was && !is {
		return true
	}
	if was != is {
		return false
	}
	type col struct {
		typ  string
		cons any
	}
	cur := map[string]col{}
	for _, c := range n.Columns {
		cur[c.Name] = col{baseType(c.DataType), normList(c.Constraints)}
	}
	prev := map[string]col{}
	for _, c := range old.Columns {
		dt, _ := c.DataType.(string)
		prev[c.Name] = col{baseType(dt), normList(c.Constraints)}
	}
	return reflect.DeepEqual(cur, prev) && n.Config.String("materialized") == stringOf(old.Config["materialized"])
}

// normList treats a missing and an empty list alike.
func normList(l []any) any {
	if len(l) == 0 {
		return nil
	}
	return normalizeAny(l)
}

func baseType(t string) string {
	t, _, _ = strings.Cut(t, "(")
	return strings.ToLower(strings.TrimSpace(t))
}

func stringOf(v any) string {
	s, _ := v.(string)
	return s
}

// normalize makes Go values comparable with decoded JSON (int64 → float64,
// []string → []any, nil slices → null).
func normalize(v any) any {
	data, err := json.Marshal(v)
	if err != nil {
		return v
	}
	var out any
	if json.Unmarshal(data, &out) != nil {
		return v
	}
	if m, ok := out.(map[string]any); ok || out == nil {
		if m == nil {
			m = map[string]any{}
		}
		return m
	}
	return out
}

func sourceState(check string, s *manifest.SourceDef, old *PrevSource) bool {
	switch check {
	case "new":
		return old == nil
	case "old":
		return old != nil
	case "modified", "unmodified":
		// A new source is not "modified" in dbt; state:new finds it.
		mod := old != nil && !sameSource(s, old)
		return mod == (check == "modified")
	case "modified.configs":
		return old == nil || !sameConfig(manifest.Source, s.UnrenderedConfig, old.UnrenderedConfig)
	case "modified.relation":
		return old == nil || !sameSourceRelation(s, old)
	}
	return false
}

func sameSourceRelation(s *manifest.SourceDef, old *PrevSource) bool {
	return reflect.DeepEqual(normalize(s.Database), normalize(old.Database)) && s.Schema == old.Schema && s.Identifier == old.Identifier
}

func sameSource(s *manifest.SourceDef, old *PrevSource) bool {
	return sameSourceRelation(s, old) && slicesEqual(s.FQN, old.FQN) &&
		sameConfig(manifest.Source, s.UnrenderedConfig, old.UnrenderedConfig) &&
		reflect.DeepEqual(normalizeAny(s.Quoting), normalizeAny(old.Quoting)) &&
		reflect.DeepEqual(normalizeAny(s.Freshness), normalizeAny(old.Freshness)) &&
		reflect.DeepEqual(normalizeAny(s.LoadedAtField), normalizeAny(old.LoadedAtField))
}

// normalizeAny is normalize without turning null into an empty map.
func normalizeAny(v any) any {
	data, err := json.Marshal(v)
	if err != nil {
		return v
	}
	var out any
	_ = json.Unmarshal(data, &out)
	if m, ok := out.(map[string]any); ok && len(m) == 0 {
		return nil
	}
	return out
}

func exposureState(check string, x *manifest.ExposureDef, old *PrevExposure, macrosChanged func([]string) bool) bool {
	switch check {
	case "new":
		return old == nil
	case "old":
		return old != nil
	case "modified", "unmodified":
		mod := (old != nil && !sameExposure(x, old)) || macrosChanged(x.DependsOnMacros)
		return mod == (check == "modified")
	case "modified.configs":
		return old == nil || !sameConfig(manifest.Exposure, x.Config, old.Config)
	case "modified.macros":
		return macrosChanged(x.DependsOnMacros)
	}
	return false
}

func sameExposure(x *manifest.ExposureDef, old *PrevExposure) bool {
	set := func(s []string) map[string]bool {
		m := map[string]bool{}
		for _, v := range s {
			m[v] = true
		}
		return m
	}
	return slicesEqual(x.FQN, old.FQN) && x.Type == old.Type &&
		reflect.DeepEqual(normalizeAny(x.Owner), normalizeAny(old.Owner)) &&
		reflect.DeepEqual(normalizeAny(x.Maturity), normalizeAny(emptyNil(old.Maturity))) &&
		reflect.DeepEqual(normalizeAny(x.URL), normalizeAny(emptyNil(old.URL))) &&
		x.Description == old.Description &&
		reflect.DeepEqual(normalizeAny(x.Label), normalizeAny(emptyNil(old.Label))) &&
		reflect.DeepEqual(set(x.DependsOnNodes), set(old.DependsOn.Nodes)) &&
		sameConfig(manifest.Exposure, x.Config, old.Config)
}

// emptyNil treats a JSON null like the empty string gdbt stores.
func emptyNil(v any) any {
	if v == nil {
		return ""
	}
	return v
}

// modifiedMacros lists macros added, removed or changed since the previous
// manifest (built-ins excluded).
func modifiedMacros(m *manifest.Manifest, prev *PrevManifest) map[string]bool {
	out := map[string]bool{}
	for uid, mac := range m.Macros {
		if builtinMacro(uid) {
			continue
		}
		if old, ok := prev.Macros[uid]; !ok || old.MacroSQL != mac.MacroSQL {
			out[uid] = true
		}
	}
	for uid := range prev.Macros {
		if _, ok := m.Macros[uid]; !ok && !builtinMacro(uid) {
			out[uid] = true
		}
	}
	return out
}

func (e *engine) macrosChanged(deps []string, changed, seen map[string]bool) bool {
	if len(changed) == 0 {
		return false
	}
	for _, d := range deps {
		if seen[d] {
			continue
		}
		seen[d] = true
		if changed[d] {
			return true
		}
		if mac := e.m.Macros[d]; mac != nil && e.macrosChanged(mac.DependsOnMacros, changed, seen) {
			return true
		}
	}
	return false
}
