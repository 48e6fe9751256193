package jinja_test

// TestConformance renders every case in testdata/cases with our engine and
// compares it byte for byte with the output Python Jinja2 3.1.6 produced
// (testdata/golden, written by scripts/jinja_oracle.py --write; file formats
// are described there). Python is not needed to run this test.

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gdbt/gdbt/compiler/dbtctx"
	"github.com/gdbt/gdbt/compiler/jinja"
)

const caseHeader = "=== case: "

var caseNameRE = regexp.MustCompile(`^[a-z0-9_]+$`)

type confCase struct {
	topic, name string
	vars        string // JSON object text, "" when absent
	src         string
}

type confGolden struct {
	isErr  bool
	output string
	kind   string
	line   int // 0 when the oracle saw no template line ("line ?")
	msg    string
}

// splitLines splits on "\n" only, keeping the terminator, like the oracle.
func splitLines(text string) []string {
	parts := strings.SplitAfter(text, "\n")
	if len(parts) > 0 && parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1]
	}
	return parts
}

// splitSections returns, in order, each case name with the lines after its
// header. Text before the first header is a comment.
func splitSections(path, text string) ([]string, [][]string, error) {
	var names []string
	var bodies [][]string
	for _, line := range splitLines(text) {
		if strings.HasPrefix(line, caseHeader) {
			name := strings.TrimSuffix(line[len(caseHeader):], "\n")
			if !caseNameRE.MatchString(name) {
				return nil, nil, fmt.Errorf("%s: bad case name %q", path, name)
			}
			names = append(names, name)
			bodies = append(bodies, nil)
			continue
		}
		if len(names) > 0 {
			bodies[len(bodies)-1] = append(bodies[len(bodies)-1], line)
		}
	}
	return names, bodies, nil
}

func readCases(path, topic string) ([]confCase, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	names, bodies, err := splitSections(path, string(data))
	if err != nil {
		return nil, err
	}
	var out []confCase
	for i, name := range names {
		body := bodies[i]
		c := confCase{topic: topic, name: name}
		j := 0
		if len(body) > 0 && body[0] == "--- vars\n" {
			j = 1
			for j < len(body) && body[j] != "--- template\n" {
				j++
			}
			c.vars = strings.Join(body[1:j], "")
		}
		if j >= len(body) || body[j] != "--- template\n" {
			return nil, fmt.Errorf("%s: case %s: missing '--- template' line", path, name)
		}
		c.src = strings.TrimSuffix(strings.Join(body[j+1:], ""), "\n")
		out = append(out, c)
	}
	return out, nil
}

var errLineRE = regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_]*) line (\d+|\?)\n$`)

func readGoldens(path string) (map[string]confGolden, []string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	names, bodies, err := splitSections(path, string(data))
	if err != nil {
		return nil, nil, err
	}
	out := map[string]confGolden{}
	for i, name := range names {
		body := bodies[i]
		if len(body) == 0 {
			return nil, nil, fmt.Errorf("%s: case %s: empty golden", path, name)
		}
		var g confGolden
		switch body[0] {
		case "--- output\n":
			g.output = strings.Join(body[1:], "")
			if !strings.HasSuffix(g.output, "\n") {
				return nil, nil, fmt.Errorf("%s: case %s: output must end with a newline", path, name)
			}
			g.output = g.output[:len(g.output)-1]
		case "--- error\n":
			g.isErr = true
			if len(body) < 2 {
				return nil, nil, fmt.Errorf("%s: case %s: error golden without a kind line", path, name)
			}
			m := errLineRE.FindStringSubmatch(body[1])
			if m == nil {
				return nil, nil, fmt.Errorf("%s: case %s: bad error line %q", path, name, body[1])
			}
			g.kind = m[1]
			if m[2] != "?" {
				g.line, _ = strconv.Atoi(m[2])
			}
			for _, l := range body[2:] {
				if strings.HasPrefix(l, "msg: ") {
					g.msg = strings.TrimSuffix(l[len("msg: "):], "\n")
				}
			}
		default:
			return nil, nil, fmt.Errorf("%s: case %s: expected '--- output' or '--- error', found %q", path, name, body[0])
		}
		if _, dup := out[name]; dup {
			return nil, nil, fmt.Errorf("%s: duplicate golden %s", path, name)
		}
		out[name] = g
	}
	return out, names, nil
}

// decodeVars decodes a JSON object into render variables, keeping the key
// order of nested objects (they become *jinja.Dict, insertion ordered as in
// Python) and telling ints from floats the way Python's json module does.
func decodeVars(text string) (map[string]any, error) {
	vars := map[string]any{}
	if strings.TrimSpace(text) == "" {
		return vars, nil
	}
	v, err := dbtctx.DecodeJSON(text)
	if err != nil {
		return nil, err
	}
	d, ok := v.(*jinja.Dict)
	if !ok {
		return nil, fmt.Errorf("vars must be a JSON object")
	}
	for _, k := range d.Keys() {
		val, _ := d.Get(k)
		if vars[k.(string)], err = untag(val); err != nil {
			return nil, err
		}
	}
	return vars, nil
}

// untag replaces tagged objects inside v (see tagged).
func untag(v any) (any, error) {
	switch x := v.(type) {
	case *jinja.List:
		for i, it := range x.Items {
			var err error
			if x.Items[i], err = untag(it); err != nil {
				return nil, err
			}
		}
	case *jinja.Dict:
		for _, k := range x.Keys() {
			it, _ := x.Get(k)
			u, err := untag(it)
			if err != nil {
				return nil, err
			}
			x.Set(k, u)
		}
		return tagged(x)
	}
	return v, nil
}

// tagged turns the oracle's tagged objects ({"$decimal": "1.50"},
// {"$date": …}, {"$datetime": …}) into the values run_query gives templates.
func tagged(d *jinja.Dict) (any, error) {
	if d.Len() != 1 {
		return d, nil
	}
	k := d.Keys()[0]
	v, _ := d.Get(k)
	text, _ := v.(string)
	switch k {
	case "$decimal":
		if x, ok := jinja.ParseDecimal(text); ok {
			return x, nil
		}
		return nil, fmt.Errorf("bad $decimal %q", text)
	case "$date", "$datetime":
		for _, layout := range []string{"2006-01-02", "2006-01-02 15:04:05.999999", "2006-01-02 15:04:05.999999-07:00"} {
			if t, err := time.Parse(layout, text); err == nil {
				if k == "$date" {
					return dbtctx.Date(t), nil
				}
				return dbtctx.DateTime(t, strings.ContainsAny(text[10:], "+-")), nil
			}
		}
		return nil, fmt.Errorf("bad %s %q", k, text)
	}
	return d, nil
}

type confResult struct {
	out   string
	err   error
	crash string // set when the engine panicked or hung
}

// renderCase parses and renders one case, turning panics and hangs into
// failures so one bad case cannot take the whole suite down.
func renderCase(name, src string, vars map[string]any) confResult {
	done := make(chan confResult, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- confResult{crash: fmt.Sprintf("panicked: %v", r)}
			}
		}()
		env := jinja.NewEnvironment()
		tmpl, err := env.Parse(name, src)
		if err != nil {
			done <- confResult{err: err}
			return
		}
		out, err := tmpl.Render(vars)
		done <- confResult{out: out, err: err}
	}()
	select {
	case r := <-done:
		return r
	case <-time.After(10 * time.Second):
		return confResult{crash: "timed out after 10s (infinite loop?)"}
	}
}

func TestConformance(t *testing.T) {
	caseFiles, err := filepath.Glob(filepath.Join("testdata", "cases", "*.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if len(caseFiles) == 0 {
		t.Fatal("no case files under testdata/cases")
	}
	sort.Strings(caseFiles)

	type tally struct{ pass, fail int }
	tallies := map[string]*tally{}
	var topics []string
	seen := map[string]string{}
	topicSet := map[string]bool{}

	for _, cf := range caseFiles {
		topic := strings.TrimSuffix(filepath.Base(cf), ".txt")
		topicSet[topic] = true
		cases, err := readCases(cf, topic)
		if err != nil {
			t.Error(err)
			continue
		}
		goldenPath := filepath.Join("testdata", "golden", topic+".golden")
		goldens, goldenNames, err := readGoldens(goldenPath)
		if err != nil {
			t.Errorf("%v (run scripts/jinja_oracle.py --write)", err)
			continue
		}
		inCases := map[string]bool{}
		for _, c := range cases {
			inCases[c.name] = true
		}
		for _, n := range goldenNames {
			if !inCases[n] {
				t.Errorf("%s: golden for %s has no case (run scripts/jinja_oracle.py --write)", goldenPath, n)
			}
		}

		topics = append(topics, topic)
		tl := &tally{}
		tallies[topic] = tl
		t.Run(topic, func(t *testing.T) {
			for _, c := range cases {
				c := c
				if prev, dup := seen[c.name]; dup {
					t.Errorf("case %s defined in both %s and %s", c.name, prev, topic)
					tl.fail++
					continue
				}
				seen[c.name] = topic
				ok := t.Run(c.name, func(t *testing.T) {
					g, has := goldens[c.name]
					if !has {
						t.Fatalf("case has no golden in %s (run scripts/jinja_oracle.py --write)", goldenPath)
					}
					vars, err := decodeVars(c.vars)
					if err != nil {
						t.Fatalf("bad vars: %v", err)
					}
					if strings.HasPrefix(topic, "dbt_modules") {
						vars["modules"] = dbtctx.Modules()
					}
					checkCase(t, c, g, vars)
				})
				if ok {
					tl.pass++
				} else {
					tl.fail++
				}
			}
		})
	}

	goldenFiles, _ := filepath.Glob(filepath.Join("testdata", "golden", "*.golden"))
	for _, gf := range goldenFiles {
		if topic := strings.TrimSuffix(filepath.Base(gf), ".golden"); !topicSet[topic] {
			t.Errorf("%s has no case file testdata/cases/%s.txt", gf, topic)
		}
	}

	var b strings.Builder
	totalPass, totalFail := 0, 0
	fmt.Fprintf(&b, "conformance summary (passed/failed per topic):\n")
	for _, topic := range topics {
		tl := tallies[topic]
		totalPass += tl.pass
		totalFail += tl.fail
		fmt.Fprintf(&b, "  %-22s %4d passed %4d failed\n", topic, tl.pass, tl.fail)
	}
	fmt.Fprintf(&b, "  %-22s %4d passed %4d failed", "TOTAL", totalPass, totalFail)
	t.Log(b.String())
}

func checkCase(t *testing.T, c confCase, g confGolden, vars map[string]any) {
	t.Helper()
	name := c.topic + "/" + c.name
	r := renderCase(name, c.src, vars)
	if r.crash != "" {
		t.Fatalf("engine %s\ntemplate:\n%s", r.crash, c.src)
	}
	out, err := r.out, r.err
	if !g.isErr {
		if err != nil {
			t.Fatalf("unexpected error: %v\nwant output:\n%q\ntemplate:\n%s", err, g.output, c.src)
		}
		if out != g.output {
			t.Fatalf("output differs\n got: %q\nwant: %q\ntemplate:\n%s", out, g.output, c.src)
		}
		return
	}
	if err == nil {
		t.Fatalf("want %s (line %s: %s), got output %q\ntemplate:\n%s", g.kind, lineText(g.line), g.msg, out, c.src)
	}
	var je *jinja.Error
	if !errors.As(err, &je) {
		t.Fatalf("want *jinja.Error %s, got %T: %v", g.kind, err, err)
	}
	if je.Kind != g.kind {
		t.Errorf("error kind: got %s, want %s (python: %s)\nerror: %v\ntemplate:\n%s", je.Kind, g.kind, g.msg, err, c.src)
	}
	if g.line != 0 && je.Line != g.line {
		t.Errorf("error line: got %d, want %d (python: %s)\nerror: %v\ntemplate:\n%s", je.Line, g.line, g.msg, err, c.src)
	}
	pos := `\d+`
	if g.line != 0 {
		pos = strconv.Itoa(g.line)
	}
	re := regexp.MustCompile(regexp.QuoteMeta(name) + ":" + pos + `:\d+`)
	if msg := err.Error(); !re.MatchString(msg) {
		t.Errorf("error message %q does not name %s:%s:<col>", msg, name, lineText(g.line))
	}
}

func lineText(line int) string {
	if line == 0 {
		return "?"
	}
	return strconv.Itoa(line)
}

// TestBenchModelMatchesPython checks that the benchmark template renders
// exactly as Python Jinja2 renders it (testdata/bench/model.golden, written by
// scripts/jinja_oracle.py with scripts/bench_jinja.py's context), so the
// benchmark figures compare the same work.
func TestBenchModelMatchesPython(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("testdata", "bench", "model.sql"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join("testdata", "bench", "model.golden"))
	if err != nil {
		t.Fatalf("%v (run scripts/jinja_oracle.py --write)", err)
	}
	relation := jinja.Func(func(s *jinja.State, args *jinja.Args) (any, error) {
		return `"analytics"."dbt"."` + jinja.ToString(args.Pos[len(args.Pos)-1]) + `"`, nil
	})
	vars := map[string]any{
		"ref":    relation,
		"source": relation,
		"config": jinja.Func(func(s *jinja.State, args *jinja.Args) (any, error) { return "", nil }),
		"var": jinja.Func(func(s *jinja.State, args *jinja.Args) (any, error) {
			if len(args.Pos) > 1 {
				return args.Pos[1], nil
			}
			return nil, nil
		}),
		"is_incremental": jinja.Func(func(s *jinja.State, args *jinja.Args) (any, error) { return false, nil }),
		"target":         map[string]any{"name": "dev", "schema": "dbt"},
	}
	tmpl, err := jinja.NewEnvironment().Parse("model.sql", string(src))
	if err != nil {
		t.Fatal(err)
	}
	got, err := tmpl.Render(vars)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("bench model renders differently from Python Jinja2\n got: %q\nwant: %q", got, want)
	}
}
