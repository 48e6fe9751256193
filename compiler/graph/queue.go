package graph

import (
	"container/heap"
	"fmt"
	"sort"
	"sync"
)

// Queue hands out selected nodes whose selected upstream nodes are done,
// like dbt's GraphQueue. Dependencies through unselected nodes still count
// (the queue runs over Subset). Among ready nodes the lowest depth in that
// subset comes first, then the lowest unique_id — dbt's (score, unique_id)
// priority — so one worker runs nodes in exactly Topo order of the subset.
// All methods are safe for concurrent use.
type Queue struct {
	mu       sync.Mutex
	sub      *Graph
	orig     []ID // subset ID → caller's ID
	subOf    map[ID]ID
	waiting  []int32 // unfinished parents per subset node
	score    []int32
	ready    readyHeap
	state    []nodeState
	left     int // not yet done
	inFlight int
}

type nodeState uint8

const (
	pending nodeState = iota
	queued
	running
	done
)

// NewQueue makes a queue over the selected IDs of g (duplicates ignored).
func NewQueue(g *Graph, selected []ID) *Queue {
	return newQueue(g, selected, true)
}

// NewIndependentQueue makes a queue that ignores dependencies (dbt's
// "independent" run mode): every node is ready at once, in unique_id order.
func NewIndependentQueue(g *Graph, selected []ID) *Queue {
	return newQueue(g, selected, false)
}

func newQueue(g *Graph, selected []ID, edges bool) *Queue {
	keep := append([]ID(nil), selected...)
	sort.Slice(keep, func(i, j int) bool { return keep[i] < keep[j] })
	w := 0
	for i, id := range keep {
		if i == 0 || id != keep[i-1] {
			keep[w] = id
			w++
		}
	}
	keep = keep[:w]
	var sub *Graph
	if edges {
		sub = g.Subset(keep)
	} else {
		in := make([]bool, g.Len())
		for _, k := range keep {
			in[k] = true
		}
		sub = g.rebuild(in, func(ID, func(ID, bool)) {})
	}
	n := sub.Len()
	q := &Queue{
		sub:     sub,
		orig:    keep, // rebuild keeps ID order, so subset ID i is keep[i]
		subOf:   make(map[ID]ID, n),
		waiting: make([]int32, n),
		score:   sub.Levels(),
		state:   make([]nodeState, n),
		left:    n,
	}
	q.ready.q = q
	for i, id := range keep {
		q.subOf[id] = ID(i)
		q.waiting[i] = int32(len(sub.Parents(ID(i))) + len(sub.TestParents(ID(i))))
		if q.waiting[i] == 0 {
			q.state[i] = queued
			q.ready.ids = append(q.ready.ids, ID(i))
		}
	}
	heap.Init(&q.ready)
	return q
}

// Next hands out the highest-priority ready node and marks it running.
// ok is false when nothing is ready now (see Remaining).
func (q *Queue) Next() (id ID, ok bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.ready.Len() == 0 {
		return None, false
	}
	s := heap.Pop(&q.ready).(ID)
	q.state[s] = running
	q.inFlight++
	return q.orig[s], true
}

// Ready hands out every ready node, highest priority first, and marks them
// running.
func (q *Queue) Ready() []ID {
	var out []ID
	for {
		id, ok := q.Next()
		if !ok {
			return out
		}
		out = append(out, id)
	}
}

// MarkDone records that a running node finished (whatever its outcome) and
// queues the dependents it was the last blocker of.
func (q *Queue) MarkDone(id ID) {
	q.mu.Lock()
	defer q.mu.Unlock()
	s, ok := q.subOf[id]
	if !ok || q.state[s] != running {
		panic(fmt.Sprintf("graph: MarkDone(%d) for a node that is not running", id))
	}
	q.state[s] = done
	q.inFlight--
	q.left--
	for _, list := range [2][]ID{q.sub.Children(s), q.sub.TestChildren(s)} {
		for _, c := range list {
			if q.waiting[c]--; q.waiting[c] == 0 {
				q.state[c] = queued
				heap.Push(&q.ready, c)
			}
		}
	}
}

// Remaining is the number of nodes not yet done (queued, waiting or running).
func (q *Queue) Remaining() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.left
}

// Running is the number of nodes handed out and not yet done.
func (q *Queue) Running() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.inFlight
}

// Len is the number of nodes in the queue.
func (q *Queue) Len() int { return len(q.orig) }

// Score is a node's priority depth (lower runs first).
func (q *Queue) Score(id ID) int {
	return int(q.score[q.subOf[id]])
}

type readyHeap struct {
	q   *Queue
	ids []ID // subset IDs
}

func (h *readyHeap) Len() int { return len(h.ids) }
func (h *readyHeap) Less(i, j int) bool {
	a, b := h.ids[i], h.ids[j]
	if sa, sb := h.q.score[a], h.q.score[b]; sa != sb {
		return sa < sb
	}
	return a < b // subset IDs follow unique_id order
}
func (h *readyHeap) Swap(i, j int) { h.ids[i], h.ids[j] = h.ids[j], h.ids[i] }
func (h *readyHeap) Push(x any)    { h.ids = append(h.ids, x.(ID)) }
func (h *readyHeap) Pop() any {
	x := h.ids[len(h.ids)-1]
	h.ids = h.ids[:len(h.ids)-1]
	return x
}
