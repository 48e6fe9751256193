package jinja

import (
	"errors"
	"testing"
)

var fuzzSeeds = []string{
	"hello {{ name }}",
	"{% for x in xs if x %}{{ loop.index }}{% else %}none{% endfor %}",
	"{% macro m(a, b=1) %}{{ caller(a) }}{% endmacro %}{% call(x) m(1) %}{{ x }}{% endcall %}",
	"{%- set ns = namespace(a=[]) -%}{% do ns.a.append(1) %}{{ ns.a | join(',') }}",
	"{{ {'a': (1, 2.5, none)}['a'][1:] }}",
	"{% raw %}{{{% endraw %}{# c #}",
	"{{ 'x' ~ 1 if a is defined else b | default('d') }}",
	"{% set x %}{{ 1 }}{% endset %}{% filter upper %}{{ x }}{% endfilter %}",
	"{{ '%s-%05.2f' % ('a', 3.14159) }}{{ '{:>5}'.format('x') }}",
	"{% for a, b in {'k': 1}.items() recursive %}{{ a }}{% endfor %}",
}

// FuzzParse checks that parsing never panics and that every failure is a
// positioned *Error.
func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	env := NewEnvironment()
	f.Fuzz(func(t *testing.T, src string) {
		_, err := env.Parse("fuzz.sql", src)
		if err != nil {
			var je *Error
			if !errors.As(err, &je) || je.Line < 1 || je.Column < 1 {
				t.Fatalf("parse error without position: %v", err)
			}
		}
	})
}

// FuzzRender checks that rendering any parsable template never panics
// and stays within the step budget (no hangs).
func FuzzRender(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	env := NewEnvironment()
	env.MaxSteps = 100000
	vars := map[string]any{"name": "n", "xs": []any{1, 0, "a"}, "a": 1}
	f.Fuzz(func(t *testing.T, src string) {
		tmpl, err := env.Parse("fuzz.sql", src)
		if err != nil {
			return
		}
		_, err = tmpl.Render(vars)
		if err != nil {
			var je *Error
			if !errors.As(err, &je) {
				t.Fatalf("render error is not a *Error: %T %v", err, err)
			}
		}
	})
}
