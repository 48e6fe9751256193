package cli

import (
	"math"
	"runtime/debug"
	"testing"
)

// TestCollectorSettings: parse runs with the collector off under a bounded
// soft limit, execution collects with GOGC=400 and no limit, and a user's
// GOGC or GOMEMLIMIT switches the tuning off.
func TestCollectorSettings(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")

	parseCollector()
	if pct := debug.SetGCPercent(-1); pct != -1 {
		t.Errorf("parse: GC percent %d, want -1 (off)", pct)
	}
	if lim := debug.SetMemoryLimit(-1); lim < minParseMemLimit || lim > maxParseMemLimit {
		t.Errorf("parse: memory limit %d, want within [%d, %d]", lim, minParseMemLimit, maxParseMemLimit)
	}
	runCollector()
	if pct := debug.SetGCPercent(-1); pct != 400 {
		t.Errorf("run: GC percent %d, want 400", pct)
	}
	if lim := debug.SetMemoryLimit(-1); lim != math.MaxInt64 {
		t.Errorf("run: memory limit %d, want none", lim)
	}

	for _, env := range []string{"GOGC", "GOMEMLIMIT"} {
		t.Setenv(env, "200")
		debug.SetGCPercent(123)
		parseCollector()
		runCollector()
		if pct := debug.SetGCPercent(123); pct != 123 {
			t.Errorf("with %s set: GC percent changed to %d", env, pct)
		}
		t.Setenv(env, "")
	}
}
