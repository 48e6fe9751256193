// Package macros holds gdbt's built-in Jinja macros, written by us, that
// stand where dbt's global project and dbt-postgres's macros stand: the
// generic tests, schema/alias naming, statement and run_query, dbt's
// cross-database macro set (types, strings, dates, arrays, series,
// date_spine) with its postgres__ variants, and the introspection, DDL-text,
// hook and date helpers that projects and packages call, including what a
// project's own materializations call (run_hooks, apply_grants,
// persist_docs, create_indexes). gdbt's own materializations are Go code
// in runtime/materialize, not macros. The macros print, byte
// for byte, the SQL dbt's print on Postgres (compiler/compile's
// TestMacrosUtilsCompiled checks that against dbt's own output). They are
// embedded in the binary.
package macros

import "embed"

// FS holds the macro files: dbt/ for package "dbt", postgres/ for
// package "dbt_postgres".
//
//go:embed dbt/*.sql postgres/*.sql
var FS embed.FS

// Packages maps each built-in package to its folder in FS.
var Packages = []struct{ Name, Dir string }{
	{"dbt", "dbt"},
	{"dbt_postgres", "postgres"},
}
