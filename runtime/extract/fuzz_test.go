package extract

import (
	"errors"
	"strings"
	"testing"
)

func FuzzInterpolate(f *testing.F) {
	for _, s := range []string{"${A}", "${A:-x}", "$${A}", "${", "${A:-${B}}", "a$b${C}d"} {
		f.Add(s)
	}
	lookup := env(map[string]string{"A": "1", "B": ""})
	f.Fuzz(func(t *testing.T, s string) {
		out, err := Interpolate(s, lookup)
		if err == nil && !strings.Contains(s, "${") && out != s {
			t.Fatalf("%q changed to %q without a reference", s, out)
		}
	})
}

func FuzzParsePage(f *testing.F) {
	for _, s := range []string{`{"data":[{"a":1}],"next":"x"}`, `[{"a":1}]`, `{"data":null}`, `{"data":[1]}`, `{"data":{`, `"x"`, ``} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		for _, path := range [][]string{nil, {"data"}} {
			recs, _, err := parsePage([]byte(body), path, []string{"next"})
			var he *HTTPError
			if err != nil && !errors.As(err, &he) {
				t.Fatalf("untyped error %v", err)
			}
			for _, r := range recs {
				if _, _, err := decodeObject(r); err != nil {
					t.Fatalf("record %s accepted but not an object: %v", r, err)
				}
			}
		}
	})
}
