package extract

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"text/tabwriter"
	"time"
)

// Table statuses.
const (
	StatusLoaded   = "loaded"     // rows were written
	StatusUpToDate = "up_to_date" // nothing new (all files already in the ledger, no new records)
	StatusError    = "error"
)

// Report is the outcome of Run, written by the CLI as JSON.
type Report struct {
	StartedAt      time.Time     `json:"started_at"`
	FinishedAt     time.Time     `json:"finished_at"`
	ElapsedSeconds float64       `json:"elapsed_seconds"`
	Rows           int64         `json:"rows"`
	Bytes          int64         `json:"bytes"`
	Failed         int           `json:"failed"`
	Tables         []TableReport `json:"tables"`
}

// TableReport is one declared load.
type TableReport struct {
	Source         string       `json:"source"`   // "raw.orders"
	Relation       string       `json:"relation"` // "raw"."orders"
	Format         Format       `json:"format"`
	Status         string       `json:"status"`
	Rows           int64        `json:"rows"`  // rows written this run
	Bytes          int64        `json:"bytes"` // input bytes read this run
	ElapsedSeconds float64      `json:"elapsed_seconds"`
	RowsPerSecond  float64      `json:"rows_per_second"`
	Files          []FileReport `json:"files,omitempty"`
	URL            string       `json:"url,omitempty"` // without secrets
	Pages          int          `json:"pages,omitempty"`
	Requests       int          `json:"requests,omitempty"`
	Retries        int          `json:"retries,omitempty"`
	Watermark      string       `json:"watermark,omitempty"` // after the run
	Error          string       `json:"error,omitempty"`
}

// FileReport is one CSV file.
type FileReport struct {
	Path   string `json:"path"` // relative to the project directory when possible
	SHA256 string `json:"sha256,omitempty"`
	Status string `json:"status"` // loaded | up_to_date | error
	Rows   int64  `json:"rows"`
	Bytes  int64  `json:"bytes"`
	Error  string `json:"error,omitempty"`
}

// Reporter receives progress. Calls for one table come from one goroutine;
// calls for different tables may be concurrent.
type Reporter interface {
	Start(table string, format Format)
	Progress(table string, rows, bytes int64)
	Finish(t TableReport)
}

type nopReporter struct{}

func (nopReporter) Start(string, Format)          {}
func (nopReporter) Progress(string, int64, int64) {}
func (nopReporter) Finish(TableReport)            {}

// TerminalReporter prints progress lines for long loads to w (stderr).
// Interactive (a TTY) redraws one line at most every 200ms; otherwise a line
// is printed at most every Interval, so logs stay short. Loads that finish
// before the first tick print nothing until the summary.
type TerminalReporter struct {
	W           io.Writer
	Interactive bool
	Interval    time.Duration // non-interactive; default 10s

	mu     sync.Mutex
	starts map[string]time.Time
	last   time.Time
	drawn  bool
}

// NewTerminalReporter reports to w; interactive says whether w is a terminal
// (see IsTerminal).
func NewTerminalReporter(w io.Writer, interactive bool) *TerminalReporter {
	return &TerminalReporter{W: w, Interactive: interactive, Interval: 10 * time.Second}
}

func (r *TerminalReporter) Start(table string, _ Format) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.starts == nil {
		r.starts = map[string]time.Time{}
	}
	now := time.Now()
	r.starts[table] = now
	if r.last.IsZero() {
		r.last = now
	}
}

func (r *TerminalReporter) Progress(table string, rows, bytes int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := time.Now()
	every := r.Interval
	if r.Interactive {
		every = 200 * time.Millisecond
	} else if every <= 0 {
		every = 10 * time.Second
	}
	if now.Sub(r.last) < every {
		return
	}
	r.last = now
	el := now.Sub(r.starts[table]).Seconds()
	rate := 0.0
	if el > 0 {
		rate = float64(rows) / el
	}
	line := fmt.Sprintf("loading %s: %d rows, %s, %.0f rows/s", table, rows, humanBytes(bytes), rate)
	if r.Interactive {
		fmt.Fprintf(r.W, "\r\033[K%s", line)
		r.drawn = true
	} else {
		fmt.Fprintln(r.W, line)
	}
}

func (r *TerminalReporter) Finish(TableReport) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.drawn {
		fmt.Fprint(r.W, "\r\033[K")
		r.drawn = false
	}
}

func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// WriteSummary prints one line per table and a total.
func (r *Report) WriteSummary(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SOURCE\tFORMAT\tSTATUS\tROWS\tBYTES\tSECONDS\tROWS/S")
	for _, t := range r.Tables {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%.2f\t%.0f\n", t.Source, t.Format, t.Status, t.Rows, humanBytes(t.Bytes), t.ElapsedSeconds, t.RowsPerSecond)
	}
	fmt.Fprintf(tw, "total\t\t%d failed\t%d\t%s\t%.2f\t\n", r.Failed, r.Rows, humanBytes(r.Bytes), r.ElapsedSeconds)
	if err := tw.Flush(); err != nil {
		return err
	}
	var errs []string
	for _, t := range r.Tables {
		if t.Error != "" {
			errs = append(errs, t.Source+": "+t.Error)
		}
	}
	if len(errs) > 0 {
		_, err := fmt.Fprintln(w, strings.Join(errs, "\n"))
		return err
	}
	return nil
}
