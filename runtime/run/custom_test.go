package run

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/gdbt/gdbt/compiler/project"
)

// TestCustomMaterializations runs the custom_mat fixture: a project
// materialization with its own name (insert_overwrite: creates, then
// truncates and inserts), the project's override of the built-in table
// materialization (it also writes build_audit), a package's pkg_view whose
// postgres version wins over its default one, a package's view
// materialization that dbt ignores, one materialization that forgets
// return(), one model whose SQL fails inside a project materialization,
// one whose post-hook fails inside its transaction (its rows survive) and
// a project incremental materialization built from dbt's incremental
// helpers (strategy macros, on_schema_change).
// Ignoring any override changes the output or the database: build_audit
// goes missing, insert_overwrite models fail, views become errors.
func TestCustomMaterializations(t *testing.T) {
	f := newFixture(t, "custom_mat")
	for k, v := range map[string]string{"HOST": "RT_PG_HOST", "PORT": "RT_PG_PORT", "USER": "RT_PG_USER", "PASSWORD": "RT_PG_PASSWORD", "DBNAME": "RT_PG_DBNAME"} {
		f.env["GDBT_PG_"+k] = f.env[v]
	}
	f.env["GDBT_PG_SCHEMA"] = "rt_custom"
	f.dir = installedCopy(t, f.dir)
	steps := []step{
		{cmd: "build"},
		{sql: `insert into rt_custom.events values (5, 'view', 1)`},
		{cmd: "run", vars: "{fail_guarded: true}"},
		{cmd: "run", vars: "{wide: true}"},
		{cmd: "run", full: true, sel: []string{"model.custom_mat.events_overwrite"}},
	}
	runScenario(t, f, steps, "custom_scenario.golden")
}

// installedCopy copies a fixture project into a temporary directory and
// installs its packages there (the fixture itself stays untouched).
func installedCopy(t *testing.T, dir string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), filepath.Base(dir))
	if err := os.CopyFS(dst, os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	p, err := project.Load(dst, project.Options{NoProfile: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := project.Deps(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	return dst
}
