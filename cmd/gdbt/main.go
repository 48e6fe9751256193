// Command gdbt is a dbt-compatible data build tool for PostgreSQL.
package main

import (
	"os"
	"runtime/debug"

	"github.com/gdbt/gdbt/internal/cli"
)

func main() {
	// A gdbt run is a short batch job whose heap is mostly live data (the
	// manifest, compiled SQL): collecting at every doubling spends a quarter
	// of parse's CPU for little memory back. Let the heap grow 5x between
	// collections unless the user tuned the collector.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
