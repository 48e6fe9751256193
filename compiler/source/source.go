// Package source holds the positions and diagnostics shared by every
// compiler phase. A Pos is a byte offset into one File; line and column are
// computed only when a position is reported, as go/token does.
package source

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"
)

// Pos is a byte offset into a File's text. NoPos means "no position".
type Pos int32

// NoPos is the zero-less sentinel for an unknown position.
const NoPos Pos = -1

// File is one input file: its name (as shown to users) and its text.
type File struct {
	Name  string
	Text  string
	lines []int32 // offsets of line starts, built lazily
}

// NewFile registers text under name.
func NewFile(name, text string) *File { return &File{Name: name, Text: text} }

func (f *File) buildLines() {
	if f.lines != nil {
		return
	}
	lines := make([]int32, 1, 16+len(f.Text)/32)
	for i := 0; i < len(f.Text); i++ {
		if f.Text[i] == '\n' {
			lines = append(lines, int32(i+1))
		}
	}
	f.lines = lines
}

// Position is a resolved, human-readable position.
type Position struct {
	File   string
	Line   int // 1-based
	Column int // 1-based, in characters (runes)
}

func (p Position) String() string {
	if p.Line == 0 {
		return p.File
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Column)
}

// Position resolves pos to a line and column. It is safe for concurrent use
// only after the first call (or after Lines was called once).
func (f *File) Position(pos Pos) Position {
	if f == nil {
		return Position{}
	}
	if pos < 0 {
		return Position{File: f.Name}
	}
	if int(pos) > len(f.Text) {
		pos = Pos(len(f.Text))
	}
	f.buildLines()
	i := sort.Search(len(f.lines), func(i int) bool { return f.lines[i] > int32(pos) }) - 1
	start := int(f.lines[i])
	col := utf8.RuneCountInString(f.Text[start:pos]) + 1
	return Position{File: f.Name, Line: i + 1, Column: col}
}

// LineText returns the text of the 1-based line n without its newline.
func (f *File) LineText(n int) string {
	f.buildLines()
	if n < 1 || n > len(f.lines) {
		return ""
	}
	start := int(f.lines[n-1])
	end := len(f.Text)
	if n < len(f.lines) {
		end = int(f.lines[n]) - 1
	}
	return strings.TrimSuffix(f.Text[start:end], "\r")
}

// Span is a range of text in a file.
type Span struct {
	File       *File
	Start, End Pos
}

// Severity orders diagnostics.
type Severity uint8

const (
	Error Severity = iota
	Warning
)

// Diagnostic is a message attached to a position. It implements error.
type Diagnostic struct {
	Severity Severity
	File     *File
	Pos      Pos
	Msg      string
}

func (d *Diagnostic) Error() string {
	p := d.File.Position(d.Pos)
	if d.File == nil {
		return d.Msg
	}
	return p.String() + ": " + d.Msg
}

// Position resolves the diagnostic's position.
func (d *Diagnostic) Position() Position { return d.File.Position(d.Pos) }

// Errorf builds an error diagnostic.
func Errorf(f *File, pos Pos, format string, args ...any) *Diagnostic {
	return &Diagnostic{Severity: Error, File: f, Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

// Diagnostics collects messages from a phase; phases stop at their boundary,
// never in the middle of a file.
type Diagnostics []*Diagnostic

// HasErrors reports whether any diagnostic is an error.
func (ds Diagnostics) HasErrors() bool {
	for _, d := range ds {
		if d.Severity == Error {
			return true
		}
	}
	return false
}

// Sort orders diagnostics by file name then offset.
func (ds Diagnostics) Sort() {
	sort.SliceStable(ds, func(i, j int) bool {
		a, b := ds[i], ds[j]
		an, bn := "", ""
		if a.File != nil {
			an = a.File.Name
		}
		if b.File != nil {
			bn = b.File.Name
		}
		if an != bn {
			return an < bn
		}
		return a.Pos < b.Pos
	})
}

func (ds Diagnostics) Error() string {
	var b strings.Builder
	for i, d := range ds {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(d.Error())
	}
	return b.String()
}

// Err returns ds as an error, or nil when it holds no error.
func (ds Diagnostics) Err() error {
	if ds.HasErrors() {
		return ds
	}
	return nil
}
