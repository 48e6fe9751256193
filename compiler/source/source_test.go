package source

import "testing"

func TestPosition(t *testing.T) {
	f := NewFile("m.sql", "select 1\nfrom ünïcode\n\nwhere x")
	tests := []struct {
		pos       Pos
		line, col int
		lineText  string
	}{
		{0, 1, 1, "select 1"},
		{7, 1, 8, "select 1"},
		{9, 2, 1, "from ünïcode"},
		{16, 2, 7, "from ünïcode"}, // after "ü" (2 bytes): columns count characters
		{24, 3, 1, ""},
		{25, 4, 1, "where x"},
		{1000, 4, 8, "where x"}, // past the end clamps to the end
	}
	for _, tc := range tests {
		p := f.Position(tc.pos)
		if p.Line != tc.line || p.Column != tc.col {
			t.Errorf("Position(%d) = %d:%d, want %d:%d", tc.pos, p.Line, p.Column, tc.line, tc.col)
		}
		if got := f.LineText(p.Line); got != tc.lineText {
			t.Errorf("LineText(%d) = %q, want %q", p.Line, got, tc.lineText)
		}
	}
	if s := (Position{File: "a.sql", Line: 3, Column: 4}).String(); s != "a.sql:3:4" {
		t.Errorf("String = %q", s)
	}
	d := Errorf(f, 9, "expected %s, found %q", "a table", "from")
	if d.Error() != `m.sql:2:1: expected a table, found "from"` {
		t.Errorf("Diagnostic = %q", d.Error())
	}
	ds := Diagnostics{Errorf(NewFile("b.sql", "x"), 0, "b"), d, {Severity: Warning, File: f, Pos: 0, Msg: "w"}}
	ds.Sort()
	if ds[0].File.Name != "b.sql" || ds[1].Msg != "w" || !ds.HasErrors() || ds.Err() == nil {
		t.Errorf("sorted diagnostics: %v", ds)
	}
	if (Diagnostics{{Severity: Warning, File: f, Msg: "w"}}).Err() != nil {
		t.Error("warnings alone are not an error")
	}
}
