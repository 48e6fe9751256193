// Command conformance runs dbt-core and gdbt side by side on dbt projects and
// reports every difference (see package internal/conformance).
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/gdbt/gdbt/internal/conformance"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := conformance.Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
