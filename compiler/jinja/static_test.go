package jinja

import (
	"fmt"
	"strings"
	"testing"
)

func TestStaticCalls(t *testing.T) {
	tests := []struct {
		name, src string
		want      []string // "name(args) literal line:col"
	}{
		{"refs", "select * from {{ ref('a') }} join {{ ref('pkg', 'b') }}",
			[]string{"ref('a') true 1:18", "ref('pkg', 'b') true 1:38"}},
		{"versioned", "{{ ref('m', v=2) }}", []string{"ref('m', v=2) true 1:4"}},
		{"source", "{{ source('raw', 'orders') }}", []string{"source('raw', 'orders') true 1:4"}},
		{"config kwargs", "{{ config(materialized='table', tags=['a', 'b'], meta={'k': 1}) }}",
			[]string{"config(materialized='table', tags=['a', 'b'], meta={'k': 1}) true 1:4"}},
		{"dynamic", "{% set n = 'x' %}{{ ref(n) }}", []string{"ref(Undefined) false 1:21"}},
		{"concat", "{{ ref('a' ~ 'b') }}", []string{"ref('ab') true 1:4"}},
		{"in macro and branch", "{% macro m() %}{{ ref('x') }}{% endmacro %}\n{% if false %}{{ source('s','t') }}{% endif %}",
			[]string{"ref('x') true 1:19", "source('s', 't') true 2:18"}},
		{"not a method", "{{ x.ref('a') }}{{ config.get('k') }}", nil},
		{"multiline", "{{\n  ref(\n 'a')\n}}", []string{"ref('a') true 2:3"}},
	}
	env := NewEnvironment()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tmpl, err := env.Parse("m.sql", tc.src)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, c := range tmpl.StaticCalls("ref", "source", "config") {
				var parts []string
				for _, a := range c.Args {
					if a == nil && !c.Literal {
						parts = append(parts, "Undefined")
						continue
					}
					parts = append(parts, Repr(a))
				}
				for _, kv := range c.Kwargs {
					parts = append(parts, kv.Name+"="+Repr(kv.Value))
				}
				p := tmpl.File().Position(c.Pos)
				got = append(got, fmt.Sprintf("%s(%s) %v %d:%d", c.Name, strings.Join(parts, ", "), c.Literal, p.Line, p.Column))
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}
