package run

import (
	"fmt"
	"io"
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

func (p *printer) errorTag(msg string) string   { return "[" + p.red("ERROR") + "]: " + msg }
func (p *printer) warningTag(msg string) string { return "[" + p.yellow("WARNING") + "]: " + msg }
