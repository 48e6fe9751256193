package jinja

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// sameParse parses src with and without the lone-operand shortcut and
// reports how the results differ, or "".
func sameParse(src string) string {
	parse := func(on bool) (any, string) {
		loneOperands = on
		defer func() { loneOperands = true }()
		t, err := NewEnvironment().Parse("t.sql", src)
		if err != nil {
			return nil, err.Error()
		}
		return []any{t.body, t.macros, t.blocks}, ""
	}
	fast, fastErr := parse(true)
	slow, slowErr := parse(false)
	if fastErr != slowErr {
		return fmt.Sprintf("errors differ: %q vs %q", fastErr, slowErr)
	}
	if f, s := dumpTree(fast), dumpTree(slow); f != s {
		return "trees differ:\n" + f + "\n" + s
	}
	return ""
}

// dumpTree prints a parse tree with every field and position; functions
// (the filters and tests a node has looked up) print as whether they are set.
func dumpTree(x any) string {
	var b strings.Builder
	seen := map[uintptr]bool{}
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.Pointer:
			if v.IsNil() {
				b.WriteString("nil")
				return
			}
			if seen[v.Pointer()] {
				b.WriteString("<seen>")
				return
			}
			seen[v.Pointer()] = true
			walk(v.Elem())
		case reflect.Interface:
			if v.IsNil() {
				b.WriteString("nil")
				return
			}
			walk(v.Elem())
		case reflect.Struct:
			b.WriteString(v.Type().String() + "{")
			for i := 0; i < v.NumField(); i++ {
				b.WriteString(v.Type().Field(i).Name + ":")
				walk(v.Field(i))
				b.WriteString(" ")
			}
			b.WriteString("}")
		case reflect.Slice, reflect.Array:
			b.WriteString("[")
			for i := 0; i < v.Len(); i++ {
				walk(v.Index(i))
				b.WriteString(" ")
			}
			b.WriteString("]")
		case reflect.Map:
			b.WriteString(fmt.Sprintf("map(%d)", v.Len()))
		case reflect.Func:
			b.WriteString(fmt.Sprint("func:", !v.IsNil()))
		default:
			b.WriteString(fmt.Sprint(v))
		}
	}
	walk(reflect.ValueOf(x))
	return b.String()
}

// TestLoneOperand: every conformance template and fuzz seed parses to the
// same tree (positions included) and the same error with the shortcut.
func TestLoneOperand(t *testing.T) {
	files, _ := filepath.Glob("testdata/cases/*.txt")
	if len(files) == 0 {
		t.Fatal("no conformance cases found")
	}
	n := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, part := range strings.Split(string(data), "--- template\n")[1:] {
			src := part
			for _, end := range []string{"\n=== case", "\n--- "} {
				if i := strings.Index(src, end); i >= 0 {
					src = src[:i]
				}
			}
			n++
			if d := sameParse(src); d != "" {
				t.Errorf("%s: %q: %s", f, src, d)
			}
		}
	}
	for _, src := range fuzzSeeds {
		if d := sameParse(src); d != "" {
			t.Errorf("%q: %s", src, d)
		}
	}
	if n < 1000 {
		t.Fatalf("read only %d templates", n)
	}
}

func FuzzLoneOperand(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Add("{{ f('a', 1, x, 2.5) }}{% set y = [a, 'b'] %}{{ {'k': v} }}")
	f.Fuzz(func(t *testing.T, src string) {
		if d := sameParse(src); d != "" {
			t.Fatalf("%q: %s", src, d)
		}
	})
}
