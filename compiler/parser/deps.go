package parser

import (
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
	var order []string
	if r.Package != "" {
		order = []string{r.Package}
	} else {
		order = []string{p.root.Name}
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
	return nil, fmt.Errorf("%s depends on a node named '%s' which was not found", where, r.Name)
}

func (p *parser) resolveSource(from *manifest.Node, src, table string) (*manifest.SourceDef, error) {
	var found *manifest.SourceDef
	for _, s := range p.m.Sources {
		if s.SourceName == src && s.Name == table {
			if found == nil || s.Package == p.root.Name {
				found = s
			}
		}
	}
	if found == nil {
		where := ""
		if from != nil {
			where = fmt.Sprintf("%s '%s' (%s)", from.ResourceType, from.UniqueID, from.OriginalFilePath)
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
			return fmt.Errorf("%s: %w", t.File().Position(c.Pos), err)
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

// resolveDeps turns refs and sources into depends_on.nodes and attaches
// tests to the node they test.
func (p *parser) resolveDeps() error {
	p.indexNodes()
	// A schema test on a model that does not exist (or is disabled) is
	// disabled with it, as in dbt.
	for _, a := range p.attach {
		if _, err := p.resolveRef(a.test, a.target); err != nil {
			delete(p.m.Nodes, a.test.UniqueID)
		}
	}
	ids := make([]string, 0, len(p.m.Nodes))
	for id := range p.m.Nodes {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		n := p.m.Nodes[id]
		if n == nil {
			continue // a disabled test
		}
		// dbt keeps depends_on.nodes in the order they were made.
		n.DependsOnNodes = n.DependsOnNodes[:0]
		add := func(id string) { n.DependsOnNodes = appendUnique(n.DependsOnNodes, id) }
		// dbt resolves sources before refs, so sources come first.
		for _, s := range n.Sources {
			t, err := p.resolveSource(n, s[0], s[1])
			if err != nil {
				return p.atCall(n, "source", s[1], err)
			}
			add(t.UniqueID)
		}
		for _, r := range n.Refs {
			t, err := p.resolveRef(n, r)
			if err != nil {
				return p.atCall(n, "ref", r.Name, err)
			}
			add(t.UniqueID)
		}
	}
	for _, a := range p.attach {
		if t, err := p.resolveRef(a.test, a.target); err == nil {
			a.test.AttachedNode = t.UniqueID
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
			add(t.UniqueID)
		}
	}
	return nil
}
