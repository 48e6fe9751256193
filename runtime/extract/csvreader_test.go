package extract

import (
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

func readAll(t testing.TB, in string, delim, quote rune) ([][]string, [][]fieldPos, error) {
	t.Helper()
	cr := newCSVReader(strings.NewReader(in), "t.csv", delim, quote)
	var recs [][]string
	var poss [][]fieldPos
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return recs, poss, nil
		}
		if err != nil {
			return recs, poss, err
		}
		recs = append(recs, append([]string(nil), rec...))
		poss = append(poss, append([]fieldPos(nil), cr.pos...))
	}
}

func TestCSVReader(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		delim rune
		quote rune
		want  [][]string
	}{
		{"simple", "a,b\n1,2\n", ',', '"', [][]string{{"a", "b"}, {"1", "2"}}},
		{"no final newline", "a,b\n1,2", ',', '"', [][]string{{"a", "b"}, {"1", "2"}}},
		{"crlf", "a,b\r\n1,2\r\n", ',', '"', [][]string{{"a", "b"}, {"1", "2"}}},
		{"bom", "\ufeffa,b\n1,2\n", ',', '"', [][]string{{"a", "b"}, {"1", "2"}}},
		{"empty fields", ",\n,x,\n", ',', '"', [][]string{{"", ""}, {"", "x", ""}}},
		{"blank lines skipped", "a\n\n\r\nb\n\n", ',', '"', [][]string{{"a"}, {"b"}}},
		{"quoted delimiter", `"a,b",c` + "\n", ',', '"', [][]string{{"a,b", "c"}}},
		{"doubled quote", `"say ""hi""",x` + "\n", ',', '"', [][]string{{`say "hi"`, "x"}}},
		{"embedded newline", "\"line1\nline2\",x\n", ',', '"', [][]string{{"line1\nline2", "x"}}},
		{"embedded crlf kept", "\"l1\r\nl2\"\r\n", ',', '"', [][]string{{"l1\r\nl2"}}},
		{"empty quoted", `"",""` + "\n", ',', '"', [][]string{{"", ""}}},
		{"quote inside unquoted", `5" screen,x` + "\n", ',', '"', [][]string{{`5" screen`, "x"}}},
		{"semicolon and single quote", "'a;b';c\n", ';', '\'', [][]string{{"a;b", "c"}}},
		{"tab", "a\tb\n", '\t', '"', [][]string{{"a", "b"}}},
		{"utf8", "José,Malmö\n", ',', '"', [][]string{{"José", "Malmö"}}},
		{"multibyte delimiter", "a§b\n", '§', '"', [][]string{{"a", "b"}}},
		{"lone cr is data", "a\rb,c\n", ',', '"', [][]string{{"a\rb", "c"}}},
		{"quoted at end of file", `"x"`, ',', '"', [][]string{{"x"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, _, err := readAll(t, tc.in, tc.delim, tc.quote)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestCSVReaderPositions(t *testing.T) {
	in := "id,name\n1,\"two\nlines\",ö\n2,x,\"y\"\n"
	_, pos, err := readAll(t, in, ',', '"')
	if err != nil {
		t.Fatal(err)
	}
	want := [][]fieldPos{
		{{1, 1}, {1, 4}},
		{{2, 1}, {2, 3}, {3, 8}},
		{{4, 1}, {4, 3}, {4, 5}},
	}
	if !reflect.DeepEqual(pos, want) {
		t.Errorf("positions %v, want %v", pos, want)
	}
}

func TestCSVReaderErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"unterminated quote", "a,\"bc\nd\n", `t.csv:3:1: expected a closing '"' for the field opened at line 1 column 3, found end of file`},
		{"junk after quote", "\"a\"b,c\n", `t.csv:1:4: expected ',' or the end of the line after a closing quote (double a quote inside a quoted field), found 'b'`},
		{"invalid utf8", "ok\nab\xffc\n", `t.csv:2:3: expected UTF-8 text, found byte 0xff`},
		{"latin1 after bom", "\ufeffx,\xe9\n", `t.csv:1:3: expected UTF-8 text, found byte 0xe9`},
		{"nul", "a\x00\n", `t.csv:1:2: expected text, found a NUL byte (PostgreSQL text cannot hold it)`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := readAll(t, tc.in, ',', '"')
			var re *RowError
			if !errors.As(err, &re) {
				t.Fatalf("got %v, want a *RowError", err)
			}
			if err.Error() != tc.want {
				t.Errorf("got  %s\nwant %s", err, tc.want)
			}
		})
	}
}

func FuzzCSVReader(f *testing.F) {
	for _, s := range []string{
		"a,b\n1,2\n", "\ufeff\"x\"\"y\",z\r\n", "\"open\n", "a\r\rb", "\"\"\"", ",,,\n\n", "\xff", "é,\"ü\nö\"",
	} {
		f.Add(s, uint8(0))
	}
	f.Fuzz(func(t *testing.T, in string, mode uint8) {
		delims := []rune{',', ';', '\t', '|'}
		quotes := []rune{'"', '\''}
		delim, quote := delims[int(mode)%len(delims)], quotes[int(mode/4)%len(quotes)]
		cr := newCSVReader(strings.NewReader(in), "f.csv", delim, quote)
		lines := strings.Count(in, "\n") + 1
		for i := 0; i < len(in)+2; i++ {
			rec, err := cr.Read()
			if err == io.EOF {
				return
			}
			if err != nil {
				var re *RowError
				if !errors.As(err, &re) || re.Line < 1 || re.Line > lines || re.Column < 1 {
					t.Fatalf("bad error %#v for %q", err, in)
				}
				return
			}
			if len(rec) == 0 {
				t.Fatalf("empty record for %q", in)
			}
			for j, f := range rec {
				if !utf8.ValidString(f) {
					t.Fatalf("invalid UTF-8 field %q", f)
				}
				l, c := cr.FieldPos(j)
				if l < 1 || l > lines || c < 1 {
					t.Fatalf("bad position %d:%d for field %d of %q", l, c, j, in)
				}
			}
		}
		t.Fatalf("reader did not finish %q", in)
	})
}
