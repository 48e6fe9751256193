package lineage

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"sort"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gdbt/gdbt/compiler/compile"
	"github.com/gdbt/gdbt/compiler/parser"
	"github.com/gdbt/gdbt/compiler/project"
	"github.com/gdbt/gdbt/internal/genproject"
)

// The benchmarks run over internal/genproject's project (1,000 models,
// one generic test each). Each iteration parses it again under a new
// schema name, outside the timer: relation names change, so sqlparse's
// cache (keyed by SQL text) never answers and every figure includes real
// parsing. Compare ns/model of BenchmarkCompile1000 (compile only, same
// parallelism) and BenchmarkLineage1000 (compile + analysis + graph).

const benchModels = 1000

func benchParsed(b *testing.B, dir string, iter int) *compile.Compiler {
	b.Helper()
	p, err := project.Load(dir, project.Options{ProfilesDir: dir, Env: func(k string) (string, bool) {
		switch k {
		case "GDBT_PG_PORT":
			return "5432", true
		case "GDBT_PG_SCHEMA":
			return fmt.Sprintf("bench_%d", iter), true
		}
		return "", false
	}})
	if err != nil {
		b.Fatal(err)
	}
	res, err := parser.Parse(p, parser.Options{})
	if err != nil {
		b.Fatal(err)
	}
	return compile.New(res, nil)
}

func benchDir(b *testing.B) string {
	dir := filepath.Join(b.TempDir(), "gen")
	if err := genproject.Write(dir, genproject.Options{Models: benchModels, TestsPerModel: 1}); err != nil {
		b.Fatal(err)
	}
	return dir
}

// cpuTime is the process's user+system CPU time. On a shared machine it
// is steadier than wall time: figures report both.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// timed runs fn with the benchmark timer on and adds its CPU time to *cpu.
func timed(b *testing.B, cpu *time.Duration, fn func()) {
	runtime.GC()
	start := cpuTime()
	b.StartTimer()
	fn()
	b.StopTimer()
	*cpu += cpuTime() - start
}

func report(b *testing.B, cpu time.Duration) {
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchModels), "ns/model")
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N*benchModels), "cpu-ns/model")
}

// compileAll compiles every analyzable node with one worker per CPU, the
// way Build does, without analyzing.
func compileAll(ctx context.Context, c *compile.Compiler) error {
	var ids []string
	for id, n := range c.Manifest().Nodes {
		if analyzable(n) {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	next := make(chan string)
	errs := make(chan error, len(ids))
	var wg sync.WaitGroup
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := range next {
				_, err := c.Node(ctx, c.Manifest().Nodes[id])
				if err != nil {
					errs <- err
				}
			}
		}()
	}
	for _, id := range ids {
		next <- id
	}
	close(next)
	wg.Wait()
	close(errs)
	return <-errs
}

func BenchmarkCompile1000(b *testing.B) {
	dir := benchDir(b)
	ctx := context.Background()
	var cpu time.Duration
	b.StopTimer()
	for i := 0; i < b.N; i++ {
		c := benchParsed(b, dir, i)
		timed(b, &cpu, func() {
			if err := compileAll(ctx, c); err != nil {
				b.Fatal(err)
			}
		})
	}
	report(b, cpu)
}

func BenchmarkLineage1000(b *testing.B) {
	dir := benchDir(b)
	ctx := context.Background()
	var cpu time.Duration
	b.StopTimer()
	for i := 0; i < b.N; i++ {
		c := benchParsed(b, dir, i)
		timed(b, &cpu, func() {
			g, err := Build(ctx, c, Options{})
			if err != nil {
				b.Fatal(err)
			}
			if len(g.Diagnostics) > 0 {
				b.Fatalf("generated project has diagnostics: %v", g.Diagnostics[0])
			}
		})
	}
	report(b, cpu)
}

// BenchmarkAnalyze1000 times Build over an already compiled project (the
// compiler caches compiled nodes): the cost lineage adds to a compile.
func BenchmarkAnalyze1000(b *testing.B) {
	dir := benchDir(b)
	ctx := context.Background()
	var cpu time.Duration
	b.StopTimer()
	for i := 0; i < b.N; i++ {
		c := benchParsed(b, dir, i)
		if err := compileAll(ctx, c); err != nil {
			b.Fatal(err)
		}
		timed(b, &cpu, func() {
			if _, err := Build(ctx, c, Options{}); err != nil {
				b.Fatal(err)
			}
		})
	}
	report(b, cpu)
}
