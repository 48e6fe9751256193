package project

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/gdbt/gdbt/compiler/jinja"
)

const fixtures = "../../fixtures/projects"

var update = os.Getenv("UPDATE_GOLDEN") != ""

// testEnv is an environment for Options.Env and Options.Environ.
func testEnv(kv map[string]string) (func(string) (string, bool), func() []string) {
	return func(k string) (string, bool) {
			v, ok := kv[k]
			return v, ok
		}, func() []string {
			var out []string
			for k, v := range kv {
				out = append(out, k+"="+v)
			}
			return out
		}
}

func opts(env map[string]string, o Options) Options {
	o.Env, o.Environ = testEnv(env)
	if o.WorkDir == "" {
		o.WorkDir = "/nonexistent-workdir"
	}
	if o.HomeDir == "" {
		o.HomeDir = "/nonexistent-home"
	}
	return o
}

const secret = "s3cr3t-Pa55"

// golden compares got with testdata/name, rewriting it under UPDATE_GOLDEN.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("missing golden (run with UPDATE_GOLDEN=1): %v", err)
	}
	if !bytes.Equal(want, got) {
		t.Errorf("%s differs from golden:\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// dumpProject renders what a loaded project holds as stable JSON.
func dumpProject(t *testing.T, p *Project) []byte {
	t.Helper()
	rel := func(s string) string {
		r, err := filepath.Rel(p.Root, s)
		if err != nil {
			return s
		}
		return filepath.ToSlash(r)
	}
	type profileDump struct {
		Name, Target, Type, Host, User, Password, Database, Schema string
		Port, Threads                                              int
		SSLMode, SearchPath, Role, ApplicationName                 string
		ConnectTimeout, KeepalivesIdle, Retries                    int
		Path                                                       string
		Target_                                                    any `json:"TargetDict"`
	}
	d := map[string]any{
		"name":                p.Name,
		"version":             p.Version,
		"config_version":      p.ConfigVersion,
		"profile_name":        p.ProfileName,
		"model_paths":         p.ModelPaths,
		"seed_paths":          p.SeedPaths,
		"snapshot_paths":      p.SnapshotPaths,
		"test_paths":          p.TestPaths,
		"macro_paths":         p.MacroPaths,
		"analysis_paths":      p.AnalysisPaths,
		"docs_paths":          p.DocsPaths,
		"asset_paths":         p.AssetPaths,
		"target_path":         p.TargetPath,
		"log_path":            p.LogPath,
		"clean_targets":       p.CleanTargets,
		"packages_path":       p.PackagesInstallPath,
		"vars":                p.Vars,
		"configs":             p.Configs,
		"dispatch":            p.Dispatch,
		"quoting":             p.Quoting,
		"flags":               p.Flags,
		"query_comment":       p.QueryComment,
		"require_dbt_version": p.RequireDBTVersion,
		"packages_file":       p.PackagesFile,
		"env_vars":            p.EnvVars,
	}
	var hooks [2][]string
	for i, hs := range [][]Hook{p.OnRunStart, p.OnRunEnd} {
		for _, h := range hs {
			hooks[i] = append(hooks[i], h.SQL+" @"+h.Pos.String())
		}
	}
	d["on_run_start"], d["on_run_end"] = hooks[0], hooks[1]
	var pkgs []string
	for _, pk := range p.Packages {
		pkgs = append(pkgs, string(pk.Kind)+":"+pk.String())
	}
	d["packages"] = pkgs
	var deps []string
	for _, dp := range p.Deps {
		deps = append(deps, dp.Name+" @ "+rel(dp.Root))
	}
	d["deps"] = deps
	if pr := p.Profile; pr != nil {
		td := pr.TargetDict()
		d["profile"] = profileDump{
			Name: pr.Name, Target: pr.TargetName, Type: pr.Type, Host: pr.Host, User: pr.User,
			Password: p.Redact(pr.Password), Database: pr.Database, Schema: pr.Schema, Port: pr.Port,
			Threads: pr.Threads, SSLMode: pr.SSLMode, SearchPath: pr.SearchPath, Role: pr.Role,
			ApplicationName: pr.ApplicationName, ConnectTimeout: pr.ConnectTimeout,
			KeepalivesIdle: pr.KeepalivesIdle, Retries: pr.Retries, Path: rel(pr.Path),
			Target_: jinja.Repr(td),
		}
	}
	files := map[string][]string{}
	for _, proj := range p.All() {
		fs, err := proj.Discover(context.Background())
		if err != nil {
			t.Fatalf("discover %s: %v", proj.Name, err)
		}
		for k, l := range fs.ByKind {
			for _, f := range l {
				key := proj.Name + "/" + FileKind(k).String()
				files[key] = append(files[key], f.Path+" ("+f.SearchPath+")")
			}
		}
	}
	d["files"] = files
	out, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(out, '\n')
}

func TestLoadGolden(t *testing.T) {
	defaultsDir := filepath.Join(fixtures, "project_defaults")
	baseEnv := map[string]string{"DBT_ENV_SECRET_PG_PASSWORD": secret, "PROD_HOST": "db.prod.internal"}
	cases := []struct {
		name string
		dir  string
		env  map[string]string
		opts Options
	}{
		{"defaults", "project_defaults", baseEnv, Options{ProfilesDir: defaultsDir}},
		{"defaults_target_prod", "project_defaults", baseEnv, Options{ProfilesDir: defaultsDir, Target: "prod", Vars: "{prod_user: etl}"}},
		{"defaults_profile_override", "project_defaults", baseEnv, Options{ProfilesDir: defaultsDir, Profile: "other", Threads: 16}},
		{"custom", "project_custom", baseEnv, Options{ProfilesDir: defaultsDir}},
		{"custom_prod_env", "project_custom", map[string]string{
			"DBT_ENV_SECRET_PG_PASSWORD": secret, "PROD_HOST": "h", "PROD_PORT": "6000",
			"CUSTOM_TARGET_PATH": "out", "QUOTE_SCHEMA": "True", "STAGING_ON": "False", "BATCH": "250", "LABEL": "42",
		}, Options{ProfilesDir: defaultsDir, Target: "prod", Vars: `{"shared": "cli", "start_date": "2020-02-02"}`}},
		{"custom_no_profile", "project_custom", baseEnv, Options{NoProfile: true}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := Load(filepath.Join(fixtures, c.dir), opts(c.env, c.opts))
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			got := dumpProject(t, p)
			if bytes.Contains(got, []byte(secret)) {
				t.Errorf("secret leaked into dump")
			}
			golden(t, "load/"+c.name+".json", got)
		})
	}
}

func TestLoadErrors(t *testing.T) {
	defaultsDir := filepath.Join(fixtures, "project_defaults")
	env := map[string]string{"DBT_ENV_SECRET_PG_PASSWORD": secret}
	cases := []struct {
		name    string
		files   map[string]string // written into a temp project; nil uses dir
		dir     string
		opts    Options
		env     map[string]string
		wantErr error
	}{
		{name: "missing_target", dir: "project_defaults", opts: Options{ProfilesDir: defaultsDir, Target: "nope"}, wantErr: ErrProfile},
		{name: "missing_profile", dir: "project_defaults", opts: Options{ProfilesDir: defaultsDir, Profile: "nope"}, wantErr: ErrProfile},
		{name: "env_var_missing", dir: "project_defaults", opts: Options{ProfilesDir: defaultsDir, Target: "broken"}, wantErr: ErrRender},
		{name: "not_postgres", dir: "project_defaults", opts: Options{ProfilesDir: defaultsDir, Target: "notpg"}, wantErr: ErrProfile},
		{name: "no_project", files: map[string]string{"README": "x"}, opts: Options{NoProfile: true}, wantErr: ErrNotFound},
		{name: "broken_yaml", files: map[string]string{ProjectFile: "name: x\nmodels:\n  a: [1, 2\n  b: 3\n"}, opts: Options{NoProfile: true}, wantErr: ErrYAML},
		{name: "tab_yaml", files: map[string]string{ProjectFile: "name: x\n\tversion: 1\n"}, opts: Options{NoProfile: true}, wantErr: ErrYAML},
		{name: "name_is_list", files: map[string]string{ProjectFile: "version: 1\nname: [a, b]\n"}, opts: Options{NoProfile: true}, wantErr: ErrProject},
		{name: "bad_name", files: map[string]string{ProjectFile: "name: 1abc\n"}, opts: Options{NoProfile: true}, wantErr: ErrProject},
		{name: "no_name", files: map[string]string{ProjectFile: "version: '1'\n"}, opts: Options{NoProfile: true}, wantErr: ErrProject},
		{name: "model_paths_string", files: map[string]string{ProjectFile: "name: x\nmodel-paths: models\n"}, opts: Options{NoProfile: true}, wantErr: ErrProject},
		{name: "not_a_mapping", files: map[string]string{ProjectFile: "- a\n- b\n"}, opts: Options{NoProfile: true}, wantErr: ErrProject},
		{name: "empty_project", files: map[string]string{ProjectFile: ""}, opts: Options{NoProfile: true}, wantErr: ErrProject},
		{name: "env_var_missing_project", files: map[string]string{ProjectFile: "name: x\ntarget-path:   \"{{ env_var('NOPE') }}\"\n"}, opts: Options{NoProfile: true}, wantErr: ErrRender},
		{name: "secret_in_project", files: map[string]string{ProjectFile: "name: x\nlog-path: \"{{ env_var('DBT_ENV_SECRET_PG_PASSWORD') }}\"\n"}, opts: Options{NoProfile: true}, wantErr: ErrRender},
		{name: "var_missing_project", files: map[string]string{ProjectFile: "name: x\ntarget-path: \"{{ var('out') }}\"\n"}, opts: Options{NoProfile: true, Vars: "{other: 1}"}, wantErr: ErrRender},
		{name: "jinja_syntax", files: map[string]string{ProjectFile: "name: x\ntarget-path: \"{{ var('out' }}\"\n"}, opts: Options{NoProfile: true}, wantErr: ErrRender},
		{name: "as_number_bad", files: map[string]string{ProjectFile: "name: x\nmodels:\n  +n: \"{{ 'abc' | as_number }}\"\n"}, opts: Options{NoProfile: true}, wantErr: ErrRender},
		{name: "as_bool_bad", files: map[string]string{ProjectFile: "name: x\nmodels:\n  +n: \"{{ 'true' | as_bool }}\"\n"}, opts: Options{NoProfile: true}, wantErr: ErrRender},
		{name: "vars_not_mapping", files: map[string]string{ProjectFile: "name: x\n"}, opts: Options{NoProfile: true, Vars: "[1, 2]"}, wantErr: ErrProject},
		{name: "vars_in_both", files: map[string]string{ProjectFile: "name: x\nvars:\n  a: 1\n", VarsFile: "vars:\n  b: 2\n"}, opts: Options{NoProfile: true}, wantErr: ErrProject},
		{name: "require_version", files: map[string]string{ProjectFile: "name: x\nrequire-dbt-version: '>=9.0.0'\n"}, opts: Options{NoProfile: true}, wantErr: ErrProject},
		{name: "both_packages_files", files: map[string]string{ProjectFile: "name: x\n", PackagesFile: "packages: []\n", DependenciesFile: "packages: []\n"}, opts: Options{NoProfile: true}, wantErr: ErrPackage},
		{name: "hub_not_installed", files: map[string]string{ProjectFile: "name: x\n", PackagesFile: "packages:\n  - package: dbt-labs/dbt_utils\n    version: [\">=1.0.0\", \"<2.0.0\"]\n"}, opts: Options{NoProfile: true}, wantErr: ErrPackage},
		{name: "local_missing", files: map[string]string{ProjectFile: "name: x\n", PackagesFile: "packages:\n  - local: ./nowhere\n"}, opts: Options{NoProfile: true}, wantErr: ErrPackage},
		{name: "no_profile_name", files: map[string]string{ProjectFile: "name: x\n"}, opts: Options{}, wantErr: ErrProfile},
		{name: "profile_password_leak", files: map[string]string{ProjectFile: "name: x\nprofile: p\n", ProfilesFile: "p:\n  outputs:\n    default:\n      type: postgres\n      host: \"{{ env_var('DBT_ENV_SECRET_PG_PASSWORD') }}\"\n      port: \"{{ env_var('DBT_ENV_SECRET_PG_PASSWORD') | as_number }}\"\n      user: u\n      password: p\n      dbname: d\n      schema: s\n"}, opts: Options{ProfilesDir: "."}, wantErr: ErrRender},
		{name: "profile_missing_field", files: map[string]string{ProjectFile: "name: x\nprofile: p\n", ProfilesFile: "p:\n  outputs:\n    default:\n      type: postgres\n      host: h\n      port: 1\n      user: u\n      password: p\n      schema: s\n"}, opts: Options{ProfilesDir: "."}, wantErr: ErrProfile},
		{name: "profile_port_string", files: map[string]string{ProjectFile: "name: x\nprofile: p\n", ProfilesFile: "p:\n  outputs:\n    default:\n      type: postgres\n      host: h\n      port: \"{{ env_var('PORT', 'x5432') }}\"\n      user: u\n      password: p\n      dbname: d\n      schema: s\n"}, opts: Options{ProfilesDir: "."}, wantErr: ErrProfile},
		{name: "profiles_empty", files: map[string]string{ProjectFile: "name: x\nprofile: p\n", ProfilesFile: "\n"}, opts: Options{ProfilesDir: "."}, wantErr: ErrProfile},
		{name: "dispatch_bad", files: map[string]string{ProjectFile: "name: x\ndispatch:\n  - macro_namespace: a\n"}, opts: Options{NoProfile: true}, wantErr: ErrProject},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(fixtures, c.dir)
			o := c.opts
			if c.files != nil {
				dir = t.TempDir()
				for name, text := range c.files {
					if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				if o.ProfilesDir == "." {
					o.ProfilesDir = dir
				}
			}
			e := c.env
			if e == nil {
				e = env
			}
			_, err := Load(dir, opts(e, o))
			if err == nil {
				t.Fatal("Load succeeded, want an error")
			}
			if !errors.Is(err, c.wantErr) {
				t.Errorf("error %q is not %v", err, c.wantErr)
			}
			msg := err.Error()
			if strings.Contains(msg, secret) {
				t.Errorf("secret leaked: %s", msg)
			}
			if c.files != nil {
				msg = strings.ReplaceAll(msg, dir, "$TMP")
			}
			absFix, _ := filepath.Abs(fixtures)
			msg = strings.ReplaceAll(msg, absFix, "$FIXTURES")
			golden(t, "errors/"+c.name+".txt", []byte(msg+"\n"))
		})
	}
}

func TestErrorPositions(t *testing.T) {
	// Every YAML/Jinja error names file:line:col of the value at fault.
	cases := []struct {
		yml, want string
	}{
		{"name: x\ntarget-path:   \"{{ env_var('NOPE') }}\"\n", "dbt_project.yml:2:16: Env var required but not provided: 'NOPE'"},
		{"name: x\nmodels:\n  +tags: \"{{ env_var('T') }}\"\n", "dbt_project.yml:3:10: Env var required but not provided: 'T'"},
		{"name: [a]\n", "dbt_project.yml:1:7: expected a string for 'name', found a list"},
		{"name: x\nlog-path: 3\n", "dbt_project.yml:2:11: expected a string for 'log-path', found an integer (3)"},
		{"name: x\nmodels: [1]\n", "dbt_project.yml:2:9: expected a mapping for 'models', found a list"},
	}
	for _, c := range cases {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, ProjectFile), []byte(c.yml), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Load(dir, opts(nil, Options{NoProfile: true}))
		if err == nil {
			t.Errorf("%q: no error", c.yml)
			continue
		}
		if !strings.HasSuffix(err.Error(), c.want) {
			t.Errorf("%q:\n got %s\nwant …%s", c.yml, err, c.want)
		}
	}
}

func TestNativeRendering(t *testing.T) {
	env := map[string]string{"PORT": "5432", "FLAG": "True", "S": "abc"}
	cases := []struct {
		src  string
		want string // jinja.Repr of the result
	}{
		{"plain", "'plain'"},
		{"123", "123"},
		{"1.5", "1.5"},
		{"True", "True"},
		{"None", "None"},
		{"[1, 2]", "[1, 2]"},
		{" 5", "' 5'"},
		{"0123", "'0123'"},
		{"{{ 5 }}", "5"},
		{"{{ '5' }}", "5"},
		{"{{ 'abc' }}", "'abc'"},
		{"{{ [1, 'a'] }}", "[1, 'a']"},
		{"{{ env_var('PORT') }}", "'5432'"},
		{"{{ env_var('PORT') | as_number }}", "5432"},
		{"{{ env_var('PORT') | as_text }}", "'5432'"},
		{"{{ env_var('FLAG') | as_bool }}", "True"},
		{"{{ env_var('FLAG') | as_native }}", "True"},
		{"{{ env_var('S') | as_native }}", "'abc'"},
		{"{{ env_var('PORT') == '5432' }}", "True"},
		{"port {{ env_var('PORT') }}", "'port 5432'"},
		{"{{ 1 }}{{ 2 }}", "12"},
		{"{{ env_var('PORT') }}{{ 1 }}", "'54321'"},
		{"{% if true %}7{% endif %}", "7"},
		{"{{ env_var('MISSING', 'dflt') }}", "'dflt'"},
		{"{{ var('v') }}", "{'k': [1, 2]}"},
		{"{{ var('nope', 3) }}", "3"},
		{"{{ dbt_version }}", "'" + DBTVersion + "'"},
		{"{{ '' }}", "''"},
		{"", "''"},
	}
	envf, _ := testEnv(env)
	vars, err := ParseVars("v: {k: [1, 2]}")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		r := &renderer{env: newRenderEnv(), getenv: envf, vars: vars, secrets: &Secrets{}, envUsed: map[string]string{}}
		got, err := r.renderNative(c.src, sourcePos())
		if err != nil {
			t.Errorf("%q: %v", c.src, err)
			continue
		}
		if r := jinja.Repr(got); r != c.want {
			t.Errorf("%q: got %s, want %s", c.src, r, c.want)
		}
	}
}

func TestVarsPrecedence(t *testing.T) {
	env := map[string]string{"DBT_ENV_SECRET_PG_PASSWORD": secret}
	load := func(vars string) *Project {
		p, err := Load(filepath.Join(fixtures, "project_custom"), opts(env, Options{ProfilesDir: filepath.Join(fixtures, "project_defaults"), Vars: vars}))
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	p := load("")
	cases := []struct {
		name, pkg string
		want      any
		ok        bool
	}{
		{"shared", "custom", "root_scoped", true},               // root scoped beats root global
		{"shared", "localpkg", "root_global", true},             // root global beats the package's own vars
		{"pkg_var", "localpkg", "from_root_for_pkg", true},      // root scoped to the package wins
		{"only_pkg", "localpkg", "pkg_scoped", true},            // package's own scoped var
		{"only_pkg", "custom", nil, false},                      // not visible from the root
		{"start_date", "localpkg", "2024-01-01", true},          // root global seen by packages
		{"rendered_later", "custom", "{{ target.name }}", true}, // vars stay unrendered
		{"nope", "custom", nil, false},
	}
	for _, c := range cases {
		got, ok := p.Var(c.name, c.pkg)
		if ok != c.ok || (ok && got != c.want) {
			t.Errorf("Var(%s, %s) = %v, %v; want %v, %v", c.name, c.pkg, got, ok, c.want, c.ok)
		}
	}
	p = load("{shared: cli, pkg_var: cli}")
	for _, pkg := range []string{"custom", "localpkg"} {
		for _, n := range []string{"shared", "pkg_var"} {
			if got, _ := p.Var(n, pkg); got != "cli" {
				t.Errorf("--vars must win: Var(%s, %s) = %v", n, pkg, got)
			}
		}
	}
}

func TestConfigFor(t *testing.T) {
	env := map[string]string{"DBT_ENV_SECRET_PG_PASSWORD": secret}
	p, err := Load(filepath.Join(fixtures, "project_custom"), opts(env, Options{ProfilesDir: filepath.Join(fixtures, "project_defaults")}))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		resource, pkg string
		fqn           []string
	}{
		{"model", "custom", []string{"custom", "staging", "stg_orders"}},
		{"model", "custom", []string{"custom", "staging", "other"}},
		{"model", "custom", []string{"custom", "marts", "orders"}},
		{"model", "custom", []string{"custom", "orders"}},
		{"model", "localpkg", []string{"localpkg", "pkg_model"}},
		{"seed", "custom", []string{"custom", "raw"}},
		{"test", "custom", []string{"custom", "check_orders"}},
		{"snapshot", "custom", []string{"custom", "s2"}},
	}
	var b strings.Builder
	for _, c := range cases {
		got, err := json.Marshal(p.ConfigFor(c.resource, c.pkg, c.fqn))
		if err != nil {
			t.Fatal(err)
		}
		b.WriteString(c.resource + " " + strings.Join(c.fqn, ".") + ": " + string(got) + "\n")
	}
	golden(t, "config_for.txt", []byte(b.String()))
}

func TestMergeConfig(t *testing.T) {
	parse := func(s string) *Value {
		v, err := parseYAML("t", []byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	cases := []struct{ a, b, want string }{
		{"{tags: a}", "{tags: [b, c]}", `{"tags":["a","b","c"]}`},
		{"{meta: {x: 1, y: 1}}", "{meta: {y: 2}}", `{"meta":{"x":1,"y":2}}`},
		{"{pre_hook: a}", "{pre-hook: [b]}", `{"pre-hook":["a","b"]}`},
		{"{grants: {select: a}}", "{grants: {select: [b], insert: c}}", `{"grants":{"select":["a","b"],"insert":["c"]}}`},
		{"{materialized: view, persist_docs: {a: 1}}", "{materialized: table, persist_docs: {b: 1}}", `{"materialized":"table","persist_docs":{"b":1}}`},
	}
	for _, c := range cases {
		got, _ := json.Marshal(MergeConfig(parse(c.a), parse(c.b)))
		if string(got) != c.want {
			t.Errorf("merge %s + %s = %s, want %s", c.a, c.b, got, c.want)
		}
	}
}

func TestProfilesSearchOrder(t *testing.T) {
	base := t.TempDir()
	mk := func(dir, host string) string {
		d := filepath.Join(base, dir)
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		prof := "p:\n  outputs:\n    default:\n      type: postgres\n      host: " + host + "\n      port: 1\n      user: u\n      password: pw\n      dbname: d\n      schema: s\n"
		if err := os.WriteFile(filepath.Join(d, ProfilesFile), []byte(prof), 0o644); err != nil {
			t.Fatal(err)
		}
		return d
	}
	proj := filepath.Join(base, "proj")
	if err := os.MkdirAll(proj, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(proj, ProjectFile), []byte("name: x\nprofile: p\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	flag := mk("flag", "from_flag")
	envDir := mk("envdir", "from_env")
	work := mk("work", "from_workdir")
	home := filepath.Join(base, "home")
	mk("home/.dbt", "from_home")
	empty := filepath.Join(base, "empty")
	_ = os.MkdirAll(empty, 0o755)

	cases := []struct {
		name string
		o    Options
		env  map[string]string
		want string
	}{
		{"flag wins", Options{ProfilesDir: flag, WorkDir: work, HomeDir: home}, map[string]string{"DBT_PROFILES_DIR": envDir}, "from_flag"},
		{"env next", Options{WorkDir: work, HomeDir: home}, map[string]string{"DBT_PROFILES_DIR": envDir}, "from_env"},
		{"workdir next", Options{WorkDir: work, HomeDir: home}, nil, "from_workdir"},
		{"home last", Options{WorkDir: empty, HomeDir: home}, nil, "from_home"},
	}
	for _, c := range cases {
		p, err := Load(proj, opts(c.env, c.o))
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if p.Profile.Host != c.want {
			t.Errorf("%s: host %s, want %s", c.name, p.Profile.Host, c.want)
		}
	}
	if _, err := Load(proj, opts(nil, Options{ProfilesDir: filepath.Join(base, "missing")})); err == nil || !errors.Is(err, ErrProfile) {
		t.Errorf("missing --profiles-dir: %v", err)
	}
}

func TestRedact(t *testing.T) {
	s := SecretsFromEnviron([]string{"DBT_ENV_SECRET_A=hunter2", "DBT_ENV_SECRET_B=hunter2-long", "OTHER=visible", "DBT_ENV_SECRET_EMPTY= "})
	got := s.Redact("a=hunter2 b=hunter2-long other=visible")
	if want := "a=***** b=***** other=visible"; got != want {
		t.Errorf("Redact = %q, want %q", got, want)
	}
	// Secrets read through env_var in profiles.yml are redacted too, and a
	// profile's password is treated as a secret.
	p, err := Load(filepath.Join(fixtures, "project_defaults"), opts(map[string]string{"DBT_ENV_SECRET_PG_PASSWORD": secret}, Options{ProfilesDir: filepath.Join(fixtures, "project_defaults"), Profile: "other"}))
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Redact("pw " + secret + " pw"); got != "***** ***** *****" {
		t.Errorf("project Redact = %q", got)
	}
}

func TestSecretPlaceholderResolved(t *testing.T) {
	p, err := Load(filepath.Join(fixtures, "project_defaults"), opts(map[string]string{"DBT_ENV_SECRET_PG_PASSWORD": secret}, Options{ProfilesDir: filepath.Join(fixtures, "project_defaults")}))
	if err != nil {
		t.Fatal(err)
	}
	if p.Profile.Password != secret {
		t.Errorf("password %q: the placeholder was not replaced", p.Redact(p.Profile.Password))
	}
}

func TestDepsAndClean(t *testing.T) {
	base := t.TempDir()
	write := func(rel, text string) {
		path := filepath.Join(base, rel)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("root/dbt_project.yml", "name: root\nclean-targets: [target, dbt_packages]\n")
	write("root/packages.yml", "packages:\n  - local: ../pkg_a\n")
	write("root/target/x.txt", "x")
	write("pkg_a/dbt_project.yml", "name: pkg_a\n")
	write("pkg_a/packages.yml", "packages:\n  - local: ../pkg_b\n")
	write("pkg_b/dbt_project.yml", "name: pkg_b\n")
	root := filepath.Join(base, "root")
	p, err := Load(root, opts(nil, Options{NoProfile: true}))
	if err != nil {
		t.Fatal(err)
	}
	if got := names(p.Deps); got != "pkg_a,pkg_b" {
		t.Fatalf("deps before install = %s", got)
	}
	res, err := Deps(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(res.Installed, ","); got != "pkg_a,pkg_b" {
		t.Errorf("installed %s", got)
	}
	for _, n := range []string{"pkg_a", "pkg_b"} {
		st, err := os.Lstat(filepath.Join(root, "dbt_packages", n))
		if err != nil || st.Mode()&os.ModeSymlink == 0 {
			t.Errorf("%s not symlinked: %v", n, err)
		}
	}
	// Installed packages load from dbt_packages now.
	p, err = Load(root, opts(nil, Options{NoProfile: true}))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range p.Deps {
		if !strings.HasPrefix(d.Root, filepath.Join(root, "dbt_packages")) {
			t.Errorf("%s loaded from %s, want dbt_packages", d.Name, d.Root)
		}
	}
	removed, err := Clean(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(removed) != 2 {
		t.Errorf("removed %v", removed)
	}
	if _, err := os.Stat(filepath.Join(root, "target")); !os.IsNotExist(err) {
		t.Errorf("target still there")
	}
	if _, err := os.Stat(filepath.Join(base, "pkg_a", "dbt_project.yml")); err != nil {
		t.Errorf("clean followed a package symlink: %v", err)
	}

	// Remote packages: a clear network error, locals still installed.
	write("root/packages.yml", "packages:\n  - local: ../pkg_b\n  - git: https://example.com/x.git\n    revision: v1\n  - package: dbt-labs/dbt_utils\n    version: 1.1.1\n")
	_, err = Load(root, opts(nil, Options{NoProfile: true}))
	if err == nil || !errors.Is(err, ErrPackage) {
		t.Fatalf("uninstalled remote packages: %v", err)
	}
	write("root/packages.yml", "packages:\n  - local: ../pkg_b\n  - git: https://example.com/x.git\n")
	p = &Project{Root: root, PackagesInstallPath: "dbt_packages", PackagesFile: PackagesFile}
	l, _ := newLoader(opts(nil, Options{}))
	if err := l.loadPackagesFile(p, &Value{Kind: Map}); err != nil {
		t.Fatal(err)
	}
	res, err = Deps(context.Background(), p)
	if !errors.Is(err, ErrNetwork) {
		t.Fatalf("want ErrNetwork, got %v", err)
	}
	if len(res.Installed) != 1 || res.Installed[0] != "pkg_b" {
		t.Errorf("installed %v", res.Installed)
	}

	// Clean refuses source paths and paths outside the project.
	for _, targets := range [][]string{{"models"}, {"../elsewhere"}, {"."}, {"/tmp"}} {
		q := &Project{Root: root, CleanTargets: targets, ModelPaths: []string{"models"}}
		if _, err := Clean(q); !errors.Is(err, ErrClean) {
			t.Errorf("Clean(%v) = %v, want ErrClean", targets, err)
		}
	}
}

func names(ps []*Project) string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Name)
	}
	sort.Strings(out)
	return strings.Join(out, ",")
}

func TestIgnore(t *testing.T) {
	ig := parseIgnore("# c\n*.tmp\nmodels/scratch/\n/top.sql\n!keep.tmp\n**/gen/*.sql\nlogs\n")
	cases := map[string]bool{
		"models/a.tmp":           true,
		"models/keep.tmp":        false,
		"models/scratch/x.sql":   true,
		"models/scratch":         false,
		"top.sql":                true,
		"models/top.sql":         false,
		"models/deep/gen/x.sql":  true,
		"gen/x.sql":              true,
		"models/logs/a.sql":      true,
		"models/a.sql":           false,
		"models/generated/x.sql": false,
	}
	for path, want := range cases {
		if got := ig.match(path); got != want {
			t.Errorf("match(%s) = %v, want %v", path, got, want)
		}
	}
}

func TestSelectorsRaw(t *testing.T) {
	dir := t.TempDir()
	_ = os.WriteFile(filepath.Join(dir, ProjectFile), []byte("name: x\n"), 0o644)
	_ = os.WriteFile(filepath.Join(dir, SelectorsFile), []byte("selectors:\n  - name: s\n    definition: tag:a\n"), 0o644)
	p, err := Load(dir, opts(nil, Options{NoProfile: true}))
	if err != nil {
		t.Fatal(err)
	}
	if p.Selectors == nil || p.Selectors.Content[0].Content[0].Value != "selectors" {
		t.Fatalf("selectors not exposed: %+v", p.Selectors)
	}
	_ = os.WriteFile(filepath.Join(dir, SelectorsFile), []byte("selectors: [\n"), 0o644)
	if _, err := Load(dir, opts(nil, Options{NoProfile: true})); !errors.Is(err, ErrYAML) {
		t.Errorf("broken selectors.yml: %v", err)
	}
}

func TestYAML11Scalars(t *testing.T) {
	v, err := parseYAML("t", []byte("a: yes\nb: off\nc: 1e3\nd: 1.0e+3\ne: 0x1F\nf: 010\ng: ~\nh: 2024-1-2\ni: '5'\nj: 1_000\nk: .inf\nl: !!str 3\nm: &x {p: 1}\nn:\n  <<: *x\n  q: 2\n"))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(v)
	want := `{"a":true,"b":false,"c":"1e3","d":1000,"e":31,"f":8,"g":null,"h":"2024-01-02","i":"5","j":1000,"k":"+Inf","l":"3","m":{"p":1},"n":{"q":2,"p":1}}`
	if string(got) != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}
