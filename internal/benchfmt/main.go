// Command benchfmt turns `go test -bench` output (on stdin) into a readable table.
//
//	go test -run '^$' -bench . -benchmem ./... | go run ./internal/benchfmt
//	go test -run '^$' -bench . ./compiler/jinja | go run ./internal/benchfmt -python py.txt
//
// With -python, the file holds lines "name ns_per_op" from the Python reference
// (scripts/bench_jinja.py); benchmarks are matched by name, ignoring case, the
// "Benchmark" prefix, the "-GOMAXPROCS" suffix and punctuation, and the table gains
// a Python column and the Python/Go ratio. Lines that are not results (FAIL, panics,
// test logs) are passed through so failures stay visible.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"unicode"
)

func main() {
	pyFile := flag.String("python", "", "file of `name ns_per_op` lines to compare against")
	flag.Parse()
	os.Exit(run(os.Stdin, os.Stdout, *pyFile))
}

// result is one benchmark line; absent metrics are -1.
type result struct {
	pkg, name           string
	iters               int64
	nsOp, bOp, allocsOp float64
}

func run(in io.Reader, out io.Writer, pyFile string) int {
	var py map[string]float64
	if pyFile != "" {
		f, err := os.Open(pyFile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "benchfmt:", err)
			return 1
		}
		py, err = parsePython(f)
		f.Close()
		if err != nil {
			fmt.Fprintf(os.Stderr, "benchfmt: %s: %v\n", pyFile, err)
			return 1
		}
	}
	results, other := parse(in)
	for _, l := range other {
		fmt.Fprintln(out, l)
	}
	if len(results) == 0 {
		fmt.Fprintln(out, "benchfmt: no benchmark results")
		return 0
	}
	writeTable(out, results, py)
	return 0
}

// parse splits go test output into results and the lines worth passing through.
func parse(in io.Reader) ([]result, []string) {
	var (
		results []result
		other   []string
		pkg     string
	)
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1024*1024), 1024*1024)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "pkg: "):
			pkg = strings.TrimPrefix(line, "pkg: ")
		case strings.HasPrefix(line, "goos: "), strings.HasPrefix(line, "goarch: "),
			strings.HasPrefix(line, "cpu: "), line == "PASS", strings.HasPrefix(line, "ok "),
			strings.HasPrefix(line, "?"), strings.TrimSpace(line) == "":
		default:
			if r, ok := parseResult(line); ok {
				r.pkg = pkg
				results = append(results, r)
			} else {
				other = append(other, line)
			}
		}
	}
	return results, other
}

// parseResult reads "BenchmarkX-2  1000  123 ns/op  45 B/op  3 allocs/op".
func parseResult(line string) (result, bool) {
	f := strings.Fields(line)
	if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
		return result{}, false
	}
	n, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil {
		return result{}, false
	}
	r := result{name: f[0], iters: n, nsOp: -1, bOp: -1, allocsOp: -1}
	for i := 2; i+1 < len(f); i += 2 {
		v, err := strconv.ParseFloat(f[i], 64)
		if err != nil {
			return result{}, false
		}
		switch f[i+1] {
		case "ns/op":
			r.nsOp = v
		case "B/op":
			r.bOp = v
		case "allocs/op":
			r.allocsOp = v
		}
	}
	return r, r.nsOp >= 0
}

func parsePython(in io.Reader) (map[string]float64, error) {
	m := map[string]float64{}
	sc := bufio.NewScanner(in)
	for line := 1; sc.Scan(); line++ {
		f := strings.Fields(sc.Text())
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		if len(f) != 2 {
			return nil, fmt.Errorf("line %d: expected \"name ns_per_op\", found %q", line, sc.Text())
		}
		v, err := strconv.ParseFloat(f[1], 64)
		if err != nil {
			return nil, fmt.Errorf("line %d: expected a number of ns/op, found %q", line, f[1])
		}
		m[key(f[0])] = v
	}
	return m, sc.Err()
}

// key normalises a benchmark name so Go's "BenchmarkRender_Loop-2" and Python's
// "render_loop" or "RenderLoop" meet.
func key(name string) string {
	name = strings.TrimPrefix(name, "Benchmark")
	if i := strings.LastIndexByte(name, '-'); i > 0 {
		if _, err := strconv.Atoi(name[i+1:]); err == nil {
			name = name[:i]
		}
	}
	var b strings.Builder
	for _, r := range name {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

func writeTable(out io.Writer, results []result, py map[string]float64) {
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	head := "package\tbenchmark\titerations\ttime/op\tbytes/op\tallocs/op\t"
	if py != nil {
		head += "python time/op\tpython/go\t"
	}
	fmt.Fprintln(tw, head)
	for _, r := range results {
		row := fmt.Sprintf("%s\t%s\t%d\t%s\t%s\t%s\t", shortPkg(r.pkg), strings.TrimPrefix(r.name, "Benchmark"),
			r.iters, duration(r.nsOp), count(r.bOp, "B"), count(r.allocsOp, ""))
		if py != nil {
			if p, ok := py[key(r.name)]; ok {
				row += fmt.Sprintf("%s\t%.1fx\t", duration(p), p/r.nsOp)
			} else {
				row += "-\t-\t"
			}
		}
		fmt.Fprintln(tw, row)
	}
	tw.Flush()
}

func shortPkg(p string) string { return strings.TrimPrefix(p, "github.com/gdbt/gdbt/") }

// duration prints ns/op with a unit that keeps 3-4 significant digits.
func duration(ns float64) string {
	switch {
	case ns < 0:
		return "-"
	case ns < 1e3:
		return fmt.Sprintf("%.1fns", ns)
	case ns < 1e6:
		return fmt.Sprintf("%.2fµs", ns/1e3)
	case ns < 1e9:
		return fmt.Sprintf("%.2fms", ns/1e6)
	default:
		return fmt.Sprintf("%.2fs", ns/1e9)
	}
}

func count(v float64, unit string) string {
	if v < 0 {
		return "-"
	}
	return strconv.FormatFloat(v, 'f', -1, 64) + unit
}
