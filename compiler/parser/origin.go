package parser

import (
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/gdbt/gdbt/compiler/dbtctx"
	"github.com/gdbt/gdbt/compiler/jinja"
	"github.com/gdbt/gdbt/compiler/manifest"
	"github.com/gdbt/gdbt/compiler/project"
	"github.com/gdbt/gdbt/compiler/source"
)

// ConfigPos returns where the value node n has for config key was written,
// following dbt's precedence from the top: the root project's
// dbt_project.yml (for a package's node), the node's config() calls, its
// schema-file entry, its package's dbt_project.yml. Only error messages
// need it, so it re-reads the files instead of keeping positions for every
// config of every node. A zero Position means it is not known.
func (r *Result) ConfigPos(n *manifest.Node, key string) source.Position {
	rt := string(n.ResourceType)
	if n.ResourceType == manifest.Analysis {
		rt = "model" // dbt configures analyses from the models: tree
	}
	own, active := r.Project.ProjectConfig(rt, n.Package, n.FQN)
	if p := written(active.Get(key)); p.Line > 0 {
		return p
	}
	if p := configCallPos(n, key); p.Line > 0 {
		return p
	}
	if p := written(r.patchEntry(n).Get("config").Get(key)); p.Line > 0 {
		return p
	}
	return written(own.Get(key))
}

func written(v *project.Value) source.Position {
	if v == nil {
		return source.Position{}
	}
	return v.Pos
}

// staticCalls lists the calls to name in n's own text (not in another
// block of the same file, as snapshots share files), parsed again.
func staticCalls(n *manifest.Node, names ...string) []jinja.StaticCall {
	if n.File == nil {
		return nil
	}
	t, err := dbtctx.NewJinja().ParseFile(n.File)
	if err != nil {
		return nil
	}
	var out []jinja.StaticCall
	for _, c := range t.StaticCalls(names...) {
		if c.Pos >= n.Pos {
			out = append(out, c)
		}
	}
	return out
}

// configCallPos is the last config() call in n's own text that sets key.
func configCallPos(n *manifest.Node, key string) source.Position {
	var at source.Position
	for _, c := range staticCalls(n, "config") {
		for _, kv := range c.Kwargs {
			if kv.Name == key {
				at = n.File.Position(c.Pos)
			}
		}
	}
	return at
}

// DependsOnPos returns where n's text reads dep (a unique_id of n's
// depends_on): its first ref() or source() call naming it. A zero Position
// means it is not known (a dependency added by a macro or a test).
func (r *Result) DependsOnPos(n *manifest.Node, dep string) source.Position {
	var fn string
	var want []string
	if d := r.Manifest.Nodes[dep]; d != nil {
		fn, want = "ref", []string{d.Name}
	} else if s := r.Manifest.Sources[dep]; s != nil {
		fn, want = "source", []string{s.SourceName, s.Name}
	} else {
		return source.Position{}
	}
	for _, c := range staticCalls(n, fn) {
		var args []string
		for _, a := range c.Args {
			s, _ := a.(string)
			args = append(args, s)
		}
		if fn == "ref" && len(args) == 2 {
			args = args[1:] // ref('package', 'name')
		}
		if slices.Equal(args, want) {
			return n.File.Position(c.Pos)
		}
	}
	return source.Position{}
}

// patchEntry re-reads the schema-file entry that describes n, or nil.
func (r *Result) patchEntry(n *manifest.Node) *project.Value {
	pkg, rel, ok := strings.Cut(n.PatchPath, "://")
	proj := r.Project.Dependency(pkg)
	if !ok || proj == nil {
		return nil
	}
	data, err := os.ReadFile(filepath.Join(proj.Root, filepath.FromSlash(rel)))
	if err != nil {
		return nil
	}
	doc, err := project.ParseYAML(rel, data)
	if err != nil {
		return nil
	}
	list := map[manifest.ResourceType]string{manifest.Model: "models", manifest.Seed: "seeds",
		manifest.Snapshot: "snapshots", manifest.Analysis: "analyses"}[n.ResourceType]
	if list == "" {
		return nil
	}
	entries := doc.Get(list)
	if entries == nil {
		return nil
	}
	for _, it := range entries.Items {
		if str(it.Get("name")) == n.Name {
			return it
		}
	}
	return nil
}
