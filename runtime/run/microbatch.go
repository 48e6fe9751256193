package run

import (
	"context"
	"errors"
	"fmt"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/gdbt/gdbt/compiler/dbtctx"
	"github.com/gdbt/gdbt/compiler/manifest"
	"github.com/gdbt/gdbt/runtime/artifacts"
	"github.com/gdbt/gdbt/runtime/console"
	"github.com/gdbt/gdbt/runtime/materialize"
)

// BatchResults is run_results.json's batch_results of a microbatch model:
// [start, end] pairs in dbt's isoformat.
type BatchResults struct {
	Successful [][2]string `json:"successful"`
	Failed     [][2]string `json:"failed"`
}

func batchPair(b *dbtctx.Batch) [2]string {
	const iso = "2006-01-02T15:04:05.999999-07:00"
	return [2]string{b.Start.UTC().Format(iso), b.End.UTC().Format(iso)}
}

// ParseBatchPair reads a pair written by batchPair (retry).
func ParseBatchPair(p [2]string, size string) (*dbtctx.Batch, error) {
	s, err := time.Parse(time.RFC3339Nano, p[0])
	if err != nil {
		return nil, err
	}
	e, err := time.Parse(time.RFC3339Nano, p[1])
	if err != nil {
		return nil, err
	}
	return materialize.NewBatch(s, e, size), nil
}

// runMicrobatch runs a microbatch model batch by batch, as dbt's
// MicrobatchModelRunner: the first batch alone, the rest in order (Postgres
// runs batches sequentially), all later batches skipped when the first
// fails. The model's result sums the batches: success, partial success or
// error, with the batches in batch_results.
func (t *task) runMicrobatch(ctx context.Context, uid string, n *manifest.Node, thread int) bool {
	inv := t.inv
	idx := t.next()
	p := inv.p
	desc := "sql microbatch model " + n.Schema + "." + n.Alias
	p.line(console.Fancy("START "+desc, "RUN", idx, inv.total, nil, false))
	r := &nodeResult{node: n, uniqueID: uid, thread: fmt.Sprintf("Thread-%d (worker)", thread)}
	no := false
	r.compiled = &no
	if n.RelationName != "" {
		r.relation = strp(n.RelationName)
	}
	start := time.Now()
	r.timing = append(r.timing, artifacts.Timing{Name: "compile", StartedAt: start, CompletedAt: start})
	execStart := time.Now()

	size := n.Config.String("batch_size")
	prev := inv.o.PreviousBatches[uid]
	incremental, err := inv.r.IsIncremental(ctx, n)
	var batches []*dbtctx.Batch
	if err == nil {
		if prev != nil {
			for _, pair := range prev.Failed {
				b, perr := ParseBatchPair(pair, size)
				if perr != nil {
					err = perr
					break
				}
				batches = append(batches, b)
			}
		} else {
			end := inv.started
			if !inv.o.InvocationStartedAt.IsZero() {
				end = inv.o.InvocationStartedAt
			}
			batches, err = materialize.Batches(n, materialize.BatchWindow{
				Start: inv.o.EventTimeStart, End: inv.o.EventTimeEnd, Now: end.UTC(), Incremental: incremental})
		}
	}
	if err != nil {
		r.elapsed = time.Since(start)
		r.status = materialize.Error
		msg := inv.errorMessage(n, &materialize.NodeError{Kind: materialize.RuntimeError, Node: n, Err: err})
		r.message = &msg
		r.timing = append(r.timing, artifacts.Timing{Name: "execute", StartedAt: execStart, CompletedAt: time.Now()})
		p.line(inv.resultLine(n, r, idx))
		t.record(r)
		return false
	}

	results := &BatchResults{Successful: [][2]string{}, Failed: [][2]string{}}
	var elapsed time.Duration
	skip := false
	for i, b := range batches {
		label := "batch " + materialize.FormatBatchStart(b.Start, size) + " of " + n.Schema + "." + n.Alias
		bStart := time.Now()
		if skip {
			d := time.Duration(0)
			p.line("Batch " + console.Fancy("SKIP "+label, p.yellow("SKIPPED"), i+1, len(batches), &d, false))
			results.Failed = append(results.Failed, batchPair(b))
			continue
		}
		p.line("Batch " + console.Fancy("START "+label, "RUN", i+1, len(batches), nil, false))
		// Every batch after the first runs incrementally: the first made
		// the table.
		res, berr := t.runBatch(ctx, n, b, i, len(batches), incremental || i > 0)
		d := time.Since(bStart)
		elapsed += d
		if berr != nil {
			p.line(p.errorTag("Unhandled error while executing \nException on worker thread. " + batchErrorText(berr)))
			p.line("Batch " + console.Fancy("ERROR creating "+label, p.red("ERROR"), i+1, len(batches), &d, false))
			results.Failed = append(results.Failed, batchPair(b))
			if i == 0 {
				skip = true
			}
			continue
		}
		p.line("Batch " + console.Fancy("OK created "+label, p.green(res.Message), i+1, len(batches), &d, false))
		results.Successful = append(results.Successful, batchPair(b))
	}
	sortPairs(results.Successful)
	sortPairs(results.Failed)
	ok, failed := len(results.Successful), len(results.Failed)
	switch {
	case failed == 0:
		r.status, r.message = materialize.Success, strp("SUCCESS")
	case ok == 0:
		r.status, r.message = materialize.Error, strp("ERROR")
	default:
		r.status, r.message = materialize.PartialSuccess, strp(fmt.Sprintf("PARTIAL SUCCESS (%d/%d)", ok, ok+failed))
	}
	if prev != nil {
		// A retry reports the batches that succeeded before as well.
		results.Successful = append(results.Successful, prev.Successful...)
	}
	var zero int64
	r.failures = &zero
	r.resp = nil // adapter_response: {}
	r.batchResults = results
	r.elapsed = elapsed
	r.timing = append(r.timing, artifacts.Timing{Name: "execute", StartedAt: execStart, CompletedAt: time.Now()})
	p.line(inv.microbatchResultLine(n, r, idx))
	t.record(r)
	return r.status == materialize.Success
}

// runBatch compiles and materializes one batch, writing its SQL under
// target/compiled and target/run with the batch's suffix.
func (t *task) runBatch(ctx context.Context, n *manifest.Node, b *dbtctx.Batch, i, total int, incremental bool) (*materialize.Result, error) {
	inv := t.inv
	suffix := materialize.FormatBatchStart(b.Start, n.Config.String("batch_size"))
	compiled, err := inv.r.CompileBatch(ctx, n, b)
	if err != nil {
		return nil, err
	}
	inv.writeAt("compiled", batchPath(n, suffix), compiled)
	res, err := inv.r.ExecuteBatch(ctx, n, compiled, b, i, total, incremental)
	if err != nil {
		return nil, err
	}
	if res.MainSQL != "" {
		inv.writeAt("run", batchPath(n, suffix), res.MainSQL)
	}
	return res, nil
}

// batchPath is dbt's split_suffix path: models/x.sql → models/x/x_<batch>.sql.
func batchPath(n *manifest.Node, suffix string) string {
	p := n.OutputPath()
	dir, file := path.Split(p)
	stem := strings.TrimSuffix(file, path.Ext(file))
	return dir + stem + "/" + stem + "_" + suffix + path.Ext(file)
}

func sortPairs(ps [][2]string) {
	sort.Slice(ps, func(i, j int) bool {
		if ps[i][0] != ps[j][0] {
			return ps[i][0] < ps[j][0]
		}
		return ps[i][1] < ps[j][1]
	})
}

// batchErrorText is str() of the exception a batch raised: its kind and
// message, without the node (dbt prints it on the worker-thread line).
func batchErrorText(err error) string {
	var ne *materialize.NodeError
	if errors.As(err, &ne) {
		msg := ne.Detail
		if msg == "" {
			msg = ne.Err.Error()
		}
		if ne.Kind == materialize.DatabaseError {
			return string(ne.Kind) + "\n  " + strings.ReplaceAll(strings.TrimRight(msg, "\n"), "\n", "\n  ")
		}
		return ne.Error()
	}
	return err.Error()
}

// microbatchResultLine is the model's line after its batches.
func (inv *invocation) microbatchResultLine(n *manifest.Node, r *nodeResult, idx int) string {
	p := inv.p
	d := r.elapsed
	desc := "sql microbatch model " + n.Schema + "." + n.Alias
	switch r.status {
	case materialize.Error:
		return console.Fancy("ERROR creating "+desc, p.red("ERROR"), idx, inv.total, &d, false)
	case materialize.PartialSuccess:
		return console.Fancy("PARTIALLY created "+desc, p.yellow(*r.message), idx, inv.total, &d, false)
	}
	return console.Fancy("OK created "+desc, p.green(*r.message), idx, inv.total, &d, false)
}

func partialSuccesses(n int) string {
	if n == 1 {
		return "1 partial success"
	}
	return fmt.Sprintf("%d partial successes", n)
}
