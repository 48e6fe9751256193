// Package scheduler runs selected nodes in dependency order on a fixed
// number of workers, over compiler/graph's ready-queue: a node starts once
// its selected upstream nodes are done; a failed node's descendants are
// skipped while unrelated nodes go on; fail-fast cancels the run.
package scheduler

import (
	"context"
	"fmt"
	"sync"

	"github.com/gdbt/gdbt/compiler/graph"
)

// Task executes and skips nodes. Its methods are called from worker
// goroutines; thread is the worker number (1-based).
type Task interface {
	// Run executes a node and reports whether its dependents may run.
	Run(ctx context.Context, uniqueID string, thread int) (ok bool)
	// Skip records a node skipped because cause (an upstream node) failed.
	// With fail-fast, nodes never started are skipped with cause "".
	Skip(uniqueID string, cause string, thread int)
}

// Options tune a run.
type Options struct {
	Threads  int
	FailFast bool
}

// Stats say how a run ended.
type Stats struct {
	Started  int
	Skipped  int
	NotRun   int  // left when the context was cancelled
	FailFast bool // stopped by --fail-fast
}

// Run executes the selected unique_ids of g. It returns when every node has
// run or been skipped, or, once ctx is cancelled, when the running nodes
// have returned (nodes not started are then neither run nor skipped).
func Run(ctx context.Context, g *graph.Graph, selected []string, o Options, t Task) (Stats, error) {
	ids := make([]graph.ID, 0, len(selected))
	for _, uid := range selected {
		id, ok := g.Lookup(uid)
		if !ok {
			return Stats{}, fmt.Errorf("scheduler: %s is not in the graph", uid)
		}
		ids = append(ids, id)
	}
	threads := o.Threads
	if threads <= 0 {
		threads = 1
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	s := &state{g: g, q: graph.NewQueue(g, ids), skipped: map[graph.ID]string{}, t: t, failFast: o.FailFast, cancel: cancel}
	s.cond = sync.NewCond(&s.mu)
	stop := context.AfterFunc(ctx, func() {
		s.mu.Lock()
		s.stopped = true
		s.cond.Broadcast()
		s.mu.Unlock()
	})
	defer stop()
	var wg sync.WaitGroup
	for i := 1; i <= threads; i++ {
		wg.Add(1)
		go func(thread int) {
			defer wg.Done()
			s.work(ctx, thread)
		}(i)
	}
	wg.Wait()
	st := s.stats
	st.NotRun = s.q.Remaining()
	if s.failFastHit && st.NotRun > 0 {
		// fail-fast reports the nodes it never started as skipped.
		for {
			var id graph.ID
			if len(s.fifo) > 0 {
				id, s.fifo = s.fifo[0], s.fifo[1:]
			} else {
				var ok bool
				if id, ok = s.q.Next(); !ok {
					break
				}
			}
			t.Skip(g.UniqueID(id), "", 0)
			st.Skipped++
			s.q.MarkDone(id)
			st.NotRun--
		}
	}
	st.FailFast = s.failFastHit
	return st, nil
}

type state struct {
	g    *graph.Graph
	q    *graph.Queue
	t    Task
	mu   sync.Mutex
	cond *sync.Cond

	fifo        []graph.ID
	skipped     map[graph.ID]string // node → the failed node that skips it
	stopped     bool
	failFast    bool
	failFastHit bool
	cancel      context.CancelFunc
	stats       Stats
}

func (s *state) work(ctx context.Context, thread int) {
	for {
		s.mu.Lock()
		var id graph.ID
		for {
			if s.stopped {
				s.mu.Unlock()
				return
			}
			// Like dbt's dispatch loop, everything that becomes ready is
			// handed out at once, in priority order, to a FIFO that the
			// workers drain: a node ready earlier runs earlier even if a
			// higher-priority one becomes ready later.
			s.fifo = append(s.fifo, s.q.Ready()...)
			if len(s.fifo) > 0 {
				id = s.fifo[0]
				s.fifo = s.fifo[1:]
				break
			}
			if s.q.Remaining() == 0 {
				s.cond.Broadcast()
				s.mu.Unlock()
				return
			}
			s.cond.Wait()
		}
		cause, skip := s.skipped[id]
		if skip {
			s.stats.Skipped++
		} else {
			s.stats.Started++
		}
		s.mu.Unlock()

		uid := s.g.UniqueID(id)
		ok := true
		if skip {
			s.t.Skip(uid, cause, thread)
		} else {
			ok = s.t.Run(ctx, uid, thread)
		}

		s.mu.Lock()
		if !ok && ctx.Err() == nil {
			s.markDescendants(id, uid)
			if s.failFast {
				s.failFastHit = true
				s.stopped = true
				s.cancel()
			}
		}
		s.q.MarkDone(id)
		s.fifo = append(s.fifo, s.q.Ready()...)
		s.cond.Broadcast()
		s.mu.Unlock()
	}
}

// markDescendants skips everything downstream of id, through dependency
// and (in build) test edges. Called with mu held.
func (s *state) markDescendants(id graph.ID, cause string) {
	stack := []graph.ID{id}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, list := range [2][]graph.ID{s.g.Children(n), s.g.TestChildren(n)} {
			for _, c := range list {
				if _, seen := s.skipped[c]; seen {
					continue
				}
				s.skipped[c] = cause
				stack = append(stack, c)
			}
		}
	}
}
