package selector

import (
	"fmt"
	"sort"
	"strings"

	"github.com/gdbt/gdbt/compiler/graph"
	"github.com/gdbt/gdbt/compiler/manifest"
)

// Options are what a command adds to a parsed selection.
type Options struct {
	// Indirect is --indirect-selection (default eager); selectors.yml
	// entries may override it per criterion.
	Indirect Indirect
	// Filter keeps only some resource types and drops empty nodes.
	Filter Filter
	// State is the --state comparison (state: and result: methods).
	State *State
	// Selectors are the project's selectors.yml (selector: method).
	Selectors *Selectors
}

// Select returns the unique_ids the spec selects, sorted.
func (s *Spec) Select(m *manifest.Manifest, g *graph.Graph, opts Options) ([]string, error) {
	e, err := newEngine(m, g, opts)
	if err != nil {
		return nil, err
	}
	set, err := e.selected(s.Root)
	if err != nil {
		return nil, err
	}
	return e.uniqueIDs(set), nil
}

// SelectIDs is Select returning IDs of g (ascending, i.e. unique_id order).
func (s *Spec) SelectIDs(m *manifest.Manifest, g *graph.Graph, opts Options) ([]graph.ID, error) {
	uids, err := s.Select(m, g, opts)
	if err != nil {
		return nil, err
	}
	out := make([]graph.ID, len(uids))
	for i, u := range uids {
		out[i], _ = g.Lookup(u)
	}
	return out, nil
}

// target is what a graph node stands for in the manifest.
type target struct {
	node *manifest.Node
	src  *manifest.SourceDef
	exp  *manifest.ExposureDef
}

func (t target) resourceType() manifest.ResourceType {
	switch {
	case t.node != nil:
		return t.node.ResourceType
	case t.src != nil:
		return manifest.Source
	case t.exp != nil:
		return manifest.Exposure
	}
	return ""
}

func (t target) pkg() string {
	switch {
	case t.node != nil:
		return t.node.Package
	case t.src != nil:
		return t.src.Package
	case t.exp != nil:
		return t.exp.Package
	}
	return ""
}

func (t target) originalFilePath() string {
	switch {
	case t.node != nil:
		return t.node.OriginalFilePath
	case t.src != nil:
		return t.src.OriginalFilePath
	case t.exp != nil:
		return t.exp.OriginalFilePath
	}
	return ""
}

func (t target) tags() []string {
	switch {
	case t.node != nil:
		return t.node.Tags
	case t.src != nil:
		return t.src.Tags
	case t.exp != nil:
		return t.exp.Tags
	}
	return nil
}

func (t target) isTestLike() bool {
	return t.node != nil && (t.node.ResourceType == manifest.Test || t.node.ResourceType == manifest.UnitTest)
}

type engine struct {
	m      *manifest.Manifest
	g      *graph.Graph // graph members only (enabled nodes)
	opts   Options
	t      []target
	active []string // selector: names being resolved, to catch loops
}

func newEngine(m *manifest.Manifest, full *graph.Graph, opts Options) (*engine, error) {
	if opts.Indirect == Inherit {
		opts.Indirect = Eager
	}
	// dbt selects among enabled nodes only; a manifest normally holds no
	// disabled ones, but a config may still say enabled: false.
	var members []graph.ID
	for i := 0; i < full.Len(); i++ {
		uid := full.UniqueID(graph.ID(i))
		enabled := true
		if n := m.Nodes[uid]; n != nil {
			enabled = isEnabled(n.Config)
		} else if s := m.Sources[uid]; s != nil {
			enabled = isEnabled(s.Config)
		} else if e := m.Exposures[uid]; e == nil {
			return nil, fmt.Errorf("selector: graph node %s is not in the manifest", uid)
		}
		if enabled {
			members = append(members, graph.ID(i))
		}
	}
	g := full
	if len(members) != full.Len() {
		g = full.Induced(members)
	}
	e := &engine{m: m, g: g, opts: opts, t: make([]target, g.Len())}
	for i := range e.t {
		uid := g.UniqueID(graph.ID(i))
		e.t[i] = target{node: m.Nodes[uid], src: m.Sources[uid], exp: m.Exposures[uid]}
	}
	return e, nil
}

func isEnabled(c manifest.Config) bool {
	v, ok := c["enabled"].(bool)
	return !ok || v
}

func (e *engine) uniqueIDs(s bitset) []string {
	out := make([]string, 0, s.count())
	s.each(func(id graph.ID) { out = append(out, e.g.UniqueID(id)) })
	return out // IDs ascend in unique_id order
}

// selected is dbt's get_selected: select, then apply the command filter.
func (e *engine) selected(x Expr) (bitset, error) {
	direct, _, err := e.eval(x)
	if err != nil {
		return nil, err
	}
	out := newBitset(e.g.Len())
	f := e.opts.Filter
	direct.each(func(id graph.ID) {
		t := e.t[id]
		if f.match(t.resourceType()) && (f.IncludeEmpty || !isEmptyNode(t)) {
			out.add(id)
		}
	})
	return out, nil
}

// isEmptyNode: dbt skips nodes whose SQL is blank (seeds never are). Generic
// tests are exempt because gdbt may not store their generated raw code.
func isEmptyNode(t target) bool {
	n := t.node
	if n == nil || n.ResourceType == manifest.Seed {
		return false
	}
	if n.ResourceType == manifest.Test && n.TestMetadata != nil {
		return false
	}
	if n.ResourceType == manifest.UnitTest {
		return false
	}
	return strings.TrimSpace(n.RawCode) == ""
}

// eval returns the directly selected nodes and the tests set aside by
// cautious/buildable modes that a later set operation may still take.
func (e *engine) eval(x Expr) (direct, indirect bitset, err error) {
	switch x := x.(type) {
	case *Criterion:
		return e.evalCriterion(x)
	case *SetExpr:
		if len(x.Items) == 0 {
			return newBitset(e.g.Len()), newBitset(e.g.Len()), nil
		}
		var directs, all []bitset
		for _, it := range x.Items {
			d, ind, err := e.eval(it)
			if err != nil {
				return nil, nil, err
			}
			directs = append(directs, d)
			all = append(all, d.clone().or(ind))
		}
		direct = combine(x.Op, directs)
		indirect = combine(x.Op, all)
		mode := x.Indirect
		if mode == Inherit {
			mode = e.opts.Indirect
		}
		direct = e.incorporate(direct, indirect, mode)
		return direct, indirect, nil
	}
	return nil, nil, fmt.Errorf("selector: unknown expression %T", x)
}

func combine(op SetOp, sets []bitset) bitset {
	out := sets[0].clone()
	for _, s := range sets[1:] {
		switch op {
		case Union:
			out.or(s)
		case Intersection:
			out.and(s)
		case Difference:
			out.andNot(s)
		}
	}
	return out
}

func (e *engine) evalCriterion(c *Criterion) (direct, indirect bitset, err error) {
	collected, err := e.search(c)
	if err != nil {
		return nil, nil, err
	}
	sel := collected.clone()
	if c.ChildrensParents || c.Parents || c.Children {
		ids := collected.ids()
		if c.ChildrensParents {
			down := append(e.g.Descendants(ids, graph.Unlimited), ids...)
			sel.addAll(down)
			sel.addAll(e.g.Ancestors(down, graph.Unlimited))
		}
		if c.Parents {
			sel.addAll(e.g.Ancestors(ids, c.ParentsDepth))
		}
		if c.Children {
			sel.addAll(e.g.Descendants(ids, c.ChildrenDepth))
		}
	}
	mode := c.Indirect
	if mode == Inherit {
		mode = e.opts.Indirect
	}
	// A referenced selector already applied its own test expansion and
	// exclusions; expanding again would bring excluded tests back.
	if mode == Empty || c.Method == SelectorRef {
		return sel, newBitset(e.g.Len()), nil
	}
	return e.expand(sel, mode)
}

// depsWithin reports whether every depends_on node of a test is in s.
func (e *engine) depsWithin(t target, s bitset) bool {
	for _, d := range t.node.DependsOnNodes {
		id, ok := e.g.Lookup(d)
		if !ok || !s.has(id) {
			return false
		}
	}
	return true
}

// expand adds tests that hang off the selection (dbt's expand_selection).
func (e *engine) expand(sel bitset, mode Indirect) (direct, indirect bitset, err error) {
	direct = sel.clone()
	indirect = newBitset(e.g.Len())
	var upstream bitset
	if mode == Buildable {
		upstream = sel.clone()
		upstream.addAll(e.g.Ancestors(sel.ids(), graph.Unlimited))
		for i, t := range e.t {
			if t.src != nil {
				upstream.add(graph.ID(i))
			}
		}
	}
	sel.each(func(id graph.ID) {
		for _, c := range e.g.Children(id) {
			t := e.t[c]
			if !t.isTestLike() {
				continue
			}
			switch {
			case mode == Eager || e.depsWithin(t, sel):
				direct.add(c)
			case mode == Buildable && e.depsWithin(t, upstream):
				direct.add(c)
			default:
				indirect.add(c)
			}
		}
	})
	return direct, indirect, nil
}

// incorporate takes set-aside tests whose parents a set operation brought
// in after all (dbt's incorporate_indirect_nodes).
func (e *engine) incorporate(direct, indirect bitset, mode Indirect) bitset {
	if direct.equal(indirect) || (mode != Cautious && mode != Buildable) {
		return direct
	}
	out := direct.clone()
	within := direct
	if mode == Buildable {
		within = direct.clone()
		within.addAll(e.g.Ancestors(direct.ids(), graph.Unlimited))
	}
	indirect.each(func(id graph.ID) {
		if t := e.t[id]; t.node != nil && e.depsWithin(t, within) {
			out.add(id)
		}
	})
	return out
}

// Filter restricts a selection to what a command runs.
type Filter struct {
	ResourceTypes []manifest.ResourceType // nil: every type
	IncludeEmpty  bool                    // keep nodes with blank SQL (ls)
}

func (f Filter) match(rt manifest.ResourceType) bool {
	if f.ResourceTypes == nil {
		return true
	}
	for _, r := range f.ResourceTypes {
		if r == rt {
			return true
		}
	}
	return false
}

var (
	testTypesRT  = []manifest.ResourceType{manifest.Test, manifest.UnitTest}
	buildTypesRT = []manifest.ResourceType{manifest.Model, manifest.Snapshot, manifest.Seed, manifest.Test,
		manifest.UnitTest, "saved_query", manifest.Exposure, "function"}
	listDefaultRT = []manifest.ResourceType{manifest.Model, manifest.Snapshot, manifest.Seed, manifest.Test,
		manifest.Source, manifest.Exposure, "metric", "saved_query", "semantic_model", manifest.UnitTest, "function"}
	compileRT = []manifest.ResourceType{manifest.Model, manifest.Test, manifest.Snapshot, manifest.Analysis,
		manifest.Operation, manifest.Seed, manifest.DocType, "rpc", "sql_operation", "function"}
)

// CommandFilter is the resource-type filter dbt applies per command.
// resourceTypes and excludeResourceTypes are --resource-type and
// --exclude-resource-type values ("all" and "default" allowed); they apply
// to build, test and ls/list.
func CommandFilter(command string, resourceTypes, excludeResourceTypes []string) (Filter, error) {
	var all, def []manifest.ResourceType
	switch command {
	case "run":
		return Filter{ResourceTypes: []manifest.ResourceType{manifest.Model}}, nil
	case "seed":
		return Filter{ResourceTypes: []manifest.ResourceType{manifest.Seed}}, nil
	case "snapshot":
		return Filter{ResourceTypes: []manifest.ResourceType{manifest.Snapshot}}, nil
	case "compile", "docs":
		return Filter{ResourceTypes: compileRT}, nil
	case "source", "freshness":
		return Filter{ResourceTypes: []manifest.ResourceType{manifest.Source}}, nil
	case "test":
		all, def = testTypesRT, testTypesRT
	case "build":
		all, def = buildTypesRT, buildTypesRT
	case "ls", "list":
		all = append(append([]manifest.ResourceType{}, listDefaultRT...), manifest.Analysis)
		def = listDefaultRT
	default:
		return Filter{}, fmt.Errorf("selector: no resource-type filter for command %q", command)
	}
	set := map[manifest.ResourceType]bool{}
	if len(resourceTypes) == 0 {
		for _, r := range def {
			set[r] = true
		}
	}
	for _, r := range resourceTypes {
		switch r {
		case "all":
			for _, x := range all {
				set[x] = true
			}
		case "default":
			for _, x := range def {
				set[x] = true
			}
		default:
			if !oneOf(r, resourceTypesAll) {
				return Filter{}, fmt.Errorf("invalid --resource-type %q: expected all, default or one of %s", r, strings.Join(resourceTypesAll, ", "))
			}
			set[manifest.ResourceType(r)] = true
		}
	}
	for _, r := range excludeResourceTypes {
		if !oneOf(r, resourceTypesAll) {
			return Filter{}, fmt.Errorf("invalid --exclude-resource-type %q: expected one of %s", r, strings.Join(resourceTypesAll, ", "))
		}
		delete(set, manifest.ResourceType(r))
	}
	if command == "test" { // test runs only tests whatever is asked
		for r := range set {
			if r != manifest.Test && r != manifest.UnitTest {
				delete(set, r)
			}
		}
	}
	out := make([]manifest.ResourceType, 0, len(set))
	for r := range set {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return Filter{ResourceTypes: out, IncludeEmpty: command == "ls" || command == "list"}, nil
}

var resourceTypesAll = resourceTypes
