package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/jackc/pgx/v5"

	"github.com/gdbt/gdbt/runtime/adapter/postgres"
	"github.com/gdbt/gdbt/runtime/extract"
)

func init() {
	runCommands["load"] = func(ctx context.Context, a *app) int { return a.load2(ctx) }
}

// load2 runs `gdbt load`: every source table that declares
// meta.gdbt.load is landed in its raw schema, then a summary table is
// printed and target/load_report.json written.
func (a *app) load2(ctx context.Context) int {
	if err := a.parseProject(); err != nil {
		a.printError(err)
		return exitCrash
	}
	var specs []extract.Spec
	ids := make([]string, 0, len(a.res.Manifest.Sources))
	for id := range a.res.Manifest.Sources {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		s := a.res.Manifest.Sources[id]
		g, _ := s.Meta["gdbt"].(map[string]any)
		load, _ := g["load"].(map[string]any)
		if load == nil {
			continue
		}
		spec, err := extract.ParseSpec(extract.Decl{Source: s.SourceName, Table: s.Name, Schema: s.Schema,
			Identifier: s.Identifier, ProjectDir: a.proj.Root, File: s.OriginalFilePath}, load)
		if err != nil {
			a.printError(&userError{err})
			return exitFailure
		}
		specs = append(specs, spec)
	}
	if len(specs) == 0 {
		a.logf("Nothing to load: no source table declares meta.gdbt.load.")
		return exitOK
	}
	conn, err := pgx.Connect(ctx, postgres.ConnString(a.proj.Profile))
	if err != nil {
		a.printError(fmt.Errorf("connecting to the warehouse: %w", err))
		return exitCrash
	}
	defer conn.Close(context.Background())
	a.logf("Loading %d source tables", len(specs))
	rep, runErr := extract.Run(ctx, conn, specs, extract.Options{
		Reporter: extract.NewTerminalReporter(a.stderr, extract.IsTerminal(os.Stderr)),
	})
	_ = rep.WriteSummary(a.stdout)
	if data, err := json.MarshalIndent(rep, "", "  "); err == nil {
		_ = os.MkdirAll(a.targetDir(), 0o755)
		_ = os.WriteFile(filepath.Join(a.targetDir(), "load_report.json"), data, 0o644)
	}
	if runErr != nil {
		a.printError(&userError{runErr})
		return exitFailure
	}
	return exitOK
}
