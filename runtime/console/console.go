// Package console formats dbt's console lines, shared by every command
// that prints them (run/test/build/seed/snapshot and source freshness).
package console

import (
	"fmt"
	"strings"
	"time"
)

// Width is the column dbt pads status lines to.
const Width = 80

// Fancy is dbt's format_fancy_output_line: "N of M msg ..... [STATUS in
// 0.12s]", padded with dots to Width columns; index 0 leaves out "N of M",
// a nil elapsed leaves out the time, truncate cuts a long message.
func Fancy(msg, status string, index, total int, elapsed *time.Duration, truncate bool) string {
	progress := ""
	if index > 0 {
		progress = fmt.Sprintf("%d of %d ", index, total)
	}
	prefix := progress + msg + " "
	justified := prefix
	if n := len([]rune(prefix)); n < Width {
		justified += strings.Repeat(".", Width-n)
	}
	if truncate && len([]rune(justified)) > Width-3 {
		justified = string([]rune(justified)[:Width-3]) + "..."
	}
	st := ""
	if elapsed != nil {
		st = fmt.Sprintf(" in %0.2fs", elapsed.Seconds())
	}
	return justified + " [" + status + st + "]"
}

// Pluralize is "1 source", "2 sources".
func Pluralize(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// Humanize is dbt's humanize_execution_time.
func Humanize(d time.Duration) string {
	s := d.Seconds()
	h := int(s / 3600)
	m := int((s - float64(h)*3600) / 60)
	sec := s - float64(h)*3600 - float64(m)*60
	return fmt.Sprintf(" in %d hours %d minutes and %0.2f seconds", h, m, sec)
}
