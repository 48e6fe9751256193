package jinja

import (
	"errors"
	"fmt"

	"github.com/gdbt/gdbt/compiler/source"
)

// Error is a template error with its position. Kind is the name of the
// Python exception Jinja2 would raise (TemplateSyntaxError, UndefinedError,
// TypeError, …), so behaviour can be compared with the oracle.
type Error struct {
	Kind   string
	File   string
	Line   int
	Column int
	Msg    string
	Err    error // the host error that caused this one, if any
}

func (e *Error) Error() string {
	if e.File == "" && e.Line == 0 {
		return e.Kind + ": " + e.Msg
	}
	return fmt.Sprintf("%s:%d:%d: %s: %s", e.File, e.Line, e.Column, e.Kind, e.Msg)
}

// Unwrap returns the host error behind this one.
func (e *Error) Unwrap() error { return e.Err }

// State is the interpreter state of one Render call. Builtins and host
// functions receive it to raise errors and call back into templates.
type State struct {
	env  *Environment
	file *source.File // file of the node being executed
	pos  source.Pos   // position of the node being executed, for errors

	out  []byte     // current output buffer
	smap *SourceMap // records output origins; nil unless ExecuteMapped

	ctx  Context // globals of this render (host variables)
	root *frame  // template-level frame

	ret    any  // value passed to Return, while unwinding
	hasRet bool // whether a Return is unwinding
	depth  int  // macro call depth, to stop runaway recursion
	steps  int  // statements executed, checked against Environment.MaxSteps

	// Host is free for the embedding application (dbt context data).
	Host any
}

// Depth is the number of macro calls being executed (0 in the template
// body itself).
func (s *State) Depth() int { return s.depth }

// Env returns the environment the template belongs to.
func (s *State) Env() *Environment { return s.env }

// Throw raises a runtime error of the given Python kind at the current
// position. It never returns.
func (s *State) Throw(kind, format string, args ...any) {
	panic(s.newError(kind, fmt.Sprintf(format, args...), nil))
}

func (s *State) newError(kind, msg string, cause error) *Error {
	e := &Error{Kind: kind, Msg: msg, Err: cause}
	if s.file != nil {
		p := s.file.Position(s.pos)
		e.File, e.Line, e.Column = p.File, p.Line, p.Column
	}
	return e
}

// failUndefined raises the error an Undefined raises when used.
func (s *State) failUndefined(u *Undefined) {
	panic(s.newError(u.kind(), u.message(), nil))
}

// hostError raises err from a host function as a template error, keeping
// the host error reachable with errors.As.
func (s *State) hostError(err error) {
	var rs *returnSignal
	if errors.As(err, &rs) {
		s.ret, s.hasRet = rs.value, true
		return
	}
	var je *Error
	if errors.As(err, &je) {
		if je.File == "" {
			ne := *je
			p := s.file.Position(s.pos)
			ne.File, ne.Line, ne.Column = p.File, p.Line, p.Column
			panic(&ne)
		}
		panic(je)
	}
	panic(s.newError("TemplateRuntimeError", err.Error(), err))
}

// returnSignal carries dbt's return(value) out of a host function.
type returnSignal struct{ value any }

func (r *returnSignal) Error() string { return "return() outside of a macro" }

// Return makes the macro that is executing return v instead of its output
// (dbt's return()). Host functions return it as their error.
func Return(v any) error { return &returnSignal{value: Normalize(v)} }
