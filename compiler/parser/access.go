package parser

import (
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/gdbt/gdbt/compiler/manifest"
	"github.com/gdbt/gdbt/compiler/project"
	"github.com/gdbt/gdbt/compiler/source"
)

// Groups and access: a model's access (private, protected or public;
// protected by default) limits who may ref it. A private model may be
// referenced only from nodes of its own group; a protected one only from
// its own package when that package sets restrict-access: true. The
// checks follow dbt's Manifest.is_invalid_private_ref and
// is_invalid_protected_ref.

var accessValues = []string{"private", "protected", "public"}

// liftToConfig returns item's config: with the named top-level keys moved
// into it, as dbt does for group and access in schema files (a key in
// both places is an error).
func liftToConfig(item *project.Value, keys ...string) (*project.Value, error) {
	cfg := item.Get("config")
	var lifted []project.Entry
	for _, e := range item.Entries {
		for _, k := range keys {
			if e.Key != k {
				continue
			}
			if cfg.Get(k) != nil {
				return nil, fmt.Errorf("%s: '%s' is set both at the top level and under 'config'; keep only the one under 'config'", e.KeyPos, k)
			}
			lifted = append(lifted, e)
		}
	}
	if len(lifted) == 0 {
		return cfg, nil
	}
	out := &project.Value{Kind: project.Map, Pos: item.Pos}
	if cfg != nil && cfg.Kind == project.Map {
		out.Pos = cfg.Pos
		out.Entries = append(out.Entries, cfg.Entries...)
	}
	out.Entries = append(out.Entries, lifted...)
	return out, nil
}

// readGroups reads a schema file's groups: list into manifest groups.
func (p *parser) readGroups(pr *project.Project, dir, rel string, list *project.Value) error {
	if list.IsNull() {
		return nil
	}
	if list.Kind != project.List {
		return fmt.Errorf("%s: expected a list under 'groups', found %s", list.Pos, list.Kind)
	}
	for _, item := range list.Items {
		name := str(item.Get("name"))
		if item.Kind != project.Map || name == "" {
			return fmt.Errorf("%s: expected a group with a 'name'", item.Pos)
		}
		owner := item.Get("owner")
		if owner.IsNull() || owner.Kind != project.Map {
			return fmt.Errorf("%s: group '%s' needs an 'owner' mapping", item.Pos, name)
		}
		if owner.Get("name").IsNull() && owner.Get("email").IsNull() {
			return fmt.Errorf("%s: the owner of group '%s' needs a 'name' or an 'email'", owner.Pos, name)
		}
		id := "group." + pr.Name + "." + name
		if old, dup := p.m.Groups[id]; dup {
			return fmt.Errorf("%s: a group named '%s' is already defined in %s", item.Pos, name, old.OriginalFilePath)
		}
		relPath := relTo(rel, dir)
		fqn := fqnFor(pr.Name, relPath, name)
		// dbt configures a group like a model at the group's fqn: the
		// models: tree applies, then the group's own config:.
		own, active := p.root.ProjectConfig("model", pr.Name, fqn)
		cfg := project.MergeConfig(own, item.Get("config"))
		if active != nil {
			cfg = project.MergeConfig(cfg, active)
		}
		g := &manifest.GroupDef{UniqueID: id, Package: pr.Name, Name: name, Path: relPath,
			OriginalFilePath: rel, Owner: plainMap(owner), Config: manifest.Config{}}
		if d := item.Get("description"); !d.IsNull() {
			s := str(d)
			g.Description = &s
		}
		for _, e := range cfg.Entries {
			g.Config[e.Key] = e.Value.Interface()
			g.ConfigOrder = append(g.ConfigOrder, e.Key)
		}
		p.m.Groups[id] = g
	}
	return nil
}

// checkAccess reports a ref from `from` to model `to` that to's access
// forbids.
func (p *parser) checkAccess(from, to *manifest.Node) error {
	if to.ResourceType != manifest.Model {
		return nil
	}
	restricted := false
	if dep := p.root.Dependency(to.Package); dep != nil {
		restricted = dep.RestrictAccess
	}
	crossPackage := from.Package != to.Package
	switch to.Access {
	case "private":
		if from.Group == "" || from.Group != to.Group || (crossPackage && restricted) {
			return privateRefError(string(from.ResourceType), from.UniqueID, from.Group, to)
		}
	case "protected":
		if crossPackage && restricted {
			return fmt.Errorf("%s '%s' refers to model '%s', which is protected: package '%s' sets restrict-access, so only its own nodes may ref it",
				from.ResourceType, from.UniqueID, to.UniqueID, to.Package)
		}
	}
	return nil
}

func privateRefError(kind, id, group string, to *manifest.Node) error {
	in := "is in no group"
	if group != "" {
		in = fmt.Sprintf("is in group '%s'", group)
	}
	if to.Group == "" {
		return fmt.Errorf("%s '%s' refers to model '%s', which is private and in no group, so nothing may ref it", kind, id, to.UniqueID)
	}
	return fmt.Errorf("%s '%s' refers to model '%s', which is private to group '%s'; the referring node %s", kind, id, to.UniqueID, to.Group, in)
}

// at prefixes err with the position of n's fn() call naming name: the
// call in its SQL, or the YAML entry of a generic test.
func (p *parser) at(n *manifest.Node, fn, name string, err error) error {
	if pos, ok := p.testPos[n.UniqueID]; ok {
		return fmt.Errorf("%s: %w", pos, err)
	}
	return p.atCall(n, fn, name, err)
}

// checkGroups validates access values and group names once every node
// is final, as dbt does after resolving refs; ids are the node ids sorted.
func (p *parser) checkGroups(ids []string) error {
	names := map[string]bool{}
	var known []string
	for _, g := range p.m.Groups {
		if !names[g.Name] {
			names[g.Name] = true
			known = append(known, g.Name)
		}
	}
	sort.Strings(known)
	for _, id := range ids {
		n := p.m.Nodes[id]
		if n.ResourceType == manifest.Model {
			if !containsStr(accessValues, n.Access) {
				return fmt.Errorf("%s: model '%s': access must be one of %s, found '%s'",
					p.configPos(n, "access"), n.UniqueID, strings.Join(accessValues, ", "), n.Access)
			}
			if n.Access == "public" && n.Config.String("materialized") == "ephemeral" {
				return fmt.Errorf("%s: model '%s' is ephemeral and so cannot be public (it has no relation for others to use)",
					p.configPos(n, "access"), n.UniqueID)
			}
		}
		if n.Group != "" && !names[n.Group] {
			return fmt.Errorf("%s: %s '%s' is in group '%s', which is not defined (groups: [%s])",
				p.configPos(n, "group"), n.ResourceType, n.UniqueID, n.Group, strings.Join(known, ", "))
		}
	}
	return nil
}

// configPos finds where n's config key was set, from the strongest source
// down (dbt's precedence): the root project's tree for a package node,
// config() in the node's SQL, its version and schema-file config, its own
// project's tree. Without a better place it names the node's file.
func (p *parser) configPos(n *manifest.Node, key string) source.Position {
	if pos, ok := p.testPos[n.UniqueID]; ok {
		return pos
	}
	var f *sqlFile
	for _, x := range p.sqlNodes {
		if x.node == n {
			f = x
			break
		}
	}
	rt := string(n.ResourceType)
	treePos := func(pr *project.Project) (source.Position, bool) {
		if pr == nil {
			return source.Position{}, false
		}
		levels := pr.ConfigLevels(rt, n.FQN)
		for i := len(levels) - 1; i >= 0; i-- {
			for _, e := range levels[i].Entries {
				if e.Key == key {
					return e.KeyPos, true
				}
			}
		}
		return source.Position{}, false
	}
	if n.Package != p.root.Name {
		if pos, ok := treePos(p.root); ok {
			return pos
		}
	}
	if f != nil && f.tmpl != nil && n.File != nil {
		calls := f.tmpl.StaticCalls("config")
		for i := len(calls) - 1; i >= 0; i-- {
			for _, kw := range calls[i].Kwargs {
				if kw.Name == key {
					return n.File.Position(f.bodyPos + calls[i].Pos)
				}
			}
		}
	}
	if f != nil && f.version != nil && f.version.config.Get(key) != nil {
		return f.version.config.Get(key).Pos
	}
	if f != nil && f.patch != nil && f.patch.config.Get(key) != nil {
		return f.patch.config.Get(key).Pos
	}
	if pos, ok := treePos(p.root.Dependency(n.Package)); ok {
		return pos
	}
	return source.Position{File: path.Clean(n.OriginalFilePath), Line: 1, Column: 1}
}

// exposureRefPos is where exposure e's depends_on names ref r.
func (p *parser) exposureRefPos(e *manifest.ExposureDef, r manifest.Ref) source.Position {
	for i, x := range e.Refs {
		if x.Name == r.Name && i < len(p.expRefs[e.UniqueID]) {
			return p.expRefs[e.UniqueID][i]
		}
	}
	return source.Position{File: e.OriginalFilePath}
}
