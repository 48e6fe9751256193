package parser

import (
	"path"
	"sort"
	"strings"
	"unicode"

	"github.com/gdbt/gdbt/compiler/dbtctx"
	"github.com/gdbt/gdbt/compiler/jinja"
	"github.com/gdbt/gdbt/compiler/manifest"
	"github.com/gdbt/gdbt/compiler/project"
	"github.com/gdbt/gdbt/compiler/source"
)

// sqlFile is a node read from a file, before its config is resolved.
type sqlFile struct {
	node    *manifest.Node
	pkg     *project.Project
	tmpl    *jinja.Template // nil for seeds
	body    string          // the SQL to render (snapshot block body)
	bodyPos source.Pos
	configs []*jinja.Dict // in-file config() calls
	refs    []manifest.Ref
	sources [][2]string
	called  []string // macros called from the template itself, in order
	patch   *patch
	version *versionSpec
	hookTag string // on-run-start or on-run-end for project hooks
}

func (p *parser) loadFiles() error {
	type job struct {
		pr   *project.Project
		rt   manifest.ResourceType
		dir  string
		rel  string
		seed bool
	}
	var jobs []job
	for _, pr := range p.root.All() {
		add := func(rt manifest.ResourceType, dirs []string, ext string, skip func(string) bool) error {
			for _, d := range dirs {
				rels, err := p.listFiles(pr.Root, d, ext)
				if err != nil {
					return err
				}
				for _, rel := range rels {
					if skip != nil && skip(rel) {
						continue
					}
					jobs = append(jobs, job{pr: pr, rt: rt, dir: d, rel: rel, seed: ext == ".csv"})
				}
			}
			return nil
		}
		generic := pr.GenericTestPaths()
		isGeneric := func(rel string) bool {
			if isFixturePath(pr, rel) {
				return true // unit test fixtures, not singular tests
			}
			for _, g := range generic {
				if strings.HasPrefix(rel, g+"/") {
					return true
				}
			}
			// macro-paths may overlap test-paths; macros are not tests.
			for _, m := range pr.MacroPaths {
				if strings.HasPrefix(rel, strings.TrimSuffix(m, "/")+"/") {
					return true
				}
			}
			return false
		}
		if err := add(manifest.Model, pr.ModelPaths, ".sql", nil); err != nil {
			return err
		}
		if err := add(manifest.Analysis, pr.AnalysisPaths, ".sql", nil); err != nil {
			return err
		}
		if err := add(manifest.Test, pr.TestPaths, ".sql", isGeneric); err != nil {
			return err
		}
		if err := add(manifest.Snapshot, pr.SnapshotPaths, ".sql", nil); err != nil {
			return err
		}
		if err := add(manifest.Seed, pr.SeedPaths, ".csv", nil); err != nil {
			return err
		}
	}
	results := make([][]*sqlFile, len(jobs), len(jobs)+1)
	err := p.parallel(len(jobs), func(i int) error {
		j := jobs[i]
		var err error
		results[i], err = p.readNodeFile(j.pr, j.rt, j.dir, j.rel)
		return err
	})
	if err != nil {
		return err
	}
	hooks, err := p.hookFiles()
	if err != nil {
		return err
	}
	results = append(results, hooks)
	// Two files may define one name while at most one is enabled: the
	// check waits for the configs (resolveNodes).
	for _, rs := range results {
		p.sqlNodes = append(p.sqlNodes, rs...)
	}
	return nil
}

// fqnFor builds [package, folders…, name] from a path relative to its
// resource folder.
func fqnFor(pkg, relPath, name string) []string {
	fqn := []string{pkg}
	dir := path.Dir(relPath)
	if dir != "." {
		fqn = append(fqn, strings.Split(dir, "/")...)
	}
	return append(fqn, name)
}

func (p *parser) readNodeFile(pr *project.Project, rt manifest.ResourceType, dir, rel string) ([]*sqlFile, error) {
	file, data, err := readFile(pr.Root, rel)
	if err != nil {
		return nil, err
	}
	relPath := relTo(rel, dir)
	stem := strings.TrimSuffix(path.Base(rel), path.Ext(rel))
	// dbt reads files stripped and checksums them with whitespace runs
	// collapsed; seeds are checksummed stripped.
	text := file.Text
	start := len(text) - len(strings.TrimLeftFunc(text, unicode.IsSpace))
	end := len(strings.TrimRightFunc(text, unicode.IsSpace))
	if end < start {
		end = start
	}
	sum := spaceChecksum(text)
	if rt == manifest.Seed {
		// Python reads text with universal newlines: CRLF counts as LF.
		sum = checksum([]byte(strings.TrimSpace(jinja.NormalizeNewlines(string(data)))))
	}
	base := func(name string) *manifest.Node {
		return &manifest.Node{
			ResourceType: rt, Package: pr.Name, Name: name,
			UniqueID:         string(rt) + "." + pr.Name + "." + name,
			Path:             relPath,
			OriginalFilePath: rel,
			FQN:              fqnFor(pr.Name, relPath, name),
			Language:         "sql",
			Checksum:         sum,
			File:             file,
			CreatedAt:        nowStamp(),
		}
	}
	if rt == manifest.Seed {
		n := base(stem)
		n.RootPath = pr.Root
		n.Language = ""
		return []*sqlFile{{node: n, pkg: pr}}, nil
	}
	t, err := p.jinja.ParseRange(file, start, end)
	if err != nil {
		return nil, err
	}
	if rt == manifest.Snapshot {
		var out []*sqlFile
		for _, b := range t.Blocks() {
			if b.Tag != "snapshot" {
				continue
			}
			n := base(b.Header.Name)
			n.FQN = fqnFor(pr.Name, relPath, stem)
			n.FQN = append(n.FQN, b.Header.Name)
			n.UniqueID = "snapshot." + pr.Name + "." + b.Header.Name
			n.RawCode = b.BodyText
			n.Pos = b.BodyPos
			body, err := p.jinja.Parse(rel, b.BodyText)
			if err != nil {
				return nil, err
			}
			out = append(out, &sqlFile{node: n, pkg: pr, tmpl: body, body: b.BodyText, bodyPos: b.BodyPos})
		}
		return out, nil
	}
	n := base(stem)
	n.RawCode = text[start:end]
	n.Pos = source.Pos(start)
	if rt == manifest.Analysis {
		// dbt files analyses under an "analysis" folder of their own.
		n.Path = path.Join("analysis", relPath)
		n.FQN = fqnFor(pr.Name, n.Path, stem)
	}
	return []*sqlFile{{node: n, pkg: pr, tmpl: t}}, nil
}

// renderParse renders a node with the parse-time context, recording what
// it references and configures.
func (p *parser) renderParse(f *sqlFile) error {
	ctx := p.env.NewNodeContext(f.node, dbtctx.Parse)
	if f.node.ResourceType == manifest.Test && f.node.TestMetadata != nil {
		ctx.Set("_dbt_generic_test_kwargs", testKwargsValue(f.node))
	}
	if _, err := f.tmpl.Run(ctx, nil); err != nil {
		return err
	}
	f.configs = ctx.Configs
	f.refs = ctx.Refs
	f.sources = ctx.Sources
	f.called = ctx.CalledOrder
	return nil
}

func testKwargsValue(n *manifest.Node) *jinja.Dict {
	d := jinja.NewDict()
	keys := make([]string, 0, len(n.TestMetadata.Kwargs))
	for k := range n.TestMetadata.Kwargs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		d.Set(k, dbtctx.FromGo(n.TestMetadata.Kwargs[k]))
	}
	return d
}
