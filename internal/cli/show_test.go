package cli

import (
	"strings"
	"testing"
)

// TestShow previews nodes and inline queries against the built fixture;
// the goldens were checked against `dbt show` 1.12.6 on the same data.
func TestShow(t *testing.T) {
	f := newCmdFixture(t)
	f.mustRun("build")
	cases := []struct {
		name string
		args []string
		code int
	}{
		{"show_node", []string{"show", "--select", "people_tbl"}, 0},
		{"show_node_json", []string{"show", "--select", "stg_people", "--output", "json", "--limit", "2"}, 0},
		{"show_inline_types", []string{"show", "--limit", "2", "--inline",
			"select 1234567.891::numeric as n, 0.12345::float8 as f, '12'::text as t, 'true' as b, '2024-01-05' as d, '2024-01-05 01:02:03' as dt, 'x' as seventh"}, 0},
		{"show_inline_json", []string{"show", "--output", "json", "--inline",
			"select ''::text as e, 'null' as n2, timestamp '2024-01-02 03:04:05.5' as ts, timestamptz '2024-01-02 03:04:05+02' as tz, '{\"a\": [1,2]}'::jsonb as j, 'ü' as u, -0.5::numeric as neg, null::int as nothing"}, 0},
		{"show_inline_ref_all", []string{"show", "--limit", "-1", "--inline", "select name, score from {{ ref('people') }} order by id"}, 0},
		{"show_inline_error", []string{"show", "--inline", "select * from nope"}, 2},
		{"show_nothing", []string{"show"}, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out := f.gdbt(c.args...)
			if code != c.code {
				t.Errorf("exit %d, want %d", code, c.code)
			}
			golden(t, c.name, out)
		})
	}
}

func TestFormatNumber(t *testing.T) {
	// Expected values are babel's format_decimal, as agate calls it.
	cases := []struct {
		in       string
		places   int
		ellipsis bool
		want     string
	}{
		{"-0.001", 2, false, "-0.00"},
		{"2.345", 2, false, "2.34"},
		{"2.355", 2, false, "2.36"},
		{"1234567.5", 0, false, "1,234,568"},
		{"0.12345", 3, true, "0.123…"},
		{"100", 0, false, "100"},
		{"-5", 1, false, "-5.0"},
		{"2.5", 0, false, "2"},
		{"3.5", 0, false, "4"},
		{"1234567.891", 2, false, "1,234,567.89"},
		{"1E+20", 2, false, "100,000,000,000,000,000,000.00"},
		{"9.5", 2, false, "9.50"},
		{"999.9996", 3, true, "1,000.000…"},
		{"Infinity", 2, false, "Infinity"},
	}
	for _, c := range cases {
		if got := formatNumber(c.in, c.places, c.ellipsis); got != c.want {
			t.Errorf("formatNumber(%q, %d, %v) = %q, want %q", c.in, c.places, c.ellipsis, got, c.want)
		}
	}
}

func TestDecimalPlaces(t *testing.T) {
	cases := map[string]int{"9.50": 1, "8.25": 2, "7": 0, "100": 0, "1e-05": 5, "0.000": 0, "12.3400": 2, "-0.5": 1}
	for in, want := range cases {
		d, ok := parseDecimal(in)
		if !ok {
			t.Errorf("parseDecimal(%q) failed", in)
			continue
		}
		if got := d.places(); got != want {
			t.Errorf("places(%q) = %d, want %d", in, got, want)
		}
	}
	for _, bad := range []string{"", "abc", "1.2.3", "--1"} {
		if _, ok := parseDecimal(bad); ok {
			t.Errorf("parseDecimal(%q) accepted", bad)
		}
	}
}

func TestPyFloat(t *testing.T) {
	// Python's repr(float(x)).
	cases := map[string]string{"9.50": "9.5", "7": "7.0", "1e-05": "1e-05", "0.0001": "0.0001",
		"1e16": "1e+16", "123456789012345678": "1.2345678901234568e+17", "-0.5": "-0.5", "NaN": "NaN", "-Infinity": "-Infinity"}
	for in, want := range cases {
		if got := pyFloat(in); got != want {
			t.Errorf("pyFloat(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPyString(t *testing.T) {
	got := pyString("a\"b\\c\n\tü😀\x01")
	want := `"a\"b\\c\n\t\u00fc\ud83d\ude00\u0001"`
	if got != want {
		t.Errorf("pyString = %s, want %s", got, want)
	}
	if strings.Contains(pyString("<&>"), `\u`) {
		t.Error("pyString escaped HTML characters; Python does not")
	}
}

func FuzzFormatNumber(f *testing.F) {
	for _, s := range []string{"1234.5", "-0.001", "1e-05", "9.999", "NaN", "1E+20", "0"} {
		f.Add(s, 2)
	}
	f.Fuzz(func(t *testing.T, s string, places int) {
		if places < 0 || places > 3 {
			return
		}
		d, ok := parseDecimal(s)
		out := formatNumber(s, places, false)
		if !ok || d.special() {
			return
		}
		// Without grouping the result is the value rounded to places.
		plain := strings.ReplaceAll(strings.TrimPrefix(out, "-"), ",", "")
		if places > 0 && (len(plain) < places+2 || plain[len(plain)-places-1] != '.') {
			t.Errorf("formatNumber(%q, %d) = %q: want %d decimal places", s, places, out, places)
		}
		if _, ok := parseDecimal(plain); !ok {
			t.Errorf("formatNumber(%q, %d) = %q is not a number", s, places, out)
		}
	})
}
