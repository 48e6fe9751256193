package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
)

// writeManifest writes target/manifest.json. The full v12 writer lives in
// the manifest package once it lands; until then a minimal document.
func (a *app) writeManifest() error {
	if err := os.MkdirAll(a.targetDir(), 0o755); err != nil {
		return err
	}
	m := a.res.Manifest
	nodes := map[string]any{}
	for id, n := range m.Nodes {
		nodes[id] = map[string]any{
			"unique_id": n.UniqueID, "name": n.Name, "resource_type": n.ResourceType,
			"package_name": n.Package, "fqn": n.FQN, "config": n.Config,
			"depends_on": map[string]any{"nodes": n.DependsOnNodes, "macros": n.DependsOnMacros},
			"schema":     n.Schema, "database": n.Database, "alias": n.Alias, "raw_code": n.RawCode,
			"compiled_code": n.CompiledCode, "relation_name": n.RelationName,
		}
	}
	doc := map[string]any{"nodes": nodes, "parent_map": m.ParentMap(), "child_map": m.ChildMap()}
	data, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(a.targetDir(), "manifest.json"), data, 0o644)
}
