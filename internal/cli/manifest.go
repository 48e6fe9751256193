package cli

import (
	"bufio"
	"os"
	"path/filepath"
	"time"

	"github.com/gdbt/gdbt/compiler/manifest"
	"github.com/gdbt/gdbt/runtime/artifacts"
)

// writeManifest writes target/manifest.json (dbt's v12 layout) atomically:
// a temp file renamed into place, so readers never see half a manifest.
func (a *app) writeManifest() error {
	dir := a.targetDir()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	m := a.res.Manifest
	env := a.res.Env
	now := time.Now()
	hdr := artifacts.NewMetadata(env.InvocationID, a.start, now, os.Environ())
	started := env.RunStartedAt
	if started.IsZero() {
		started = a.start
	}
	meta := manifest.Metadata{
		DBTVersion:          artifacts.DBTVersion,
		GeneratedAt:         hdr.GeneratedAt,
		InvocationID:        env.InvocationID,
		InvocationStartedAt: hdr.InvocationStartedAt,
		RunStartedAt:        manifest.RunStartedAt(started),
		Env:                 hdr.Env,
		ProjectName:         m.ProjectName,
		ProjectID:           m.ProjectID,
		AdapterType:         m.AdapterType,
	}
	if q, ok := a.res.Project.Quoting.Interface().(map[string]any); ok {
		meta.Quoting = q
	}
	tmp, err := os.CreateTemp(dir, ".manifest-*.json")
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(tmp, 1<<20)
	err = m.WriteJSON(w, meta)
	if err == nil {
		err = w.Flush()
	}
	if err == nil {
		err = tmp.Chmod(0o644) // CreateTemp makes 0600; dbt's file is world-readable
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), filepath.Join(dir, "manifest.json"))
}
