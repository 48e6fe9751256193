package jinja

import (
	"errors"
	"testing"
)

// renderNoCrash renders src with vars and fails on anything but output or a
// template *Error (a Go runtime panic escapes Render and fails the fuzzer).
func renderNoCrash(t *testing.T, tpl *Template, vars map[string]any) {
	t.Helper()
	_, err := tpl.Render(vars)
	var je *Error
	if err != nil && !errors.As(err, &je) {
		t.Fatalf("non-template error: %v", err)
	}
}

// FuzzPercentFormat feeds arbitrary printf-style formats through `%` with a
// tuple and a mapping argument.
func FuzzPercentFormat(f *testing.F) {
	for _, s := range []string{"%s", "%(a)s %%", "%-*.*f|%#x|%c", "%05.2e %+d % i", "%(a", "%.", "%*", "abc%", "%5%"} {
		f.Add(s, "é", int64(42), 3.5)
	}
	env := NewEnvironment()
	tuple, err := env.Parse("fuzz", "{{ fmt % (a, n, x) }}|{{ fmt % {'a': a, 'n': n} }}|{{ fmt % n }}|{{ fmt|format(a, n) }}")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, format, a string, n int64, x float64) {
		renderNoCrash(t, tuple, map[string]any{"fmt": format, "a": a, "n": n, "x": x})
	})
}

// FuzzStrFormat feeds arbitrary str.format strings (fields, conversions,
// nested specs) with positional and keyword arguments.
func FuzzStrFormat(f *testing.F) {
	for _, s := range []string{"{}", "{0!r:>{1}}", "{a[0].b}", "{:{}{}}", "{0:,.2f}", "{{}}}", "{:%}", "{0[", "{!}", "{:#012_x}", "{:z.1f}"} {
		f.Add(s, "é", int64(-7), 2.5)
	}
	env := NewEnvironment()
	tpl, err := env.Parse("fuzz", "{{ fmt.format(a, n, x, [a, n], {'k': a}, a=a, b=n) }}|{{ fmt.format_map({'a': a, 'b': x}) }}")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, format, a string, n int64, x float64) {
		renderNoCrash(t, tpl, map[string]any{"fmt": format, "a": a, "n": n, "x": x})
	})
}

// FuzzFormatSpec feeds arbitrary format specs for every value type.
func FuzzFormatSpec(f *testing.F) {
	for _, s := range []string{"", ">10", "*^+#010,.3f", "_x", "c", "=8", "0<5", ".0%", "z.2e", ",_", "\U0001F600>3"} {
		f.Add(s, "abc", int64(255), -0.5)
	}
	env := NewEnvironment()
	tpl, err := env.Parse("fuzz", "{% set f = '{:' ~ spec ~ '}' %}{{ f.format(a) }}|{{ f.format(n) }}|{{ f.format(x) }}|{{ f.format(true) }}|{{ f.format(none) }}")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, spec, a string, n int64, x float64) {
		renderNoCrash(t, tpl, map[string]any{"spec": spec, "a": a, "n": n, "x": x})
	})
}
