package extract

import (
	"strings"
	"testing"
	"time"
)

func TestTerminalReporter(t *testing.T) {
	tests := []struct {
		name        string
		interactive bool
		interval    time.Duration
		sleep       time.Duration
		want        []string // substrings, in order
		none        bool
	}{
		{"quiet when fast", false, time.Hour, 0, nil, true},
		{"periodic lines", false, time.Millisecond, 2 * time.Millisecond, []string{"loading raw.t: 10 rows, 2.0 KiB", "rows/s\n"}, false},
		{"redrawn line", true, 0, 210 * time.Millisecond, []string{"\r\033[Kloading raw.t: 10 rows", "\r\033[K"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var b strings.Builder
			r := NewTerminalReporter(&b, tc.interactive)
			r.Interval = tc.interval
			r.Start("raw.t", FormatCSV)
			time.Sleep(tc.sleep)
			r.Progress("raw.t", 10, 2048)
			r.Finish(TableReport{Source: "raw.t"})
			out := b.String()
			if tc.none && out != "" {
				t.Errorf("printed %q", out)
			}
			rest := out
			for _, w := range tc.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("output %q lacks %q", out, w)
				}
				rest = rest[i+len(w):]
			}
		})
	}
}

func TestHumanBytes(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 1023: "1023 B", 1024: "1.0 KiB", 5 << 20: "5.0 MiB", 3 << 30: "3.0 GiB"} {
		if got := humanBytes(n); got != want {
			t.Errorf("humanBytes(%d) = %q, want %q", n, got, want)
		}
	}
}
