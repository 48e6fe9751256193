package sqlparse

import (
	"errors"
	"fmt"
	"strings"

	pgparser "github.com/pganalyze/pg_query_go/v6/parser"
)

// SyntaxError is a SQL syntax error reported by the Postgres parser.
type SyntaxError struct {
	// Offset is the byte offset into the analyzed SQL where Postgres puts
	// the error, or -1 when it names no position.
	Offset int
	// Message is Postgres' message, e.g. `syntax error at or near "form"`.
	Message string
}

func (e *SyntaxError) Error() string {
	if e.Offset < 0 {
		return e.Message
	}
	return fmt.Sprintf("%s (at byte %d)", e.Message, e.Offset)
}

// InternalError means libpg_query failed in a way that says nothing about
// the SQL (or printed a tree this package cannot read). It is a bug here or
// in the parser, never the user's.
type InternalError struct {
	Message string
}

func (e *InternalError) Error() string { return "sqlparse: internal error: " + e.Message }

// normalizeErr turns a libpg_query error into a *SyntaxError. Postgres
// reports the position as a 1-based character (not byte) count, computed
// with the server encoding's rules (UTF-8 here).
func normalizeErr(sql string, err error) error {
	var pe *pgparser.Error
	if !errors.As(err, &pe) {
		return &InternalError{Message: err.Error()}
	}
	if strings.HasPrefix(pe.Message, "Failed to open pipe") {
		return &InternalError{Message: pe.Message}
	}
	return &SyntaxError{Offset: charPosToByte(sql, pe.Cursorpos), Message: pe.Message}
}

// charPosToByte converts Postgres' 1-based character position to a byte
// offset. It steps through sql the way pg_mbstrlen does for UTF-8 (the
// sequence length comes from the lead byte alone), so even invalid UTF-8
// maps to the same byte Postgres meant.
func charPosToByte(sql string, pos int) int {
	if pos <= 0 {
		return -1
	}
	off := 0
	for n := 1; n < pos && off < len(sql); n++ {
		off += utf8SeqLen(sql[off])
	}
	if off > len(sql) {
		off = len(sql)
	}
	return off
}

func utf8SeqLen(c byte) int {
	switch {
	case c < 0x80:
		return 1
	case c&0xe0 == 0xc0:
		return 2
	case c&0xf0 == 0xe0:
		return 3
	case c&0xf8 == 0xf0:
		return 4
	}
	return 1
}
