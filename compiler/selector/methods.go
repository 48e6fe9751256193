package selector

import (
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/gdbt/gdbt/compiler/graph"
	"github.com/gdbt/gdbt/compiler/manifest"
)

// search returns the nodes a criterion's method matches, before graph
// operators.
func (e *engine) search(c *Criterion) (bitset, error) {
	out := newBitset(e.g.Len())
	v := c.Value
	each := func(keep func(t target) bool) {
		for i, t := range e.t {
			if keep(t) {
				out.add(graph.ID(i))
			}
		}
	}
	switch c.Method {
	case FQN:
		each(func(t target) bool {
			var fqn []string
			versioned := false
			switch {
			case t.node != nil:
				fqn = t.node.FQN
				versioned = t.node.ResourceType == manifest.Model && t.node.Version != nil
			case t.exp != nil:
				fqn = t.exp.FQN
			default:
				return false
			}
			return fqnMatch(fqn, v, versioned) || (len(fqn) > 1 && fqnMatch(fqn[1:], v, versioned))
		})
	case Tag:
		each(func(t target) bool {
			for _, tag := range t.tags() {
				if fnmatch(tag, v) {
					return true
				}
			}
			return false
		})
	case Group:
		each(func(t target) bool {
			if t.node == nil {
				return false
			}
			g := t.node.Config.String("group")
			if g == "" {
				g = t.node.Group
			}
			return g != "" && fnmatch(g, v)
		})
	case Access:
		each(func(t target) bool {
			if t.node == nil || t.node.ResourceType != manifest.Model {
				return false
			}
			a := t.node.Access
			if a == "" {
				a = t.node.Config.String("access")
			}
			if a == "" {
				a = "protected"
			}
			return a == v
		})
	case Source:
		pkg, src, tbl := "*", "*", "*"
		switch p := strings.Split(v, "."); len(p) {
		case 1:
			src = p[0]
		case 2:
			src, tbl = p[0], p[1]
		case 3:
			pkg, src, tbl = p[0], p[1], p[2]
		}
		each(func(t target) bool {
			s := t.src
			return s != nil && fnmatch(s.Package, pkg) && fnmatch(s.SourceName, src) && fnmatch(s.Name, tbl)
		})
	case Exposure:
		pkg, name := splitPkgName(v)
		each(func(t target) bool {
			return t.exp != nil && fnmatch(t.exp.Package, pkg) && fnmatch(t.exp.Name, name)
		})
	case UnitTest:
		pkg, name := splitPkgName(v)
		each(func(t target) bool {
			n := t.node
			return n != nil && n.ResourceType == manifest.UnitTest && fnmatch(n.Package, pkg) && fnmatch(n.Name, name)
		})
	case Metric, SemanticMdl, SavedQuery:
		// gdbt's manifest holds none of these.
	case Path:
		each(func(t target) bool {
			if ofp := t.originalFilePath(); ofp != "" && pathMatch(ofp, v, true) {
				return true
			}
			if t.node != nil && t.node.PatchPath != "" {
				if _, p, ok := strings.Cut(t.node.PatchPath, "://"); ok && pathMatch(p, v, false) {
					return true
				}
			}
			return false
		})
	case File:
		each(func(t target) bool {
			base := path.Base(t.originalFilePath())
			stem := strings.TrimSuffix(base, path.Ext(base))
			return t.originalFilePath() != "" && (fnmatch(base, v) || fnmatch(stem, v))
		})
	case Package:
		if v == "this" && e.m.ProjectName != "" {
			v = e.m.ProjectName
		}
		each(func(t target) bool { return fnmatch(t.pkg(), v) })
	case Config:
		each(func(t target) bool {
			var cfg manifest.Config
			switch {
			case t.node != nil:
				cfg = t.node.Config
			case t.src != nil:
				cfg = t.src.Config
			default:
				return false
			}
			val, ok := descend(cfg, c.Args)
			return ok && configEqual(val, c, len(c.Args) == 1 && c.Args[0] == "severity")
		})
	case TestName:
		each(func(t target) bool {
			n := t.node
			switch {
			case n == nil:
				return false
			case n.ResourceType == manifest.Test && n.TestMetadata != nil:
				return fnmatch(n.TestMetadata.Name, v)
			case n.ResourceType == manifest.UnitTest:
				return fnmatch(n.Name, v)
			}
			return false
		})
	case TestType:
		each(func(t target) bool {
			n := t.node
			if n == nil {
				return false
			}
			generic := n.ResourceType == manifest.Test && n.TestMetadata != nil
			singular := n.ResourceType == manifest.Test && n.TestMetadata == nil
			switch v {
			case "generic", "schema":
				return generic
			case "singular":
				return singular
			case "data":
				return generic || singular
			case "unit":
				return n.ResourceType == manifest.UnitTest
			}
			return false
		})
	case ResourceType:
		each(func(t target) bool { return string(t.resourceType()) == v })
	case Version:
		each(func(t target) bool {
			n := t.node
			if n == nil || n.ResourceType != manifest.Model {
				return false
			}
			switch v {
			case "latest":
				return n.Version != nil && versionString(n.Version) == versionString(n.LatestVersion)
			case "prerelease":
				return versionSet(n.Version) && versionSet(n.LatestVersion) && versionLess(n.LatestVersion, n.Version)
			case "old":
				return versionSet(n.Version) && versionSet(n.LatestVersion) && versionLess(n.Version, n.LatestVersion)
			case "none":
				return n.Version == nil
			}
			return false
		})
	case Result:
		if e.opts.State == nil || e.opts.State.Results == nil {
			return nil, errAt(c.at, c.Raw, "selector %q needs run results: pass --state with a directory holding run_results.json", c.Raw)
		}
		each(func(t target) bool { return false })
		for uid, status := range e.opts.State.Results {
			if status != v {
				continue
			}
			if id, ok := e.g.Lookup(uid); ok {
				out.add(id)
			}
		}
	case MethodState:
		if e.opts.State == nil || e.opts.State.Manifest == nil {
			return nil, errAt(c.at, c.Raw, "selector %q needs a comparison manifest: pass --state with a directory holding manifest.json", c.Raw)
		}
		return e.searchState(v)
	case SelectorRef:
		return e.searchSelector(c)
	case SourceStatus:
		return nil, errAt(c.at, c.Raw, "method \"source_status\" in %q is not supported by gdbt", c.Raw)
	default:
		return nil, errAt(c.at, c.Raw, "unknown selection method %q", c.Method)
	}
	return out, nil
}

func splitPkgName(v string) (pkg, name string) {
	if p, n, ok := strings.Cut(v, "."); ok {
		return p, n
	}
	return "*", v
}

// descend follows config keys through nested maps.
func descend(cfg manifest.Config, keys []string) (any, bool) {
	var cur any = map[string]any(cfg)
	for _, k := range keys {
		var next any
		var ok bool
		switch m := cur.(type) {
		case map[string]any:
			next, ok = m[k]
		case manifest.Config:
			next, ok = m[k]
		}
		if !ok {
			return nil, false
		}
		cur = next
	}
	return cur, true
}

// configEqual compares like dbt's config method: the text value equals a
// string value (case-insensitively for severity), "true"/"false" match
// booleans, and a list matches when any element does. Numbers match only
// numeric values from selectors.yml, since dbt compares "5" and 5 unequal.
func configEqual(val any, c *Criterion, foldCase bool) bool {
	if list, ok := val.([]any); ok {
		for _, x := range list {
			if scalarEqual(x, c, foldCase) {
				return true
			}
		}
		return false
	}
	if list, ok := val.([]string); ok {
		for _, x := range list {
			if scalarEqual(x, c, foldCase) {
				return true
			}
		}
		return false
	}
	return scalarEqual(val, c, foldCase)
}

func scalarEqual(x any, c *Criterion, foldCase bool) bool {
	v := c.Value
	switch x := x.(type) {
	case string:
		if foldCase {
			return strings.EqualFold(x, v)
		}
		return x == v
	case bool:
		return strings.EqualFold(v, strconv.FormatBool(x))
	case int, int64, float64:
		if !c.Numeric {
			return false
		}
		f, err := strconv.ParseFloat(v, 64)
		return err == nil && f == toFloat(x)
	}
	return false
}

func toFloat(x any) float64 {
	switch x := x.(type) {
	case int:
		return float64(x)
	case int64:
		return float64(x)
	case float64:
		return x
	}
	return 0
}

func versionSet(v any) bool { return v != nil && versionString(v) != "" }

func versionString(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

// versionLess orders versions numerically when both are numbers, else as
// text, as dbt does.
func versionLess(a, b any) bool {
	as, bs := versionString(a), versionString(b)
	af, errA := strconv.ParseFloat(as, 64)
	bf, errB := strconv.ParseFloat(bs, 64)
	if errA == nil && errB == nil {
		return af < bf
	}
	return as < bs
}

// searchSelector resolves selector:<pattern> against selectors.yml: every
// matching definition is selected in full (with the command filter) and
// the results are united.
func (e *engine) searchSelector(c *Criterion) (bitset, error) {
	if e.opts.Selectors == nil {
		return nil, errAt(c.at, c.Raw, "selector %q refers to selectors.yml, but the project has none", c.Raw)
	}
	names := make([]string, 0, len(e.opts.Selectors.Defs))
	for name := range e.opts.Selectors.Defs {
		if fnmatch(name, c.Value) {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return nil, errAt(c.at, c.Raw, "selector %q did not match any selector in selectors.yml (have %s)", c.Value, strings.Join(e.opts.Selectors.Names(), ", "))
	}
	sort.Strings(names)
	out := newBitset(e.g.Len())
	for _, name := range names {
		for _, a := range e.active {
			if a == name {
				return nil, errAt(c.at, c.Raw, "circular dependency in selector %q: %s --> %s", name, strings.Join(e.active, " --> "), name)
			}
		}
		e.active = append(e.active, name)
		s, err := e.selected(e.opts.Selectors.Defs[name].Expr)
		e.active = e.active[:len(e.active)-1]
		if err != nil {
			return nil, err
		}
		out.or(s)
	}
	return out, nil
}
