package cli

import (
	"math"
	"os"
	"runtime/debug"
)

// Parsing a project allocates a few hundred megabytes, most of which stays
// live until the manifest is written: collecting during it costs more
// than it frees. Like esbuild's one-shot builds, gdbt parses with the
// collector off, under a soft memory limit at which the runtime collects
// anyway, so a huge project cannot exhaust memory. Execution, which runs
// for longer and keeps less, collects normally (GOGC=400). A user's GOGC
// or GOMEMLIMIT leaves the collector alone.

const (
	minParseMemLimit = 1 << 30
	maxParseMemLimit = 8 << 30
)

// collectorTuned reports whether gdbt may set the collector.
func collectorTuned() bool { return os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" }

// parseCollector switches the collector off up to a quarter of the
// machine's memory (within 1–8 GiB).
func parseCollector() {
	if collectorTuned() {
		return
	}
	limit := int64(totalMemory() / 4)
	limit = max(minParseMemLimit, min(limit, maxParseMemLimit))
	debug.SetMemoryLimit(limit)
	debug.SetGCPercent(-1)
}

// runCollector is the setting for executing nodes.
func runCollector() {
	if collectorTuned() {
		return
	}
	debug.SetGCPercent(400)
	debug.SetMemoryLimit(math.MaxInt64)
}
