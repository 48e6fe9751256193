package project

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/gdbt/gdbt/compiler/jinja"
	"github.com/gdbt/gdbt/compiler/source"
)

// SecretPrefix marks environment variables whose values are secrets. dbt
// lets them be read only in profiles.yml and packages.yml.
const SecretPrefix = "DBT_ENV_SECRET_"

// secretPlaceholder wraps a secret's name while its template renders, so
// filters and string operations never see the value (dbt does the same).
const (
	secretStart = "$$$DBT_SECRET_START$$$"
	secretEnd   = "$$$DBT_SECRET_END$$$"
)

// DBTVersion is the dbt-core version gdbt follows; it is what dbt_version
// returns and what require-dbt-version is checked against.
const DBTVersion = "1.12.6"

// renderer renders YAML values the way dbt's config renderers do: each
// string through Jinja in native mode, so "{{ 5 }}" becomes 5.
type renderer struct {
	env     *jinja.Environment
	getenv  func(string) (string, bool)
	secret  bool   // profiles.yml / packages.yml: secret env vars allowed
	vars    *Value // the vars var() sees (cli vars, plus vars.yml for the root)
	target  *jinja.Dict
	secrets *Secrets
	envUsed map[string]string // env vars read, for partial parsing later
	// noProfile makes target an object whose every attribute is "", as
	// dbt's deps and clean load projects without a profile.
	noProfile bool
	// skip decides which key paths dbt leaves unrendered.
	skip func(path []string) bool
}

// markerKind says how a value passed through an as_* filter converts.
type markerKind uint8

const (
	markText markerKind = iota + 1
	markNative
	markBool
	markNumber
)

// marker is what dbt's as_text/as_native/as_bool/as_number filters return:
// a string tagged with the conversion to apply when it is the whole value.
type marker struct {
	kind markerKind
	text string
}

func (m marker) String() string { return m.text }

func newRenderEnv() *jinja.Environment {
	env := jinja.NewEnvironment()
	for name, k := range map[string]markerKind{"as_text": markText, "as_native": markNative, "as_bool": markBool, "as_number": markNumber} {
		k := k
		env.AddFilter(name, func(s *jinja.State, v any, _ *jinja.Args) any {
			return marker{kind: k, text: jinja.ToString(v)}
		})
	}
	return env
}

// emptyTarget is dbt's target without a profile: every attribute is "".
type emptyTarget struct{}

// Attr implements jinja.Object.
func (emptyTarget) Attr(string) (any, bool) { return "", true }

// Repr prints it as the empty dict it is in dbt.
func (emptyTarget) Repr() string { return "{}" }

// hostFunc is a named host function; it prints like a Python function
// (a bare jinja.Func has no printed form).
type hostFunc struct {
	name string
	fn   jinja.Func
}

// Call implements jinja.Callable.
func (h hostFunc) Call(s *jinja.State, a *jinja.Args) any { return h.fn.Call(s, a) }

// Repr implements the engine's repr hook.
func (h hostFunc) Repr() string { return "<function " + h.name + ">" }

// envError is returned by the env_var and var host functions so the
// renderer can report dbt's message without the template wrapper.
type envError struct{ msg string }

func (e *envError) Error() string { return e.msg }

const captureName = "__gdbt_capture__"

func (r *renderer) context() jinja.Vars {
	ctx := jinja.Vars{
		"env_var":     hostFunc{"env_var", r.envVar},
		"var":         hostFunc{"var", r.varFunc},
		"dbt_version": DBTVersion,
		captureName: hostFunc{captureName, func(s *jinja.State, a *jinja.Args) (any, error) {
			if a.Len() != 1 {
				return nil, fmt.Errorf("internal: capture takes one value")
			}
			return nil, jinja.Return(a.Pos[0])
		}},
	}
	if r.target != nil {
		ctx["target"] = r.target
	} else if r.noProfile {
		ctx["target"] = emptyTarget{}
	}
	return ctx
}

func (r *renderer) envVar(s *jinja.State, a *jinja.Args) (any, error) {
	b := a.Bind(s, "env_var", "var", "default")
	name, ok := b[0].(string)
	if !ok {
		if jinja.IsMissing(b[0]) {
			return nil, &envError{"env_var() missing 1 required positional argument: 'var'"}
		}
		name = jinja.ToString(b[0])
	}
	secret := strings.HasPrefix(name, SecretPrefix)
	if secret && !r.secret {
		return nil, &envError{fmt.Sprintf("Secret env vars are allowed only in profiles.yml or packages.yml. Found '%s' referenced elsewhere.", name)}
	}
	val, found := r.getenv(name)
	if found {
		if secret {
			r.secrets.Add(val)
			return secretStart + name + secretEnd, nil
		}
		r.envUsed[name] = val
		return val, nil
	}
	if def := b[1]; !jinja.IsMissing(def) && def != nil {
		if !secret {
			r.envUsed[name] = "DBT_DEFAULT_PLACEHOLDER"
		}
		return def, nil
	}
	return nil, &envError{fmt.Sprintf("Env var required but not provided: '%s'", name)}
}

func (r *renderer) varFunc(s *jinja.State, a *jinja.Args) (any, error) {
	b := a.Bind(s, "var", "var_name", "default")
	name := jinja.ToString(b[0])
	if v := r.vars.Get(name); v != nil {
		if str, ok := v.Str(); ok && hasJinja(str) {
			// dbt renders string vars (as text) with the same context.
			t, err := s.Env().Parse("<var "+name+">", str)
			if err != nil {
				return nil, err
			}
			return t.Execute(r.context(), nil)
		}
		return v.ToJinja(), nil
	}
	if !jinja.IsMissing(b[1]) {
		return b[1], nil
	}
	return nil, &envError{fmt.Sprintf("Required var '%s' not found in config:\nVars supplied to <Configuration> = %s", name, prettyVars(r.vars))}
}

// prettyVars prints vars as dbt does in its missing-var error: sorted JSON
// with four-space indentation.
func prettyVars(v *Value) string {
	m, _ := v.Interface().(map[string]any)
	if m == nil {
		m = map[string]any{}
	}
	out, err := json.MarshalIndent(m, "", "    ")
	if err != nil {
		return "{}"
	}
	return string(out)
}

func hasJinja(s string) bool {
	return strings.Contains(s, "{{") || strings.Contains(s, "{%") || strings.Contains(s, "{#") ||
		strings.Contains(s, "}}") || strings.Contains(s, "%}") || strings.Contains(s, "#}")
}

// renderTree renders every string in v whose key path dbt renders.
func (r *renderer) renderTree(v *Value, path []string) (*Value, error) {
	if v == nil {
		return nil, nil
	}
	if r.skip != nil && r.skip(path) {
		return v, nil
	}
	switch v.Kind {
	case String:
		return r.renderValue(v, path)
	case List:
		out := *v
		out.Items = make([]*Value, len(v.Items))
		for i, it := range v.Items {
			x, err := r.renderTree(it, append(path, fmt.Sprintf("#%d", i)))
			if err != nil {
				return nil, err
			}
			out.Items[i] = x
		}
		return &out, nil
	case Map:
		out := *v
		out.Entries = make([]Entry, len(v.Entries))
		for i, e := range v.Entries {
			x, err := r.renderTree(e.Value, append(path, e.Key))
			if err != nil {
				return nil, err
			}
			out.Entries[i] = Entry{Key: e.Key, KeyPos: e.KeyPos, Value: x}
		}
		return &out, nil
	}
	return v, nil
}

// renderValue renders one string scalar in native mode.
func (r *renderer) renderValue(v *Value, path []string) (*Value, error) {
	src := v.Scalar.(string)
	x, err := r.renderNative(src, v.Pos)
	if err != nil {
		// A password that is not valid Jinja is taken literally (dbt does
		// this in profiles, where passwords may contain "{#" and the like).
		if r.secret && len(path) > 0 && path[len(path)-1] == "password" {
			x = src
		} else {
			return nil, err
		}
	}
	if r.secret {
		if s, ok := x.(string); ok && strings.Contains(s, SecretPrefix) {
			x = r.revealSecrets(s)
		}
	}
	return fromJinja(x, v.Pos), nil
}

// revealSecrets swaps secret placeholders for their values after rendering.
func (r *renderer) revealSecrets(s string) string {
	for {
		i := strings.Index(s, secretStart+SecretPrefix)
		if i < 0 {
			return s
		}
		j := strings.Index(s[i+len(secretStart):], secretEnd)
		if j < 0 {
			return s
		}
		name := s[i+len(secretStart) : i+len(secretStart)+j]
		val, _ := r.getenv(name)
		s = s[:i] + val + s[i+len(secretStart)+j+len(secretEnd):]
	}
}

// renderNative renders src and converts the result the way dbt's native
// Jinja environment does:
//   - constant text and constant {{ }} expressions are Python-literal
//     evaluated ("5" → 5, "True" → True, "abc" stays "abc");
//   - a template that is a single dynamic {{ expr }} returns expr's value
//     (a string from env_var stays a string);
//   - as_text/as_native/as_bool/as_number on the single expression decide
//     the conversion;
//   - several pieces concatenate to a string.
func (r *renderer) renderNative(src string, pos source.Position) (any, error) {
	if !hasJinja(src) {
		// Plain text is one constant piece; skip the parser.
		text := strings.ReplaceAll(strings.ReplaceAll(src, "\r\n", "\n"), "\r", "\n")
		text = strings.TrimSuffix(text, "\n")
		if x, err := literalEvalStrict(text); err == nil {
			return x, nil
		}
		return text, nil
	}
	t, err := r.env.Parse(pos.File, src)
	if err != nil {
		return nil, r.templateError(src, pos, err)
	}
	body := t.Body()
	simple := true
	chunks := 0
	lastConst := false
	var single *jinja.OutputNode
	for _, n := range body {
		switch n := n.(type) {
		case *jinja.TextNode:
			if !lastConst {
				chunks++
			}
			lastConst = true
		case *jinja.OutputNode:
			if isConstExpr(n.X) {
				if !lastConst {
					chunks++
				}
				lastConst = true
			} else {
				chunks++
				lastConst = false
				single = n
			}
		default:
			simple = false
		}
	}
	ctx := r.context()
	if simple && chunks == 1 && single != nil && len(body) == 1 {
		// Evaluate the expression itself: the template's body is replaced by
		// a call that returns the value (this template is ours alone).
		body[0] = &jinja.OutputNode{X: &jinja.CallExpr{Fn: &jinja.NameExpr{Name: captureName}, Args: []jinja.Expr{single.X}}}
		_, ret, err := t.ExecuteReturn(ctx, nil)
		if err != nil {
			return nil, r.templateError(src, pos, err)
		}
		return convertMarker(ret, src, pos)
	}
	out, err := t.Execute(ctx, nil)
	if err != nil {
		return nil, r.templateError(src, pos, err)
	}
	if simple && chunks > 1 {
		return out, nil
	}
	if chunks == 0 && simple {
		return "", nil
	}
	// One constant piece (or control flow whose output we cannot split into
	// pieces): Python-literal evaluate it, keeping leading blanks significant
	// as Jinja2's compile-time folding does.
	if x, err := literalEvalStrict(out); err == nil {
		return x, nil
	}
	return out, nil
}

func literalEvalStrict(s string) (any, error) {
	if strings.HasPrefix(s, " ") || strings.HasPrefix(s, "\t") {
		return nil, errNotLiteral
	}
	return literalEval(s)
}

func convertMarker(ret any, src string, pos source.Position) (any, error) {
	m, ok := ret.(marker)
	if !ok {
		if _, undef := ret.(*jinja.Undefined); undef {
			return "", nil
		}
		return ret, nil
	}
	if m.kind == markText {
		return m.text, nil
	}
	x, err := literalEval(m.text)
	if err != nil {
		x = m.text
	}
	switch m.kind {
	case markBool:
		if _, ok := x.(bool); !ok {
			return nil, errAt(pos, ErrRender, fmt.Sprintf("Could not render %s: Could not convert value '%s' into type 'bool'", src, m.text))
		}
	case markNumber:
		switch x.(type) {
		case int64, float64:
		default:
			return nil, errAt(pos, ErrRender, fmt.Sprintf("Could not render %s: Could not convert value '%s' into type 'number'", src, m.text))
		}
	}
	return x, nil
}

// isConstExpr reports whether Jinja2 would fold e at compile time.
func isConstExpr(e jinja.Expr) bool {
	switch x := e.(type) {
	case *jinja.ConstExpr:
		return true
	case *jinja.ListExpr:
		for _, it := range x.Items {
			if !isConstExpr(it) {
				return false
			}
		}
		return true
	case *jinja.TupleExpr:
		for _, it := range x.Items {
			if !isConstExpr(it) {
				return false
			}
		}
		return true
	case *jinja.DictExpr:
		for i := range x.Keys {
			if !isConstExpr(x.Keys[i]) || !isConstExpr(x.Values[i]) {
				return false
			}
		}
		return true
	case *jinja.UnaryExpr:
		return isConstExpr(x.X)
	case *jinja.BinaryExpr:
		return isConstExpr(x.L) && isConstExpr(x.R)
	}
	return false
}

// templateError positions a template error at the YAML value; the place
// inside the value is added to the message.
func (r *renderer) templateError(src string, pos source.Position, err error) error {
	var ee *envError
	if errors.As(err, &ee) {
		return errAt(pos, ErrRender, r.secrets.Redact(ee.msg))
	}
	var le *Error
	if errors.As(err, &le) {
		return le
	}
	msg := err.Error()
	var je *jinja.Error
	if errors.As(err, &je) {
		msg = je.Kind + ": " + je.Msg
	}
	if je != nil && je.Line > 0 {
		msg += fmt.Sprintf(" (line %d, column %d of the value)", je.Line, je.Column)
	}
	return errAt(pos, ErrRender, r.secrets.Redact(fmt.Sprintf("Could not render %s: %s", src, msg)))
}

// ---------------------------------------------------------------------------
// Secrets

// Secrets collects secret values so they can be scrubbed from any text
// gdbt prints.
type Secrets struct{ values []string }

// Add records a secret value.
func (s *Secrets) Add(v string) {
	if s == nil || strings.TrimSpace(v) == "" {
		return
	}
	for _, x := range s.values {
		if x == v {
			return
		}
	}
	s.values = append(s.values, v)
	// Longest first, so a secret that contains another is masked whole.
	sort.SliceStable(s.values, func(i, j int) bool { return len(s.values[i]) > len(s.values[j]) })
}

// Redact replaces every known secret value in text with *****.
func (s *Secrets) Redact(text string) string {
	if s == nil {
		return text
	}
	for _, v := range s.values {
		text = strings.ReplaceAll(text, v, "*****")
	}
	return text
}

// SecretsFromEnviron collects the values of DBT_ENV_SECRET_* variables from
// an environment list (os.Environ's format).
func SecretsFromEnviron(environ []string) *Secrets {
	s := &Secrets{}
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok && strings.HasPrefix(k, SecretPrefix) {
			s.Add(v)
		}
	}
	return s
}
