package sqlparse

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func FuzzAnalyze(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.sql")
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	f.Fuzz(func(t *testing.T, sql string) {
		a, err := analyze(sql)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error is %T, want *SyntaxError: %v", err, err)
			}
			if se.Offset < -1 || se.Offset > len(sql) {
				t.Fatalf("error offset %d outside [0,%d]", se.Offset, len(sql))
			}
			return
		}
		for _, st := range a.Statements {
			if st.Offset < 0 || st.Offset+len(st.Text) > len(sql) || sql[st.Offset:st.Offset+len(st.Text)] != st.Text {
				t.Fatalf("statement %q at %d is not in the input", st.Text, st.Offset)
			}
		}
		for _, rs := range [][]Relation{a.Reads, a.Writes} {
			for _, r := range rs {
				if r.Offset < 0 || r.Offset > len(sql) || r.Name == "" {
					t.Fatalf("bad relation %+v", r)
				}
			}
		}
	})
}
