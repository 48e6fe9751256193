package materialize

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math/big"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// seedType is an agate column type as dbt's seed type tester infers it.
// The order is agate's preference order.
type seedType int

const (
	tNumber seedType = iota
	tDate
	tDateTime
	tISODateTime
	tBoolean
	tText
)

// seedTable is a parsed seed CSV.
type seedTable struct {
	path  string
	names []string
	data  []byte // the file's text, to find a cell again for an error
	delim rune
	rows  [][]string // raw cells, padded to len(names)
	lines []int      // file line where each row starts
	types []seedType
	// decimals reports, per Number column, whether any value has a
	// fractional part once normalized (float8 rather than integer).
	decimals []bool
	forced   []bool // column_types columns: read as text
}

// SeedRowError is a malformed seed file, at the cell (or row) at fault.
type SeedRowError struct {
	Path         string
	Line, Column int // 1-based; Column counts characters
	Msg          string
}

func (e *SeedRowError) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", e.Path, e.Line, e.Column, e.Msg)
}

// charColumn turns encoding/csv's 1-based byte column on line into a
// 1-based character column.
func charColumn(data []byte, line, byteCol int) int {
	for l := 1; l < line; l++ {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			return byteCol
		}
		data = data[i+1:]
	}
	if byteCol-1 > len(data) {
		return byteCol
	}
	return utf8.RuneCount(data[:byteCol-1]) + 1
}

func readSeed(path string, data []byte, delimiter rune, textColumns map[string]bool) (*seedTable, error) {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	r := csv.NewReader(bytes.NewReader(data))
	r.Comma = delimiter
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	r.ReuseRecord = false
	t := &seedTable{path: path, data: data, delim: delimiter}
	at := func(field int, format string, args ...any) error {
		line, col := r.FieldPos(field)
		return &SeedRowError{Path: path, Line: line, Column: charColumn(data, line, col), Msg: fmt.Sprintf(format, args...)}
	}
	header, err := r.Read()
	if err == io.EOF {
		return nil, &SeedRowError{Path: path, Line: 1, Column: 1, Msg: "expected a header row, found an empty seed file"}
	}
	if err != nil {
		return nil, csvErr(path, data, err)
	}
	t.names = header
	seen := map[string]bool{}
	for i, n := range header {
		if seen[n] {
			return nil, at(i, "duplicate column name %q (column %d)", n, i+1)
		}
		seen[n] = true
	}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, csvErr(path, data, err)
		}
		line, _ := r.FieldPos(0)
		if len(rec) == 1 && rec[0] == "" && len(header) > 1 {
			continue // blank line
		}
		if len(rec) > len(header) {
			return nil, at(len(header), "expected %d values, one per header column, found %d (the first extra one is %q)", len(header), len(rec), rec[len(header)])
		}
		for len(rec) < len(header) {
			rec = append(rec, "")
		}
		t.rows = append(t.rows, rec)
		t.lines = append(t.lines, line)
	}
	t.infer(textColumns)
	return t, nil
}

func csvErr(path string, data []byte, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &SeedRowError{Path: path, Line: pe.Line, Column: charColumn(data, pe.Line, pe.Column), Msg: pe.Err.Error()}
	}
	return err
}

// cellPos finds where row i's cell c starts in the file (1-based line and
// character column), re-reading the file up to it: only errors need it.
func (t *seedTable) cellPos(i, c int) (line, col int) {
	r := csv.NewReader(bytes.NewReader(t.data))
	r.Comma = t.delim
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	line = t.lines[i]
	for {
		rec, err := r.Read()
		if err != nil {
			return line, 1
		}
		l, _ := r.FieldPos(0)
		if l == t.lines[i] && len(rec) > c {
			l, bc := r.FieldPos(c)
			return l, charColumn(t.data, l, bc)
		}
	}
}

// isNull is agate's null test: "" and "null", ignoring case and spaces.
func isNull(s string) bool {
	s = strings.ToLower(strings.TrimSpace(s))
	return s == "" || s == "null"
}

func (t *seedTable) infer(textColumns map[string]bool) {
	n := len(t.names)
	t.types = make([]seedType, n)
	t.decimals = make([]bool, n)
	t.forced = make([]bool, n)
	for c := 0; c < n; c++ {
		if textColumns[t.names[c]] {
			t.types[c] = tText
			t.forced[c] = true
			continue
		}
		possible := [tText + 1]bool{true, true, true, true, true, true}
		for _, row := range t.rows {
			v := row[c]
			if isNull(v) {
				continue
			}
			for ty := tNumber; ty < tText; ty++ {
				if possible[ty] && !cellIs(ty, v) {
					possible[ty] = false
				}
			}
		}
		for ty := tNumber; ty <= tText; ty++ {
			if possible[ty] {
				t.types[c] = ty
				break
			}
		}
		if t.types[c] == tNumber {
			for _, row := range t.rows {
				if r, ok := parseNumber(row[c]); ok && !r.IsInt() {
					t.decimals[c] = true
					break
				}
			}
		}
	}
}

func cellIs(ty seedType, v string) bool {
	switch ty {
	case tNumber:
		_, ok := parseNumber(v)
		return ok
	case tDate:
		_, ok := parseDate(v)
		return ok
	case tDateTime:
		_, ok := parseDateTime(v)
		return ok
	case tISODateTime:
		_, ok := parseISODateTime(v)
		return ok
	case tBoolean:
		_, ok := parseBool(v)
		return ok
	}
	return true
}

// currency symbols agate strips from numbers (a common subset).
const currencySymbols = "$£€¥₹₩₽¢฿₫₴₦₱₪"

// parseNumber follows agate's Number cast: trim, drop a trailing or leading
// %, a leading minus, currency symbols and "," grouping, then parse as a
// decimal.
func parseNumber(s string) (*big.Rat, bool) {
	s = strings.TrimSpace(s)
	s = strings.Trim(s, "%")
	neg := false
	if strings.HasPrefix(s, "-") {
		neg = true
		s = s[1:]
	}
	s = strings.Trim(s, currencySymbols)
	s = strings.ReplaceAll(s, ",", "")
	s = strings.ReplaceAll(s, "_", "")
	if s == "" || strings.ContainsAny(s, "/ ") || strings.HasPrefix(s, "0x") {
		return nil, false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') {
			return nil, false
		}
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return nil, false
	}
	if neg {
		r.Neg(r)
	}
	return r, true
}

// parseDate is strptime("%Y-%m-%d").
func parseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	parts := strings.Split(s, "-")
	if len(parts) != 3 || len(parts[0]) != 4 || len(parts[1]) < 1 || len(parts[1]) > 2 || len(parts[2]) < 1 || len(parts[2]) > 2 {
		return time.Time{}, false
	}
	y, e1 := strconv.Atoi(parts[0])
	m, e2 := strconv.Atoi(parts[1])
	d, e3 := strconv.Atoi(parts[2])
	if e1 != nil || e2 != nil || e3 != nil || !allDigits(parts[1]) || !allDigits(parts[2]) {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Month() != time.Month(m) || t.Day() != d {
		return time.Time{}, false
	}
	return t, true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// parseDateTime is strptime("%Y-%m-%d %H:%M:%S").
func parseDateTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	sp := strings.IndexByte(s, ' ')
	if sp < 0 {
		return time.Time{}, false
	}
	d, ok := parseDate(s[:sp])
	if !ok {
		return time.Time{}, false
	}
	hms := strings.Split(s[sp+1:], ":")
	if len(hms) != 3 {
		return time.Time{}, false
	}
	var v [3]int
	for i, p := range hms {
		if len(p) < 1 || len(p) > 2 || !allDigits(p) {
			return time.Time{}, false
		}
		v[i], _ = strconv.Atoi(p)
	}
	if v[0] > 23 || v[1] > 59 || v[2] > 61 {
		return time.Time{}, false
	}
	return d.Add(time.Duration(v[0])*time.Hour + time.Duration(v[1])*time.Minute + time.Duration(v[2])*time.Second), true
}

// parseISODateTime accepts ISO 8601 date-times with a "T" separator.
func parseISODateTime(s string) (string, bool) {
	s = strings.TrimSpace(s)
	layouts := []string{"2006-01-02T15:04:05.999999999Z07:00", "2006-01-02T15:04:05.999999999", "2006-01-02T15:04Z07:00", "2006-01-02T15:04",
		"2006-01-02T15:04:05.999999999Z0700", "2006-01-02T15:04:05.999999999Z07"}
	for _, l := range layouts {
		if _, err := time.Parse(l, s); err == nil {
			return s, true
		}
	}
	return "", false
}

func parseBool(s string) (bool, bool) {
	s = strings.ToLower(strings.TrimSpace(strings.ReplaceAll(s, ",", "")))
	switch s {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	return false, false
}

// sqlType is dbt-postgres's convert_type for an inferred column.
func (t *seedTable) sqlType(c int) string {
	switch t.types[c] {
	case tNumber:
		if t.decimals[c] {
			return "float8"
		}
		return "integer"
	case tDate:
		return "date"
	case tDateTime, tISODateTime:
		return "timestamp without time zone"
	case tBoolean:
		return "boolean"
	}
	return "text"
}

// cell converts a raw cell to COPY CSV text as agate would hand the value
// to the database; ok is false for NULL.
func (t *seedTable) cell(c int, v string) (string, bool) {
	if isNull(v) {
		return "", false
	}
	switch t.types[c] {
	case tNumber:
		r, _ := parseNumber(v)
		if r.IsInt() {
			return r.Num().String(), true
		}
		f, _ := r.Float64()
		if !t.decimals[c] {
			return r.Num().String(), true
		}
		return strconv.FormatFloat(f, 'g', -1, 64), true
	case tDate:
		d, _ := parseDate(v)
		return d.Format("2006-01-02"), true
	case tDateTime:
		d, _ := parseDateTime(v)
		return d.Format("2006-01-02 15:04:05"), true
	case tISODateTime:
		s, _ := parseISODateTime(v)
		return s, true
	case tBoolean:
		b, _ := parseBool(v)
		if b {
			return "t", true
		}
		return "f", true
	}
	return v, true
}
