package sqlparse

import (
	"os"
	"testing"

	pg_query "github.com/pganalyze/pg_query_go/v6"
)

// The benchmarks run on a typical compiled model (40 lines, 3 CTEs, joins).
// BenchmarkPgQuery* are the baselines Analyze is measured against.

func benchSQL(b *testing.B) string {
	s, err := os.ReadFile("testdata/bench_model.sql")
	if err != nil {
		b.Fatal(err)
	}
	return string(s)
}

// BenchmarkAnalyze measures a cache miss: parse, decode and analyze.
func BenchmarkAnalyze(b *testing.B) {
	sql := benchSQL(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := analyze(sql); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAnalyzeCached measures a cache hit.
func BenchmarkAnalyzeCached(b *testing.B) {
	sql := benchSQL(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Analyze(sql); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAnalyzeParallel measures cache misses from all Ps at once.
func BenchmarkAnalyzeParallel(b *testing.B) {
	sql := benchSQL(b)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := analyze(sql); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkDecode measures our JSON reading and analysis alone.
func BenchmarkDecode(b *testing.B) {
	sql := benchSQL(b)
	tree, err := pg_query.ParseToJSON(sql)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		an := &analyzer{}
		for _, st := range decodeTree(tree, sql) {
			an.query(st.q, nil, nil)
		}
	}
}

func BenchmarkPgQueryParse(b *testing.B) {
	sql := benchSQL(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := pg_query.Parse(sql); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPgQueryParseToJSON(b *testing.B) {
	sql := benchSQL(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := pg_query.ParseToJSON(sql); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPgQueryScan(b *testing.B) {
	sql := benchSQL(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := pg_query.Scan(sql); err != nil {
			b.Fatal(err)
		}
	}
}
