package project

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/gdbt/gdbt/compiler/jinja"
	"github.com/gdbt/gdbt/compiler/source"
)

// Profile is the selected target of a profiles.yml profile.
type Profile struct {
	Name       string // profile name
	TargetName string
	Type       string
	Threads    int
	Path       string          // the profiles.yml that was read
	Pos        source.Position // the output's position

	// Postgres connection fields (after the dbname/pass aliases).
	Host            string
	Port            int
	User            string
	Password        string
	Database        string
	Schema          string
	SSLMode         string
	SSLCert         string
	SSLKey          string
	SSLRootCert     string
	ConnectTimeout  int
	KeepalivesIdle  int
	SearchPath      string
	Role            string
	ApplicationName string
	Retries         int

	// Fields is the whole rendered output mapping, as written (aliases
	// untranslated, threads included).
	Fields *Value
}

// TargetDict is the target variable templates see: the connection fields
// (database also as dbname; never the password) plus type, threads, name,
// target_name and profile_name.
func (p *Profile) TargetDict() *jinja.Dict {
	d := jinja.NewDict()
	d.Set("host", p.Host)
	d.Set("port", int64(p.Port))
	d.Set("user", p.User)
	d.Set("database", p.Database)
	d.Set("dbname", p.Database)
	d.Set("schema", p.Schema)
	d.Set("connect_timeout", int64(p.ConnectTimeout))
	if p.Role != "" {
		d.Set("role", p.Role)
	}
	if p.SearchPath != "" {
		d.Set("search_path", p.SearchPath)
	}
	d.Set("keepalives_idle", int64(p.KeepalivesIdle))
	if p.SSLMode != "" {
		d.Set("sslmode", p.SSLMode)
	}
	if p.SSLCert != "" {
		d.Set("sslcert", p.SSLCert)
	}
	if p.SSLKey != "" {
		d.Set("sslkey", p.SSLKey)
	}
	if p.SSLRootCert != "" {
		d.Set("sslrootcert", p.SSLRootCert)
	}
	if p.ApplicationName != "" {
		d.Set("application_name", p.ApplicationName)
	}
	d.Set("retries", int64(p.Retries))
	d.Set("type", p.Type)
	d.Set("threads", int64(p.Threads))
	d.Set("name", p.TargetName)
	d.Set("target_name", p.TargetName)
	d.Set("profile_name", p.Name)
	return d
}

// ProfilesDir returns the directory holding profiles.yml, searched as dbt
// does: --profiles-dir, DBT_PROFILES_DIR, the working directory when it has
// a profiles.yml, then ~/.dbt.
func ProfilesDir(opts Options) (string, error) {
	getenv := opts.Env
	if getenv == nil {
		getenv = os.LookupEnv
	}
	if opts.ProfilesDir != "" {
		if st, err := os.Stat(opts.ProfilesDir); err != nil || !st.IsDir() {
			return "", &Error{Msg: fmt.Sprintf("Invalid value for '--profiles-dir': Path '%s' does not exist.", opts.ProfilesDir), Err: ErrProfile}
		}
		return opts.ProfilesDir, nil
	}
	if d, ok := getenv("DBT_PROFILES_DIR"); ok && d != "" {
		if st, err := os.Stat(d); err != nil || !st.IsDir() {
			return "", &Error{Msg: fmt.Sprintf("Invalid value for DBT_PROFILES_DIR: Path '%s' does not exist.", d), Err: ErrProfile}
		}
		return d, nil
	}
	wd := opts.WorkDir
	if wd == "" {
		wd, _ = os.Getwd()
	}
	if wd != "" {
		if _, err := os.Stat(filepath.Join(wd, ProfilesFile)); err == nil {
			return wd, nil
		}
	}
	home := opts.HomeDir
	if home == "" {
		home, _ = os.UserHomeDir()
	}
	return filepath.Join(home, ".dbt"), nil
}

const noProfileMsg = `dbt cannot run because no profile was specified for this dbt project.
To specify a profile for this project, add a line like the this to
your dbt_project.yml file:

profile: [profile name]

Here, [profile name] should be replaced with a profile name
defined in your profiles.yml file. You can find profiles.yml here:

%s/profiles.yml`

// loadProfile picks and renders the profile for the root project. As in
// dbt, profiles.yml sees env_var (secrets allowed) and --vars, not target.
func (l *loader) loadProfile(root string, rawProject *Value) (*Profile, error) {
	r := &renderer{env: l.env, getenv: l.getenv, secret: true, vars: l.cliVars, secrets: l.secrets, envUsed: l.envUsed}
	dir, err := ProfilesDir(l.opts)
	if err != nil {
		return nil, err
	}
	name := l.opts.Profile
	namePos := source.Position{}
	if name == "" {
		if v := rawProject.Get("profile"); !v.IsNull() {
			rv, err := r.renderTree(v, nil)
			if err != nil {
				return nil, err
			}
			if rv.Kind != String {
				return nil, errAt(v.Pos, ErrProject, fmt.Sprintf("expected a string for 'profile', found %s", describe(rv)))
			}
			name = rv.Scalar.(string)
			namePos = v.Pos
		}
	}
	if name == "" {
		return nil, &Error{Msg: fmt.Sprintf(noProfileMsg, dir), Err: ErrProfile}
	}
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	path := filepath.Join(dir, ProfilesFile)
	disp := l.display(path)
	doc, ok, err := readYAMLFile(path, disp)
	if err != nil {
		return nil, err
	}
	if ok && doc.IsNull() {
		return nil, &Error{Pos: source.Position{File: disp, Line: 1, Column: 1}, Msg: fmt.Sprintf("The profiles.yml file at %s is empty", path), Err: ErrProfile}
	}
	if ok && doc.Kind != Map {
		return nil, errAt(doc.Pos, ErrProfile, fmt.Sprintf("expected a mapping of profiles, found %s", doc.Kind))
	}
	prof := doc.Get(name)
	if prof == nil {
		msg := fmt.Sprintf("Could not find profile named '%s'", name)
		if !ok {
			msg += fmt.Sprintf(" (there is no %s in %s)", ProfilesFile, dir)
		} else {
			msg += " in " + path
		}
		if namePos.Line == 0 {
			namePos = source.Position{File: disp}
			if ok {
				namePos = source.Position{File: disp, Line: doc.Pos.Line, Column: doc.Pos.Column}
			}
		}
		return nil, &Error{Pos: namePos, Msg: msg, Err: ErrProfile}
	}
	if isEmpty(prof) {
		return nil, errAt(prof.Pos, ErrProfile, fmt.Sprintf("Profile %s in profiles.yml is empty", name))
	}
	if prof.Kind != Map {
		return nil, errAt(prof.Pos, ErrProfile, fmt.Sprintf("expected a mapping for profile '%s', found %s", name, describe(prof)))
	}

	target := l.opts.Target
	if target == "" {
		if tv := prof.Get("target"); !tv.IsNull() {
			rv, err := r.renderTree(tv, nil)
			if err != nil {
				return nil, err
			}
			target = jinja.ToString(rv.Scalar)
		} else {
			target = "default"
		}
	}
	outputs := prof.Get("outputs")
	if outputs == nil {
		return nil, errAt(prof.Pos, ErrProfile, fmt.Sprintf("outputs not specified in profile '%s'", name))
	}
	if outputs.Kind != Map {
		return nil, errAt(outputs.Pos, ErrProfile, fmt.Sprintf("expected a mapping for 'outputs' of profile '%s', found %s", name, describe(outputs)))
	}
	out := outputs.Get(target)
	if out == nil {
		var names []string
		for _, e := range outputs.Entries {
			names = append(names, " - "+e.Key)
		}
		pos := outputs.Pos
		if tv := prof.Get("target"); tv != nil && l.opts.Target == "" {
			pos = tv.Pos
		}
		return nil, errAt(pos, ErrProfile, fmt.Sprintf("The profile '%s' does not have a target named '%s'. The valid target names for this profile are:\n%s", name, target, strings.Join(names, "\n")))
	}
	if out.Kind != Map {
		return nil, errAt(out.Pos, ErrProfile, fmt.Sprintf("output '%s' of profile '%s' is misconfigured in profiles.yml", target, name))
	}
	fields, err := r.renderTree(out, nil)
	if err != nil {
		return nil, err
	}
	p := &Profile{Name: name, TargetName: target, Path: path, Pos: out.Pos, Fields: fields}
	if err := p.fill(fields, l.opts.Threads); err != nil {
		return nil, err
	}
	// The password is a secret even when it does not come from a
	// DBT_ENV_SECRET_ variable: keep it out of every message.
	l.secrets.Add(p.Password)
	return p, nil
}

// fill reads the connection fields, translating dbt-postgres's aliases and
// checking types as its credentials contract does.
func (p *Profile) fill(m *Value, threadsOverride int) error {
	where := fmt.Sprintf("profile \"%s\", target \"%s\"", p.Name, p.TargetName)
	invalid := func(v *Value, msg string) error {
		pos := p.Pos
		if v != nil {
			pos = v.Pos
		}
		return errAt(pos, ErrProfile, fmt.Sprintf("Credentials in %s invalid: %s", where, msg))
	}
	get := func(key, alias string) (*Value, error) {
		v, a := m.Get(key), m.Get(alias)
		if v != nil && a != nil && alias != "" {
			return nil, invalid(a, fmt.Sprintf("both '%s' and its alias '%s' are set", key, alias))
		}
		if v == nil {
			v = a
		}
		return v, nil
	}
	str := func(key, alias string, required bool, dst *string) error {
		v, err := get(key, alias)
		if err != nil {
			return err
		}
		if v.IsNull() {
			if required {
				return invalid(nil, fmt.Sprintf("'%s' is a required property", key))
			}
			return nil
		}
		if v.Kind != String {
			// Passwords of digits are common; dbt's native rendering turns
			// them into numbers, which gdbt accepts rather than rejects.
			if key == "password" && (v.Kind == Int || v.Kind == Float || v.Kind == Bool) {
				*dst = jinja.ToString(v.Scalar)
				return nil
			}
			return invalid(v, fmt.Sprintf("expected a string for '%s', found %s", key, describe(v)))
		}
		*dst = v.Scalar.(string)
		return nil
	}
	num := func(key string, required bool, def int, dst *int) error {
		v := m.Get(key)
		if v.IsNull() {
			if required {
				return invalid(nil, fmt.Sprintf("'%s' is a required property", key))
			}
			*dst = def
			return nil
		}
		if v.Kind != Int {
			return invalid(v, fmt.Sprintf("expected an integer for '%s', found %s", key, describe(v)))
		}
		*dst = int(v.Scalar.(int64))
		return nil
	}

	tv := m.Get("type")
	if tv.IsNull() {
		return errAt(p.Pos, ErrProfile, fmt.Sprintf("required field \"type\" not found in profile %s and target %s", p.Name, p.TargetName))
	}
	if tv.Kind != String {
		return invalid(tv, fmt.Sprintf("expected a string for 'type', found %s", describe(tv)))
	}
	p.Type = tv.Scalar.(string)
	if p.Type != "postgres" {
		return errAt(tv.Pos, ErrProfile, fmt.Sprintf("adapter type '%s' is not supported: gdbt supports only postgres", p.Type))
	}
	if err := num("threads", false, 1, &p.Threads); err != nil {
		return err
	}
	if threadsOverride > 0 {
		p.Threads = threadsOverride
	}
	for _, f := range []struct {
		key, alias string
		req        bool
		dst        *string
	}{
		{"host", "", true, &p.Host},
		{"user", "", true, &p.User},
		{"password", "pass", true, &p.Password},
		{"database", "dbname", true, &p.Database},
		{"schema", "", true, &p.Schema},
		{"sslmode", "", false, &p.SSLMode},
		{"sslcert", "", false, &p.SSLCert},
		{"sslkey", "", false, &p.SSLKey},
		{"sslrootcert", "", false, &p.SSLRootCert},
		{"search_path", "", false, &p.SearchPath},
		{"role", "", false, &p.Role},
	} {
		if err := str(f.key, f.alias, f.req, f.dst); err != nil {
			return err
		}
	}
	p.ApplicationName = "dbt"
	if err := str("application_name", "", false, &p.ApplicationName); err != nil {
		return err
	}
	if err := num("port", true, 0, &p.Port); err != nil {
		return err
	}
	if p.Port < 0 || p.Port > 65535 {
		return invalid(m.Get("port"), fmt.Sprintf("port %d is out of range 0-65535", p.Port))
	}
	if err := num("connect_timeout", false, 10, &p.ConnectTimeout); err != nil {
		return err
	}
	if err := num("keepalives_idle", false, 0, &p.KeepalivesIdle); err != nil {
		return err
	}
	return num("retries", false, 1, &p.Retries)
}
