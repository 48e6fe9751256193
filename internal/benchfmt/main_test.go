package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseResult(t *testing.T) {
	tests := []struct {
		line string
		ok   bool
		want result
	}{
		{"BenchmarkLex-2   	  123456	      9876 ns/op	     512 B/op	       7 allocs/op", true,
			result{name: "BenchmarkLex-2", iters: 123456, nsOp: 9876, bOp: 512, allocsOp: 7}},
		{"BenchmarkRender/big-8 	 10	 1.5e+06 ns/op", true,
			result{name: "BenchmarkRender/big-8", iters: 10, nsOp: 1.5e6, bOp: -1, allocsOp: -1}},
		{"BenchmarkX-2 --- FAIL: oops", false, result{}},
		{"    foo_test.go:12: log line", false, result{}},
		{"BenchmarkOnlyName", false, result{}},
	}
	for _, tt := range tests {
		got, ok := parseResult(tt.line)
		if ok != tt.ok || (ok && got != tt.want) {
			t.Errorf("parseResult(%q) = %+v, %v; want %+v, %v", tt.line, got, ok, tt.want, tt.ok)
		}
	}
}

func TestKey(t *testing.T) {
	tests := []struct{ in, want string }{
		{"BenchmarkRenderLoop-2", "renderloop"},
		{"render_loop", "renderloop"},
		{"BenchmarkRender/for-loop-16", "renderforloop"},
		{"Benchmark-x", "x"},
	}
	for _, tt := range tests {
		if got := key(tt.in); got != tt.want {
			t.Errorf("key(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestRunTable(t *testing.T) {
	in := strings.Join([]string{
		"goos: linux",
		"pkg: github.com/gdbt/gdbt/compiler/jinja",
		"BenchmarkRenderLoop-2 \t 1000 \t 2000 ns/op \t 64 B/op \t 2 allocs/op",
		"BenchmarkLex-2 \t 5000 \t 300 ns/op",
		"--- FAIL: BenchmarkBroken",
		"PASS",
		"ok  \tgithub.com/gdbt/gdbt/compiler/jinja\t1.2s",
	}, "\n")
	pyFile := filepath.Join(t.TempDir(), "py.txt")
	if err := os.WriteFile(pyFile, []byte("# python\nrender_loop 50000\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if code := run(strings.NewReader(in), &out, pyFile); code != 0 {
		t.Fatalf("run returned %d", code)
	}
	got := out.String()
	for _, want := range []string{"--- FAIL: BenchmarkBroken", "compiler/jinja", "RenderLoop", "2.00µs", "50.00µs", "25.0x", "300.0ns", "64B"} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "goos:") || strings.Contains(got, "ok  ") {
		t.Errorf("output passes through noise lines:\n%s", got)
	}
}
