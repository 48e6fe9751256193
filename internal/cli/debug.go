package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/gdbt/gdbt/compiler/project"
	"github.com/gdbt/gdbt/runtime/adapter/postgres"
	"github.com/gdbt/gdbt/runtime/artifacts"
)

func init() {
	runCommands["debug"] = func(ctx context.Context, a *app) int { return a.debug(ctx) }
}

// debugStatus is one check of dbt debug.
type debugStatus struct {
	log     string // shown in brackets
	failed  bool
	summary string // printed after "N checks failed:"
}

const profileDocs = "https://docs.getdbt.com/docs/configure-your-profile"

// debug runs `gdbt debug`: the profile, dbt_project.yml, git and a
// connection test, with dbt's lines and exit code (1 when a check fails).
func (a *app) debug(ctx context.Context) int {
	color := isTerminal(a.stdout)
	green := func(s string) string { return paintIf(color, "32", s) }
	red := func(s string) string { return paintIf(color, "31", s) }

	a.logf("gdbt version: %s (dbt %s compatible)", gdbtVersion(), artifacts.DBTVersion)
	a.logf("go version: %s", runtime.Version())
	exe, _ := os.Executable()
	a.logf("go path: %s", exe)
	a.logf("os info: %s-%s", runtime.GOOS, runtime.GOARCH)

	opts := project.Options{ProfilesDir: a.f.ProfilesDir, Target: a.f.Target, Profile: a.f.Profile,
		Vars: a.f.Vars, Threads: a.f.Threads, NoVersionCheck: a.f.NoVersionCheck}
	profilesDir, err := project.ProfilesDir(opts)
	if err != nil {
		a.printError(err)
		return exitCrash
	}
	profilePath := filepath.Join(profilesDir, "profiles.yml")
	if strings.HasPrefix(profilesDir, "."+string(filepath.Separator)) || profilesDir == "." {
		profilePath = profilesDir + string(filepath.Separator) + "profiles.yml"
	}
	projDir, _ := filepath.Abs(a.projectDir())
	projectPath := filepath.Join(projDir, "dbt_project.yml")

	var prof *project.Profile
	var profileSt, projectSt debugStatus
	ok := debugStatus{log: green("OK found and valid")}
	switch {
	case !fileExists(profilePath):
		profileSt = debugStatus{log: red("ERROR not found"), failed: true, summary: fmt.Sprintf(
			"dbt looked for a profiles.yml file in %s, but did\nnot find one. For more information on configuring your profile, consult the\ndocumentation:\n\n%s\n", profilePath, profileDocs)}
		projectSt = a.debugProject(opts, ok, red)
	default:
		p, err := project.Load(projDir, opts)
		switch {
		case err == nil:
			prof, profileSt, projectSt = p.Profile, ok, ok
			a.proj = p
		case errors.Is(err, project.ErrProfile):
			profileSt = debugStatus{log: red("ERROR invalid"), failed: true,
				summary: "Profile loading failed for the following reason:\n" + err.Error() + "\n"}
			projectSt = a.debugProject(opts, ok, red)
		default:
			projectSt = a.debugProject(opts, ok, red)
			prof, profileSt = a.debugProfileAlone(opts, profilesDir, projectSt, ok, red)
		}
	}
	a.logf("Using profiles dir at %s", profilesDir)
	a.logf("Using profiles.yml file at %s", profilePath)
	a.logf("Using dbt_project.yml file at %s", projectPath)
	if !profileSt.failed && prof != nil {
		a.logf("adapter type: postgres")
		a.logf("adapter version: %s", postgresAdapterVersion)
	}
	a.logf("Configuration:")
	a.logf("  profiles.yml file [%s]", profileSt.log)
	a.logf("  dbt_project.yml file [%s]", projectSt.log)
	a.logf("Required dependencies:")
	gitSt := debugStatus{log: green("OK found")}
	if err := exec.Command("git", "--help").Run(); err != nil {
		gitSt = debugStatus{log: red("ERROR"), failed: true, summary: "Error from git --help: " + err.Error()}
	}
	a.logf(" - git [%s]\n", gitSt.log)

	statuses := []debugStatus{profileSt, projectSt, gitSt}
	if prof == nil {
		a.logf("Connection test skipped since no profile was found")
	} else {
		a.logf("Connection:")
		for _, kv := range connectionInfo(prof) {
			a.logf("  %s: %s", kv[0], kv[1])
		}
		connSt := debugStatus{log: green("OK connection ok")}
		if err := debugConnect(ctx, prof); err != nil {
			connSt = debugStatus{log: red("ERROR"), failed: true, summary: fmt.Sprintf(
				"dbt was unable to connect to the specified database.\nThe database returned the following error:\n\n  >%s\n\nCheck your database credentials and try again. For more information, visit:\n%s\n",
				err.Error(), profileDocs)}
		}
		a.logf("  Connection test: [%s]\n", connSt.log)
		statuses = append(statuses, connSt)
	}
	var failed []debugStatus
	for _, s := range statuses {
		if s.failed {
			failed = append(failed, s)
		}
	}
	if len(failed) == 0 {
		a.logf("%s", green("All checks passed!"))
		return exitOK
	}
	word := "checks"
	if len(failed) == 1 {
		word = "check"
	}
	a.logf("%s", red(fmt.Sprintf("%d %s failed:", len(failed), word)))
	for _, s := range failed {
		a.logf("%s\n", s.summary)
	}
	return exitFailure
}

// postgresAdapterVersion is the dbt-postgres release gdbt's adapter
// follows.
const postgresAdapterVersion = "1.11.0"

func gdbtVersion() string {
	if v := os.Getenv("GDBT_VERSION"); v != "" {
		return v
	}
	return "dev"
}

// debugProject checks dbt_project.yml alone (without the profile).
func (a *app) debugProject(opts project.Options, ok debugStatus, red func(string) string) debugStatus {
	projDir, _ := filepath.Abs(a.projectDir())
	path := filepath.Join(projDir, "dbt_project.yml")
	if !fileExists(path) {
		return debugStatus{log: red("ERROR not found"), failed: true,
			summary: fmt.Sprintf("Project loading failed for the following reason:\n project path <%s> not found", path)}
	}
	o := opts
	o.NoProfile = true
	if _, err := project.Load(projDir, o); err != nil {
		return debugStatus{log: red("ERROR invalid"), failed: true,
			summary: "Project loading failed for the following reason:\n" + err.Error() + "\n"}
	}
	return ok
}

// debugProfileAlone checks the profile when the project cannot be loaded:
// --profile, else every profile in profiles.yml, each rendered through a
// stand-in project; as in dbt, the connection is tested only when exactly
// one profile was tried.
func (a *app) debugProfileAlone(opts project.Options, dir string, projectSt debugStatus, ok debugStatus, red func(string) string) (*project.Profile, debugStatus) {
	names := []string{}
	summary := ""
	if opts.Profile != "" {
		names = append(names, opts.Profile)
	} else {
		data, err := os.ReadFile(filepath.Join(dir, "profiles.yml"))
		if err == nil {
			if v, err := project.ParseYAML("profiles.yml", data); err == nil && v.Kind == project.Map {
				for _, e := range v.Entries {
					if e.Key != "config" {
						names = append(names, e.Key)
					}
				}
			}
		}
		summary = "Could not load dbt_project.yml\n"
	}
	tmp, err := os.MkdirTemp("", "gdbt-debug-")
	if err != nil {
		return nil, debugStatus{log: red("ERROR invalid"), failed: true, summary: err.Error()}
	}
	defer os.RemoveAll(tmp)
	var errs []string
	var found *project.Profile
	for _, name := range names {
		text := "name: gdbt_debug\nconfig-version: 2\nprofile: " + strconv.Quote(name) + "\n"
		if err := os.WriteFile(filepath.Join(tmp, "dbt_project.yml"), []byte(text), 0o644); err != nil {
			errs = append(errs, err.Error())
			continue
		}
		o := opts
		o.ProfilesDir = dir
		p, err := project.Load(tmp, o)
		if err != nil {
			errs = append(errs, err.Error())
			continue
		}
		if len(names) == 1 {
			found = p.Profile
		}
	}
	if len(errs) > 0 {
		details := strings.Join(errs, "\n\n")
		return nil, debugStatus{log: red("ERROR invalid"), failed: true,
			summary: summary + "Profile loading failed for the following reason:\n" + details + "\n"}
	}
	return found, ok
}

// connectionInfo lists the fields dbt-postgres shows, with its defaults.
func connectionInfo(p *project.Profile) [][2]string {
	str := func(s string) string {
		if s == "" {
			return "None"
		}
		return s
	}
	timeout := p.ConnectTimeout
	if timeout == 0 {
		timeout = 10
	}
	retries := p.Retries
	if retries == 0 {
		retries = 1
	}
	app := p.ApplicationName
	if app == "" {
		app = "dbt"
	}
	autocommit := "False"
	if v := p.Fields.Get("autocommit"); v != nil && v.Kind != project.Null {
		if b, ok := v.Scalar.(bool); ok && b {
			autocommit = "True"
		}
	}
	return [][2]string{
		{"host", p.Host}, {"port", strconv.Itoa(p.Port)}, {"user", p.User}, {"database", p.Database},
		{"schema", p.Schema}, {"connect_timeout", strconv.Itoa(timeout)}, {"role", str(p.Role)},
		{"search_path", str(p.SearchPath)}, {"keepalives_idle", strconv.Itoa(p.KeepalivesIdle)},
		{"sslmode", str(p.SSLMode)}, {"sslcert", str(p.SSLCert)}, {"sslkey", str(p.SSLKey)},
		{"sslrootcert", str(p.SSLRootCert)}, {"application_name", app}, {"autocommit", autocommit},
		{"retries", strconv.Itoa(retries)},
	}
}

// debugConnect opens a connection and runs dbt-postgres's debug query.
func debugConnect(ctx context.Context, p *project.Profile) error {
	if p.ConnectTimeout == 0 {
		// dbt-postgres's default connect_timeout.
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
	}
	wh, err := postgres.OpenProfile(ctx, p, 1)
	if err != nil {
		return err
	}
	defer wh.Close()
	_, _, err = wh.Execute(ctx, "select 1 as id", false)
	return err
}
