package sqlparse

import (
	"errors"
	"strings"
	"sync"
	"testing"
)

func TestSyntaxErrorOffset(t *testing.T) {
	tests := []struct {
		name, sql, at string // at: the text the error offset must point to
	}{
		{"ascii", "select 1 frm t", "t"},
		{"multibyte before error", "select 'é€𝄞' as x, y\nfrom t where = 1", "= 1"},
		{"multibyte identifier", `select "naïve", ünïcødé from t t2 t3`, "t3"},
		{"end of input", "select 'ü' from", ""},
		{"second statement", "select 1;\nselect 'ö' frm t", "t"},
		{"unterminated string", "select 'ö', 'abc", "'abc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Analyze(tt.sql)
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("want *SyntaxError, got %T %v", err, err)
			}
			if se.Offset < 0 || se.Offset > len(tt.sql) {
				t.Fatalf("offset %d out of range", se.Offset)
			}
			if got := tt.sql[se.Offset:]; !strings.HasPrefix(got, tt.at) || (tt.at == "" && got != "") {
				t.Errorf("offset %d points at %q, want %q (%s)", se.Offset, got, tt.at, se.Message)
			}
		})
	}
}

func TestNULByte(t *testing.T) {
	_, err := Analyze("select 1\x00; drop table x")
	var se *SyntaxError
	if !errors.As(err, &se) || se.Offset != 8 {
		t.Fatalf("want SyntaxError at 8, got %#v", err)
	}
}

func TestCharPosToByte(t *testing.T) {
	s := "aé€𝄞b"
	for pos, want := range map[int]int{0: -1, 1: 0, 2: 1, 3: 3, 4: 6, 5: 10, 6: 11, 99: 11} {
		if got := charPosToByte(s, pos); got != want {
			t.Errorf("charPosToByte(%d) = %d, want %d", pos, got, want)
		}
	}
}

func TestSplitStatements(t *testing.T) {
	sql := "  select ';' as semi; -- c;\n/* x; */ insert into t values (1);;\n" +
		"do $$ begin perform 1; end $$;\ncreate function f() returns int begin atomic select 1; end;\nselect 2"
	got, err := SplitStatements(sql)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"select ';' as semi",
		"-- c;\n/* x; */ insert into t values (1)",
		"do $$ begin perform 1; end $$",
		"create function f() returns int begin atomic select 1; end",
		"select 2",
	}
	if len(got) != len(want) {
		t.Fatalf("got %d statements %+v, want %d", len(got), got, len(want))
	}
	for i, st := range got {
		if st.Text != want[i] {
			t.Errorf("statement %d = %q, want %q", i, st.Text, want[i])
		}
		if sql[st.Offset:st.Offset+len(st.Text)] != st.Text {
			t.Errorf("statement %d offset %d does not point at its text", i, st.Offset)
		}
	}
	// Analyze reports the same spans.
	a, err := Analyze(sql)
	if err != nil {
		t.Fatal(err)
	}
	for i, st := range a.Statements {
		if st.Text != got[i].Text || st.Offset != got[i].Offset {
			t.Errorf("Analyze statement %d = %q@%d, SplitStatements %q@%d", i, st.Text, st.Offset, got[i].Text, got[i].Offset)
		}
	}
	if _, err := SplitStatements("select (1;"); !errors.As(err, new(*SyntaxError)) {
		t.Errorf("want *SyntaxError, got %v", err)
	}
}

func TestCacheAndConcurrency(t *testing.T) {
	sqls := []string{
		"select a from t1",
		"with x as (select b from t2) select b from x",
		"select c from t3 join t4 using (c)",
		"selec 1",
	}
	want := make([]string, len(sqls))
	for i, s := range sqls {
		a, err := analyze(s) // uncached reference
		want[i] = dump(s, a, err)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; n < 200; n++ {
				i := (n + g) % len(sqls)
				a, err := Analyze(sqls[i])
				if got := dump(sqls[i], a, err); got != want[i] {
					errs <- got
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Errorf("concurrent Analyze differs: %s", e)
	}
	a1, _ := Analyze(sqls[0])
	a2, _ := Analyze(sqls[0])
	if a1 != a2 {
		t.Errorf("cache miss for identical SQL")
	}
}
