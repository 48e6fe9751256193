package manifest

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"unicode/utf8"
)

// jw appends JSON in the exact format of Python's json.dumps defaults,
// which is what dbt writes: ", " and ": " separators, every character
// outside printable ASCII escaped as \uXXXX, floats as Python's repr.
// Objects are written key by key so the caller controls key order.
type jw struct {
	b       []byte
	first   []bool // per open container: no element written yet
	pending bool   // a key was written; its value needs no comma
}

func (w *jw) comma() {
	if w.pending {
		w.pending = false
		return
	}
	n := len(w.first)
	if n == 0 {
		return
	}
	if w.first[n-1] {
		w.first[n-1] = false
		return
	}
	w.b = append(w.b, ',', ' ')
}

func (w *jw) beginObj() {
	w.comma()
	w.b = append(w.b, '{')
	w.first = append(w.first, true)
}

func (w *jw) endObj() {
	w.first = w.first[:len(w.first)-1]
	w.b = append(w.b, '}')
}

func (w *jw) beginArr() {
	w.comma()
	w.b = append(w.b, '[')
	w.first = append(w.first, true)
}

func (w *jw) endArr() {
	w.first = w.first[:len(w.first)-1]
	w.b = append(w.b, ']')
}

// key writes `"k": `; the next value belongs to it.
func (w *jw) key(k string) {
	w.comma()
	w.b = appendPyString(w.b, k)
	w.b = append(w.b, ':', ' ')
	w.pending = true
}

// rawKey is key with the key already quoted, colon and space included.
func (w *jw) rawKey(quoted []byte) {
	w.comma()
	w.b = append(w.b, quoted...)
	w.pending = true
}

func (w *jw) str(s string) {
	w.comma()
	w.b = appendPyString(w.b, s)
}

// strOrNull writes null for "", as dbt's Optional[str] fields.
func (w *jw) strOrNull(s string) {
	if s == "" {
		w.null()
		return
	}
	w.str(s)
}

func (w *jw) null() {
	w.comma()
	w.b = append(w.b, "null"...)
}

func (w *jw) boolean(v bool) {
	w.comma()
	if v {
		w.b = append(w.b, "true"...)
	} else {
		w.b = append(w.b, "false"...)
	}
}

func (w *jw) float(f float64) {
	w.comma()
	w.b = appendPyFloat(w.b, f)
}

func (w *jw) strs(ss []string) {
	w.beginArr()
	for _, s := range ss {
		w.str(s)
	}
	w.endArr()
}

// emptyObj writes {}.
func (w *jw) emptyObj() {
	w.comma()
	w.b = append(w.b, '{', '}')
}

// value writes a JSON-compatible Go value. Maps whose key order is not
// known are written with sorted keys (Python would keep insertion order,
// which Go maps do not have).
func (w *jw) value(v any) {
	switch x := v.(type) {
	case nil, explicitNull:
		w.null()
	case string:
		w.str(x)
	case bool:
		w.boolean(x)
	case int:
		w.comma()
		w.b = strconv.AppendInt(w.b, int64(x), 10)
	case int64:
		w.comma()
		w.b = strconv.AppendInt(w.b, x, 10)
	case int32:
		w.comma()
		w.b = strconv.AppendInt(w.b, int64(x), 10)
	case uint64:
		w.comma()
		w.b = strconv.AppendUint(w.b, x, 10)
	case float64:
		w.float(x)
	case float32:
		w.float(float64(x))
	case []string:
		w.strs(x)
	case []any:
		w.beginArr()
		for _, e := range x {
			w.value(e)
		}
		w.endArr()
	case map[string]any:
		w.beginObj()
		for _, k := range sortedKeys(x) {
			w.key(k)
			w.value(x[k])
		}
		w.endObj()
	case Config:
		w.value(map[string]any(x))
	case map[string]string:
		w.beginObj()
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			w.key(k)
			w.str(x[k])
		}
		w.endObj()
	case Constraint:
		x.write(w)
	case [][2]string:
		w.beginArr()
		for _, p := range x {
			w.beginArr()
			w.str(p[0])
			w.str(p[1])
			w.endArr()
		}
		w.endArr()
	case Object:
		w.beginObj()
		for _, f := range x {
			w.key(f.Key)
			w.value(f.Value)
		}
		w.endObj()
	case ordered:
		w.beginObj()
		for _, kv := range x {
			w.key(kv.k)
			w.value(kv.v)
		}
		w.endObj()
	default:
		// Unknown types (a parser bug) still produce valid JSON.
		w.str(fmt.Sprint(v))
	}
}

// ordered is an object with a fixed key order.
type ordered []kv

type kv struct {
	k string
	v any
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

const hexDigits = "0123456789abcdef"

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// needsEscape8 reports whether any of the 8 bytes of s is a control
// character, '"', '\\', DEL or not ASCII (SWAR: one test for all eight).
func needsEscape8(s string) bool {
	x := uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
	zero := func(v uint64) uint64 { return (v - ones) & ^v & highs } // a zero byte
	return (x&highs)|((x-0x20*ones)&^x&highs)|zero(x^('"'*ones))|zero(x^('\\'*ones))|zero(x^(0x7f*ones)) != 0
}

// appendPyString quotes s as Python's json.dumps with ensure_ascii.
func appendPyString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		// Most text needs no escaping: skip it eight bytes at a time.
		for i+8 <= len(s) && !needsEscape8(s[i:i+8]) {
			i += 8
		}
		if i >= len(s) {
			break
		}
		c := s[i]
		if c >= 0x20 && c < 0x7f && c != '"' && c != '\\' {
			i++
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"':
			b = append(b, '\\', '"')
		case '\\':
			b = append(b, '\\', '\\')
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		case '\b':
			b = append(b, '\\', 'b')
		case '\f':
			b = append(b, '\\', 'f')
		default:
			if c < utf8.RuneSelf {
				b = appendU4(b, rune(c))
				i++
				start = i
				continue
			}
			r, size := utf8.DecodeRuneInString(s[i:])
			if r >= 0x10000 {
				r -= 0x10000
				b = appendU4(b, 0xD800+(r>>10))
				b = appendU4(b, 0xDC00+(r&0x3FF))
			} else {
				b = appendU4(b, r)
			}
			i += size
			start = i
			continue
		}
		i++
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

func appendU4(b []byte, r rune) []byte {
	return append(b, '\\', 'u', hexDigits[r>>12&0xF], hexDigits[r>>8&0xF], hexDigits[r>>4&0xF], hexDigits[r&0xF])
}

// appendPyFloat formats f as Python's float repr: shortest round-trip
// digits, exponent form below 1e-4 and from 1e16, and always a ".0" on
// integral values. NaN and infinities are written as Python does
// (NaN, Infinity), which is not strict JSON but is what dbt would emit.
func appendPyFloat(b []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(b, "NaN"...)
	case math.IsInf(f, 1):
		return append(b, "Infinity"...)
	case math.IsInf(f, -1):
		return append(b, "-Infinity"...)
	}
	if f == 0 {
		if math.Signbit(f) {
			return append(b, "-0.0"...)
		}
		return append(b, "0.0"...)
	}
	var buf [32]byte
	e := strconv.AppendFloat(buf[:0], f, 'e', -1, 64)
	// e is like -1.2345e+06
	neg := e[0] == '-'
	if neg {
		e = e[1:]
	}
	ei := 0
	for ei < len(e) && e[ei] != 'e' {
		ei++
	}
	mant, expPart := e[:ei], e[ei+1:]
	exp, _ := strconv.Atoi(string(expPart))
	digits := make([]byte, 0, 20)
	for _, c := range mant {
		if c != '.' {
			digits = append(digits, c)
		}
	}
	if neg {
		b = append(b, '-')
	}
	if exp < -4 || exp >= 16 {
		b = append(b, digits[0])
		if len(digits) > 1 {
			b = append(b, '.')
			b = append(b, digits[1:]...)
		}
		b = append(b, 'e')
		if exp < 0 {
			b = append(b, '-')
			exp = -exp
		} else {
			b = append(b, '+')
		}
		if exp < 10 {
			b = append(b, '0')
		}
		return strconv.AppendInt(b, int64(exp), 10)
	}
	if exp < 0 {
		b = append(b, '0', '.')
		for i := 0; i < -exp-1; i++ {
			b = append(b, '0')
		}
		return append(b, digits...)
	}
	// exp >= 0: integer part is digits[:exp+1], padded with zeros.
	if len(digits) <= exp+1 {
		b = append(b, digits...)
		for i := len(digits); i < exp+1; i++ {
			b = append(b, '0')
		}
		return append(b, '.', '0')
	}
	b = append(b, digits[:exp+1]...)
	b = append(b, '.')
	return append(b, digits[exp+1:]...)
}
