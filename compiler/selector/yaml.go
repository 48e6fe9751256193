package selector

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/gdbt/gdbt/compiler/project"
)

// Selectors are the named definitions of a selectors.yml.
type Selectors struct {
	Defs    map[string]*Definition
	Order   []string // file order
	Default string   // the one with default: true, or ""
}

// Definition is one named selector.
type Definition struct {
	Name        string
	Description string
	Default     bool
	Expr        Expr
}

// Names lists the selector names, sorted.
func (s *Selectors) Names() []string {
	out := append([]string(nil), s.Order...)
	sort.Strings(out)
	return out
}

// Spec returns the selection of a named selector (--selector name).
func (s *Selectors) Spec(name string) (*Spec, error) {
	if s == nil {
		return nil, fmt.Errorf("--selector %s: the project has no selectors.yml", name)
	}
	d, ok := s.Defs[name]
	if !ok {
		return nil, fmt.Errorf("--selector %s: no such selector; expected one of %s", name, strings.Join(s.Names(), ", "))
	}
	return &Spec{Root: d.Expr}, nil
}

// Choose picks the selection a command uses, as dbt does: --selector if
// given, else the default selector when there is no --select/--exclude,
// else the --select/--exclude values.
func Choose(sels *Selectors, selectorName string, selects, excludes []string) (*Spec, error) {
	if selectorName != "" {
		return sels.Spec(selectorName)
	}
	if len(selects) == 0 && len(excludes) == 0 && sels != nil && sels.Default != "" {
		return sels.Spec(sels.Default)
	}
	return Parse(selects, excludes)
}

// ParseSelectors parses the text of a selectors.yml (already rendered, if
// it uses Jinja). file names it in errors.
func ParseSelectors(file string, data []byte) (*Selectors, error) {
	p := &yparser{file: file}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, yamlError(file, data, err)
	}
	out := &Selectors{Defs: map[string]*Definition{}}
	if len(doc.Content) == 0 {
		return out, nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, p.errf(root, "expected a mapping with a \"selectors:\" list, found %s", kindName(root))
	}
	list := p.get(root, "selectors")
	for i := 0; i < len(root.Content); i += 2 {
		if k := root.Content[i].Value; k != "selectors" && k != "version" {
			return nil, p.errf(root.Content[i], "unknown key %q: expected selectors", k)
		}
	}
	if list == nil {
		return nil, p.errf(root, "missing \"selectors:\" list")
	}
	if list.Kind != yaml.SequenceNode {
		return nil, p.errf(list, "\"selectors\" must be a list, found %s", kindName(list))
	}
	for _, item := range list.Content {
		d, err := p.selector(item)
		if err != nil {
			return nil, err
		}
		if _, dup := out.Defs[d.Name]; dup {
			return nil, p.errf(item, "duplicate selector name %q", d.Name)
		}
		if d.Default {
			if out.Default != "" {
				return nil, p.errf(item, "found multiple selectors with `default: true`: %s and %s", out.Default, d.Name)
			}
			out.Default = d.Name
		}
		out.Defs[d.Name] = d
		out.Order = append(out.Order, d.Name)
	}
	return out, nil
}

// yamlError positions a yaml.v3 syntax error at the offending token.
func yamlError(file string, data []byte, err error) error {
	pos, msg := project.LocateYAMLError(file, data, err)
	return &Error{File: file, Line: pos.Line, Column: pos.Column, Msg: "invalid YAML: " + msg}
}

type yparser struct{ file string }

func (p *yparser) at(n *yaml.Node) location {
	return location{file: p.file, line: n.Line, col: n.Column}
}

func (p *yparser) errf(n *yaml.Node, format string, args ...any) error {
	return errAt(p.at(n), "", format, args...)
}

func (p *yparser) get(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return fmt.Sprintf("%q", n.Value)
	case yaml.AliasNode:
		return kindName(n.Alias)
	}
	return "nothing"
}

func (p *yparser) selector(n *yaml.Node) (*Definition, error) {
	if n.Kind != yaml.MappingNode {
		return nil, p.errf(n, "a selector must be a mapping with name and definition, found %s", kindName(n))
	}
	d := &Definition{}
	var def *yaml.Node
	for i := 0; i < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch k.Value {
		case "name":
			d.Name = v.Value
		case "description":
			d.Description = v.Value
		case "default":
			b, err := strconv.ParseBool(v.Value)
			if v.Kind != yaml.ScalarNode || err != nil {
				return nil, p.errf(v, "default must be true or false, found %s", kindName(v))
			}
			d.Default = b
		case "definition":
			def = v
		default:
			return nil, p.errf(k, "unknown selector key %q: expected name, description, default or definition", k.Value)
		}
	}
	if d.Name == "" {
		return nil, p.errf(n, "selector without a name")
	}
	if def == nil {
		return nil, p.errf(n, "selector %q has no definition", d.Name)
	}
	if def.Kind == yaml.MappingNode && (p.get(def, "union") != nil || p.get(def, "intersection") != nil) && len(def.Content) > 2 {
		var keys []string
		for i := 0; i < len(def.Content); i += 2 {
			keys = append(keys, def.Content[i].Value)
		}
		return nil, p.errf(def, "only a single 'union' or 'intersection' key is allowed in a root level selector definition; found %s", strings.Join(keys, ","))
	}
	x, err := p.definition(def)
	if err != nil {
		return nil, err
	}
	d.Expr = x
	return d, nil
}

func (p *yparser) definition(n *yaml.Node) (Expr, error) {
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	switch n.Kind {
	case yaml.ScalarNode:
		return p.stringCriterion(n)
	case yaml.MappingNode:
		if u := p.get(n, "union"); u != nil {
			return p.setDef(Union, u)
		}
		if u := p.get(n, "intersection"); u != nil {
			return p.setDef(Intersection, u)
		}
		return p.dictCriterion(n)
	}
	return nil, p.errf(n, "expected union, intersection, a selector string or a method mapping, found %s", kindName(n))
}

func (p *yparser) stringCriterion(n *yaml.Node) (Expr, error) {
	s := n.Value
	if i := strings.IndexAny(s, " ,"); i >= 0 {
		return nil, errAt(p.at(n).shift(i), s, "%q is more than one selector: in selectors.yml use union: or intersection: instead of spaces and commas", s)
	}
	if s == "" {
		return nil, p.errf(n, "empty selector string")
	}
	return parseCriterion(s, p.at(n))
}

func (p *yparser) setDef(op SetOp, list *yaml.Node) (Expr, error) {
	if list.Kind != yaml.SequenceNode {
		return nil, p.errf(list, "expected a list, found %s", kindName(list))
	}
	set := &SetExpr{Op: op, Indirect: Eager}
	var exclude Expr
	for _, item := range list.Content {
		if item.Kind == yaml.MappingNode && p.get(item, "exclude") != nil {
			if exclude != nil {
				return nil, p.errf(item, "you cannot provide multiple exclude arguments to the same selector set operator")
			}
			x, err := p.exclusions(p.get(item, "exclude"))
			if err != nil {
				return nil, err
			}
			exclude = x
			continue
		}
		x, err := p.definition(item)
		if err != nil {
			return nil, err
		}
		set.Items = append(set.Items, x)
	}
	if exclude == nil {
		return set, nil
	}
	return &SetExpr{Op: Difference, Items: []Expr{set, exclude}, Indirect: Eager}, nil
}

func (p *yparser) exclusions(list *yaml.Node) (Expr, error) {
	if list.Kind != yaml.SequenceNode {
		return nil, p.errf(list, "invalid value for key \"exclude\": expected a list, found %s", kindName(list))
	}
	var items []Expr
	for _, item := range list.Content {
		x, err := p.definition(item)
		if err != nil {
			return nil, err
		}
		items = append(items, x)
	}
	if len(items) == 1 {
		return items[0], nil
	}
	return &SetExpr{Op: Union, Items: items, Indirect: Eager}, nil
}

var dictKeys = map[string]bool{"method": true, "value": true, "children": true, "parents": true,
	"childrens_parents": true, "parents_depth": true, "children_depth": true,
	"indirect_selection": true, "exclude": true}

func (p *yparser) dictCriterion(n *yaml.Node) (Expr, error) {
	c := &Criterion{ParentsDepth: -1, ChildrenDepth: -1, at: p.at(n)}
	var valueNode *yaml.Node
	if len(n.Content) == 2 && p.get(n, "method") == nil {
		// {tag: nightly}
		k := n.Content[0]
		valueNode = n.Content[1]
		if err := p.setMethod(c, k.Value, k); err != nil {
			return nil, err
		}
	} else {
		m, v := p.get(n, "method"), p.get(n, "value")
		if m == nil || v == nil {
			var keys []string
			for i := 0; i < len(n.Content); i += 2 {
				keys = append(keys, n.Content[i].Value)
			}
			return nil, p.errf(n, "expected either one key or \"method\" and \"value\" keys, found %s", strings.Join(keys, ", "))
		}
		valueNode = v
		if err := p.setMethod(c, m.Value, m); err != nil {
			return nil, err
		}
		for i := 0; i < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if !dictKeys[k.Value] {
				return nil, p.errf(k, "unknown key %q in a selector: expected method, value, children, parents, childrens_parents, children_depth, parents_depth, indirect_selection or exclude", k.Value)
			}
			var err error
			switch k.Value {
			case "children":
				c.Children, err = p.boolean(v)
			case "parents":
				c.Parents, err = p.boolean(v)
			case "childrens_parents":
				c.ChildrensParents, err = p.boolean(v)
			case "parents_depth":
				c.ParentsDepth, err = p.depth(v)
			case "children_depth":
				c.ChildrenDepth, err = p.depth(v)
			case "indirect_selection":
				var mode Indirect
				mode, err = ParseIndirect(v.Value)
				if err != nil {
					err = p.errf(v, "invalid indirect_selection %s: expected eager, cautious, buildable or empty", kindName(v))
				}
				c.Indirect = mode
			}
			if err != nil {
				return nil, err
			}
		}
	}
	if valueNode.Kind != yaml.ScalarNode {
		return nil, p.errf(valueNode, "selector value must be a string, found %s", kindName(valueNode))
	}
	c.Value = valueNode.Value
	c.Numeric = valueNode.Tag == "!!int" || valueNode.Tag == "!!float"
	if c.Value == "" {
		return nil, p.errf(valueNode, "missing value for method %q", c.Method)
	}
	if c.ChildrensParents && c.Children {
		return nil, p.errf(n, "childrens_parents and children cannot be combined")
	}
	c.Raw = c.String()
	if err := checkValue(c, p.at(valueNode)); err != nil {
		return nil, err
	}
	var x Expr = c
	if ex := p.get(n, "exclude"); ex != nil && p.get(n, "method") != nil {
		excl, err := p.exclusions(ex)
		if err != nil {
			return nil, err
		}
		x = &SetExpr{Op: Difference, Items: []Expr{c, excl}, Indirect: Eager}
	}
	return x, nil
}

func (p *yparser) setMethod(c *Criterion, text string, n *yaml.Node) error {
	parts := strings.Split(text, ".")
	c.Method = Method(parts[0])
	c.Args = parts[1:]
	return checkMethod(c, p.at(n), text)
}

func (p *yparser) boolean(v *yaml.Node) (bool, error) {
	b, err := strconv.ParseBool(v.Value)
	if v.Kind != yaml.ScalarNode || err != nil {
		return false, p.errf(v, "expected true or false, found %s", kindName(v))
	}
	return b, nil
}

func (p *yparser) depth(v *yaml.Node) (int, error) {
	n, err := strconv.Atoi(v.Value)
	if v.Kind != yaml.ScalarNode || err != nil || n < 0 {
		return 0, p.errf(v, "expected a depth (a whole number), found %s", kindName(v))
	}
	if n == 0 { // dbt reads a zero depth in YAML as "no limit"
		return -1, nil
	}
	return n, nil
}
