package manifest

import (
	"encoding/json"
	"math"
	"testing"
)

// Expected strings are Python 3.11's repr(float) / json.dumps output.
func TestPyFloat(t *testing.T) {
	tests := []struct {
		in   float64
		want string
	}{
		{1795640979.9596536, "1795640979.9596536"},
		{0.1, "0.1"},
		{1, "1.0"},
		{100, "100.0"},
		{1e16, "1e+16"},
		{1.5e16, "1.5e+16"},
		{123456789012345.6, "123456789012345.6"},
		{1e-5, "1e-05"},
		{0.0001, "0.0001"},
		{0.00012345, "0.00012345"},
		{2.5e-10, "2.5e-10"},
		{-3.75, "-3.75"},
		{1e22, "1e+22"},
		{12345678901234567890.0, "1.2345678901234567e+19"},
		{5e-324, "5e-324"},
		{math.MaxFloat64, "1.7976931348623157e+308"},
		{0, "0.0"},
		{math.Copysign(0, -1), "-0.0"},
	}
	for _, tc := range tests {
		if got := string(appendPyFloat(nil, tc.in)); got != tc.want {
			t.Errorf("%v: got %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestPyString(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", `"plain"`},
		{"a\"b\\c\n\t\x01\x7f é ☃ 😀 </script> &", `"a\"b\\c\n\t\u0001\u007f \u00e9 \u2603 \ud83d\ude00 </script> &"`},
		{"\r\b\f", `"\r\b\f"`},
		{"", `""`},
	}
	for _, tc := range tests {
		if got := string(appendPyString(nil, tc.in)); got != tc.want {
			t.Errorf("%q: got %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestWriterShape(t *testing.T) {
	var e jw
	e.beginObj()
	e.key("a")
	e.value([]any{int64(1), "x", nil, true, map[string]any{"z": 1.5, "b": []any{}}})
	e.key("o")
	e.value(ordered{{"z", 1}, {"a", map[string]string{}}})
	e.key("e")
	e.emptyObj()
	e.endObj()
	want := `{"a": [1, "x", null, true, {"b": [], "z": 1.5}], "o": {"z": 1, "a": {}}, "e": {}}`
	if string(e.b) != want {
		t.Errorf("got  %s\nwant %s", e.b, want)
	}
	if !json.Valid(e.b) {
		t.Error("invalid JSON")
	}
}

func FuzzPyString(f *testing.F) {
	f.Add("a\"b\\c\n\x00é😀")
	f.Fuzz(func(t *testing.T, s string) {
		b := appendPyString(nil, s)
		var back string
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("%q: %v", b, err)
		}
		for _, c := range b {
			if c < 0x20 || c >= 0x7f {
				t.Fatalf("non-ASCII byte in %q", b)
			}
		}
		// Invalid UTF-8 decodes to U+FFFD on both sides.
		if want := string([]rune(s)); back != want {
			t.Fatalf("round trip %q -> %q", s, back)
		}
	})
}

func FuzzPyFloat(f *testing.F) {
	f.Add(1795640979.9596536)
	f.Add(1e-7)
	f.Fuzz(func(t *testing.T, x float64) {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return
		}
		var back float64
		if err := json.Unmarshal(appendPyFloat(nil, x), &back); err != nil || back != x {
			t.Fatalf("%v -> %s -> %v (%v)", x, appendPyFloat(nil, x), back, err)
		}
	})
}

// TestNeedsEscape8 checks the eight-byte test against the byte rule for
// every byte value at every position, alone and after an earlier byte that
// needs escaping (borrows between bytes must not hide or invent one).
func TestNeedsEscape8(t *testing.T) {
	needs := func(c byte) bool { return c < 0x20 || c >= 0x7f || c == '"' || c == '\\' }
	for pos := 0; pos < 8; pos++ {
		for c := 0; c < 256; c++ {
			for _, fill := range []byte{'a', ' ', '~', '!', '#', '[', ']'} {
				w := []byte{fill, fill, fill, fill, fill, fill, fill, fill}
				w[pos] = byte(c)
				if got, want := needsEscape8(string(w)), needs(byte(c)); got != want {
					t.Fatalf("needsEscape8(%q) = %v, want %v", w, got, want)
				}
				if pos > 0 {
					w[0] = 0
					if !needsEscape8(string(w)) {
						t.Fatalf("needsEscape8(%q) = false", w)
					}
				}
			}
		}
	}
}
