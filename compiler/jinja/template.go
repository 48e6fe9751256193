package jinja

import (
	"errors"
	"runtime"
	"strings"
	"sync"

	"github.com/gdbt/gdbt/compiler/source"
)

// Template is a parsed template. It is immutable and safe for concurrent
// renders; parsing happens once.
type Template struct {
	env    *Environment
	file   *source.File
	body   []Node
	macros []*MacroNode
	blocks []*DataBlockNode
}

// HeaderStyle says how a host block tag's header is written.
type HeaderStyle uint8

const (
	// HeaderSignature: {% test name(a, b=1) %}
	HeaderSignature HeaderStyle = iota
	// HeaderName: {% docs name %}
	HeaderName
	// HeaderArgs: {% materialization name, default, adapter='x' %}
	HeaderArgs
)

// BlockTag declares a host block tag {% tag … %}…{% endtag %}.
type BlockTag struct {
	Header HeaderStyle
	// Macro makes the block define a macro (dbt's test, materialization);
	// otherwise its body is kept as data (docs, snapshot).
	Macro bool
	// MacroName names the macro; by default the header's name.
	MacroName func(h *BlockHeader) string
}

// BlockHeader is the parsed header of a host block tag.
type BlockHeader struct {
	Tag    string
	Name   string
	Params []Param // HeaderSignature
	Args   []any   // HeaderArgs: literal positional values after the name
	Kwargs []KV    // HeaderArgs: literal keyword values
}

// AddBlockTag registers a host block tag.
func (e *Environment) AddBlockTag(name string, tag BlockTag) { e.blocks[name] = tag }

// NormalizeNewlines applies Jinja2's source handling: every newline
// sequence becomes "\n" and one trailing newline is dropped
// (keep_trailing_newline=False).
func NormalizeNewlines(src string) string {
	if strings.IndexByte(src, '\r') >= 0 {
		src = strings.ReplaceAll(src, "\r\n", "\n")
		src = strings.ReplaceAll(src, "\r", "\n")
	}
	return strings.TrimSuffix(src, "\n")
}

// Parse parses src under name (used in error messages).
func (e *Environment) Parse(name, src string) (*Template, error) {
	return e.ParseFile(source.NewFile(name, NormalizeNewlines(src)))
}

// ParseFile parses a registered source file. The file's text must already
// have Jinja2's newline handling applied when byte-exact output matters.
func (e *Environment) ParseFile(file *source.File) (t *Template, err error) {
	return e.ParseRange(file, 0, len(file.Text))
}

// ParseRange parses file.Text[start:end] as a template (dbt renders a
// file's stripped text); positions in errors and nodes stay those of the
// whole file.
func (e *Environment) ParseRange(file *source.File, start, end int) (t *Template, err error) {
	defer func() {
		if r := recover(); r != nil {
			le, ok := r.(*lexError)
			if !ok {
				panic(r)
			}
			kind := le.kind
			if kind == "" {
				kind = "TemplateSyntaxError"
			}
			p := file.Position(le.pos)
			err = &Error{Kind: kind, File: p.File, Line: p.Line, Column: p.Column, Msg: le.msg}
		}
	}()
	buf := tokenBufs.Get().(*[]token)
	stack := nodeStacks.Get().(*[]Node)
	p := &parser{env: e, file: file, toks: lexRange(file, start, end, *buf), nodes: (*stack)[:0]}
	defer func() {
		clear(p.toks) // drop references to this file's text
		*buf = p.toks[:0]
		tokenBufs.Put(buf)
		clear(p.nodes[:cap(p.nodes)])
		*stack = p.nodes[:0]
		nodeStacks.Put(stack)
	}()
	body, _ := p.parseBody()
	return &Template{env: e, file: file, body: body, macros: p.macros, blocks: p.blocks}, nil
}

// Name returns the template's name.
func (t *Template) Name() string { return t.file.Name }

// File returns the template's source file.
func (t *Template) File() *source.File { return t.file }

// Body returns the top-level nodes.
func (t *Template) Body() []Node { return t.body }

// Macros returns the macros defined at the top level, including those made
// by host block tags, in source order.
func (t *Template) Macros() []*MacroNode { return t.macros }

// Blocks returns the host data blocks (docs, snapshot) at the top level.
func (t *Template) Blocks() []*DataBlockNode { return t.blocks }

// Render renders the template with vars.
func (t *Template) Render(vars map[string]any) (string, error) {
	return t.Execute(Vars(vars), nil)
}

// Execute renders the template with a host context. host is stored in
// State.Host for host functions.
func (t *Template) Execute(ctx Context, host any) (string, error) {
	out, _, err := t.ExecuteReturn(ctx, host)
	return out, err
}

// ExecuteReturn renders like Execute and also returns the value passed to
// a top-level return() (dbt uses this for macros-as-templates).
func (t *Template) ExecuteReturn(ctx Context, host any) (out string, ret any, err error) {
	s, err := t.run(ctx, host, make([]byte, 0, len(t.file.Text)+len(t.file.Text)/2), nil)
	if err != nil {
		return "", nil, err
	}
	return string(s.out), s.returned(), nil
}

// Run executes the template for its effects alone (the calls it makes,
// return()) and drops its output: dbt's parse renders every model only to
// learn its ref(), source() and config() calls. The output buffer is
// recycled, which saves copying each rendered file.
func (t *Template) Run(ctx Context, host any) (ret any, err error) {
	buf := outBufs.Get().(*[]byte)
	s, err := t.run(ctx, host, (*buf)[:0], nil)
	if cap(s.out) <= 1<<20 { // an exceptional output is not kept around
		*buf = s.out[:0]
		outBufs.Put(buf)
	}
	if err != nil {
		return nil, err
	}
	return s.returned(), nil
}

// run executes the template's body into out, recording origins in smap
// when it is not nil.
func (t *Template) run(ctx Context, host any, out []byte, smap *SourceMap) (*State, error) {
	s := &State{env: t.env, file: t.file, ctx: ctx, Host: host, out: out, smap: smap, root: &frame{}}
	err := s.protect(func() {
		s.execBody(t.body, s.root)
	})
	return s, err
}

// returned is the value passed to a top-level return(), or nil.
func (s *State) returned() any {
	if s.hasRet {
		return s.ret
	}
	return nil
}

var nodeStacks = sync.Pool{New: func() any { return new([]Node) }}

var outBufs = sync.Pool{New: func() any { return new([]byte) }}

// protect runs fn, turning raised template errors into returned errors and
// re-raising Go runtime errors (bugs must not be hidden).
func (s *State) protect(fn func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			switch e := r.(type) {
			case *Error:
				err = e
			case runtime.Error:
				panic(r)
			case error:
				err = s.newError("TemplateRuntimeError", e.Error(), e)
			default:
				panic(r)
			}
		}
	}()
	fn()
	return nil
}

// CallMacro calls macro m from host code with a fresh State over ctx. The
// result is the macro's output, or the value it passed to return().
func (e *Environment) CallMacro(ctx Context, host any, m *Macro, args *Args) (result any, err error) {
	s := &State{env: e, file: m.def.tmplFile, ctx: ctx, Host: host, pos: m.def.Position()}
	s.root = &frame{}
	err = s.protect(func() { result = s.callMacro(m, args) })
	return result, err
}

// CallMacro calls a macro from inside a host function, in the current
// render (so errors and return() behave as in a template call).
func (s *State) CallMacro(m *Macro, args *Args) any { return s.callMacro(m, args) }

// IsError reports whether err is a template error of the given kind.
func IsError(err error, kind string) bool {
	var e *Error
	return errors.As(err, &e) && e.Kind == kind
}

// ExecuteNative renders like Jinja2's native environment: a template that
// is a single {{ expression }} yields the expression's value itself (a
// relation, a list); anything else yields the rendered string.
func (t *Template) ExecuteNative(ctx Context, host any) (any, error) {
	if len(t.body) != 1 {
		return t.Execute(ctx, host)
	}
	out, ok := t.body[0].(*OutputNode)
	if !ok {
		return t.Execute(ctx, host)
	}
	s := &State{env: t.env, file: t.file, ctx: ctx, Host: host}
	s.root = &frame{}
	var v any
	err := s.protect(func() { v = s.eval(out.X, s.root) })
	if err != nil {
		return nil, err
	}
	return v, nil
}
