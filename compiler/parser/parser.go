// Package parser turns a loaded dbt project into a manifest: it reads every
// macro, model, seed, snapshot, test, analysis, doc and schema file, renders
// SQL files once with the parse-time context to learn their refs, sources
// and config() calls, resolves configs with dbt's precedence, and builds
// the generic tests declared in YAML.
package parser

import (
	"crypto/md5"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/gdbt/gdbt/compiler/dbtctx"
	"github.com/gdbt/gdbt/compiler/jinja"
	"github.com/gdbt/gdbt/compiler/manifest"
	"github.com/gdbt/gdbt/compiler/project"
	"github.com/gdbt/gdbt/compiler/source"
	"github.com/gdbt/gdbt/macros"
)

// Options tune a parse.
type Options struct {
	Threads int       // parallel file work; 0 means GOMAXPROCS
	Trace   io.Writer // when set, each phase's duration is written to it
}

// Result is the parsed project with the environment later phases render in.
type Result struct {
	Manifest *manifest.Manifest
	Env      *dbtctx.Env
	Project  *project.Project
	Warnings []Warning // in the order dbt prints them
}

// Parse parses root and its packages.
func Parse(root *project.Project, opts Options) (*Result, error) {
	p := &parser{root: root, opts: opts, m: manifest.New(), jinja: dbtctx.NewJinja(),
		tmpls: map[string]*jinja.Template{}, testPos: map[string]source.Position{}, expRefs: map[string][]source.Position{}}
	p.macros = dbtctx.NewMacros(root.Name)
	p.m.ProjectName = root.Name
	sum := md5.Sum([]byte(root.Name))
	p.m.ProjectID = hex.EncodeToString(sum[:])
	p.m.AdapterType = "postgres"
	p.env = p.newEnv()
	steps := []struct {
		name string
		run  func() error
	}{{"macros", p.loadMacros}, {"docs", p.loadDocs}, {"files", p.loadFiles}, {"schemas", p.loadSchemas},
		{"versions", p.applyVersions}, {"nodes", p.resolveNodes}, {"tests", p.buildTests}, {"deps", p.resolveDeps},
		{"microbatch", p.checkMicrobatch},
		{"unit_tests", p.resolveUnitTests}, {"warnings", p.collectWarnings}}
	for _, step := range steps {
		start := time.Now()
		if err := step.run(); err != nil {
			return nil, err
		}
		if opts.Trace != nil {
			fmt.Fprintf(opts.Trace, "parse %-9s %8.1f ms\n", step.name, float64(time.Since(start).Microseconds())/1000)
		}
	}
	return &Result{Manifest: p.m, Env: p.env, Project: root, Warnings: p.warnings}, nil
}

type parser struct {
	root   *project.Project
	opts   Options
	m      *manifest.Manifest
	jinja  *jinja.Environment
	macros *dbtctx.Macros
	env    *dbtctx.Env

	tmpls     map[string]*jinja.Template // parsed SQL per node unique_id
	sqlNodes  []*sqlFile
	patches   []*patch
	tests     []*testSpec
	warnings  []Warning
	byName    map[string][]*manifest.Node       // refable nodes by name, built once nodes are final
	attach    []attachment                      // generic tests and the node they are declared on
	testPos   map[string]source.Position        // generic test unique_id → its YAML entry
	expRefs   map[string][]source.Position      // exposure unique_id → its depends_on entries
	unitTests []*unitSpec                       // unit_tests: entries, resolved after every node
	bases     sync.Map                          // baseConfig's merges, by resource type and project config
	sourceIdx map[[2]string]*manifest.SourceDef // resolveSource's index, built by resolveDeps
	walkMu    sync.Mutex
	walks     map[string]walked // listFiles' walks, by folder
}

// attachment ties a generic test to the node it was declared on (dbt's
// attached_node), which is not always its first ref (relationships).
type attachment struct {
	test   *manifest.Node
	target manifest.Ref
}

func (p *parser) threads() int {
	if p.opts.Threads > 0 {
		return p.opts.Threads
	}
	return runtime.GOMAXPROCS(0)
}

// parallel runs fn(i) for i in [0, n) on the worker pool and returns the
// first error.
func (p *parser) parallel(n int, fn func(i int) error) error {
	var wg sync.WaitGroup
	errs := make([]error, n)
	next := make(chan int, n)
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	for w := 0; w < p.threads() && w < n; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				errs[i] = fn(i)
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// ---------------------------------------------------------------------------
// Environment

func (p *parser) newEnv() *dbtctx.Env {
	r := p.root
	target := jinja.NewDict()
	if pr := r.Profile; pr != nil {
		target.Set("profile_name", pr.Name)
		target.Set("name", pr.TargetName)
		target.Set("target_name", pr.TargetName)
		target.Set("type", "postgres")
		target.Set("host", pr.Host)
		target.Set("port", int64(pr.Port))
		target.Set("user", pr.User)
		target.Set("database", pr.Database)
		target.Set("dbname", pr.Database)
		target.Set("schema", pr.Schema)
		target.Set("threads", int64(pr.Threads))
		target.Set("sslmode", pr.SSLMode)
	}
	flags := jinja.NewDict()
	flags.Set("STORE_FAILURES", false)
	flags.Set("FULL_REFRESH", false)
	flags.Set("WHICH", "parse")
	dispatch := map[string][]string{}
	for _, d := range r.Dispatch {
		dispatch[d.MacroNamespace] = d.SearchOrder
	}
	e := &dbtctx.Env{
		Jinja:        p.jinja,
		Macros:       p.macros,
		ProjectName:  r.Name,
		Target:       target,
		Dispatch:     dispatch,
		Flags:        flags,
		RunStartedAt: time.Now().UTC(),
		Var:          p.varLookup,
		InvocationID: newInvocationID(),
	}
	e.Relation = func(n *manifest.Node) *dbtctx.Relation {
		typ := ""
		switch n.Config.String("materialized") {
		case "view":
			typ = "view"
		case "table", "incremental", "seed", "snapshot":
			typ = "table"
		case "materialized_view":
			typ = "materialized_view"
		case "ephemeral":
			typ = "cte"
		}
		return dbtctx.NewRelation(n.Database, n.Schema, n.Alias, typ)
	}
	e.SourceRelation = func(s *manifest.SourceDef) *dbtctx.Relation {
		return dbtctx.NewRelation(s.Database, s.Schema, s.Identifier, "table")
	}
	e.ResolveRef = p.resolveRef
	e.ResolveSource = p.resolveSource
	return e
}

// varLookup resolves var(name) for a node of package pkg, with dbt's
// precedence: --vars, the root project's vars for that package, the root's
// global vars, then the package's own vars.
func (p *parser) varLookup(pkg, name string) (any, bool) {
	if v, ok := p.root.Var(name, pkg); ok {
		return v, true
	}
	return nil, false
}

// ---------------------------------------------------------------------------
// Files

// packages returns the projects in macro-resolution order: dependencies,
// then the root.
func (p *parser) packages() []*project.Project {
	all := p.root.All()
	return append(all[1:], all[0])
}

// listFiles lists files under dir (relative to the project root) with one
// of the extensions, sorted, as paths relative to root.
func listFiles(root, dir string, exts ...string) ([]string, error) {
	all, err := walkFiles(root, dir)
	return withExt(all, exts), err
}

// listFiles is the package function with each folder walked once: parse
// lists the same folders for docs, SQL and property files, and walking
// ten thousand files costs more than filtering the list again.
func (p *parser) listFiles(root, dir string, exts ...string) ([]string, error) {
	key := filepath.Join(root, dir)
	p.walkMu.Lock()
	w, ok := p.walks[key]
	if !ok {
		if p.walks == nil {
			p.walks = map[string]walked{}
		}
		w.files, w.err = walkFiles(root, dir)
		p.walks[key] = w
	}
	p.walkMu.Unlock()
	return withExt(w.files, exts), w.err
}

type walked struct {
	files []string
	err   error
}

// walkFiles lists the files under root/dir (relative to root, slash
// separated, sorted), skipping hidden folders.
func walkFiles(root, dir string) ([]string, error) {
	base := filepath.Join(root, dir)
	var out []string
	err := filepath.WalkDir(base, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if os.IsNotExist(err) {
				return nil
			}
			return err
		}
		if d.IsDir() {
			if strings.HasPrefix(d.Name(), ".") && p != base {
				return filepath.SkipDir
			}
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		out = append(out, filepath.ToSlash(rel))
		return nil
	})
	if os.IsNotExist(err) {
		err = nil
	}
	sort.Strings(out)
	return out, err
}

// withExt keeps the files with one of exts (case-insensitive).
func withExt(files []string, exts []string) []string {
	var out []string
	for _, f := range files {
		name := strings.ToLower(path.Base(f))
		for _, e := range exts {
			if strings.HasSuffix(name, e) {
				out = append(out, f)
				break
			}
		}
	}
	return out
}

func readFile(root, rel string) (*source.File, []byte, error) {
	data, err := readWhole(filepath.Join(root, rel))
	if err != nil {
		return nil, nil, err
	}
	return source.NewFile(rel, jinja.NormalizeNewlines(string(data))), data, nil
}

func checksum(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// spaceChecksum is dbt's checksum of a SQL or YAML file: the sha256 of its
// text with whitespace runs collapsed to one space and the ends stripped
// (Python's " ".join(s.split())). It is the same as checksum of
// strings.Join(strings.Fields(s), " ") without building the pieces.
func spaceChecksum(s string) string {
	buf := collapseBufs.Get().(*[]byte)
	b := (*buf)[:0]
	for i := 0; i < len(s); {
		i = skipSpace(s, i, true)
		if i == len(s) {
			break
		}
		j := skipSpace(s, i, false)
		if len(b) > 0 {
			b = append(b, ' ')
		}
		b = append(b, s[i:j]...)
		i = j
	}
	sum := checksum(b)
	*buf = b
	collapseBufs.Put(buf)
	return sum
}

// skipSpace moves i past the whitespace at s[i:] (space true) or past the
// word there (space false), ASCII bytes without decoding runes.
func skipSpace(s string, i int, space bool) int {
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if asciiSpace[c] != space {
				return i
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if unicode.IsSpace(r) != space {
			return i
		}
		i += size
	}
	return i
}

var asciiSpace = [utf8.RuneSelf]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true, ' ': true, 0x1c: true, 0x1d: true, 0x1e: true, 0x1f: true}

var collapseBufs = sync.Pool{New: func() any { return new([]byte) }}

// ---------------------------------------------------------------------------
// Macros

func (p *parser) loadMacros() error {
	type mfile struct {
		pkg, root, rel string
		fsys           fs.FS
	}
	var files []mfile
	for _, b := range macros.Packages {
		entries, err := fs.ReadDir(macros.FS, b.Dir)
		if err != nil {
			return err
		}
		for _, e := range entries {
			files = append(files, mfile{pkg: b.Name, rel: path.Join("macros", e.Name()), fsys: macros.FS, root: b.Dir})
		}
	}
	for _, pr := range p.packages() {
		dirs := append(append([]string{}, pr.MacroPaths...), pr.GenericTestPaths()...)
		seen := map[string]bool{}
		for _, d := range dirs {
			rels, err := p.listFiles(pr.Root, d, ".sql")
			if err != nil {
				return err
			}
			for _, rel := range rels {
				if !seen[rel] {
					seen[rel] = true
					files = append(files, mfile{pkg: pr.Name, root: pr.Root, rel: rel})
				}
			}
		}
	}
	tmpls := make([]*jinja.Template, len(files))
	err := p.parallel(len(files), func(i int) error {
		f := files[i]
		var data []byte
		var err error
		if f.fsys != nil {
			data, err = fs.ReadFile(f.fsys, path.Join(f.root, path.Base(f.rel)))
		} else {
			data, err = os.ReadFile(filepath.Join(f.root, f.rel))
		}
		if err != nil {
			return err
		}
		file := source.NewFile(f.rel, jinja.NormalizeNewlines(string(data)))
		t, err := p.jinja.ParseFile(file)
		if err != nil {
			return unclosedBlockError(file, err)
		}
		tmpls[i] = t
		return nil
	})
	if err != nil {
		return err
	}
	var defs []macroDef
	// Register in order, so a later package's macro replaces nothing of
	// another package and duplicates within a package are reported.
	for i, f := range files {
		for _, def := range tmpls[i].Macros() {
			id := "macro." + f.pkg + "." + def.Name
			if old, dup := p.m.Macros[id]; dup && !p.macros.IsInternal(f.pkg) {
				pos := def.File().Position(def.Position())
				return fmt.Errorf("%s: dbt found two macros named \"%s\" in the project \"%s\" (also in %s)", pos, def.Name, f.pkg, old.OriginalFilePath)
			}
			p.macros.Add(f.pkg, def)
			supported := []string{}
			if def.Tag == "materialization" {
				supported = dbtctx.MaterializationLanguages(def.Header)
			}
			args := []any{}
			if f.fsys == nil && !inGenericTestPath(p.root, f.pkg, f.rel) {
				// dbt lists the signature of what it reads from macro-paths;
				// generic tests under tests/generic get none.
				for _, prm := range def.Params {
					args = append(args, map[string]any{"name": prm.Name, "type": nil, "description": ""})
				}
				if def.Tag == "materialization" {
					// dbt's materialization macros take supported_languages.
					args = append(args, map[string]any{"name": "supported_languages", "type": nil, "description": ""})
				}
			}
			p.m.Macros[id] = &manifest.MacroDef{
				Arguments: args,
				UniqueID:  id, Package: f.pkg, Name: def.Name, Path: f.rel,
				OriginalFilePath: f.rel, MacroSQL: def.Source(), CreatedAt: nowStamp(),
				SupportedLanguages: supported,
			}
			if !p.macros.IsInternal(f.pkg) {
				defs = append(defs, macroDef{f.pkg, def})
			}
		}
	}
	// A macro depends on the macros its body calls, found statically.
	for _, d := range defs {
		md := p.m.Macros["macro."+d.pkg+"."+d.def.Name]
		md.DependsOnMacros = p.macroCallDeps(d.pkg, d.def)
	}
	return nil
}

// newInvocationID returns a random UUID (version 4), as dbt's invocation_id.
func newInvocationID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// appendUnique appends s to list unless it is already there, keeping the
// order things were first seen (dbt's order for depends_on lists).
func appendUnique(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

type macroDef struct {
	pkg string
	def *jinja.MacroNode
}

func (p *parser) macroCallDeps(pkg string, def *jinja.MacroNode) []string {
	out := []string{}
	add := func(id string) { out = appendUnique(out, id) }
	for _, c := range def.MacroCalls() {
		switch {
		case c.Dispatch:
			if ref, err := p.macros.Dispatch(pkg, c.Name, c.Package, p.env.Dispatch[c.Package]); err == nil {
				add(ref.UniqueID())
			}
		case c.Package != "":
			if c.Package == dbtctx.PkgDBT {
				if ref, ok := p.macros.Lookup("", c.Name); ok && p.macros.IsInternal(ref.Package) {
					add(ref.UniqueID())
				}
			} else if _, ok := p.macros.Get(c.Package, c.Name); ok {
				add("macro." + c.Package + "." + c.Name)
			}
		default:
			if ref, ok := p.macros.Lookup(pkg, c.Name); ok {
				add(ref.UniqueID())
			}
		}
	}
	return out
}

func inGenericTestPath(root *project.Project, pkg, rel string) bool {
	pr := root.Dependency(pkg)
	if pr == nil {
		return false
	}
	for _, g := range pr.GenericTestPaths() {
		if strings.HasPrefix(rel, strings.TrimSuffix(g, "/")+"/") {
			return true
		}
	}
	return false
}

func nowStamp() float64 { return float64(time.Now().UnixNano()) / 1e9 }

// ---------------------------------------------------------------------------
// Docs

func (p *parser) loadDocs() error {
	for _, pr := range p.packages() {
		dirs := pr.DocsPaths
		if len(dirs) == 0 {
			dirs = pr.AllSourcePaths()
		}
		seen := map[string]bool{}
		for _, d := range dirs {
			rels, err := p.listFiles(pr.Root, d, ".md")
			if err != nil {
				return err
			}
			for _, rel := range rels {
				if seen[rel] {
					continue
				}
				seen[rel] = true
				f, _, err := readFile(pr.Root, rel)
				if err != nil {
					return err
				}
				t, err := p.jinja.ParseFile(source.NewFile(f.Name, docsBlocksOnly(f.Text)))
				if err != nil {
					return err
				}
				for _, b := range t.Blocks() {
					if b.Tag != "docs" {
						continue
					}
					id := "doc." + pr.Name + "." + b.Header.Name
					p.m.Docs[id] = &manifest.Doc{UniqueID: id, Package: pr.Name, Name: b.Header.Name,
						Path: relTo(rel, d), OriginalFilePath: rel, BlockContents: strings.TrimSpace(b.BodyText)}
				}
			}
		}
	}
	return nil
}

func relTo(rel, dir string) string {
	if dir == "" || dir == "." {
		return rel
	}
	return strings.TrimPrefix(rel, strings.TrimSuffix(dir, "/")+"/")
}
