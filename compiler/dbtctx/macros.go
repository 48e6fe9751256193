package dbtctx

import (
	"fmt"

	"github.com/gdbt/gdbt/compiler/jinja"
)

// Internal package names: gdbt's built-in macros stand where dbt's own
// ("dbt") and the adapter's ("dbt_postgres") are, so that dbt.foo() and
// macro unique_ids keep their usual names.
const (
	PkgDBT      = "dbt"
	PkgPostgres = "dbt_postgres"
)

// MacroRef is a macro with the package it belongs to.
type MacroRef struct {
	Package string
	Macro   *jinja.Macro
}

// UniqueID is the macro's manifest id.
func (r MacroRef) UniqueID() string { return "macro." + r.Package + "." + r.Macro.Name() }

// Macros indexes every macro by package and resolves names the way dbt
// does: the node's own package, then the root project, then package
// namespaces (pkg.name), then the internal packages.
type Macros struct {
	Root     string
	internal []string // internal packages, highest priority first
	byPkg    map[string]map[string]*jinja.Macro
	ns       map[string]*Namespace
}

// NewMacros returns an empty registry for the root project root.
func NewMacros(root string) *Macros {
	return &Macros{Root: root, internal: []string{PkgPostgres, PkgDBT},
		byPkg: map[string]map[string]*jinja.Macro{}, ns: map[string]*Namespace{}}
}

// Add registers a macro definition of pkg. A later definition with the same
// name in the same package replaces the earlier one.
func (m *Macros) Add(pkg string, def *jinja.MacroNode) *jinja.Macro {
	tab := m.byPkg[pkg]
	if tab == nil {
		tab = map[string]*jinja.Macro{}
		m.byPkg[pkg] = tab
		m.ns[pkg] = &Namespace{pkg: pkg, macros: tab}
	}
	mac := jinja.NewMacro(def)
	tab[def.Name] = mac
	return mac
}

// Get returns the macro name of package pkg.
func (m *Macros) Get(pkg, name string) (*jinja.Macro, bool) {
	mac, ok := m.byPkg[pkg][name]
	return mac, ok
}

// IsInternal reports whether pkg is one of gdbt's built-in packages.
func (m *Macros) IsInternal(pkg string) bool {
	for _, p := range m.internal {
		if p == pkg {
			return true
		}
	}
	return false
}

// Lookup resolves an unqualified macro name for a node of package local.
func (m *Macros) Lookup(local, name string) (MacroRef, bool) {
	if local != m.Root && !m.IsInternal(local) {
		if mac, ok := m.byPkg[local][name]; ok {
			return MacroRef{local, mac}, true
		}
	}
	if mac, ok := m.byPkg[m.Root][name]; ok {
		return MacroRef{m.Root, mac}, true
	}
	for _, p := range m.internal {
		if mac, ok := m.byPkg[p][name]; ok {
			return MacroRef{p, mac}, true
		}
	}
	return MacroRef{}, false
}

// Namespace returns the namespace object of a package (dbt_utils.star).
// The name "dbt" reaches every internal package.
func (m *Macros) Namespace(pkg string) (*Namespace, bool) {
	if pkg == PkgDBT {
		return &Namespace{pkg: PkgDBT, internal: m}, true
	}
	if m.IsInternal(pkg) {
		return nil, false
	}
	ns, ok := m.ns[pkg]
	return ns, ok
}

// Dispatch finds the implementation of macro name for Postgres: in each
// package of the search order, postgres__name, then default__name. Without
// a configured order, a namespace that names a package (dbt's own
// included) is searched after the root project, so that the root project
// can replace any package's implementation; another namespace is a plain
// name lookup.
func (m *Macros) Dispatch(local, name, namespace string, searchOrder []string) (MacroRef, error) {
	prefixes := []string{"postgres__", "default__"}
	var pkgs []string
	switch {
	case len(searchOrder) > 0:
		pkgs = searchOrder
	case namespace != "" && m.isPackage(namespace):
		pkgs = []string{m.Root, namespace}
	default:
		pkgs = []string{""}
	}
	var tried []string
	for _, pkg := range pkgs {
		for _, prefix := range prefixes {
			full := prefix + name
			switch {
			case pkg == "":
				if ref, ok := m.Lookup(local, full); ok {
					return ref, nil
				}
				tried = append(tried, full)
			case pkg == PkgDBT || m.IsInternal(pkg):
				for _, p := range m.internal {
					if mac, ok := m.byPkg[p][full]; ok {
						return MacroRef{p, mac}, nil
					}
				}
				tried = append(tried, pkg+"."+full)
			default:
				if mac, ok := m.byPkg[pkg][full]; ok {
					return MacroRef{pkg, mac}, nil
				}
				tried = append(tried, pkg+"."+full)
			}
		}
	}
	return MacroRef{}, fmt.Errorf("In dispatch: No macro named '%s' found within namespace: '%s'\n    Searched for: %s", name, namespace, quoteList(tried))
}

// isPackage reports whether pkg is the root project, a package with
// macros or one of the internal packages.
func (m *Macros) isPackage(pkg string) bool {
	_, ok := m.byPkg[pkg]
	return ok || pkg == m.Root || pkg == PkgDBT || m.IsInternal(pkg)
}

func quoteList(xs []string) string {
	s := ""
	for i, x := range xs {
		if i > 0 {
			s += ", "
		}
		s += "'" + x + "'"
	}
	return s
}

// Namespace is a package's macros as an object: dbt_utils.star(...).
type Namespace struct {
	pkg      string
	macros   map[string]*jinja.Macro
	internal *Macros // for "dbt": every internal package
}

// Item looks a macro up by name. A namespace is a mapping, not an object
// with attributes, so the sandbox lets dbt_utils._is_relation through as an
// item, as it does in dbt.
func (n *Namespace) Item(key any) (any, bool) {
	name, ok := key.(string)
	if !ok {
		return nil, false
	}
	if n.internal != nil {
		for _, p := range n.internal.internal {
			if mac, ok := n.internal.byPkg[p][name]; ok {
				return mac, true
			}
		}
		return nil, false
	}
	mac, ok := n.macros[name]
	return mac, ok
}

// Repr implements jinja's repr hook.
func (n *Namespace) Repr() string { return "<MacroNamespace " + n.pkg + ">" }
