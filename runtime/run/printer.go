package run

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// printer writes dbt's console lines: a "HH:MM:SS  " prefix on each event
// and the fancy "N of M … [STATUS in 0.12s]" progress lines.
type printer struct {
	mu    sync.Mutex
	w     io.Writer
	color bool
	now   func() time.Time
}

const printerWidth = 80

func (p *printer) line(msg string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, "%s  %s\n", p.now().Format("15:04:05"), msg)
}

func (p *printer) paint(code, s string) string {
	if !p.color {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

func (p *printer) green(s string) string  { return p.paint("32", s) }
func (p *printer) yellow(s string) string { return p.paint("33", s) }
func (p *printer) red(s string) string    { return p.paint("31", s) }

// fancy is dbt's format_fancy_output_line.
func fancy(msg, status string, index, total int, elapsed *time.Duration, truncate bool) string {
	progress := ""
	if index > 0 {
		progress = fmt.Sprintf("%d of %d ", index, total)
	}
	prefix := progress + msg + " "
	justified := prefix
	if n := len([]rune(prefix)); n < printerWidth {
		justified += strings.Repeat(".", printerWidth-n)
	}
	if truncate && len([]rune(justified)) > printerWidth-3 {
		justified = string([]rune(justified)[:printerWidth-3]) + "..."
	}
	st := ""
	if elapsed != nil {
		st = fmt.Sprintf(" in %0.2fs", elapsed.Seconds())
	}
	return justified + " [" + status + st + "]"
}

func (p *printer) errorTag(msg string) string   { return "[" + p.red("ERROR") + "]: " + msg }
func (p *printer) warningTag(msg string) string { return "[" + p.yellow("WARNING") + "]: " + msg }

func pluralize(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// humanize is dbt's humanize_execution_time.
func humanize(d time.Duration) string {
	s := d.Seconds()
	h := int(s / 3600)
	m := int((s - float64(h)*3600) / 60)
	sec := s - float64(h)*3600 - float64(m)*60
	return fmt.Sprintf(" in %d hours %d minutes and %0.2f seconds", h, m, sec)
}
