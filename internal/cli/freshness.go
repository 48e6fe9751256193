package cli

import (
	"context"
	"crypto/rand"
	"fmt"
	"path/filepath"
	"time"

	"github.com/gdbt/gdbt/runtime/adapter/postgres"
	"github.com/gdbt/gdbt/runtime/freshness"
)

func init() {
	runCommands["source"] = func(ctx context.Context, a *app) int { return a.sourceCmd(ctx) }
}

// openWarehouse opens the profile's pool and points the run-time context at
// it, as the runtime does before running nodes (invocation id, start time,
// flags.WHICH).
func (a *app) openWarehouse(ctx context.Context, which string) (*postgres.Adapter, error) {
	if a.proj.Profile == nil {
		return nil, &userError{fmt.Errorf("Runtime Error\n  no profile loaded")}
	}
	wh, err := postgres.OpenProfile(ctx, a.proj.Profile, a.threads())
	if err != nil {
		return nil, err
	}
	env := a.res.Env
	env.Context = ctx
	env.InvocationID = newUUID()
	env.RunStartedAt = a.start.UTC()
	if env.Flags != nil {
		env.Flags.Set("WHICH", which)
	}
	return wh, nil
}

func (a *app) targetName() string {
	if a.proj.Profile == nil {
		return ""
	}
	return a.proj.Profile.TargetName
}

// newUUID is a random (version 4) UUID, dbt's invocation_id.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// sourceCmd runs `gdbt source freshness`.
func (a *app) sourceCmd(ctx context.Context) int {
	if len(a.args) == 0 || a.args[0] != "freshness" {
		fmt.Fprintln(a.stderr, "Usage: gdbt source freshness [--select ...] [--output PATH]")
		return exitCrash
	}
	if err := a.parseProject(); err != nil {
		a.printError(err)
		return exitCrash
	}
	ids, _, err := a.selectFor("source")
	if err != nil {
		a.printError(err)
		return exitCrash
	}
	if err := a.writeManifest(); err != nil {
		a.printError(err)
		return exitCrash
	}
	wh, err := a.openWarehouse(ctx, "source")
	if err != nil {
		a.printError(err)
		return exitCrash
	}
	defer wh.Close()
	rep, err := freshness.Run(ctx, freshness.Options{
		Manifest: a.res.Manifest, Selected: ids, Warehouse: wh, Threads: a.threads(),
		Out: a.stdout, Color: isTerminal(a.stdout), TargetName: a.targetName(),
		InvocationID: a.res.Env.InvocationID, Started: a.start,
	})
	if rep == nil {
		a.printError(&userError{err})
		return exitFailure
	}
	art := rep.Artifact(time.Now())
	path := filepath.Join(a.targetDir(), "sources.json")
	if a.f.Output != "" {
		// dbt's deprecated --output names the file itself.
		path = a.f.Output
	}
	if err := art.WriteFile(path); err != nil {
		a.printError(err)
		return exitCrash
	}
	if err != nil {
		return exitCrash
	}
	return rep.ExitCode()
}
