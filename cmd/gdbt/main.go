// Command gdbt is a dbt-compatible data build tool for PostgreSQL.
package main

import (
	"os"

	"github.com/gdbt/gdbt/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
