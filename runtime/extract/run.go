package extract

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"sync"
	"time"
)

// Options tunes Run. The zero value is usable.
type Options struct {
	Reporter    Reporter     // default: none
	HTTPClient  *http.Client // default: a client without its own timeout (each request has Spec's)
	Lookup      LookupFunc   // secrets; default os.LookupEnv
	Concurrency int          // tables loaded at once; default 1 (> 1 needs a pool)
	FailFast    bool         // stop starting loads after the first failure

	// Retry backoff: attempt n waits a random time in [0, min(Max, Base*2^n)),
	// unless the server sent Retry-After, which is honored up to MaxRetryAfter.
	BackoffBase   time.Duration // default 500ms
	BackoffMax    time.Duration // default 30s
	MaxRetryAfter time.Duration // default 5m
}

// LoadError is a failed table load.
type LoadError struct {
	Source string // "source.table"
	Err    error
}

func (e *LoadError) Error() string { return "load " + e.Source + ": " + e.Err.Error() }
func (e *LoadError) Unwrap() error { return e.Err }

// Run loads every spec and returns what happened. The error joins one
// *LoadError per failed table; the report covers all tables either way.
func Run(ctx context.Context, db DB, specs []Spec, opts Options) (Report, error) {
	if opts.Reporter == nil {
		opts.Reporter = nopReporter{}
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{}
	}
	if opts.Lookup == nil {
		opts.Lookup = os.LookupEnv
	}
	if opts.Concurrency < 1 {
		opts.Concurrency = 1
	}
	if opts.BackoffBase <= 0 {
		opts.BackoffBase = 500 * time.Millisecond
	}
	if opts.BackoffMax <= 0 {
		opts.BackoffMax = 30 * time.Second
	}
	if opts.MaxRetryAfter <= 0 {
		opts.MaxRetryAfter = 5 * time.Minute
	}
	rep := Report{StartedAt: time.Now().UTC(), Tables: make([]TableReport, len(specs))}
	l := &loader{db: db, opts: opts, loadedAt: rep.StartedAt}

	errs := make([]error, len(specs))
	var (
		wg     sync.WaitGroup
		sem    = make(chan struct{}, opts.Concurrency)
		failed sync.Once
		stop   = make(chan struct{})
	)
	for i := range specs {
		var blocked error
		select {
		case <-stop:
			blocked = errors.New("not started: an earlier load failed")
		default:
		}
		if ctx.Err() != nil {
			blocked = fmt.Errorf("not started: %w", ctx.Err())
		}
		if blocked == nil {
			select {
			case <-stop:
				blocked = errors.New("not started: an earlier load failed")
			case <-ctx.Done():
				blocked = fmt.Errorf("not started: %w", ctx.Err())
			case sem <- struct{}{}:
			}
		}
		if blocked == nil {
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				rep.Tables[i], errs[i] = l.load(ctx, &specs[i])
				if errs[i] != nil && opts.FailFast {
					failed.Do(func() { close(stop) })
				}
			}()
			continue
		}
		rep.Tables[i] = TableReport{Source: specs[i].Name(), Relation: relation(specs[i].Schema, specs[i].Identifier),
			Format: specs[i].Format, Status: StatusError, Error: blocked.Error()}
		errs[i] = &LoadError{Source: specs[i].Name(), Err: blocked}
	}
	wg.Wait()

	rep.FinishedAt = time.Now().UTC()
	rep.ElapsedSeconds = rep.FinishedAt.Sub(rep.StartedAt).Seconds()
	for _, t := range rep.Tables {
		rep.Rows += t.Rows
		rep.Bytes += t.Bytes
		if t.Status == StatusError {
			rep.Failed++
		}
	}
	return rep, errors.Join(errs...)
}

type loader struct {
	db       DB
	opts     Options
	loadedAt time.Time
}

func (l *loader) load(ctx context.Context, s *Spec) (TableReport, error) {
	t := TableReport{Source: s.Name(), Relation: relation(s.Schema, s.Identifier), Format: s.Format}
	l.opts.Reporter.Start(t.Source, s.Format)
	start := time.Now()
	var err error
	switch s.Format {
	case FormatCSV:
		err = l.loadCSV(ctx, s, &t)
	case FormatHTTP:
		err = l.loadHTTP(ctx, s, &t)
	default:
		err = fmt.Errorf("unknown format %q", s.Format)
	}
	el := time.Since(start)
	t.ElapsedSeconds = el.Seconds()
	if el > 0 {
		t.RowsPerSecond = float64(t.Rows) / el.Seconds()
	}
	if err != nil {
		t.Status = StatusError
		t.Error = err.Error()
		err = &LoadError{Source: t.Source, Err: err}
	} else if t.Rows > 0 || t.Status == "" {
		if t.Status == "" {
			t.Status = StatusUpToDate
		}
		if t.Rows > 0 {
			t.Status = StatusLoaded
		}
	}
	l.opts.Reporter.Finish(t)
	return t, err
}

// IsTerminal reports whether f is a terminal (a character device), to choose
// between redrawn and periodic progress lines.
func IsTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
