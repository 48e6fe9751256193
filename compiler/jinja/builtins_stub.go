package jinja

// Placeholders until the builtins land (filters.go, tests.go, methods.go,
// format.go replace this file).

// FilterFunc implements {{ v | name(args) }}.
type FilterFunc func(s *State, v any, args *Args) any

// TestFunc implements {{ v is name(args) }}.
type TestFunc func(s *State, v any, args *Args) bool

var builtinFilters = map[string]FilterFunc{}
var builtinTests = map[string]TestFunc{}

func hasMethod(recv any, name string) bool { return false }

func callMethod(s *State, recv any, name string, args *Args) (any, bool) { return nil, false }

func builtinGlobals() map[string]any { return map[string]any{} }
