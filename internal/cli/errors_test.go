package cli

import (
	"bytes"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/gdbt/gdbt/internal/pgtest"
)

// errorCases are broken projects: testdata/errors/base with the files
// listed written over it. dbtExit is what dbt 1.12.6 exited with on the
// same files and command (run once with the oracle, .venv/bin/dbt, against
// the test Postgres: ERRORS_CASES_DIR=dir leaves each case's project there
// to run dbt on); at is the file:line:col the error must name, or the text
// that places it when there is no file.
var errorCases = []struct {
	name    string
	files   map[string]string
	args    []string
	dbtExit int
	at      string
}{
	// YAML syntax errors, in every kind of YAML file gdbt reads.
	{"yaml_project", map[string]string{"dbt_project.yml": "name: errs\nversion: \"1.0\"\nprofile: errs\nmodels:\n  errs:\n    +materialized: [view\n"},
		[]string{"parse"}, 2, "dbt_project.yml:7:1:"},
	{"yaml_profiles", map[string]string{"profiles.yml": "errs:\n  target: dev\n  outputs:\n    dev:\n      type: postgres\n     host: x\n"},
		[]string{"parse"}, 2, "profiles.yml:6:6:"},
	{"yaml_packages", map[string]string{"packages.yml": "packages:\n  - local: ../x\n   - local: ../y\n"},
		[]string{"parse"}, 2, "packages.yml:3:4:"},
	{"yaml_dependencies", map[string]string{"dependencies.yml": "projects:\n  - name: x\n  bad: [\n"},
		[]string{"parse"}, 2, "dependencies.yml:3:3:"},
	{"yaml_selectors", map[string]string{"selectors.yml": "selectors:\n  - name: s\n    definition:\n      method: fqn\n     value: a\n"},
		[]string{"parse"}, 2, "selectors.yml:5:6:"},
	{"yaml_schema", map[string]string{"models/schema.yml": "version: 2\nmodels:\n  - name: a\n  columns:\n    - name: id\n   - name: x\n"},
		[]string{"parse"}, 2, "models/schema.yml:4:3:"},
	{"yaml_schema_build", map[string]string{"models/schema.yml": "version: 2\nmodels:\n  - name: a\n  columns:\n    - name: id\n   - name: x\n"},
		[]string{"build"}, 2, "models/schema.yml:4:3:"},
	{"yaml_snapshot", map[string]string{"snapshots/snap.yml": "snapshots:\n  - name: snap\n    relation: ref(\"a\")\n    config:\n      unique_key: id\n     strategy: check\n"},
		[]string{"parse"}, 2, "snapshots/snap.yml:6:6:"},
	// A YAML value of the wrong kind.
	{"wrong_type", map[string]string{"models/schema.yml": "version: 2\nmodels:\n  - name: a\n    columns: 3\n"},
		[]string{"parse"}, 2, "models/schema.yml:4:14:"},
	// Jinja.
	{"jinja_unclosed", map[string]string{"models/c.sql": "select 1 as id\n{% if true %}\nwhere 1 = 1\n"},
		[]string{"parse"}, 2, "models/c.sql:2:14:"}, // Jinja2 names the line where the last token starts
	{"jinja_unclosed_for", map[string]string{"models/c.sql": "select\n{% for i in [1, 2] %}\n  {{ i }} as c{{ i }},\n\n"},
		[]string{"parse"}, 2, "models/c.sql:3:22:"},
	// dbt cuts macro files into top-level blocks before Jinja parses them:
	// an unclosed macro is reported at its opening tag, in dbt's words.
	{"jinja_unclosed_macro", map[string]string{"macros/m.sql": "{% macro a() %}1{% endmacro %}\n\n  {% macro m(x) %}\n  {% if x %}{{ x }}{% endif %}\n  select 1\n"},
		[]string{"parse"}, 2, "macros/m.sql:3:3:"},
	{"jinja_unclosed_set", map[string]string{"models/c.sql": "{% set q %}\nselect 1 as id\n{# the end #}\n"},
		[]string{"parse"}, 2, "models/c.sql:1:12:"},
	{"jinja_unclosed_call", map[string]string{"macros/m.sql": "{% macro wrap() %}({{ caller() }}){% endmacro %}\n",
		"models/c.sql": "select 1 as id\n{% call wrap() %}\n{{ 'x' }}"},
		[]string{"parse"}, 2, "models/c.sql:3:8:"},
	{"jinja_filter", map[string]string{"models/c.sql": "select 1 as id,\n  {{ \"x\" | nosuchfilter }} as y\n"},
		[]string{"parse"}, 2, "models/c.sql:2:12:"},
	// dbt parses a call to a macro that does not exist (its parse-time
	// undefined values are callable) and fails the node when compiling it.
	{"jinja_macro", map[string]string{"models/c.sql": "select 1 as id,\n  {{ no_such_macro(1) }} as y\n"},
		[]string{"parse"}, 0, ""},
	{"jinja_macro_compile", map[string]string{"models/c.sql": "select 1 as id,\n  {{ no_such_macro(1) }} as y\n"},
		[]string{"compile"}, 2, "models/c.sql:2:19:"},
	{"jinja_macro_run", map[string]string{"models/c.sql": "select 1 as id,\n  {{ no_such_macro(1) }} as y\n"},
		[]string{"run"}, 1, "models/c.sql:2:19:"},
	{"compile_raise", map[string]string{"models/c.sql": "select 1 as id\n{% if execute %}{{ exceptions.raise_compiler_error(\"boom\") }}{% endif %}\n"},
		[]string{"compile"}, 2, "models/c.sql:2:51:"},
	// References and the graph.
	{"unknown_ref", map[string]string{"models/c.sql": "select 1 as id\nfrom {{ ref(\"nope\") }}\n"},
		[]string{"parse"}, 2, "models/c.sql:2:9:"},
	{"unknown_ref_run", map[string]string{"models/c.sql": "select 1 as id\nfrom {{ ref(\"nope\") }}\n"},
		[]string{"run"}, 2, "models/c.sql:2:9:"},
	{"unknown_ref_test", map[string]string{"models/c.sql": "select 1 as id\nfrom {{ ref(\"nope\") }}\n"},
		[]string{"test"}, 2, "models/c.sql:2:9:"},
	{"unknown_ref_seed", map[string]string{"models/c.sql": "select 1 as id\nfrom {{ ref(\"nope\") }}\n"},
		[]string{"seed"}, 2, "models/c.sql:2:9:"},
	{"unknown_source", map[string]string{"models/c.sql": "select 1 as id\nfrom {{ source(\"raw\", \"nope\") }}\n"},
		[]string{"parse"}, 2, "models/c.sql:2:9:"},
	{"cycle_parse", map[string]string{"models/a.sql": "select * from {{ ref(\"b\") }}\n"},
		[]string{"parse"}, 0, ""},
	{"cycle", map[string]string{"models/a.sql": "select * from {{ ref(\"b\") }}\n"},
		[]string{"ls"}, 2, "models/b.sql:1:19:"},
	{"cycle_run", map[string]string{"models/a.sql": "select * from {{ ref(\"b\") }}\n"},
		[]string{"run"}, 2, "models/b.sql:1:19:"},
	{"duplicate", map[string]string{"models/sub/a.sql": "select 2 as id\n"},
		[]string{"parse"}, 2, "models/sub/a.sql:1:1:"},
	// SQL the database rejects: gdbt's compile warns where, run fails there.
	{"sql_syntax_compile", map[string]string{"models/c.sql": "select 1 as id\nfrom {{ ref(\"a\") }}\nwhere id = = 1\n"},
		[]string{"compile"}, 0, "models/c.sql:3:12:"},
	{"sql_syntax_run", map[string]string{"models/c.sql": "select 1 as id\nfrom {{ ref(\"a\") }}\nwhere id = = 1\n"},
		[]string{"run"}, 1, "models/c.sql:3:12"},
	// Seeds.
	{"seed_row", map[string]string{"seeds/s.csv": "id,name\n1,a\n2,b,extra\n"},
		[]string{"seed"}, 1, "seeds/s.csv:3:5:"},
	{"seed_row_build", map[string]string{"seeds/s.csv": "id,name\n1,a\n2,b,extra\n"},
		[]string{"build"}, 1, "seeds/s.csv:3:5:"},
	// The command line and the profile.
	{"select_method", nil, []string{"ls", "--select", "nosuch:x"}, 2, "--select argument 1, column 1:"},
	{"select_method_run", nil, []string{"run", "--select", "nosuch:x"}, 2, "--select argument 1, column 1:"},
	// dbt parse takes no selection: click rejects the option, exit 2.
	{"parse_select", nil, []string{"parse", "--select", "a"}, 2, "Error: No such option '--select'."},
	{"parse_select_short", nil, []string{"parse", "-s", "a"}, 2, "Error: No such option '-s'."},
	{"parse_full_refresh", nil, []string{"parse", "--full-refresh"}, 2, "Error: No such option '--full-refresh'."},
	{"no_profile", map[string]string{"dbt_project.yml": "name: errs\nversion: \"1.0\"\nprofile: nosuch\n"},
		[]string{"parse"}, 2, "dbt_project.yml:3:10:"},
	{"no_target", map[string]string{"profiles.yml": "errs:\n  target: prod\n  outputs:\n    dev:\n      type: postgres\n      host: \"{{ env_var('ERRS_PG_HOST', '127.0.0.1') }}\"\n      port: 5432\n      user: postgres\n      password: ''\n      dbname: postgres\n      schema: errs\n"},
		[]string{"parse"}, 2, "profiles.yml:2:11:"},
	// A materialization that does not exist fails its node at run time.
	{"bad_materialization", map[string]string{"models/c.sql": "{{ config(materialized=\"tabel\") }}\nselect 1 as id\n"},
		[]string{"run"}, 1, "models/c.sql:1:4:"},
}

// TestErrors runs gdbt on each broken project and checks the exit code
// against dbt's, the position, and the first error lines against
// testdata/errors/<name>.golden (UPDATE_GOLDEN=1 rewrites them).
func TestErrors(t *testing.T) {
	dbURL := pgtest.NewDatabase(t)
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	pass, _ := u.User.Password()
	for k, v := range map[string]string{"ERRS_PG_HOST": u.Hostname(), "ERRS_PG_PORT": u.Port(),
		"ERRS_PG_USER": u.User.Username(), "ERRS_PG_PASSWORD": pass, "ERRS_PG_DBNAME": strings.TrimPrefix(u.Path, "/")} {
		t.Setenv(k, v)
	}
	for _, c := range errorCases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			copyTree(t, filepath.Join("testdata", "errors", "base"), dir)
			for rel, text := range c.files {
				p := filepath.Join(dir, filepath.FromSlash(rel))
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if keep := os.Getenv("ERRORS_CASES_DIR"); keep != "" {
				// Leaves the case's project and arguments for checking
				// dbt on it: cd DIR/NAME && dbt $(cat ../NAME.args)
				// --profiles-dir .
				copyTree(t, dir, filepath.Join(keep, c.name))
				if err := os.WriteFile(filepath.Join(keep, c.name+".args"), []byte(strings.Join(c.args, " ")+"\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			var out bytes.Buffer
			args := append(append([]string{}, c.args...), "--project-dir", dir, "--profiles-dir", dir)
			code := Main(args, nil, &out, &out)
			text := strings.ReplaceAll(out.String(), dir, "<project>")
			if code != c.dbtExit {
				t.Errorf("exit code %d, dbt's is %d\n%s", code, c.dbtExit, text)
			}
			lines := errorLines(text)
			if c.at != "" && !strings.Contains(lines, c.at) {
				t.Errorf("the error does not name %q:\n%s", c.at, lines)
			}
			cliGolden(t, filepath.Join("errors", c.name+".golden"), []byte("exit "+strconv.Itoa(code)+"\n"+lines))
		})
	}
}

var clockPrefix = regexp.MustCompile(`^\d\d:\d\d:\d\d  `)

// errorLines keeps the error of a command's output: the lines from dbt's
// "Encountered an error:" or a run's "[ERROR]: in" summary to the next
// empty log line (at most 8), gdbt's warnings and a rejected option.
func errorLines(out string) string {
	var b strings.Builder
	in, n := false, 0
	for _, l := range strings.Split(out, "\n") {
		bare := clockPrefix.ReplaceAllString(l, "")
		switch {
		case strings.HasPrefix(bare, "warning: ") || strings.HasPrefix(bare, "Error: No such option"):
			b.WriteString(bare + "\n")
		case strings.Contains(bare, "Encountered an error:") || strings.HasPrefix(bare, "[ERROR]: in "):
			in, n = true, 0
			b.WriteString(bare + "\n")
		case in && (strings.TrimSpace(bare) == "" || n >= 8):
			in = false
		case in:
			n++
			b.WriteString(bare + "\n")
		}
	}
	return b.String()
}

// copyTree copies the files under src into dst, leaving out what dbt
// writes (target/, logs/).
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			if d.Name() == "target" || d.Name() == "logs" {
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}
