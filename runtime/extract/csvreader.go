package extract

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"
)

// RowError is a bad row in an input file: it names the file, line and
// column, what was expected and what was found.
type RowError struct {
	File         string
	Line, Column int // 1-based; Column counts characters
	Expected     string
	Found        string
	Detail       string // optional, e.g. the database's own message
}

func (e *RowError) Error() string {
	s := fmt.Sprintf("%s:%d:%d: expected %s, found %s", e.File, e.Line, e.Column, e.Expected, e.Found)
	if e.Detail != "" {
		s += " (" + e.Detail + ")"
	}
	return s
}

// fieldPos is where a field starts in the file.
type fieldPos struct{ line, col int }

// csvReader reads RFC 4180 records: fields separated by a delimiter, records
// by LF or CRLF; a quoted field may hold delimiters, newlines and doubled
// quotes. A leading UTF-8 byte order mark is skipped and invalid UTF-8 is an
// error. Blank lines are skipped, as almost every CSV producer means them as
// nothing. It is written here rather than using encoding/csv because the
// quote character is configurable and errors need character columns.
type csvReader struct {
	r      *bufio.Reader
	name   string
	delim  rune
	quote  rune
	line   int // line of the next rune
	col    int // column of the next rune
	bytes  int64
	peeked bool
	pr     rune // peeked rune
	psize  int
	perr   error
	start  bool

	// last record
	fields  []string
	pos     []fieldPos
	recLine int
	endLine int
	endCol  int
	ends    []int
	buf     []byte
}

func newCSVReader(r io.Reader, name string, delim, quote rune) *csvReader {
	return &csvReader{r: bufio.NewReaderSize(r, 64<<10), name: name, delim: delim, quote: quote, line: 1, col: 1, start: true}
}

const eof = -1

// next returns the next rune (eof at the end) and advances the position.
func (c *csvReader) next() (rune, error) {
	r, err := c.peek()
	if err != nil || r == eof {
		return r, err
	}
	c.peeked = false
	c.bytes += int64(c.psize)
	if r == '\n' {
		c.line++
		c.col = 1
	} else {
		c.col++
	}
	return r, nil
}

func (c *csvReader) peek() (rune, error) {
	if c.peeked {
		return c.pr, c.perr
	}
	c.peeked = true
	c.pr, c.psize, c.perr = c.decode()
	return c.pr, c.perr
}

func (c *csvReader) decode() (rune, int, error) {
	if c.start {
		c.start = false
		if b, err := c.r.Peek(3); err == nil && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF {
			c.r.Discard(3)
			c.bytes += 3
		}
	}
	r, size, err := c.r.ReadRune()
	if err == io.EOF {
		return eof, 0, nil
	}
	if err != nil {
		return eof, 0, fmt.Errorf("%s: %w", c.name, err)
	}
	if r == utf8.RuneError && size == 1 {
		c.r.UnreadRune()
		b, _ := c.r.ReadByte()
		return eof, 0, &RowError{File: c.name, Line: c.line, Column: c.col,
			Expected: "UTF-8 text", Found: fmt.Sprintf("byte 0x%02x", b)}
	}
	if r == 0 {
		return eof, 0, &RowError{File: c.name, Line: c.line, Column: c.col,
			Expected: "text", Found: "a NUL byte (PostgreSQL text cannot hold it)"}
	}
	return r, size, nil
}

// plain appends a run of ASCII bytes that need no attention (not stop, CR,
// LF, NUL or a non-ASCII byte) straight from the buffer: the rune-by-rune
// path is several times slower and almost all CSV bytes are plain.
func (c *csvReader) plain(stop rune) {
	if c.peeked || c.start {
		return
	}
	b, _ := c.r.Peek(c.r.Buffered())
	if len(b) == 0 {
		b, _ = c.r.Peek(1)
	}
	n := 0
	for n < len(b) {
		x := b[n]
		if x == '\n' || x == '\r' || x == 0 || x >= utf8.RuneSelf || rune(x) == stop {
			break
		}
		n++
	}
	if n == 0 {
		return
	}
	c.buf = append(c.buf, b[:n]...)
	c.r.Discard(n)
	c.col += n
	c.bytes += int64(n)
}

// Read returns the next record's fields, valid until the next call, or
// io.EOF after the last record.
func (c *csvReader) Read() ([]string, error) {
	c.fields = c.fields[:0]
	c.pos = c.pos[:0]
	// Skip blank lines.
	for {
		r, err := c.peek()
		if err != nil {
			return nil, err
		}
		if r == eof {
			return nil, io.EOF
		}
		if r == '\n' {
			c.next()
			continue
		}
		if r == '\r' {
			c.next()
			if r2, err := c.peek(); err != nil {
				return nil, err
			} else if r2 == '\n' {
				c.next()
				continue
			}
			// A lone CR is data; it starts the first field.
			c.recLine = c.line
			c.pos = append(c.pos, fieldPos{c.line, c.col - 1})
			c.buf = append(c.buf[:0], '\r')
			return c.finishRecord(false)
		}
		break
	}
	c.recLine = c.line
	c.buf = c.buf[:0]
	c.pos = append(c.pos, fieldPos{c.line, c.col})
	return c.finishRecord(true)
}

// finishRecord reads fields until the end of the record. fresh says whether
// the current field is still empty (so an opening quote is a quote).
func (c *csvReader) finishRecord(fresh bool) ([]string, error) {
	// Byte offsets of field ends in c.buf; strings are cut at the end so
	// one allocation serves the record.
	ends := c.ends[:0]
	defer func() { c.ends = ends[:0] }()
	if fresh {
		r, err := c.peek()
		if err != nil {
			return nil, err
		}
		if r == c.quote {
			if err := c.quoted(); err != nil {
				return nil, err
			}
		}
	}
	for {
		c.plain(c.delim)
		if r, err := c.peek(); err != nil {
			return nil, err
		} else if r == eof || r == '\n' {
			c.endLine, c.endCol = c.line, c.col
			c.next()
			ends = append(ends, len(c.buf))
			return c.cut(ends), nil
		}
		r, err := c.next()
		if err != nil {
			return nil, err
		}
		switch {
		case r == '\r':
			if r2, err := c.peek(); err != nil {
				return nil, err
			} else if r2 == '\n' {
				// CRLF: the record ends at the CR.
				c.endLine, c.endCol = c.line, c.col-1
				c.next()
				ends = append(ends, len(c.buf))
				return c.cut(ends), nil
			}
			c.buf = append(c.buf, '\r')
		case r == c.delim:
			ends = append(ends, len(c.buf))
			c.pos = append(c.pos, fieldPos{c.line, c.col})
			r2, err := c.peek()
			if err != nil {
				return nil, err
			}
			if r2 == c.quote {
				if err := c.quoted(); err != nil {
					return nil, err
				}
			}
		default:
			// A quote inside an unquoted field is kept as data (lenient,
			// like most spreadsheet exports expect).
			c.buf = utf8.AppendRune(c.buf, r)
		}
	}
}

// quoted reads a quoted field starting at the opening quote, then checks
// that a delimiter or the end of the record follows.
func (c *csvReader) quoted() error {
	open := fieldPos{c.line, c.col}
	c.next()
	for {
		c.plain(c.quote)
		r, err := c.next()
		if err != nil {
			return err
		}
		switch r {
		case eof:
			return &RowError{File: c.name, Line: c.line, Column: c.col,
				Expected: fmt.Sprintf("a closing %s for the field opened at line %d column %d", strconv.QuoteRune(c.quote), open.line, open.col),
				Found:    "end of file"}
		case c.quote:
			r2, err := c.peek()
			if err != nil {
				return err
			}
			if r2 == c.quote {
				c.next()
				c.buf = utf8.AppendRune(c.buf, r)
				continue
			}
			if r2 == eof || r2 == '\n' || r2 == '\r' || r2 == c.delim {
				return nil
			}
			return &RowError{File: c.name, Line: c.line, Column: c.col,
				Expected: fmt.Sprintf("%s or the end of the line after a closing quote (double a quote inside a quoted field)", strconv.QuoteRune(c.delim)),
				Found:    strconv.QuoteRune(r2)}
		default:
			c.buf = utf8.AppendRune(c.buf, r)
		}
	}
}

func (c *csvReader) cut(ends []int) []string {
	all := string(c.buf)
	start := 0
	for _, e := range ends {
		c.fields = append(c.fields, all[start:e])
		start = e
	}
	return c.fields
}

// FieldPos is where field i of the last record starts.
func (c *csvReader) FieldPos(i int) (line, col int) {
	if i < 0 || i >= len(c.pos) {
		return c.recLine, 1
	}
	return c.pos[i].line, c.pos[i].col
}

// EndPos is the position just after the last record's last field.
func (c *csvReader) EndPos() (line, col int) { return c.endLine, c.endCol }
