package jinja

import (
	"strings"
	"testing"
)

// captureVars is a Context that lets undefined values be called, as dbt's
// parse-time rendering does.
type captureVars struct {
	Vars
	on bool
}

func (c captureVars) CaptureUndefined() bool { return c.on }

func TestCaptureUndefined(t *testing.T) {
	cases := []struct {
		src, want, err string // err: the error without capture
	}{
		{"a{{ nope(1) }}b", "ab", "'nope' is undefined"},
		{"{{ nope.x['y'](2) }}", "", "'nope' is undefined"},
		{"{{ x.missing() }}", "", "'dict object' has no attribute 'missing'"},
		{"{% if nope() %}yes{% else %}no{% endif %}", "no", "'nope' is undefined"},
	}
	env := NewEnvironment()
	for _, c := range cases {
		tmpl, err := env.Parse("t", c.src)
		if err != nil {
			t.Fatal(err)
		}
		vars := Vars{"x": NewDict()}
		got, err := tmpl.Execute(captureVars{vars, true}, nil)
		if err != nil || got != c.want {
			t.Errorf("%s with capture: got %q, %v; want %q", c.src, got, err, c.want)
		}
		_, err = tmpl.Execute(captureVars{vars, false}, nil)
		if err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("%s without capture: got %v, want %q", c.src, err, c.err)
		}
	}
}
