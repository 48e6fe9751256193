package materialize

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/gdbt/gdbt/compiler/dbtctx"
	"github.com/gdbt/gdbt/compiler/manifest"
)

// Microbatch incremental models (incremental_strategy: microbatch) run as
// a series of batches of batch_size (hour, day, month, year) between a
// start and an end: the model is compiled per batch, with its event-time
// inputs filtered to the batch, and each batch is one run of the
// incremental materialization (the first creates the table; the others
// merge on unique_key, as dbt-postgres's microbatch strategy does).

// batchState is the batch an exec runs.
type batchState struct {
	batch *dbtctx.Batch
	// incremental: the batch runs incrementally whatever --full-refresh
	// says (every batch after the first, and the first when the table
	// exists).
	incremental bool
}

var batchSizes = []string{"hour", "day", "month", "year"}

// truncateTime cuts t down to the start of its hour, day, month or year
// (in UTC).
func truncateTime(t time.Time, size string) time.Time {
	t = t.UTC()
	switch size {
	case "hour":
		return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), 0, 0, 0, time.UTC)
	case "day":
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	case "month":
		return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	}
	return time.Date(t.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
}

// offsetTime truncates t and moves it by n batches.
func offsetTime(t time.Time, size string, n int) time.Time {
	t = truncateTime(t, size)
	switch size {
	case "hour":
		return t.Add(time.Duration(n) * time.Hour)
	case "day":
		return t.AddDate(0, 0, n)
	case "month":
		return t.AddDate(0, n, 0)
	}
	return t.AddDate(n, 0, 0)
}

// ceilingTime is t if it starts a batch, else the start of the next one.
func ceilingTime(t time.Time, size string) time.Time {
	tr := truncateTime(t, size)
	if !tr.Equal(t) {
		return offsetTime(tr, size, 1)
	}
	return tr
}

// FormatBatchStart is how dbt names a batch: 2024-01-02T03, 2024-01-02,
// 2024-01 or 2024.
func FormatBatchStart(t time.Time, size string) string {
	t = t.UTC()
	switch size {
	case "year":
		return t.Format("2006")
	case "month":
		return t.Format("2006-01")
	case "day":
		return t.Format("2006-01-02")
	}
	return t.Format("2006-01-02T15")
}

// NewBatch returns the batch [start, end) of a model with batch size size.
func NewBatch(start, end time.Time, size string) *dbtctx.Batch {
	return &dbtctx.Batch{ID: strings.ReplaceAll(FormatBatchStart(start, size), "-", ""), Start: start.UTC(), End: end.UTC()}
}

// BatchWindow is what decides a model's batches.
type BatchWindow struct {
	Start, End *time.Time // --event-time-start/--event-time-end
	Now        time.Time  // the default end: the invocation's start
	// Incremental: the model's table exists and is not fully refreshed
	// (only then do begin and lookback give way to the last batches).
	Incremental bool
}

// Batches is dbt's MicrobatchBuilder: from the start (--event-time-start,
// else begin on a first run or full refresh, else lookback batches
// before the end) to the end (--event-time-end, else now), rounded out to
// whole batches except for the exact end.
func Batches(n *manifest.Node, w BatchWindow) ([]*dbtctx.Batch, error) {
	size := n.Config.String("batch_size")
	valid := false
	for _, s := range batchSizes {
		valid = valid || s == size
	}
	if !valid {
		return nil, fmt.Errorf("Microbatch model '%s' does not have a 'batch_size' config (one of ['hour', 'day', 'month', 'year']) specificed.", n.Name)
	}
	endAt := w.Now
	if w.End != nil {
		endAt = *w.End
	}
	end := ceilingTime(endAt.UTC(), size)
	var start time.Time
	switch {
	case w.Start != nil:
		start = truncateTime(*w.Start, size)
	case !w.Incremental:
		begin, ok, err := configTime(n.Config["begin"])
		if err != nil {
			return nil, fmt.Errorf("Microbatch model '%s': begin: %w", n.Name, err)
		}
		if !ok {
			return nil, fmt.Errorf("Microbatch model '%s' requires a 'begin' configuration.", n.Name)
		}
		start = truncateTime(begin, size)
	default:
		lookback := 1
		switch v := n.Config["lookback"].(type) {
		case int64:
			lookback = int(v)
		case int:
			lookback = v
		case float64:
			lookback = int(v)
		}
		// An end on a batch boundary closes the batch before it: look one
		// batch further back.
		if end.Equal(truncateTime(end, size)) {
			lookback++
		}
		start = offsetTime(end, size, -lookback)
	}
	batches := []*dbtctx.Batch{NewBatch(start, offsetTime(start, size, 1), size)}
	for batches[len(batches)-1].End.Before(end) {
		s := batches[len(batches)-1].End
		batches = append(batches, NewBatch(s, offsetTime(s, size, 1), size))
	}
	last := batches[len(batches)-1]
	last.End = end
	return batches, nil
}

// configTime reads a datetime config (begin): a time or a string in one
// of the forms dbt accepts.
func configTime(v any) (time.Time, bool, error) {
	switch x := v.(type) {
	case nil:
		return time.Time{}, false, nil
	case time.Time:
		return x.UTC(), true, nil
	case string:
		if x == "" {
			return time.Time{}, false, nil
		}
		for _, layout := range []string{"2006-01-02", "2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006-01-02 15:04:05.999999",
			"2006-01-02T15:04:05.999999", "2006-01-02T15:04:05Z07:00", "2006-01-02 15:04:05Z07:00"} {
			if t, err := time.Parse(layout, x); err == nil {
				return t.UTC(), true, nil
			}
		}
		return time.Time{}, false, fmt.Errorf("cannot read %q as a datetime", x)
	}
	return time.Time{}, false, fmt.Errorf("cannot read %v as a datetime", v)
}

// IsIncremental reports whether a microbatch model runs incrementally: its
// table exists and neither the model's full_refresh nor --full-refresh
// asks for a rebuild.
func (r *Runner) IsIncremental(ctx context.Context, n *manifest.Node) (bool, error) {
	rel := r.C.Env().Relation(n)
	existing, err := r.A.GetRelation(ctx, rel.Database, rel.Schema, rel.Identifier)
	if err != nil || existing == nil || existing.Type != "table" {
		return false, err
	}
	if v, ok := n.Config["full_refresh"].(bool); ok {
		return !v, nil
	}
	return !r.FullRefresh, nil
}

// CompileBatch renders a microbatch model for one batch.
func (r *Runner) CompileBatch(ctx context.Context, n *manifest.Node, b *dbtctx.Batch) (string, error) {
	sql, err := r.C.NodeBatch(ctx, n, b)
	if err != nil {
		return "", &NodeError{Kind: CompilationError, Node: n, Err: err}
	}
	return sql, nil
}

// ExecuteBatch runs batch index of total through the incremental
// materialization. Pre-hooks run with the first batch only, post-hooks
// with the last.
func (r *Runner) ExecuteBatch(ctx context.Context, n *manifest.Node, compiled string, b *dbtctx.Batch, index, total int, incremental bool) (*Result, error) {
	conn, err := r.A.Acquire(ctx)
	if err != nil {
		return nil, &NodeError{Kind: DatabaseError, Node: n, Err: err}
	}
	defer conn.Release()
	node := *n
	node.Config = make(manifest.Config, len(n.Config))
	for k, v := range n.Config {
		node.Config[k] = v
	}
	if index != 0 {
		node.Config["pre-hook"] = []any{}
	}
	if index != total-1 {
		node.Config["post-hook"] = []any{}
	}
	x := &exec{r: r, n: &node, conn: conn, sql: compiled, this: r.C.Env().Relation(n),
		batch: &batchState{batch: b, incremental: incremental}}
	res, err := x.incremental(ctx)
	if err != nil {
		return nil, x.wrap(err)
	}
	return res, nil
}
