package jinja

import (
	"bufio"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// builtinCase is one line of testdata/builtins/<topic>.golden, written by
// testdata/builtins/oracle.py from Python Jinja2 3.1.6: the expression and
// either its rendered output or the exception it raises.
type builtinCase struct {
	Expr string `json:"expr"`
	Out  string `json:"out"`
	Err  string `json:"err"`
	Msg  string `json:"msg"`
}

// TestBuiltinsGolden renders "{{ expr }}" (or the case itself when it starts
// like a template) for every case and compares with
// the oracle: output byte for byte, errors by kind and message.
// Regenerate the goldens with: python3 compiler/jinja/testdata/builtins/oracle.py
func TestBuiltinsGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/builtins/*.golden")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden files: %v", err)
	}
	for _, file := range files {
		topic := strings.TrimSuffix(filepath.Base(file), ".golden")
		f, err := os.Open(file)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		n := 0
		for sc.Scan() {
			var c builtinCase
			if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
				t.Fatalf("%s: %v", file, err)
			}
			n++
			t.Run(topic+"/"+c.Expr, func(t *testing.T) { checkBuiltinCase(t, c) })
		}
		f.Close()
		if n == 0 {
			t.Errorf("%s: no cases", file)
		}
	}
}

func checkBuiltinCase(t *testing.T, c builtinCase) {
	t.Helper()
	src := c.Expr
	if !strings.HasPrefix(src, "{{") && !strings.HasPrefix(src, "{%") {
		src = "{{ " + src + " }}"
	}
	tpl, err := NewEnvironment().Parse("case", src)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	got, err := tpl.Render(map[string]any{"s_inf": "inf"}) // oracle.py's VARS
	if c.Err == "" {
		if err != nil {
			t.Fatalf("unexpected error %v\nwant %q", err, c.Out)
		}
		if got != c.Out {
			t.Fatalf("\n got %q\nwant %q", got, c.Out)
		}
		return
	}
	var je *Error
	if !errors.As(err, &je) {
		t.Fatalf("want %s: %s, got output %q (err %v)", c.Err, c.Msg, got, err)
	}
	if je.Kind != c.Err || je.Msg != c.Msg {
		t.Fatalf("\n got %s: %s\nwant %s: %s", je.Kind, je.Msg, c.Err, c.Msg)
	}
}
