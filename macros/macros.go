// Package macros holds gdbt's built-in Jinja macros, written by us, that
// stand where dbt's global project and dbt-postgres's macros stand: the
// generic tests, schema/alias naming, statement and run_query, and the
// cross-database helpers. They are embedded in the binary.
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
