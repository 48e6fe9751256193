package jinja

// Context resolves the global names of a render: host variables first, then
// the environment's globals. dbt implements it to build its large context
// lazily instead of filling a map per model.
type Context interface {
	Resolve(name string) (any, bool)
}

// CaptureUndefined is implemented by a Context under which an undefined
// value can be called and its attributes and items read, each giving an
// undefined value again, as dbt's parse-time rendering (capture_macros)
// allows: a call to a macro that does not exist parses and fails only when
// the node is compiled.
type CaptureUndefined interface {
	CaptureUndefined() bool
}

// capturing reports whether u may be called or looked into: a plain
// undefined value under a CaptureUndefined context.
func (s *State) capturing(u *Undefined) bool {
	if u.Kind != "" && u.Kind != "UndefinedError" {
		return false
	}
	c, ok := s.ctx.(CaptureUndefined)
	return ok && c.CaptureUndefined()
}

// Vars is a Context backed by a map.
type Vars map[string]any

// Resolve implements Context.
func (v Vars) Resolve(name string) (any, bool) {
	x, ok := v[name]
	return x, ok
}

// Environment holds the filters, tests and globals shared by templates.
// Configure it before parsing; it is safe for concurrent use afterwards.
type Environment struct {
	filters map[string]FilterFunc
	tests   map[string]TestFunc
	globals map[string]any
	blocks  map[string]BlockTag

	// MaxSteps bounds the statements and loop iterations one render may
	// execute (0 means no bound). Fuzzing and untrusted input set it.
	MaxSteps int
}

// NewEnvironment returns an environment with Jinja2's builtins and dbt's
// settings: the do and loopcontrols extensions, autoescape off, the
// sandbox's attribute rules.
func NewEnvironment() *Environment {
	e := &Environment{
		filters: make(map[string]FilterFunc, len(builtinFilters)),
		tests:   make(map[string]TestFunc, len(builtinTests)),
		globals: map[string]any{},
		blocks:  map[string]BlockTag{},
	}
	for k, v := range builtinFilters {
		e.filters[k] = v
	}
	for k, v := range builtinTests {
		e.tests[k] = v
	}
	for k, v := range builtinGlobals() {
		e.globals[k] = v
	}
	return e
}

// AddFilter registers a filter.
func (e *Environment) AddFilter(name string, f FilterFunc) { e.filters[name] = f }

// AddTest registers a test.
func (e *Environment) AddTest(name string, t TestFunc) { e.tests[name] = t }

// AddGlobal registers a global value or function.
func (e *Environment) AddGlobal(name string, v any) { e.globals[name] = Normalize(v) }

// Filter returns a registered filter.
func (e *Environment) Filter(name string) (FilterFunc, bool) { f, ok := e.filters[name]; return f, ok }

// Test returns a registered test.
func (e *Environment) Test(name string) (TestFunc, bool) { t, ok := e.tests[name]; return t, ok }
