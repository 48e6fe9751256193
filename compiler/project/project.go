// Package project loads a dbt project the way dbt-core 1.12 does:
// dbt_project.yml (rendered with env_var, var and target), profiles.yml,
// packages.yml / dependencies.yml with their installed or local packages,
// vars.yml, selectors.yml, and the list of files each parser reads.
package project

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	"github.com/gdbt/gdbt/compiler/jinja"
	"github.com/gdbt/gdbt/compiler/source"
	"gopkg.in/yaml.v3"
)

// File names dbt reads from a project root.
const (
	ProjectFile      = "dbt_project.yml"
	PackagesFile     = "packages.yml"
	DependenciesFile = "dependencies.yml"
	SelectorsFile    = "selectors.yml"
	VarsFile         = "vars.yml"
	ProfilesFile     = "profiles.yml"
	IgnoreFile       = ".dbtignore"
)

// Options are the command-line settings that change how a project loads.
type Options struct {
	ProfilesDir string // --profiles-dir; else DBT_PROFILES_DIR, the working directory, ~/.dbt
	Target      string // --target
	Profile     string // --profile: overrides dbt_project.yml's profile
	Vars        string // --vars: a YAML or JSON mapping
	Threads     int    // --threads; 0 keeps the profile's value
	// Env looks up environment variables; nil means os.LookupEnv.
	Env func(string) (string, bool)
	// Environ lists the environment for secret redaction; nil means
	// os.Environ when Env is nil, and nothing otherwise.
	Environ func() []string
	// WorkDir is where dbt looks for profiles.yml before ~/.dbt; "" means
	// the process's working directory.
	WorkDir string
	// HomeDir replaces the user's home directory (tests).
	HomeDir string
	// NoProfile loads without profiles.yml, as dbt deps and clean do; target
	// is then undefined in dbt_project.yml.
	NoProfile bool
	// NoVersionCheck skips require-dbt-version (--no-version-check).
	NoVersionCheck bool
}

// Project is a loaded dbt project. The root project also holds the profile
// and its dependencies; a dependency's Deps is empty.
type Project struct {
	Name          string
	Version       string // as written; "" when absent
	ConfigVersion int
	Root          string // absolute directory
	ProfileName   string // after --profile

	ModelPaths, SeedPaths, SnapshotPaths, TestPaths  []string
	MacroPaths, AnalysisPaths, DocsPaths, AssetPaths []string
	FunctionPaths                                    []string
	TargetPath, LogPath, PackagesInstallPath         string
	CleanTargets                                     []string

	// Vars is the project's vars: block (or vars.yml's), unrendered: dbt
	// renders var values when they are used.
	Vars *Value
	// Configs holds the resource config trees by dbt_project.yml key
	// (models, seeds, snapshots, data_tests, sources, exposures, unit_tests,
	// analyses, metrics, semantic-models, saved-queries, functions).
	Configs map[string]*Value
	// Unrendered holds the same trees before Jinja rendering (dbt keeps
	// them for unrendered_config and state comparison).
	Unrendered map[string]*Value

	OnRunStart, OnRunEnd []Hook // unrendered; dbt renders hooks at run time
	Dispatch             []Dispatch
	Quoting              *Value
	Flags                *Value
	QueryComment         *Value // unrendered
	RequireDBTVersion    []string
	RestrictAccess       bool

	merged sync.Map // mergedLevels' memo: kind + matched fqn → *Value

	Packages     []Package // from packages.yml or dependencies.yml
	PackagesFile string    // the file they came from ("" when none)

	// Selectors is selectors.yml's document node, unparsed, when present.
	Selectors *yaml.Node

	Profile *Profile // root project only; nil with NoProfile

	// Deps are the package projects, sorted by name; Dependency looks one up.
	Deps []*Project

	// Doc is the whole rendered dbt_project.yml.
	Doc *Value
	// EnvVars are the environment variables read while rendering.
	EnvVars map[string]string

	cliVars *Value
	root    *Project
	secrets *Secrets
}

// Hook is an on-run-start/on-run-end statement, kept as written.
type Hook struct {
	SQL string
	Pos source.Position
}

// Dispatch is one dispatch: entry.
type Dispatch struct {
	MacroNamespace string   `json:"macro_namespace"`
	SearchOrder    []string `json:"search_order"`
}

// Dependency returns the package project called name (or the root itself).
func (p *Project) Dependency(name string) *Project {
	r := p.Root0()
	if r.Name == name {
		return r
	}
	for _, d := range r.Deps {
		if d.Name == name {
			return d
		}
	}
	return nil
}

// Root0 returns the root project this project was loaded for.
func (p *Project) Root0() *Project {
	if p.root != nil {
		return p.root
	}
	return p
}

// All returns the root project followed by its dependencies.
func (p *Project) All() []*Project {
	r := p.Root0()
	return append([]*Project{r}, r.Deps...)
}

// Redact replaces every secret value known to the load with *****.
func (p *Project) Redact(s string) string { return p.Root0().secrets.Redact(s) }

// Secrets returns the secret values known to the load.
func (p *Project) Secrets() *Secrets { return p.Root0().secrets }

// GenericTestPaths are test-paths/generic, where generic tests live.
func (p *Project) GenericTestPaths() []string {
	out := make([]string, len(p.TestPaths))
	for i, t := range p.TestPaths {
		out[i] = filepath.ToSlash(filepath.Join(t, "generic"))
	}
	return out
}

// FixturePaths are test-paths/fixtures, where unit-test fixtures live.
func (p *Project) FixturePaths() []string {
	out := make([]string, len(p.TestPaths))
	for i, t := range p.TestPaths {
		out[i] = filepath.ToSlash(filepath.Join(t, "fixtures"))
	}
	return out
}

// AllSourcePaths are the resource paths dbt searches for schema files,
// sorted and without duplicates.
func (p *Project) AllSourcePaths() []string {
	seen := map[string]bool{}
	var out []string
	for _, l := range [][]string{p.ModelPaths, p.SeedPaths, p.SnapshotPaths, p.AnalysisPaths, p.MacroPaths, p.TestPaths, p.FunctionPaths} {
		for _, s := range l {
			s = strings.TrimRight(s, "/")
			if !seen[s] {
				seen[s] = true
				out = append(out, s)
			}
		}
	}
	sortStrings(out)
	return out
}

// Load reads the project in dir with its profile and packages.
func Load(dir string, opts Options) (p *Project, err error) {
	l, err := newLoader(opts)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			err = l.redactErr(err)
		}
	}()
	root, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	l.root = root
	raw, err := l.readProjectFile(root)
	if err != nil {
		return nil, err
	}

	varsFile, err := l.readVarsFile(root)
	if err != nil {
		return nil, err
	}
	if varsFile != nil {
		if v := raw.Get("vars"); v != nil && !(v.Kind == Map && len(v.Entries) == 0) && !v.IsNull() {
			return nil, errAt(v.Pos, ErrProject, fmt.Sprintf("Variables cannot be defined in both %s and %s.", VarsFile, ProjectFile))
		}
	}
	merged := mergeVars(varsFile, l.cliVars)

	var prof *Profile
	if !opts.NoProfile {
		prof, err = l.loadProfile(root, raw)
		if err != nil {
			return nil, err
		}
	}
	var target *jinja.Dict
	if prof != nil {
		target = prof.TargetDict()
	}
	p, err = l.buildProject(root, raw, merged, target)
	if err != nil {
		return nil, err
	}
	if varsFile != nil {
		p.Vars = varsFile
	}
	p.Profile = prof
	p.cliVars = l.cliVars
	p.secrets = l.secrets
	if err := l.loadPackagesFile(p, merged); err != nil {
		return nil, err
	}
	if err := l.loadSelectors(p); err != nil {
		return nil, err
	}
	if err := l.loadDeps(p, target); err != nil {
		return nil, err
	}
	return p, nil
}

type loader struct {
	root    string // root project directory, for file names in messages
	opts    Options
	getenv  func(string) (string, bool)
	cliVars *Value
	secrets *Secrets
	envUsed map[string]string
	env     *jinja.Environment
}

func newLoader(opts Options) (*loader, error) {
	l := &loader{opts: opts, getenv: opts.Env, envUsed: map[string]string{}, env: newRenderEnv()}
	environ := opts.Environ
	if l.getenv == nil {
		l.getenv = os.LookupEnv
		if environ == nil {
			environ = os.Environ
		}
	}
	if environ != nil {
		l.secrets = SecretsFromEnviron(environ())
	} else {
		l.secrets = &Secrets{}
	}
	cli, err := ParseVars(opts.Vars)
	if err != nil {
		return nil, err
	}
	l.cliVars = cli
	return l, nil
}

func (l *loader) redactErr(err error) error {
	msg := err.Error()
	red := l.secrets.Redact(msg)
	if red == msg {
		return err
	}
	if e, ok := err.(*Error); ok {
		c := *e
		c.Msg = l.secrets.Redact(e.Msg)
		return &c
	}
	return fmt.Errorf("%s", red)
}

// ParseVars parses a --vars string: YAML (or JSON) that must be a mapping.
func ParseVars(s string) (*Value, error) {
	empty := &Value{Kind: Map}
	if strings.TrimSpace(s) == "" {
		return empty, nil
	}
	v, err := parseYAML("--vars", []byte(s))
	if err != nil {
		return nil, err
	}
	if v == nil || v.Kind == Null {
		return nil, &Error{Pos: source.Position{File: "--vars"}, Msg: "The --vars argument must be a YAML dictionary, but was of type 'NoneType'", Err: ErrProject}
	}
	if v.Kind != Map {
		return nil, &Error{Pos: v.Pos, Msg: fmt.Sprintf("The --vars argument must be a YAML dictionary, but was of type '%s'", pyTypeName(v.Kind)), Err: ErrProject}
	}
	return v, nil
}

func pyTypeName(k Kind) string {
	return [...]string{"NoneType", "bool", "int", "float", "str", "list", "dict"}[k]
}

func mergeVars(base, over *Value) *Value {
	out := &Value{Kind: Map}
	if base != nil {
		out.Entries = append(out.Entries, base.Entries...)
	}
	if over != nil {
		for _, e := range over.Entries {
			out.set(e)
		}
	}
	return out
}

func readYAMLFile(path, display string) (*Value, bool, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, false, nil
		}
		return nil, false, &Error{Pos: source.Position{File: display}, Msg: err.Error(), Err: ErrProject}
	}
	v, err := parseYAML(display, data)
	return v, true, err
}

// display names a file in messages: relative to the root project when it
// is inside it (dbt_project.yml, dbt_packages/x/dbt_project.yml), else by
// its absolute path.
func (l *loader) display(path string) string { return displayName(l.root, path) }

func displayName(root, path string) string {
	if root != "" {
		if rel, err := filepath.Rel(root, path); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return filepath.ToSlash(rel)
		}
	}
	return path
}

func (l *loader) readProjectFile(root string) (*Value, error) {
	path := filepath.Join(root, ProjectFile)
	v, ok, err := readYAMLFile(path, l.display(path))
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, &Error{Msg: fmt.Sprintf("No %s found at expected path %s\nVerify that each entry within packages.yml (and their transitive dependencies) contains a file named %s", ProjectFile, path, ProjectFile), Err: ErrNotFound}
	}
	if v == nil || v.Kind != Map {
		pos := source.Position{File: l.display(path), Line: 1, Column: 1}
		found := "an empty file"
		if v != nil {
			pos, found = v.Pos, v.Kind.String()
		}
		return nil, errAt(pos, ErrProject, fmt.Sprintf("expected a mapping in %s, found %s", ProjectFile, found))
	}
	// dbt renames the deprecated tests: key before anything else.
	if t := v.Get("tests"); t != nil {
		if d := v.Get("data_tests"); d != nil && !isEmpty(t) && !isEmpty(d) {
			return nil, errAt(t.Pos, ErrProject, "Invalid project config: cannot have both 'tests' and 'data_tests' defined")
		}
		if !v.Has("data_tests") {
			for i := range v.Entries {
				if v.Entries[i].Key == "tests" {
					v.Entries[i].Key = "data_tests"
				}
			}
		}
	}
	return v, nil
}

func isEmpty(v *Value) bool {
	return v.IsNull() || (v.Kind == Map && len(v.Entries) == 0) || (v.Kind == List && len(v.Items) == 0)
}

func (l *loader) readVarsFile(root string) (*Value, error) {
	path := filepath.Join(root, VarsFile)
	v, ok, err := readYAMLFile(path, l.display(path))
	if err != nil || !ok || v == nil {
		return nil, err
	}
	if v.Kind != Map {
		return nil, errAt(v.Pos, ErrProject, fmt.Sprintf("expected a mapping in %s, found %s", VarsFile, v.Kind))
	}
	vars := v.Get("vars")
	if vars.IsNull() {
		return nil, nil
	}
	if vars.Kind != Map {
		return nil, errAt(vars.Pos, ErrProject, fmt.Sprintf("expected a mapping for 'vars', found %s", vars.Kind))
	}
	return vars, nil
}

// projectSkip is dbt's list of dbt_project.yml key paths rendered later:
// run hooks, the query comment, vars, and model/seed/snapshot/test hooks.
func projectSkip(path []string) bool {
	if len(path) == 0 {
		return false
	}
	switch path[0] {
	case "on-run-start", "on-run-end", "query-comment", "vars":
		return true
	case "seeds", "models", "snapshots", "tests", "data_tests":
		for _, k := range path {
			switch strings.TrimLeft(k, "+ ") {
			case "pre-hook", "post-hook", "pre_hook", "post_hook":
				return true
			}
		}
	}
	return false
}

var nameRe = regexp.MustCompile(`^[\p{L}_][\p{L}\p{N}_]*$`)

// configKeys are the dbt_project.yml keys holding resource config trees.
var configKeys = []string{"models", "seeds", "snapshots", "data_tests", "sources", "exposures", "unit_tests", "analyses", "metrics", "semantic-models", "saved-queries", "functions"}

// buildProject renders a raw dbt_project.yml and reads its fields.
func (l *loader) buildProject(root string, raw *Value, vars *Value, target *jinja.Dict) (*Project, error) {
	r := &renderer{env: l.env, getenv: l.getenv, vars: vars, target: target, noProfile: l.opts.NoProfile, secrets: l.secrets, envUsed: map[string]string{}, skip: projectSkip}
	doc, err := r.renderTree(raw, nil)
	if err != nil {
		return nil, err
	}
	p := &Project{Root: root, Doc: doc, EnvVars: r.envUsed, Configs: map[string]*Value{}, Unrendered: map[string]*Value{}}
	f := fields{doc: doc}

	nameV := doc.Get("name")
	if nameV.IsNull() {
		return nil, errAt(doc.Pos, ErrProject, "Required \"name\" field not present in project")
	}
	p.Name = f.str("name", "")
	if f.err == nil && !nameRe.MatchString(p.Name) {
		return nil, errAt(nameV.Pos, ErrProject, fmt.Sprintf("invalid project name '%s': expected letters, digits and underscores, not starting with a digit", p.Name))
	}
	if v := doc.Get("version"); !v.IsNull() {
		switch v.Kind {
		case String:
			p.Version = v.Scalar.(string)
		case Int, Float:
			p.Version = jinja.ToString(v.Scalar)
		default:
			f.fail(v, "version", "a string or a number")
		}
	}
	p.ConfigVersion = 2
	if v := doc.Get("config-version"); !v.IsNull() {
		if v.Kind != Int {
			f.fail(v, "config-version", "an integer")
		} else if v.Scalar.(int64) != 2 {
			return nil, errAt(v.Pos, ErrProject, fmt.Sprintf("expected config-version 2, found %d", v.Scalar.(int64)))
		} else {
			p.ConfigVersion = 2
		}
	}
	p.ProfileName = f.str("profile", "")

	for _, dep := range [][2]string{{"source-paths", "model-paths"}, {"data-paths", "seed-paths"}} {
		if v := doc.Get(dep[0]); v != nil && doc.Has(dep[1]) {
			return nil, errAt(v.Pos, ErrProject, fmt.Sprintf("%s and %s cannot both be defined. The `%s` config has been deprecated in favor of `%s`. Please update your `%s` configuration to reflect this change.", dep[0], dep[1], dep[0], dep[1], ProjectFile))
		}
	}
	p.ModelPaths = f.strList("model-paths", nil)
	if p.ModelPaths == nil {
		p.ModelPaths = f.strList("source-paths", []string{"models"})
	}
	p.SeedPaths = f.strList("seed-paths", nil)
	if p.SeedPaths == nil {
		p.SeedPaths = f.strList("data-paths", []string{"seeds"})
	}
	p.MacroPaths = f.strList("macro-paths", []string{"macros"})
	p.TestPaths = f.strList("test-paths", []string{"tests"})
	p.AnalysisPaths = f.strList("analysis-paths", []string{"analyses"})
	p.SnapshotPaths = f.strList("snapshot-paths", []string{"snapshots"})
	p.FunctionPaths = f.strList("function-paths", []string{"functions"})
	p.DocsPaths = f.strList("docs-paths", nil)
	if p.DocsPaths == nil {
		p.DocsPaths = p.AllSourcePaths()
	}
	p.AssetPaths = f.strList("asset-paths", []string{})
	p.TargetPath = f.str("target-path", "target")
	p.LogPath = f.str("log-path", "logs")
	p.CleanTargets = f.strList("clean-targets", []string{p.TargetPath})
	p.PackagesInstallPath = f.str("packages-install-path", "dbt_packages")

	// Vars are never rendered at load; keep the raw tree.
	p.Vars = raw.Get("vars")
	if p.Vars.IsNull() {
		p.Vars = &Value{Kind: Map, Pos: doc.Pos}
	} else if p.Vars.Kind != Map {
		f.fail(p.Vars, "vars", "a mapping")
	}
	for _, k := range configKeys {
		v := doc.Get(k)
		if v.IsNull() {
			v = &Value{Kind: Map, Pos: doc.Pos}
		} else if v.Kind != Map {
			f.fail(v, k, "a mapping")
			continue
		}
		p.Configs[k] = v
		u := raw.Get(k)
		if u.IsNull() {
			u = &Value{Kind: Map, Pos: doc.Pos}
		}
		p.Unrendered[k] = u
	}

	p.OnRunStart = f.hooks("on-run-start")
	p.OnRunEnd = f.hooks("on-run-end")
	if v := doc.Get("dispatch"); !v.IsNull() {
		if v.Kind != List {
			f.fail(v, "dispatch", "a list")
		} else {
			for _, e := range v.Items {
				ns := e.Get("macro_namespace")
				so := e.Get("search_order")
				if e.Kind != Map || ns == nil || so == nil || so.Kind != List {
					return nil, errAt(e.Pos, ErrProject, "Invalid project dispatch config: expected a mapping with 'macro_namespace' and a 'search_order' list")
				}
				d := Dispatch{MacroNamespace: jinja.ToString(ns.Scalar)}
				for _, s := range so.Items {
					if s.Kind != String {
						f.fail(s, "search_order", "a string")
						continue
					}
					d.SearchOrder = append(d.SearchOrder, s.Scalar.(string))
				}
				p.Dispatch = append(p.Dispatch, d)
			}
		}
	}
	p.Quoting = f.mapping("quoting")
	p.Flags = f.mapping("flags")
	p.QueryComment = doc.Get("query-comment")
	if v := doc.Get("require-dbt-version"); !v.IsNull() {
		switch v.Kind {
		case String:
			for _, s := range strings.Split(v.Scalar.(string), ",") {
				p.RequireDBTVersion = append(p.RequireDBTVersion, strings.TrimSpace(s))
			}
		case List:
			p.RequireDBTVersion = f.strList("require-dbt-version", nil)
		default:
			f.fail(v, "require-dbt-version", "a string or a list of strings")
		}
	}
	if v := doc.Get("restrict-access"); !v.IsNull() {
		if v.Kind != Bool {
			f.fail(v, "restrict-access", "a boolean")
		} else {
			p.RestrictAccess = v.Scalar.(bool)
		}
	}
	if f.err != nil {
		return nil, f.err
	}
	if !l.opts.NoVersionCheck && len(p.RequireDBTVersion) > 0 {
		if err := checkVersion(p.Name, p.RequireDBTVersion, doc.Get("require-dbt-version").Pos); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// fields reads typed fields out of a mapping, keeping the first error.
type fields struct {
	doc *Value
	err error
}

func (f *fields) fail(v *Value, key, want string) {
	if f.err == nil {
		f.err = errAt(v.Pos, ErrProject, fmt.Sprintf("expected %s for '%s', found %s", want, key, describe(v)))
	}
}

func describe(v *Value) string {
	switch v.Kind {
	case String:
		return fmt.Sprintf("a string (%q)", v.Scalar)
	case Int, Float, Bool:
		return fmt.Sprintf("%s (%s)", v.Kind, jinja.ToString(v.Scalar))
	}
	return v.Kind.String()
}

func (f *fields) str(key, def string) string {
	v := f.doc.Get(key)
	if v.IsNull() {
		return def
	}
	if v.Kind != String {
		f.fail(v, key, "a string")
		return def
	}
	return v.Scalar.(string)
}

func (f *fields) strList(key string, def []string) []string {
	v := f.doc.Get(key)
	if v.IsNull() {
		return def
	}
	if v.Kind != List {
		f.fail(v, key, "a list of strings")
		return def
	}
	out := make([]string, 0, len(v.Items))
	for _, it := range v.Items {
		if it.Kind != String {
			f.fail(it, key, "a string")
			continue
		}
		out = append(out, it.Scalar.(string))
	}
	return out
}

func (f *fields) mapping(key string) *Value {
	v := f.doc.Get(key)
	if v.IsNull() {
		return &Value{Kind: Map, Pos: f.doc.Pos}
	}
	if v.Kind != Map {
		f.fail(v, key, "a mapping")
	}
	return v
}

// hooks reads on-run-start/on-run-end: a string or a list of strings.
func (f *fields) hooks(key string) []Hook {
	v := f.doc.Get(key)
	if v.IsNull() {
		return nil
	}
	one := func(it *Value) (Hook, bool) {
		if it.Kind != String {
			f.fail(it, key, "a string")
			return Hook{}, false
		}
		return Hook{SQL: it.Scalar.(string), Pos: it.Pos}, true
	}
	if v.Kind == List {
		var out []Hook
		for _, it := range v.Items {
			if h, ok := one(it); ok {
				out = append(out, h)
			}
		}
		return out
	}
	if h, ok := one(v); ok {
		return []Hook{h}
	}
	return nil
}
