package freshness

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/gdbt/gdbt/runtime/artifacts"
	"github.com/gdbt/gdbt/runtime/console"
)

// SourcesSchema is the schema URL of sources.json dbt 1.12 writes.
const SourcesSchema = "https://schemas.getdbt.com/dbt/sources/v3.json"

// Sources is target/sources.json.
type Sources struct {
	Metadata    artifacts.Metadata `json:"metadata"`
	Results     []SourceOutput     `json:"results"`
	ElapsedTime float64            `json:"elapsed_time"`
}

// SourceOutput is one checked source, field for field as dbt writes it.
type SourceOutput struct {
	UniqueID        string             `json:"unique_id"`
	MaxLoadedAt     string             `json:"max_loaded_at"`
	SnapshottedAt   string             `json:"snapshotted_at"`
	AgeSeconds      float64            `json:"max_loaded_at_time_ago_in_s"`
	Status          string             `json:"status"`
	Criteria        criteria           `json:"criteria"`
	AdapterResponse map[string]any     `json:"adapter_response"`
	Timing          []artifacts.Timing `json:"timing"`
	ThreadID        string             `json:"thread_id"`
	ExecutionTime   float64            `json:"execution_time"`
}

type timeJSON struct {
	Count  *int64  `json:"count"`
	Period *string `json:"period"`
}

type criteria struct {
	WarnAfter  timeJSON `json:"warn_after"`
	ErrorAfter timeJSON `json:"error_after"`
	Filter     *string  `json:"filter"`
}

func criteriaJSON(c *Criteria) criteria {
	if c == nil {
		return criteria{}
	}
	return criteria{
		WarnAfter:  timeJSON{c.WarnAfter.Count, c.WarnAfter.Period},
		ErrorAfter: timeJSON{c.ErrorAfter.Count, c.ErrorAfter.Period},
		Filter:     c.Filter,
	}
}

// Write writes dir/sources.json in Python's json.dumps format.
func (s *Sources) Write(dir string) error {
	return s.WriteFile(filepath.Join(dir, "sources.json"))
}

// WriteFile writes the artifact to path.
func (s *Sources) WriteFile(path string) error {
	b, err := artifacts.PyJSON(s)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

// printer writes "HH:MM:SS  " prefixed console lines, as dbt does.
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

func (p *printer) errorTag(msg string) string   { return "[" + p.paint("31", "ERROR") + "]: " + msg }
func (p *printer) warningTag(msg string) string { return "[" + p.paint("33", "WARNING") + "]: " + msg }

func resultLine(p *printer, r *Result, index, total int) string {
	info, color := "PASS", "32"
	switch r.Status {
	case RuntimeError:
		info, color = "ERROR", "31"
	case Error:
		info, color = "ERROR STALE", "31"
	case Warn:
		info, color = "WARN", "33"
	}
	d := r.Elapsed
	return console.Fancy(info+" freshness of "+r.Source.SourceName+"."+r.Source.Name, p.paint(color, info), index, total, &d, false)
}
