// Package selector implements dbt's node selection: the --select/--exclude
// grammar, selectors.yml, the selection methods, graph operators and
// indirect selection of tests. Parse turns text into an Expr tree; Select
// evaluates it against a manifest and its graph.
package selector

import (
	"fmt"
	"strings"
)

// Indirect is --indirect-selection: which tests follow the nodes they test.
type Indirect string

const (
	Inherit   Indirect = ""          // take Options.Indirect
	Eager     Indirect = "eager"     // a test whose any parent is selected
	Cautious  Indirect = "cautious"  // a test whose all parents are selected
	Buildable Indirect = "buildable" // all parents selected or upstream of the selection
	Empty     Indirect = "empty"     // no tests unless selected themselves
)

// ParseIndirect validates an --indirect-selection value.
func ParseIndirect(s string) (Indirect, error) {
	switch Indirect(s) {
	case Eager, Cautious, Buildable, Empty:
		return Indirect(s), nil
	}
	return "", fmt.Errorf("invalid --indirect-selection %q: expected eager, cautious, buildable or empty", s)
}

// Method is a selection method name.
type Method string

const (
	FQN          Method = "fqn"
	Tag          Method = "tag"
	Group        Method = "group"
	Access       Method = "access"
	Source       Method = "source"
	Path         Method = "path"
	File         Method = "file"
	Package      Method = "package"
	Config       Method = "config"
	TestName     Method = "test_name"
	TestType     Method = "test_type"
	ResourceType Method = "resource_type"
	MethodState  Method = "state"
	Exposure     Method = "exposure"
	Metric       Method = "metric"
	Result       Method = "result"
	SourceStatus Method = "source_status"
	Version      Method = "version"
	SemanticMdl  Method = "semantic_model"
	SavedQuery   Method = "saved_query"
	UnitTest     Method = "unit_test"
	SelectorRef  Method = "selector"
)

var methods = map[Method]bool{
	FQN: true, Tag: true, Group: true, Access: true, Source: true, Path: true, File: true,
	Package: true, Config: true, TestName: true, TestType: true, ResourceType: true,
	MethodState: true, Exposure: true, Metric: true, Result: true, SourceStatus: true,
	Version: true, SemanticMdl: true, SavedQuery: true, UnitTest: true, SelectorRef: true,
}

// Expr is a selection expression: *Criterion or *SetExpr.
type Expr interface {
	String() string
	expr()
}

// Criterion is one selector such as `2+tag:nightly+` or `@config.materialized:table`.
type Criterion struct {
	Raw      string
	Method   Method
	Args     []string // config.<args...>
	Value    string
	Numeric  bool // the value was a YAML number (config matching compares numbers)
	Indirect Indirect

	ChildrensParents bool // @
	Parents          bool // +x
	ParentsDepth     int  // N+x; -1 = unlimited
	Children         bool // x+
	ChildrenDepth    int  // x+N; -1 = unlimited

	at location // where Raw starts, for errors found while selecting
}

// SetOp combines the results of a SetExpr's items.
type SetOp uint8

const (
	Union SetOp = iota
	Intersection
	Difference // the first item minus the others
)

// SetExpr is a union, intersection or difference.
type SetExpr struct {
	Op       SetOp
	Items    []Expr
	Indirect Indirect // how tests left out by the items' modes are reconsidered
}

func (*Criterion) expr() {}
func (*SetExpr) expr()   {}

func (c *Criterion) String() string {
	var b strings.Builder
	if c.ChildrensParents {
		b.WriteByte('@')
	}
	if c.Parents {
		if c.ParentsDepth >= 0 {
			fmt.Fprint(&b, c.ParentsDepth)
		}
		b.WriteByte('+')
	}
	b.WriteString(string(c.Method))
	for _, a := range c.Args {
		b.WriteString("." + a)
	}
	b.WriteString(":" + c.Value)
	if c.Children {
		b.WriteByte('+')
		if c.ChildrenDepth >= 0 {
			fmt.Fprint(&b, c.ChildrenDepth)
		}
	}
	if c.Indirect != Inherit {
		b.WriteString("[" + string(c.Indirect) + "]")
	}
	return b.String()
}

func (s *SetExpr) String() string {
	name := [...]string{"union", "intersection", "difference"}[s.Op]
	parts := make([]string, len(s.Items))
	for i, it := range s.Items {
		parts[i] = it.String()
	}
	mode := ""
	if s.Indirect != Inherit {
		mode = "[" + string(s.Indirect) + "]"
	}
	return name + mode + "(" + strings.Join(parts, " ") + ")"
}

// Spec is a parsed selection, ready to Select.
type Spec struct {
	Root Expr
}

func (s *Spec) String() string { return s.Root.String() }
