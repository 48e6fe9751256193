package jinja

import (
	"sort"

	"github.com/gdbt/gdbt/compiler/source"
)

// SourceMap records, for a render's top-level output, which template
// position each chunk came from: literal text maps byte for byte, the
// output of {{ … }} maps to its "{{". It lets tools report a problem found
// in rendered SQL at the line and column of the template. Recording is
// opt-in (ExecuteMapped); a plain Execute pays one nil check per text or
// output node.
//
// Only writes into the top-level buffer are recorded: text written inside
// macros, {% set %} blocks and filter blocks reaches the output as the
// value of an expression, which is recorded at that expression.
type SourceMap struct {
	segs []Segment
	root *byte // first byte of the top-level buffer's array, for identity
}

// Segment is one recorded chunk of output.
type Segment struct {
	Out  int        // byte offset in the output
	Len  int        // length in bytes
	Pos  source.Pos // template position: the text's first byte, or the "{{"
	Text bool       // literal text: byte i of the chunk is byte Pos+i of the template
}

// Segments returns the recorded chunks in output order.
func (m *SourceMap) Segments() []Segment { return m.segs }

// Lookup maps a byte offset of the output to a template position. exact is
// true when the byte is literal template text; otherwise pos is the "{{"
// of the expression that printed it. An offset just past literal text (the
// end of the output) maps exactly to the end of that text; one further out
// maps to the start of the last chunk, inexactly.
// ok is false when nothing was recorded at or before off.
func (m *SourceMap) Lookup(off int) (pos source.Pos, exact, ok bool) {
	i := sort.Search(len(m.segs), func(i int) bool { return m.segs[i].Out > off }) - 1
	if i < 0 {
		return source.NoPos, false, false
	}
	s := m.segs[i]
	if off == s.Out+s.Len && s.Text {
		return s.Pos + source.Pos(s.Len), true, true // just past literal text: end of input
	}
	if off >= s.Out+s.Len {
		return s.Pos, false, true
	}
	if s.Text {
		return s.Pos + source.Pos(off-s.Out), true, true
	}
	return s.Pos, false, true
}

// ExecuteMapped renders like Execute and records the output's origins in
// m (which is reset first).
func (t *Template) ExecuteMapped(ctx Context, host any, m *SourceMap) (string, error) {
	m.segs = m.segs[:0]
	// At least one byte of capacity so the buffer has an identity.
	out := make([]byte, 0, 1+len(t.file.Text)+len(t.file.Text)/2)
	m.root = first(out)
	s, err := t.run(ctx, host, out, m)
	if err != nil {
		return "", err
	}
	return string(s.out), nil
}

// first returns the address of the first element of b's array, nil when b
// has no capacity. Buffers that are swapped in (macros, blocks) are other
// arrays, so this tells the top-level buffer apart.
func first(b []byte) *byte {
	if cap(b) == 0 {
		return nil
	}
	return &b[:1][0]
}

// text writes a TextNode and records it when it lands in the top level.
func (m *SourceMap) text(s *State, n *TextNode) {
	root := first(s.out) == m.root
	start := len(s.out)
	s.out = append(s.out, n.Text...)
	if root {
		m.add(Segment{Out: start, Len: len(n.Text), Pos: n.Position(), Text: true})
		m.root = first(s.out)
	}
}

// output writes a statement's value and records it likewise.
func (m *SourceMap) output(s *State, n Node, v any) {
	root := first(s.out) == m.root
	start := len(s.out)
	s.write(v)
	if root {
		if len(s.out) > start {
			m.add(Segment{Out: start, Len: len(s.out) - start, Pos: n.Position()})
		}
		m.root = first(s.out)
	}
}

func (m *SourceMap) add(seg Segment) {
	if seg.Len > 0 {
		m.segs = append(m.segs, seg)
	}
}

// emit writes a statement's value ({{ }}, call block, filter block),
// recording its origin when a SourceMap is on.
func (s *State) emit(n Node, v any) {
	if s.smap != nil {
		s.smap.output(s, n, v)
		return
	}
	s.write(v)
}
