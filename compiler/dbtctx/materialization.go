package dbtctx

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/gdbt/gdbt/compiler/jinja"
)

// coreMaterializations are the materializations dbt itself ships (all
// for the default adapter). gdbt builds some of them natively; for the
// precedence rules they are dbt's, whatever gdbt implements.
var coreMaterializations = map[string]bool{
	"view": true, "table": true, "incremental": true, "materialized_view": true, "clone": true,
	"seed": true, "snapshot": true, "test": true, "unit": true, "function": true,
}

// locality ranks where a materialization is defined, lowest first.
type locality uint8

const (
	localityCore locality = iota + 1
	localityImported
	localityRoot
)

type matCandidate struct {
	ref         MacroRef
	loc         locality
	specificity int // 0: postgres, 1: default
	native      bool
}

// better reports whether a takes precedence over b: the adapter-specific
// one first, then the root project over packages over dbt's own.
func (a matCandidate) better(b matCandidate) bool {
	if a.specificity != b.specificity {
		return a.specificity < b.specificity
	}
	return a.loc > b.loc
}

// Materialization finds which materialization builds a node whose config
// says materialized=name, with dbt's precedence: for Postgres the
// candidates are materialization_<name>_postgres and then
// materialization_<name>_default; a more specific adapter wins, then the
// root project, then packages, then dbt's own. A package may replace one
// of dbt's own materializations only when packageOverrides is set (the
// project flag require_explicit_package_overrides_for_builtin_materializations
// set to false); otherwise the root's or dbt's own is kept.
//
// ok is false when dbt's own materialization wins (gdbt's native one runs)
// or none exists.
func (m *Macros) Materialization(name string, packageOverrides bool) (ref MacroRef, ok bool, err error) {
	var cands []matCandidate
	for spec, adapter := range []string{"postgres", "default"} {
		macro := "materialization_" + name + "_" + adapter
		pkgs := make([]string, 0, len(m.byPkg))
		for pkg := range m.byPkg {
			pkgs = append(pkgs, pkg)
		}
		sort.Strings(pkgs)
		for _, pkg := range pkgs {
			mac, found := m.byPkg[pkg][macro]
			if !found {
				continue
			}
			loc := localityImported
			switch {
			case pkg == m.Root:
				loc = localityRoot
			case m.IsInternal(pkg):
				loc = localityCore
			}
			cands = append(cands, matCandidate{ref: MacroRef{pkg, mac}, loc: loc, specificity: spec})
		}
	}
	hasCore := coreMaterializations[name]
	if hasCore {
		cands = append(cands, matCandidate{loc: localityCore, specificity: 1, native: true})
	}
	for _, c := range cands {
		if c.loc == localityCore && !c.native {
			hasCore = true
		}
	}
	// dbt sorts every candidate, and two of the same rank are ambiguous
	// wherever they stand in the order.
	for i := range cands {
		for j := i + 1; j < len(cands); j++ {
			if !cands[i].better(cands[j]) && !cands[j].better(cands[i]) {
				return MacroRef{}, false, &CompilationError{fmt.Sprintf("Found two materializations with the name %s (packages %s and %s). dbt cannot resolve this ambiguity",
					cands[i].ref.Macro.Name(), cands[i].ref.Package, cands[j].ref.Package)}
			}
		}
	}
	best := bestCandidate(cands, nil)
	if best == nil {
		return MacroRef{}, false, nil
	}
	if best.loc == localityImported && hasCore && !packageOverrides {
		best = bestCandidate(cands, func(c matCandidate) bool { return c.loc != localityImported })
		if best == nil {
			return MacroRef{}, false, nil
		}
	}
	if best.native {
		return MacroRef{}, false, nil
	}
	return best.ref, true, nil
}

// bestCandidate returns the candidate of highest precedence among those
// keep accepts (nil: all).
func bestCandidate(cands []matCandidate, keep func(matCandidate) bool) *matCandidate {
	var best *matCandidate
	for i := range cands {
		c := &cands[i]
		if (keep == nil || keep(*c)) && (best == nil || c.better(*best)) {
			best = c
		}
	}
	return best
}

// MaterializationName is how dbt names a materialization in messages:
// materialization_insert_overwrite_default → "insert_overwrite".
func MaterializationName(macro string) string {
	s := strings.TrimPrefix(macro, "materialization_")
	if i := strings.LastIndexByte(s, '_'); i >= 0 {
		return s[:i]
	}
	return s
}

// Result returns what statement(name) stored (load_result(name)), or
// nil when no such statement ran.
func (c *NodeContext) Result(name string) *jinja.Dict {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.results[name]
}

// Builtin returns the context member name as dbt defines it, ignoring
// extras set on this context (the runtime wraps some of them).
func (c *NodeContext) Builtin(name string) (any, bool) { return c.builtin(name) }

// ---------------------------------------------------------------------------
// Context members materializations use that dbt offers every node.

// render renders a string as a template in the current context (dbt's
// render(), which run_hooks applies to each hook).
func (c *NodeContext) render(s *jinja.State, a *jinja.Args) (any, error) {
	v := a.Bind(s, "render", "string")
	t, err := s.Env().Parse("render", jinja.ToString(v[0]))
	if err != nil {
		return nil, err
	}
	return t.Execute(c, nil)
}

// diffOfTwoDicts is dbt's diff_of_two_dicts: the entries of a (a mapping
// of lists of strings) that b lacks, comparing keys and values without
// regard to case; keys keep a's spelling and order.
func diffOfTwoDicts(s *jinja.State, a *jinja.Args) (any, error) {
	v := a.Bind(s, "diff_of_two_dicts", "dict_a", "dict_b")
	da, ok1 := v[0].(*jinja.Dict)
	db, ok2 := v[1].(*jinja.Dict)
	if !ok1 || !ok2 {
		return nil, &CompilationError{fmt.Sprintf("diff_of_two_dicts expects two dicts, got %s and %s", jinja.Repr(v[0]), jinja.Repr(v[1]))}
	}
	lowered := map[string]map[string]bool{}
	for i, k := range db.Keys() {
		set := map[string]bool{}
		for _, x := range iterItems(db.Values()[i]) {
			set[strings.ToLower(jinja.ToString(x))] = true
		}
		lowered[strings.ToLower(jinja.ToString(k))] = set
	}
	out := jinja.NewDict()
	for i, k := range da.Keys() {
		have, ok := lowered[strings.ToLower(jinja.ToString(k))]
		if !ok {
			out.Set(k, da.Values()[i])
			continue
		}
		diff := &jinja.List{}
		for _, x := range iterItems(da.Values()[i]) {
			if !have[strings.ToLower(jinja.ToString(x))] {
				diff.Items = append(diff.Items, x)
			}
		}
		if len(diff.Items) > 0 {
			out.Set(k, diff)
		}
	}
	return out, nil
}

// standardizeGrants is adapter.standardize_grants_dict: the rows of a
// grants query (grantee, privilege_type) as {privilege: [grantee, …]}.
func standardizeGrants(s *jinja.State, a *jinja.Args) (any, error) {
	v := a.Bind(s, "standardize_grants_dict", "grants_table")
	out := jinja.NewDict()
	t, ok := v[0].(*Table)
	if !ok {
		return out, nil
	}
	gi, pi := -1, -1
	for i, n := range t.Names {
		switch n {
		case "grantee":
			gi = i
		case "privilege_type":
			pi = i
		}
	}
	if gi < 0 || pi < 0 {
		return nil, &CompilationError{"standardize_grants_dict: the grants table needs the columns grantee and privilege_type"}
	}
	for _, row := range t.Rows {
		priv := row[pi]
		if l, ok := out.Get(priv); ok {
			l.(*jinja.List).Items = append(l.(*jinja.List).Items, row[gi])
			continue
		}
		out.Set(priv, jinja.NewList(row[gi]))
	}
	return out, nil
}

// IndexConfig is one entry of the indexes config as dbt-postgres parses it
// (adapter.parse_index).
type IndexConfig struct {
	Columns []string
	Unique  bool
	Type    string
}

// ParseIndex validates one indexes entry: a mapping with a non-empty
// list of columns, and optionally unique and type.
func ParseIndex(raw any) (*IndexConfig, error) {
	d, ok := raw.(*jinja.Dict)
	if !ok {
		return nil, &CompilationError{fmt.Sprintf("Invalid index config:\n  Got: %s\n  Expected a dictionary with at minimum a \"columns\" key", jinja.Repr(raw))}
	}
	ic := &IndexConfig{}
	cols, ok := d.Get("columns")
	if !ok {
		return nil, &CompilationError{fmt.Sprintf("Could not parse index config: 'columns' is a required property in %s", jinja.Repr(raw))}
	}
	for _, c := range iterItems(cols) {
		ic.Columns = append(ic.Columns, jinja.ToString(c))
	}
	if u, ok := d.Get("unique"); ok && u != nil {
		ic.Unique = jinja.Truth(u)
	}
	if t, ok := d.Get("type"); ok && t != nil {
		ic.Type = jinja.ToString(t)
	}
	return ic, nil
}

// Name is the index name dbt-postgres gives it: the md5 of its columns,
// relation, uniqueness, type and the current UTC time (so a rebuilt
// relation never collides with an index of the old one).
func (ic *IndexConfig) Name(rel *Relation, now time.Time) string {
	unique, typ := "False", "None"
	if ic.Unique {
		unique = "True"
	}
	if ic.Type != "" {
		typ = ic.Type
	}
	parts := append(append([]string{}, ic.Columns...), rel.String(), unique, typ, now.UTC().Format("2006-01-02T15:04:05.000000"))
	sum := md5.Sum([]byte(strings.Join(parts, "_")))
	return hex.EncodeToString(sum[:])
}

// Attr implements jinja.Object: columns, unique, type and render(relation).
func (ic *IndexConfig) Attr(name string) (any, bool) {
	switch name {
	case "columns":
		return jinja.NewList(toAnySlice(ic.Columns)...), true
	case "unique":
		return ic.Unique, true
	case "type":
		return strOrNone(ic.Type), true
	case "render":
		return fn(func(s *jinja.State, a *jinja.Args) (any, error) {
			rel, err := relArg(a.Bind(s, "render", "relation")[0])
			if err != nil {
				return nil, err
			}
			return ic.Name(rel, time.Now()), nil
		}), true
	}
	return nil, false
}

// MaterializationLanguages lists the languages a {% materialization %}
// block supports: its supported_languages argument, else SQL only.
func MaterializationLanguages(h *jinja.BlockHeader) []string {
	if h != nil {
		for _, kv := range h.Kwargs {
			if kv.Name == "supported_languages" {
				var out []string
				for _, l := range iterItems(kv.Value) {
					out = append(out, jinja.ToString(l))
				}
				return out
			}
		}
	}
	return []string{"sql"}
}

// Incremental strategies dbt knows, and those Postgres supports.
var (
	builtinIncrementalStrategies  = map[string]bool{"append": true, "delete+insert": true, "merge": true, "insert_overwrite": true, "microbatch": true}
	postgresIncrementalStrategies = map[string]bool{"append": true, "delete+insert": true, "merge": true, "microbatch": true, "default": true}
)

// IncrementalStrategyMacro is adapter.get_incremental_strategy_macro's
// choice: the macro get_incremental_<strategy>_sql ("default" when
// strategy is empty), after checking that Postgres supports a built-in
// strategy and that a custom one has its macro (defined tells).
func IncrementalStrategyMacro(strategy, project string, defined func(string) bool) (string, error) {
	if strategy == "" {
		strategy = "default"
	}
	if builtinIncrementalStrategies[strategy] && !postgresIncrementalStrategies[strategy] {
		return "", &CompilationError{fmt.Sprintf("The incremental strategy '%s' is not valid for this adapter", strategy)}
	}
	name := "get_incremental_" + strings.ReplaceAll(strategy, "+", "_") + "_sql"
	if !defined(name) {
		return "", &CompilationError{fmt.Sprintf("dbt could not find an incremental strategy macro with the name \"%s\" in %s", name, project)}
	}
	return name, nil
}

// ContextMapping is dbt's `context`: the node's whole context as a
// mapping (context['name'], 'name' in context, context.get('name')).
func (c *NodeContext) ContextMapping() jinja.Object { return contextMapping{c} }

type contextMapping struct{ c *NodeContext }

// Item looks a name up as the template would.
func (m contextMapping) Item(key any) (any, bool) {
	name, ok := key.(string)
	if !ok {
		return nil, false
	}
	return m.c.Resolve(name)
}

// Contains is `name in context`.
func (m contextMapping) Contains(key any) bool { _, ok := m.Item(key); return ok }

// Attr implements get(name, default).
func (m contextMapping) Attr(name string) (any, bool) {
	if name != "get" {
		return nil, false
	}
	return fn(func(s *jinja.State, a *jinja.Args) (any, error) {
		v := a.Bind(s, "get", "key", "default")
		if x, ok := m.Item(v[0]); ok {
			return x, nil
		}
		if jinja.IsMissing(v[1]) {
			return nil, nil
		}
		return v[1], nil
	}), true
}

// Repr prints a placeholder: the context is too large to print.
func (m contextMapping) Repr() string { return "<context>" }
