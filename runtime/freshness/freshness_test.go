package freshness

import (
	"testing"
	"time"

	"github.com/gdbt/gdbt/compiler/manifest"
)

func TestCriteria(t *testing.T) {
	yaml := map[string]any{
		"warn_after":  map[string]any{"count": int64(12), "period": "hour"},
		"error_after": map[string]any{"count": int64(1), "period": "day"},
	}
	c, err := ParseCriteria(yaml)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		age  float64
		want Status
	}{
		{0, Pass}, {12 * 3600, Pass}, {12*3600 + 1, Warn}, {86400, Warn}, {86400.5, Error},
	}
	for _, tc := range cases {
		if got := c.Status(tc.age); got != tc.want {
			t.Errorf("Status(%v) = %s, want %s", tc.age, got, tc.want)
		}
	}
	// A threshold missing its count or period is ignored, as in dbt.
	half, err := ParseCriteria(map[string]any{"warn_after": map[string]any{"count": int64(1)}})
	if err != nil {
		t.Fatal(err)
	}
	if half.Has() || half.Status(1e9) != Pass {
		t.Errorf("half-specified threshold: Has=%v Status=%s", half.Has(), half.Status(1e9))
	}
	// warn_after: null (the parser's explicit null) leaves error_after.
	onlyErr, err := ParseCriteria(map[string]any{"warn_after": manifest.ExplicitNull,
		"error_after": map[string]any{"count": int64(1), "period": "day"}})
	if err != nil || onlyErr.Status(86400.5) != Error || onlyErr.Status(86399) != Pass {
		t.Errorf("warn_after null: %v %+v", err, onlyErr)
	}
	if none, _ := ParseCriteria(nil); none.Has() {
		t.Error("nil criteria selected")
	}
	for _, bad := range []any{"daily", map[string]any{"warn_after": map[string]any{"count": 1, "period": "week"}},
		map[string]any{"error_after": map[string]any{"count": "x", "period": "day"}}} {
		if _, err := ParseCriteria(bad); err == nil {
			t.Errorf("ParseCriteria(%v) accepted", bad)
		}
	}
}

func TestSQL(t *testing.T) {
	f := "kind = 'recent'"
	got := SQL(`"db"."s"."t"`, "loaded_at", &f)
	want := "select\n      max(loaded_at) as max_loaded_at,\n      now() as snapshotted_at\n    from \"db\".\"s\".\"t\"\n    \n    where kind = 'recent'\n    \n  "
	if got != want {
		t.Errorf("SQL with filter:\n%q\nwant\n%q", got, want)
	}
	got = SQL(`"db"."s"."t"`, "loaded_at", nil)
	want = "select\n      max(loaded_at) as max_loaded_at,\n      now() as snapshotted_at\n    from \"db\".\"s\".\"t\"\n    \n  "
	if got != want {
		t.Errorf("SQL without filter:\n%q\nwant\n%q", got, want)
	}
}

func TestTimestamps(t *testing.T) {
	cases := []struct {
		in, iso string
	}{
		{"2024-01-02 03:04:05.123456", "2024-01-02T03:04:05.123456+00:00"},
		{"2024-01-02 03:04:05", "2024-01-02T03:04:05+00:00"},
		{"2024-01-02 03:04:05.5+02:00", "2024-01-02T01:04:05.500000+00:00"},
		{"2024-01-02 03:04:05-05", "2024-01-02T08:04:05+00:00"},
		{"2024-01-02", "2024-01-02T00:00:00+00:00"},
	}
	for _, c := range cases {
		ts, err := parseTimestamp(c.in, false)
		if err != nil {
			t.Errorf("parseTimestamp(%q): %v", c.in, err)
			continue
		}
		if got := isoformat(ts); got != c.iso {
			t.Errorf("isoformat(%q) = %q, want %q", c.in, got, c.iso)
		}
	}
	never, err := parseTimestamp(nil, true)
	if err != nil || isoformat(never) != "0001-01-01T00:00:00+00:00" {
		t.Errorf("null max_loaded_at = %v, %v", never, err)
	}
	if _, err := parseTimestamp(nil, false); err == nil {
		t.Error("null snapshotted_at accepted")
	}
	snap := time.Date(2026, 1, 1, 0, 0, 0, 500000000, time.UTC)
	if got := ageSeconds(snap.Add(-90*time.Second), snap); got != 90 {
		t.Errorf("ageSeconds = %v, want 90", got)
	}
	if got := ageSeconds(never, snap); got < 6.38e10 || got > 6.40e10 {
		t.Errorf("age since year 1 = %v", got)
	}
}

func FuzzParseTimestamp(f *testing.F) {
	for _, s := range []string{"2024-01-02 03:04:05.123456", "2024-01-02 03:04:05+05:30", "2024-01-02", "infinity", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ts, err := parseTimestamp(s, true)
		if err == nil && ts.Location() != time.UTC {
			t.Errorf("%q parsed to a non-UTC time", s)
		}
	})
}
