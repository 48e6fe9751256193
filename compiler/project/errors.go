package project

import (
	"errors"

	"github.com/gdbt/gdbt/compiler/source"
)

// Error categories; test with errors.Is.
var (
	ErrYAML     = errors.New("invalid YAML")
	ErrProject  = errors.New("invalid project")
	ErrProfile  = errors.New("invalid profile")
	ErrRender   = errors.New("rendering failed")
	ErrPackage  = errors.New("package error")
	ErrNetwork  = errors.New("network access needed")
	ErrClean    = errors.New("refusing to clean")
	ErrNotFound = errors.New("not found")
)

// Error is a positioned project-loading error. Pos.Line is 0 when the
// problem is a whole file (a missing dbt_project.yml).
type Error struct {
	Pos source.Position
	Msg string
	Err error // category (ErrYAML, ErrProfile, …) or cause
}

func (e *Error) Error() string {
	if e.Pos.File == "" {
		return e.Msg
	}
	return e.Pos.String() + ": " + e.Msg
}

// Unwrap exposes the category for errors.Is.
func (e *Error) Unwrap() error { return e.Err }

func errAt(pos source.Position, cat error, msg string) *Error {
	return &Error{Pos: pos, Msg: msg, Err: cat}
}
