package parser

import (
	"errors"
	"fmt"
	"sort"

	"github.com/gdbt/gdbt/compiler/jinja"
	"github.com/gdbt/gdbt/compiler/manifest"
)

func refable(rt manifest.ResourceType) bool {
	return rt == manifest.Model || rt == manifest.Seed || rt == manifest.Snapshot
}

// resolveRef finds the node a ref points to, searching like dbt: the named
// package only; otherwise the root project, the referring node's package,
// then any package.
func (p *parser) resolveRef(from *manifest.Node, r manifest.Ref) (*manifest.Node, error) {
	var buf [3]string // the packages to look in, in order ("" is any)
	order := buf[:0]
	if r.Package != "" {
		order = append(order, r.Package)
	} else {
		order = append(order, p.root.Name)
		if from != nil && from.Package != p.root.Name {
			order = append(order, from.Package)
		}
		order = append(order, "")
	}
	if p.byName == nil {
		p.indexNodes()
	}
	for _, pkg := range order {
		var found *manifest.Node
		for _, n := range p.byName[r.Name] {
			if !refable(n.ResourceType) || n.Name != r.Name || (pkg != "" && n.Package != pkg) {
				continue
			}
			if r.Version != nil && jinja.ToString(r.Version) != jinja.ToString(n.Version) {
				continue
			}
			// An unversioned ref of a versioned model means its latest version.
			if r.Version == nil && n.Version != nil && jinja.ToString(n.Version) != jinja.ToString(n.LatestVersion) {
				continue
			}
			if found == nil || n.UniqueID < found.UniqueID {
				found = n
			}
		}
		if found != nil {
			return found, nil
		}
	}
	where := ""
	if from != nil {
		where = fmt.Sprintf("%s '%s' (%s)", from.ResourceType, from.UniqueID, from.OriginalFilePath)
	}
	if p.disabledNamed(r) != nil {
		return nil, fmt.Errorf("%s depends on a node named '%s' which is disabled%w", where, r.Name, errDisabledTarget)
	}
	return nil, fmt.Errorf("%s depends on a node named '%s' which was not found", where, r.Name)
}

// errDisabledTarget marks a ref or source whose target exists but is
// disabled (its message is already in the wrapping error).
var errDisabledTarget = errors.New("")

func (p *parser) resolveSource(from *manifest.Node, src, table string) (*manifest.SourceDef, error) {
	var found *manifest.SourceDef
	if p.sourceIdx != nil {
		found = p.sourceIdx[[2]string{src, table}]
	} else {
		for _, s := range p.m.Sources {
			if s.SourceName == src && s.Name == table && betterSource(p.root.Name, s, found) {
				found = s
			}
		}
	}
	if found == nil {
		where := ""
		if from != nil {
			where = fmt.Sprintf("%s '%s' (%s)", from.ResourceType, from.UniqueID, from.OriginalFilePath)
		}
		for _, ds := range p.m.DisabledSources {
			if ds[0].SourceName == src && ds[0].Name == table {
				return nil, fmt.Errorf("%s depends on a source named '%s.%s' which is disabled%w", where, src, table, errDisabledTarget)
			}
		}
		return nil, fmt.Errorf("%s depends on a source named '%s.%s' which was not found", where, src, table)
	}
	return found, nil
}

// atCall prefixes err with the file:line:col of the ref()/source() call
// naming name in n's template, when it can be found statically.
func (p *parser) atCall(n *manifest.Node, fn, name string, err error) error {
	t := p.tmpls[n.UniqueID]
	if t == nil {
		return err
	}
	for _, c := range t.StaticCalls(fn) {
		if len(c.Args) > 0 && c.Args[len(c.Args)-1] == name {
			pos := t.File().Position(c.Pos)
			if n.File != nil && t.File() != n.File {
				// A snapshot's body is parsed on its own, from n.Pos.
				pos = n.File.Position(n.Pos + c.Pos)
			}
			return fmt.Errorf("%s: %w", pos, err)
		}
	}
	return err
}

func (p *parser) indexNodes() {
	p.byName = map[string][]*manifest.Node{}
	for _, n := range p.m.Nodes {
		if refable(n.ResourceType) {
			p.byName[n.Name] = append(p.byName[n.Name], n)
		}
	}
}

// resolveDeps turns refs and sources into depends_on.nodes, checks them
// against the targets' access, and attaches tests to the node they test.
// nodeDeps is what one node's source() and ref() calls resolve to.
type nodeDeps struct {
	sources []foundSource
	refs    []foundRef
}

type foundSource struct {
	target *manifest.SourceDef
	err    error
}

type foundRef struct {
	node   *manifest.Node
	err    error // not found or disabled
	access error // found, but not visible from the node
}

// lookupDeps resolves n's sources and refs without changing anything.
func (p *parser) lookupDeps(n *manifest.Node) nodeDeps {
	var d nodeDeps
	if len(n.Sources) > 0 {
		d.sources = make([]foundSource, len(n.Sources))
		for j, s := range n.Sources {
			d.sources[j].target, d.sources[j].err = p.resolveSource(n, s[0], s[1])
		}
	}
	if len(n.Refs) > 0 {
		d.refs = make([]foundRef, len(n.Refs))
		for j, r := range n.Refs {
			f := &d.refs[j]
			if f.node, f.err = p.resolveRef(n, r); f.err == nil {
				f.access = p.checkAccess(n, f.node)
			}
		}
	}
	return d
}

func (p *parser) resolveDeps() error {
	p.indexNodes()
	p.indexSources()
	// Each attachment is a different test: they resolve in parallel.
	_ = p.parallel(len(p.attach), func(i int) error {
		p.attachTest(p.attach[i])
		return nil
	})
	// Lookups are read-only and run in parallel; what they found is then
	// applied in dbt's order, where errors, disabled tests and warnings
	// come out as a serial pass would give them.
	ids := sortedKeys(p.m.Nodes)
	found := make([]nodeDeps, len(ids))
	_ = p.parallel(len(ids), func(i int) error {
		found[i] = p.lookupDeps(p.m.Nodes[ids[i]])
		return nil
	})
	// dbt resolves every node's sources before any node's refs: sources
	// come first in depends_on.nodes (kept in the order they were made),
	// and a missing source is reported before a missing ref.
	for i, id := range ids {
		n := p.m.Nodes[id]
		n.DependsOnNodes = n.DependsOnNodes[:0]
		for j, s := range n.Sources {
			t, err := found[i].sources[j].target, found[i].sources[j].err
			if err != nil {
				err = p.at(n, "source", s[1], err)
				if p.disableTest(n, "source", s[0]+"."+s[1], "", err) {
					continue
				}
				return err
			}
			n.DependsOnNodes = appendUnique(n.DependsOnNodes, t.UniqueID)
		}
	}
	for i, id := range ids {
		n := p.m.Nodes[id]
		add := func(id string) { n.DependsOnNodes = appendUnique(n.DependsOnNodes, id) }
		for j, r := range n.Refs {
			got := found[i].refs[j]
			if got.err != nil {
				err := p.at(n, "ref", r.Name, got.err)
				if p.disableTest(n, "node", r.Name, r.Package, err) {
					continue
				}
				return err
			}
			if got.access != nil {
				return p.at(n, "ref", r.Name, got.access)
			}
			add(got.node.UniqueID)
		}
	}
	for _, e := range p.m.Exposures {
		add := func(id string) { e.DependsOnNodes = appendUnique(e.DependsOnNodes, id) }
		for _, s := range e.Sources {
			t, err := p.resolveSource(nil, s[0], s[1])
			if err != nil {
				return fmt.Errorf("exposure '%s': %w", e.Name, err)
			}
			add(t.UniqueID)
		}
		for _, r := range e.Refs {
			t, err := p.resolveRef(nil, r)
			if err != nil {
				return fmt.Errorf("exposure '%s': %w", e.Name, err)
			}
			// An exposure has no group: it may not ref a private model.
			from := &manifest.Node{ResourceType: manifest.Exposure, UniqueID: e.UniqueID, Package: e.Package}
			if err := p.checkAccess(from, t); err != nil {
				return fmt.Errorf("%s: %w", p.exposureRefPos(e, r), err)
			}
			add(t.UniqueID)
		}
	}
	return p.checkGroups(ids) // the node set is final: the sorted ids still hold
}

// attachTest sets a generic test's attached_node, and its group to that
// node's, as dbt; the node may be disabled. A test whose node is missing
// or disabled stays in the manifest, switched off.
func (p *parser) attachTest(a attachment) {
	t, err := p.resolveRef(a.test, a.target)
	if err != nil {
		t = p.disabledNamed(a.target)
		if _, live := p.m.Nodes[a.test.UniqueID]; live {
			a.test.Config["enabled"] = false
		}
	}
	if t != nil {
		a.test.AttachedNode = t.UniqueID
		a.test.Group = t.Group
	}
}

// disabledNamed finds a disabled model, seed or snapshot by name.
func (p *parser) disabledNamed(r manifest.Ref) *manifest.Node {
	for _, id := range sortedKeys(p.m.Disabled) {
		n := p.m.Disabled[id][0]
		if refable(n.ResourceType) && n.Name == r.Name && (r.Package == "" || n.Package == r.Package) {
			return n
		}
	}
	return nil
}

// disableTest switches off a test whose ref or source (kind "node" or
// "source", named name in package pkg) is missing or disabled, as dbt does
// instead of failing the parse, and warns as dbt does: when the target
// does not exist, and when it is a disabled source. It reports whether n
// was a test.
func (p *parser) disableTest(n *manifest.Node, kind, name, pkg string, err error) bool {
	if n.ResourceType != manifest.Test {
		return false
	}
	n.Config["enabled"] = false
	who := fmt.Sprintf("Test '%s' (%s) depends on a %s named '%s'", n.UniqueID, n.OriginalFilePath, kind, name)
	switch {
	case !errors.Is(err, errDisabledTarget):
		p.warnings = append(p.warnings, warning(fmt.Sprintf("%s in package '%s' which was not found", who, pkg)))
	case kind == "source":
		p.warnings = append(p.warnings, warning(who+" which is disabled"))
	}
	return true
}

// sortedKeys lists m's keys in order, for deterministic passes (and
// errors) over manifest maps.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// indexSources maps (source, table) to the definition source() resolves to,
// once every source is read: a scan per source() call made parse quadratic
// in projects with many sources.
func (p *parser) indexSources() {
	p.sourceIdx = make(map[[2]string]*manifest.SourceDef, len(p.m.Sources))
	for _, s := range p.m.Sources {
		k := [2]string{s.SourceName, s.Name}
		if betterSource(p.root.Name, s, p.sourceIdx[k]) {
			p.sourceIdx[k] = s
		}
	}
}

// betterSource reports whether s wins over found for the same name: the
// root project's definition first, then the smallest unique id (so the
// choice does not depend on map order).
func betterSource(root string, s, found *manifest.SourceDef) bool {
	if found == nil {
		return true
	}
	if (s.Package == root) != (found.Package == root) {
		return s.Package == root
	}
	return s.UniqueID < found.UniqueID
}
