package parser

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/gdbt/gdbt/compiler/project"
	"github.com/gdbt/gdbt/internal/genproject"
)

// benchProject generates a project of n models once per benchmark.
func benchProject(b testing.TB, n int) *project.Project {
	b.Helper()
	dir := filepath.Join(b.TempDir(), "gen")
	if err := genproject.Write(dir, genproject.Options{Models: n, TestsPerModel: 1}); err != nil {
		b.Fatal(err)
	}
	p, err := project.Load(dir, project.Options{ProfilesDir: dir, Env: func(k string) (string, bool) {
		if k == "GDBT_PG_PORT" {
			return "5432", true
		}
		return "", false
	}})
	if err != nil {
		b.Fatal(err)
	}
	return p
}

func benchmarkParse(b *testing.B, n int) {
	p := benchProject(b, n)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := Parse(p, Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/model")
}

func BenchmarkParse1k(b *testing.B)  { benchmarkParse(b, 1000) }
func BenchmarkParse10k(b *testing.B) { benchmarkParse(b, 10000) }

// BenchmarkReadFiles is the baseline: reading the same files from disk.
func BenchmarkReadFiles10k(b *testing.B) {
	p := benchProject(b, 10000)
	var files []string
	_ = filepath.Walk(p.Root, func(path string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			files = append(files, path)
		}
		return nil
	})
	b.ResetTimer()
	for b.Loop() {
		for _, f := range files {
			if _, err := os.ReadFile(f); err != nil {
				b.Fatal(err)
			}
		}
	}
}
