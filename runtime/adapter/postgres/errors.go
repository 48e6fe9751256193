package postgres

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgconn"
)

// Error is a failed statement: the SQL sent and the server's (or the
// connection's) error. Use errors.As to reach the *pgconn.PgError.
type Error struct {
	SQL string
	Err error
}

func newError(sql string, err error) error {
	return &Error{SQL: sql, Err: err}
}

func (e *Error) Unwrap() error { return e.Err }

// Pg returns the server error, or nil for connection and context errors.
func (e *Error) Pg() *pgconn.PgError {
	var pe *pgconn.PgError
	if errors.As(e.Err, &pe) {
		return pe
	}
	return nil
}

// Message is the server's message (with DETAIL and HINT lines as libpq
// prints them), or the connection error's text.
func (e *Error) Message() string {
	pe := e.Pg()
	if pe == nil {
		if errors.Is(e.Err, context.Canceled) {
			return "canceling statement due to user request"
		}
		return strings.TrimSpace(e.Err.Error())
	}
	msg := pe.Message
	if pe.Detail != "" {
		msg += "\nDETAIL:  " + pe.Detail
	}
	if pe.Hint != "" {
		msg += "\nHINT:  " + pe.Hint
	}
	return msg
}

// Offset is the byte offset in SQL the server pointed at, or -1.
// PgError.Position counts characters from 1.
func (e *Error) Offset() int {
	pe := e.Pg()
	if pe == nil || pe.Position <= 0 {
		return -1
	}
	return charToByte(e.SQL, int(pe.Position)-1)
}

// Error prints the message and, when the server gave a position, the
// offending line of SQL with a caret, as psql and psycopg2 do.
func (e *Error) Error() string {
	msg := e.Message()
	if off := e.Offset(); off >= 0 {
		block, _, _ := LineAt(e.SQL, off)
		msg += "\n" + block
	}
	return msg
}

func charToByte(s string, n int) int {
	i := 0
	for n > 0 && i < len(s) {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
		n--
	}
	return i
}

// LineAt returns "LINE n: <text>\n<spaces>^" for byte offset off in text,
// with the 1-based line and column (in characters) it points at.
func LineAt(text string, off int) (block string, line, col int) {
	if off > len(text) {
		off = len(text)
	}
	start := strings.LastIndexByte(text[:off], '\n') + 1
	end := strings.IndexByte(text[off:], '\n')
	if end < 0 {
		end = len(text)
	} else {
		end += off
	}
	line = strings.Count(text[:start], "\n") + 1
	col = utf8.RuneCountInString(text[start:off]) + 1
	prefix := "LINE " + strconv.Itoa(line) + ": "
	src := strings.TrimRight(text[start:end], "\r")
	return prefix + src + "\n" + strings.Repeat(" ", len(prefix)+col-1) + "^", line, col
}
