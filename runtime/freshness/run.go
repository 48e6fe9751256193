package freshness

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/big"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/gdbt/gdbt/compiler/dbtctx"
	"github.com/gdbt/gdbt/compiler/manifest"
	"github.com/gdbt/gdbt/runtime/adapter/postgres"
	"github.com/gdbt/gdbt/runtime/artifacts"
	"github.com/gdbt/gdbt/runtime/console"
)

// Options configure one `source freshness` invocation.
type Options struct {
	Manifest *manifest.Manifest
	// Selected are the source unique_ids the selector chose; sources
	// without a freshness threshold are dropped, as dbt's selector does.
	Selected  []string
	Warehouse dbtctx.Warehouse
	Threads   int
	Out       io.Writer
	Color     bool
	// TargetName is printed in the Concurrency line.
	TargetName   string
	InvocationID string
	Started      time.Time
	Now          func() time.Time // console clock (golden tests)
}

// Result is one source's outcome.
type Result struct {
	Source      *manifest.SourceDef
	Status      Status
	Criteria    *Criteria
	MaxLoadedAt time.Time
	Snapshotted time.Time
	Age         float64
	Response    *dbtctx.Response
	Message     string // runtime errors
	Timing      []artifacts.Timing
	Thread      string
	Elapsed     time.Duration
}

// Report is the whole invocation's outcome.
type Report struct {
	Results      []*Result // in completion order, as dbt records them
	Elapsed      time.Duration
	Started      time.Time
	InvocationID string
}

// ExitCode is dbt's: 1 when a source errored (stale or failed), else 0.
func (r *Report) ExitCode() int {
	for _, x := range r.Results {
		if x.Status == Error || x.Status == RuntimeError {
			return 1
		}
	}
	return 0
}

type job struct {
	src      *manifest.SourceDef
	criteria *Criteria
	index    int
}

// Select keeps the sources dbt's freshness selector keeps: those with a
// freshness threshold, sorted by unique_id.
func Select(m *manifest.Manifest, ids []string) ([]*manifest.SourceDef, error) {
	var out []*manifest.SourceDef
	for _, id := range ids {
		s := m.Sources[id]
		if s == nil {
			continue
		}
		c, err := ParseCriteria(s.Freshness)
		if err != nil {
			return nil, fmt.Errorf("%s: source %s.%s: %w", s.OriginalFilePath, s.SourceName, s.Name, err)
		}
		if c.Has() {
			out = append(out, s)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].UniqueID < out[j].UniqueID })
	return out, nil
}

// Run checks the selected sources and prints dbt's lines. The returned
// report is complete even when ctx is cancelled midway.
func Run(ctx context.Context, o Options) (*Report, error) {
	out := o.Out
	if out == nil {
		out = io.Discard
	}
	now := o.Now
	if now == nil {
		now = time.Now
	}
	p := &printer{w: out, color: o.Color, now: now}
	srcs, err := Select(o.Manifest, o.Selected)
	if err != nil {
		return nil, err
	}
	threads := o.Threads
	if threads <= 0 {
		threads = 1
	}
	rep := &Report{Started: o.Started, InvocationID: o.InvocationID}
	if len(srcs) == 0 {
		p.line(p.warningTag("Nothing to do. Try checking your model configs and model specification args"))
		return rep, nil
	}
	p.line("")
	p.line(fmt.Sprintf("Concurrency: %d threads (target='%s')", threads, o.TargetName))
	p.line("")
	start := time.Now()
	jobs := make(chan job)
	var mu sync.Mutex
	var wg sync.WaitGroup
	total := len(srcs)
	for w := 1; w <= threads && w <= total; w++ {
		wg.Add(1)
		go func(thread int) {
			defer wg.Done()
			for j := range jobs {
				p.line(console.Fancy("START freshness of "+j.src.SourceName+"."+j.src.Name, "RUN", j.index, total, nil, false))
				r := check(ctx, o, j)
				r.Thread = fmt.Sprintf("Thread-%d (worker)", thread)
				p.line(resultLine(p, r, j.index, total))
				mu.Lock()
				rep.Results = append(rep.Results, r)
				mu.Unlock()
			}
		}(w)
	}
	for i, s := range srcs {
		if ctx.Err() != nil {
			break
		}
		c, _ := ParseCriteria(s.Freshness)
		jobs <- job{src: s, criteria: c, index: i + 1}
	}
	close(jobs)
	wg.Wait()
	rep.Elapsed = time.Since(start)
	p.line("")
	p.line(fmt.Sprintf("Finished running %s%s (%0.2fs).", console.Pluralize(len(rep.Results), "source"), console.Humanize(rep.Elapsed), rep.Elapsed.Seconds()))
	for _, r := range rep.Results {
		switch r.Status {
		case Error:
			p.line("")
			p.line(p.errorTag(fmt.Sprintf("in source %s (%s)", r.Source.Name, r.Source.OriginalFilePath)))
			p.line("  Status: error")
		case RuntimeError:
			p.line("")
			p.line("  " + r.Message)
		}
	}
	p.line("Done.")
	return rep, ctx.Err()
}

// check runs one source's query and grades it.
func check(ctx context.Context, o Options, j job) *Result {
	r := &Result{Source: j.src, Criteria: j.criteria}
	start := time.Now()
	r.Timing = append(r.Timing, artifacts.Timing{Name: "compile", StartedAt: start, CompletedAt: time.Now()})
	execStart := time.Now()
	defer func() {
		r.Timing = append(r.Timing, artifacts.Timing{Name: "execute", StartedAt: execStart, CompletedAt: time.Now()})
		r.Elapsed = time.Since(start)
	}()
	field := LoadedAtField(j.src.LoadedAtField)
	if field == "" {
		r.Status = RuntimeError
		r.Message = fmt.Sprintf("Runtime Error in source %s (%s)\n  Could not compute freshness for source %s: no 'loaded_at_field' provided and postgres adapter does not support metadata-based freshness checks.",
			j.src.Name, j.src.OriginalFilePath, j.src.Name)
		return r
	}
	rel := j.src.RelationName
	if rel == "" {
		rel = dbtctx.NewRelation(j.src.Database, j.src.Schema, j.src.Identifier, "table").String()
	}
	resp, t, err := o.Warehouse.Execute(ctx, SQL(rel, field, j.criteria.Filter), true)
	if err == nil && (len(t.Rows) != 1 || len(t.Rows[0]) != 2) {
		err = fmt.Errorf("Macro collect_freshness returned an unexpected table: %d rows", len(t.Rows))
	}
	var maxAt, snap time.Time
	if err == nil {
		if maxAt, err = parseTimestamp(t.Rows[0][0], true); err == nil {
			snap, err = parseTimestamp(t.Rows[0][1], false)
		}
	}
	if err != nil {
		r.Status = RuntimeError
		kind := "Runtime Error"
		var pe *postgres.Error
		if errors.As(err, &pe) {
			kind = "Database Error"
		}
		r.Message = fmt.Sprintf("%s in source %s (%s)\n  %s", kind, j.src.Name, j.src.OriginalFilePath, strings.ReplaceAll(err.Error(), "\n", "\n  "))
		return r
	}
	r.Response = resp
	r.MaxLoadedAt, r.Snapshotted = maxAt, snap
	r.Age = ageSeconds(maxAt, snap)
	r.Status = j.criteria.Status(r.Age)
	return r
}

// ageSeconds is Python's timedelta.total_seconds(): whole microseconds,
// divided with correct rounding (time.Duration would overflow for the
// year-1 "never loaded" value).
func ageSeconds(from, to time.Time) float64 {
	us := (to.Unix()-from.Unix())*1_000_000 + int64(to.Nanosecond()/1000-from.Nanosecond()/1000)
	f, _ := new(big.Rat).SetFrac64(us, 1_000_000).Float64()
	return f
}

// parseTimestamp reads a timestamp as the adapter renders it (Python's
// str() of a datetime); naive values are UTC, as dbt assumes. A null
// max_loaded_at means "infinitely long ago": 0001-01-01.
func parseTimestamp(v any, nullable bool) (time.Time, error) {
	if v == nil {
		if nullable {
			return time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), nil
		}
		return time.Time{}, fmt.Errorf("snapshotted_at is null")
	}
	s := strings.TrimSpace(fmt.Sprint(v))
	for _, layout := range []string{
		"2006-01-02 15:04:05.999999999Z07:00",
		"2006-01-02 15:04:05.999999999Z07",
		"2006-01-02 15:04:05.999999999",
		"2006-01-02",
	} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("could not read %q as a timestamp", s)
}

// Artifact builds sources.json (v3): runtime errors are left out, as dbt
// 1.12 leaves them out.
func (r *Report) Artifact(generated time.Time) *Sources {
	a := &Sources{
		Metadata:    artifacts.NewMetadata(r.InvocationID, r.Started, generated, os.Environ()),
		ElapsedTime: r.Elapsed.Seconds(),
		Results:     []SourceOutput{},
	}
	a.Metadata.DBTSchemaVersion = SourcesSchema
	for _, x := range r.Results {
		if x.Status == RuntimeError {
			continue
		}
		ar := map[string]any{}
		if x.Response != nil {
			ar = map[string]any{"_message": x.Response.Message, "code": x.Response.Code, "rows_affected": x.Response.RowsAffected}
		}
		a.Results = append(a.Results, SourceOutput{
			UniqueID:        x.Source.UniqueID,
			MaxLoadedAt:     isoformat(x.MaxLoadedAt),
			SnapshottedAt:   isoformat(x.Snapshotted),
			AgeSeconds:      x.Age,
			Status:          string(x.Status),
			Criteria:        criteriaJSON(x.Criteria),
			AdapterResponse: ar,
			Timing:          x.Timing,
			ThreadID:        x.Thread,
			ExecutionTime:   x.Elapsed.Seconds(),
		})
	}
	return a
}

// isoformat is Python's datetime.isoformat() for a UTC-aware datetime.
func isoformat(t time.Time) string {
	t = t.UTC()
	s := fmt.Sprintf("%04d-%02d-%02dT%02d:%02d:%02d", t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second())
	if us := t.Nanosecond() / 1000; us != 0 {
		s += fmt.Sprintf(".%06d", us)
	}
	return s + "+00:00"
}
