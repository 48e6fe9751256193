package lineage

import (
	"context"
	"errors"
	"fmt"
	"path"
	"runtime"
	"sync"

	"github.com/gdbt/gdbt/compiler/compile"
	"github.com/gdbt/gdbt/compiler/dbtctx"
	"github.com/gdbt/gdbt/compiler/jinja"
	"github.com/gdbt/gdbt/compiler/manifest"
	"github.com/gdbt/gdbt/compiler/source"
	"github.com/gdbt/gdbt/compiler/sqlparse"
)

type builder struct {
	c       *compile.Compiler
	m       *manifest.Manifest
	rels    *relIndex
	threads int
}

func newBuilder(c *compile.Compiler, opts Options) *builder {
	t := opts.Threads
	if t <= 0 {
		t = runtime.GOMAXPROCS(0)
	}
	m := c.Manifest()
	return &builder{c: c, m: m, rels: newRelIndex(m, opts.SearchPath), threads: t}
}

// nodeResult is what analyzing one node found.
type nodeResult struct {
	n        *manifest.Node
	own      string             // the node's SQL without injected CTEs
	analysis *sqlparse.Analysis // nil when compiling or parsing failed
	reads    []string           // project entities read (sorted, self excluded)
	external []sqlparse.TableName
	diags    source.Diagnostics
}

// run compiles and analyzes ids with b.threads workers; results are in the
// order of ids.
func (b *builder) run(ctx context.Context, ids []string) ([]*nodeResult, error) {
	out := make([]*nodeResult, len(ids))
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < b.threads && w < len(ids); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				out[i] = b.analyze(ctx, b.m.Nodes[ids[i]])
			}
		}()
	}
feed:
	for i := range ids {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

func (b *builder) analyze(ctx context.Context, n *manifest.Node) *nodeResult {
	r := &nodeResult{n: n}
	compiled, err := b.c.Node(ctx, n)
	if err != nil {
		r.diags = append(r.diags, &source.Diagnostic{Severity: source.Error,
			Msg: fmt.Sprintf("compiling %s %s (%s): %v", n.ResourceType, n.Name, n.OriginalFilePath, err)})
		return r
	}
	own, inj, ok := splitInjected(compiled, n.ExtraCTEs)
	if !ok {
		// Cannot tell the node's SQL from its ephemerals': analyze it all.
		own, inj = compiled, injection{}
	}
	loc := &locator{b: b, n: n, own: own, compiled: compiled, inj: inj}
	a, err := sqlparse.Analyze(own)
	if err != nil {
		var se *sqlparse.SyntaxError
		if errors.As(err, &se) {
			r.diags = append(r.diags, loc.diag(source.Error, se.Offset, se.Message))
		} else {
			r.diags = append(r.diags, loc.diag(source.Error, -1, err.Error()))
		}
		return r
	}
	r.analysis, r.own = a, own
	declared := make(map[string]bool, len(n.DependsOnNodes))
	for _, d := range n.DependsOnNodes {
		declared[d] = true
	}
	seen := map[string]bool{}
	for _, rel := range a.Reads {
		ids := b.rels.lookup(rel.TableName, n.Database)
		if len(ids) == 0 {
			r.external = append(r.external, rel.TableName)
			continue
		}
		id, ok := pick(ids, declared)
		if id == n.UniqueID {
			continue // {{ this }}
		}
		if !ok && !seen[id] {
			file, pos, exact, note := loc.locate(rel.Offset)
			msg := fmt.Sprintf("relation %s is %s %s but not in depends_on: expected %s, found the name written out",
				rel.TableName, kindOf(b.m, id), displayName(b.m, id), refHint(b.m, id))
			if !exact && note == "" {
				// Printed by an expression: maybe a ref() the parser never
				// ran, or a variable holding the name.
				note = "printed by this expression; a ref() that runs only when execute is true is not seen at parse time"
			}
			if note != "" {
				msg += " (" + note + ")"
			}
			r.diags = append(r.diags, &source.Diagnostic{Severity: source.Warning, File: file, Pos: pos, Msg: msg})
		}
		if !seen[id] {
			seen[id] = true
			r.reads = append(r.reads, id)
		}
	}
	r.reads = sortedUnique(r.reads)
	return r
}

// locator maps offsets of a node's own render to positions in its
// original file. The source map is built on first use.
type locator struct {
	b        *builder
	n        *manifest.Node
	own      string // the node's render without injected CTEs
	compiled string
	inj      injection

	once  bool
	smap  *jinja.SourceMap // nil when the render could not be reproduced
	file  *source.File
	base  source.Pos // where the template starts in file
	fault string     // why positions are in the compiled file
}

// diag builds a diagnostic for offset off of the node's own render (-1 for
// no position).
func (l *locator) diag(sev source.Severity, off int, msg string) *source.Diagnostic {
	file, pos, exact, note := l.locate(off)
	if !exact && note == "" && off >= 0 {
		note = "in the output of this expression"
	}
	if note != "" {
		msg += " (" + note + ")"
	}
	return &source.Diagnostic{Severity: sev, File: file, Pos: pos, Msg: msg}
}

// locate maps off to a file position. exact is false when the byte came
// from an expression (pos is then its "{{"); note explains positions that
// are in the compiled SQL instead of the original file.
func (l *locator) locate(off int) (file *source.File, pos source.Pos, exact bool, note string) {
	if !l.once {
		l.once = true
		l.build()
	}
	if l.smap != nil {
		if off < 0 {
			return l.file, source.NoPos, true, ""
		}
		if p, exact, ok := l.smap.Lookup(off); ok {
			return l.file, l.base + p, exact, ""
		}
	}
	if off < 0 {
		return l.compiledFile(), source.NoPos, true, l.fault
	}
	return l.compiledFile(), source.Pos(l.inj.toCompiled(off)), true, l.fault
}

// build renders the node again with a source map. Generic tests (whose
// text comes from a macro and yaml) and renders that come out different
// (non-deterministic Jinja) fall back to positions in the compiled SQL.
func (l *locator) build() {
	n := l.n
	if n.TestMetadata != nil {
		l.fault = "position in the compiled SQL of this generic test"
		return
	}
	if n.File == nil {
		l.fault = "position in the compiled SQL: the node has no source file"
		return
	}
	env := l.b.c.Env()
	tmpl, err := env.Jinja.Parse(n.OriginalFilePath, n.RawCode)
	if err != nil {
		l.fault = "position in the compiled SQL: " + err.Error()
		return
	}
	var sm jinja.SourceMap
	out, err := tmpl.ExecuteMapped(env.NewNodeContext(n, dbtctx.Execute), nil, &sm)
	if err != nil || out != l.own {
		l.fault = "position in the compiled SQL: rendering again gave different SQL"
		return
	}
	l.smap, l.file, l.base = &sm, n.File, n.Pos
	if l.base < 0 {
		l.base = 0
	}
}

// compiledFile is the compiled SQL as the file gdbt compile writes it.
func (l *locator) compiledFile() *source.File {
	name := l.n.CompiledPath
	if name == "" {
		name = path.Join("target", "compiled", l.n.OutputPath())
	}
	return source.NewFile(name, l.compiled)
}
