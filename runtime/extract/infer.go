package extract

import (
	"strconv"
	"strings"
	"time"
)

// kind is an inferred column type. Inference follows dbt-postgres seeds in
// spirit (every value of a column must parse as the type, empty is NULL)
// with gdbt's choices: whole numbers are bigint, values with a UTC offset are
// timestamptz, and numbers with leading zeros stay text (they are codes).
type kind uint8

const (
	kNull kind = iota // no value seen yet
	kBool
	kInt
	kNumeric
	kDate
	kTimestamp
	kTimestamptz
	kText
	kJSON // HTTP only: objects and arrays, kept as jsonb
)

func (k kind) pgType() string {
	switch k {
	case kBool:
		return "boolean"
	case kInt:
		return "bigint"
	case kNumeric:
		return "numeric"
	case kDate:
		return "date"
	case kTimestamp:
		return "timestamp"
	case kTimestamptz:
		return "timestamptz"
	case kJSON:
		return "jsonb"
	}
	return "text"
}

// merge is the least type both kinds' values fit.
func merge(a, b kind) kind {
	switch {
	case a == b || b == kNull:
		return a
	case a == kNull:
		return b
	}
	if a > b {
		a, b = b, a
	}
	if b == kJSON {
		return kJSON
	}
	switch {
	case a == kInt && b == kNumeric:
		return kNumeric
	case a == kDate && b == kTimestamp:
		return kTimestamp
	}
	return kText
}

// classify returns the narrowest kind s parses as. Every kind but text is
// chosen only for spellings PostgreSQL accepts for that type.
func classify(s string) kind {
	if s == "" {
		return kNull
	}
	switch {
	case strings.EqualFold(s, "true"), strings.EqualFold(s, "false"):
		return kBool
	}
	c := s[0]
	if c >= '0' && c <= '9' || c == '-' || c == '+' || c == '.' {
		if k := classifyNumber(s); k != kText {
			return k
		}
		return classifyTime(s)
	}
	return kText
}

func classifyNumber(s string) kind {
	i := 0
	if s[0] == '-' || s[0] == '+' {
		i++
	}
	intStart := i
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	intDigits := i - intStart
	if intDigits > 1 && s[intStart] == '0' {
		return kText // 007, 01234: codes, not numbers
	}
	if i == len(s) {
		if intDigits == 0 {
			return kText
		}
		if _, err := strconv.ParseInt(s, 10, 64); err == nil {
			return kInt
		}
		return kNumeric
	}
	frac := 0
	if s[i] == '.' {
		i++
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			frac++
		}
	}
	if intDigits+frac == 0 {
		return kText
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '-' || s[i] == '+') {
			i++
		}
		exp := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			exp++
		}
		if exp == 0 || exp > 3 {
			return kText
		}
	}
	if i != len(s) {
		return kText
	}
	return kNumeric
}

// classifyTime accepts ISO 8601 dates (YYYY-MM-DD) and timestamps
// (date, 'T' or space, HH:MM[:SS[.fraction]], optional Z or ±HH[:MM]).
func classifyTime(s string) kind {
	if len(s) < 10 || !digits(s[0:4]) || s[4] != '-' || !digits(s[5:7]) || s[7] != '-' || !digits(s[8:10]) {
		return kText
	}
	y, _ := strconv.Atoi(s[0:4])
	mo, _ := strconv.Atoi(s[5:7])
	d, _ := strconv.Atoi(s[8:10])
	if y == 0 || mo < 1 || mo > 12 || d < 1 || d > time.Date(y, time.Month(mo)+1, 0, 0, 0, 0, 0, time.UTC).Day() {
		return kText
	}
	if len(s) == 10 {
		return kDate
	}
	t := s[10:]
	if t[0] != 'T' && t[0] != ' ' {
		return kText
	}
	t = t[1:]
	if len(t) < 5 || !digits(t[0:2]) || t[2] != ':' || !digits(t[3:5]) {
		return kText
	}
	h, _ := strconv.Atoi(t[0:2])
	mi, _ := strconv.Atoi(t[3:5])
	if h > 23 || mi > 59 {
		return kText
	}
	t = t[5:]
	if len(t) >= 3 && t[0] == ':' {
		if !digits(t[1:3]) || t[1] > '5' {
			return kText
		}
		t = t[3:]
		if len(t) > 0 && t[0] == '.' {
			n := 1
			for n < len(t) && t[n] >= '0' && t[n] <= '9' {
				n++
			}
			if n == 1 {
				return kText
			}
			t = t[n:]
		}
	}
	switch {
	case t == "":
		return kTimestamp
	case t == "Z" || t == "z":
		return kTimestamptz
	case t[0] == '+' || t[0] == '-':
		z := t[1:]
		switch {
		case len(z) == 2 && digits(z):
		case len(z) == 5 && digits(z[0:2]) && z[2] == ':' && digits(z[3:5]):
		case len(z) == 4 && digits(z):
		default:
			return kText
		}
		if z[0:2] > "15" {
			return kText
		}
		return kTimestamptz
	}
	return kText
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
