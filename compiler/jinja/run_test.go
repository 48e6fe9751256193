package jinja

import (
	"fmt"
	"testing"
)

// TestRunMatchesExecute checks that Run, which drops a template's output,
// makes the same calls and gives the same return value and error as
// ExecuteReturn, run after run (its output buffers are recycled).
func TestRunMatchesExecute(t *testing.T) {
	cases := []string{
		"select {{ note('a') }} from x{% for i in range(3) %}{{ note(i) }}{% endfor %}",
		"{% set y %}{{ note('in set') }}{% endset %}{{ y }}{{ note('after') }}",
		"{% macro m(v) %}{{ note(v) }}{% endmacro %}{{ m('macro') }}{{ ret([1, 2]) }}{{ note('never') }}",
		"{{ note('before') }}{{ missing.attr }}",
		"{{ note('x' * 5000) }}",
	}
	env := NewEnvironment()
	for _, src := range cases {
		tmpl, err := env.Parse("t", src)
		if err != nil {
			t.Fatal(err)
		}
		var calls []string
		vars := Vars{
			"note": Func(func(s *State, args *Args) (any, error) {
				calls = append(calls, fmt.Sprint(args.Pos...))
				return "", nil
			}),
			"ret": Func(func(s *State, args *Args) (any, error) { return nil, Return(args.Pos[0]) }),
		}
		_, wantRet, wantErr := tmpl.ExecuteReturn(vars, nil)
		wantCalls := fmt.Sprint(calls)
		for run := 0; run < 3; run++ {
			calls = nil
			ret, err := tmpl.Run(vars, nil)
			if fmt.Sprint(calls) != wantCalls || fmt.Sprint(ret) != fmt.Sprint(wantRet) || fmt.Sprint(err) != fmt.Sprint(wantErr) {
				t.Errorf("%s run %d: calls %v, ret %v, err %v; Execute gave %s, %v, %v",
					src, run, calls, ret, err, wantCalls, wantRet, wantErr)
			}
		}
	}
}
