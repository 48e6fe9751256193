package manifest_test

import (
	"io"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/gdbt/gdbt/compiler/manifest"
	"github.com/gdbt/gdbt/compiler/parser"
	"github.com/gdbt/gdbt/compiler/project"
	"github.com/gdbt/gdbt/internal/genproject"
)

func genManifest(b *testing.B, models int) *manifest.Manifest {
	b.Helper()
	dir := filepath.Join(b.TempDir(), "gen")
	if err := genproject.Write(dir, genproject.Options{Models: models, TestsPerModel: 2}); err != nil {
		b.Fatal(err)
	}
	p, err := project.Load(dir, project.Options{ProfilesDir: dir, Env: func(string) (string, bool) { return "", false }})
	if err != nil {
		b.Fatal(err)
	}
	res, err := parser.Parse(p, parser.Options{})
	if err != nil {
		b.Fatal(err)
	}
	return res.Manifest
}

// countingWriter measures the output size without keeping it.
type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

var _ io.Writer = (*countingWriter)(nil)

// BenchmarkWriteJSON10k serializes a 10,000-model project (plus 20,000
// generic tests); the target is well under a second.
func BenchmarkWriteJSON10k(b *testing.B) {
	m := genManifest(b, 10000)
	meta := testMeta(m)
	b.ReportAllocs()
	var w countingWriter
	cpu0 := cpuTime()
	for b.Loop() {
		w.n = 0
		if err := m.WriteJSON(&w, meta); err != nil {
			b.Fatal(err)
		}
	}
	// CPU time is reported beside wall time: the shared test machine is
	// often oversubscribed, which inflates ns/op.
	b.ReportMetric(float64((cpuTime()-cpu0).Milliseconds())/float64(b.N), "cpu-ms/op")
	b.ReportMetric(float64(w.n)/1e6, "MB")
	b.ReportMetric(float64(len(m.Nodes)), "nodes")
}

// cpuTime is the process' user+system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
