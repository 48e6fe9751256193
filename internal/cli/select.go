package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/gdbt/gdbt/compiler/graph"
	"github.com/gdbt/gdbt/compiler/manifest"
	"github.com/gdbt/gdbt/compiler/selector"
)

// selectFor returns the unique_ids command acts on, with dbt's selection
// syntax, selectors.yml, --state and the command's resource types.
func (a *app) selectFor(command string) ([]string, *graph.Graph, error) {
	m := a.res.Manifest
	g, err := graph.Build(m)
	if err != nil {
		return nil, nil, &userError{a.placeCycle(err)}
	}
	var sels *selector.Selectors
	if path := filepath.Join(a.proj.Root, "selectors.yml"); fileExists(path) {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, nil, err
		}
		if sels, err = selector.ParseSelectors("selectors.yml", data); err != nil {
			return nil, nil, &userError{err}
		}
	}
	spec, err := selector.Choose(sels, a.f.Selector, a.f.Select, a.f.Exclude)
	if err != nil {
		return nil, nil, &userError{err}
	}
	filter, err := selector.CommandFilter(command, a.f.ResourceTypes, nil)
	if err != nil {
		return nil, nil, &userError{err}
	}
	indirect, err := selector.ParseIndirect(a.f.Indirect)
	if err != nil {
		return nil, nil, &userError{err}
	}
	opts := selector.Options{Indirect: indirect, Filter: filter, Selectors: sels}
	if a.f.State != "" {
		if opts.State, err = selector.LoadState(a.f.State); err != nil {
			return nil, nil, &userError{err}
		}
	}
	ids, err := spec.Select(m, g, opts)
	if err != nil {
		return nil, nil, &userError{err}
	}
	return ids, g, nil
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// ls prints the selected resources like dbt ls: selector names (the
// default), names, paths or JSON objects with --output-keys.
func (a *app) lsPrint(ids []string) error {
	m := a.res.Manifest
	sort.Strings(ids)
	for _, id := range ids {
		var line string
		switch a.f.Output {
		case "", "selector":
			line = selectorName(m, id)
		case "name":
			line = resourceName(m, id)
		case "path":
			line = resourcePath(m, id)
		case "json":
			obj := lsJSON(m, id)
			if len(a.f.OutputKeys) > 0 {
				keep := map[string]any{}
				for _, k := range a.f.OutputKeys {
					for _, kk := range strings.Split(k, ",") {
						if v, ok := obj[kk]; ok {
							keep[kk] = v
						}
					}
				}
				obj = keep
			}
			data, err := json.Marshal(obj)
			if err != nil {
				return err
			}
			line = string(data)
		default:
			return &userError{fmt.Errorf("--output: expected json, name, path or selector, found %q", a.f.Output)}
		}
		fmt.Fprintln(a.stdout, line)
	}
	return nil
}

func selectorName(m *manifest.Manifest, id string) string {
	if n := m.Nodes[id]; n != nil {
		if n.ResourceType == manifest.UnitTest && n.Unit != nil {
			return "unit_test:" + n.Package + "." + n.Unit.TestedName
		}
		return strings.Join(n.FQN, ".")
	}
	if s := m.Sources[id]; s != nil {
		return "source:" + s.Package + "." + s.SourceName + "." + s.Name
	}
	if e := m.Exposures[id]; e != nil {
		return "exposure:" + e.Package + "." + e.Name
	}
	return id
}

func resourceName(m *manifest.Manifest, id string) string {
	if n := m.Nodes[id]; n != nil {
		return n.Name
	}
	if s := m.Sources[id]; s != nil {
		return s.SourceName + "." + s.Name
	}
	if e := m.Exposures[id]; e != nil {
		return e.Name
	}
	return id
}

func resourcePath(m *manifest.Manifest, id string) string {
	if n := m.Nodes[id]; n != nil {
		return n.OriginalFilePath
	}
	if s := m.Sources[id]; s != nil {
		return s.OriginalFilePath
	}
	if e := m.Exposures[id]; e != nil {
		return e.OriginalFilePath
	}
	return id
}

// lsJSON is the object dbt ls --output json prints for a resource (the
// shape astronomer-cosmos reads).
func lsJSON(m *manifest.Manifest, id string) map[string]any {
	if n := m.Nodes[id]; n != nil {
		deps := map[string]any{"macros": nonNil(n.DependsOnMacros), "nodes": nonNil(n.DependsOnNodes)}
		return map[string]any{
			"name": n.Name, "resource_type": n.ResourceType, "package_name": n.Package,
			"original_file_path": n.OriginalFilePath, "unique_id": n.UniqueID, "alias": n.Alias,
			"config": n.Config, "tags": n.Tags, "depends_on": deps, "fqn": n.FQN,
		}
	}
	if s := m.Sources[id]; s != nil {
		return map[string]any{
			"name": s.Name, "source_name": s.SourceName, "resource_type": "source", "package_name": s.Package,
			"original_file_path": s.OriginalFilePath, "unique_id": s.UniqueID, "config": s.Config,
			"tags": s.Tags, "fqn": s.FQN,
		}
	}
	if e := m.Exposures[id]; e != nil {
		return map[string]any{
			"name": e.Name, "resource_type": "exposure", "package_name": e.Package,
			"original_file_path": e.OriginalFilePath, "unique_id": e.UniqueID, "tags": e.Tags,
			"depends_on": map[string]any{"nodes": nonNil(e.DependsOnNodes), "macros": []string{}}, "fqn": e.FQN,
		}
	}
	return map[string]any{"unique_id": id}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// placeCycle puts a cycle error at the ref() or source() call that closes
// it: where the cycle's second node reads the first.
func (a *app) placeCycle(err error) error {
	var ce *graph.CycleError
	if !errors.As(err, &ce) || len(ce.Path) < 2 {
		return err
	}
	n := a.res.Manifest.Nodes[ce.Path[1]]
	if n == nil {
		return err
	}
	if at := a.res.DependsOnPos(n, ce.Path[0]); at.Line > 0 {
		return fmt.Errorf("%s: %w", at, err)
	}
	return err
}
