package scheduler

import (
	"context"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gdbt/gdbt/compiler/graph"
)

type recorder struct {
	mu      sync.Mutex
	fail    map[string]bool
	block   map[string]bool // wait for ctx cancellation
	order   []string
	skipped []string
	running int
	maxRun  int
}

func (r *recorder) Run(ctx context.Context, uid string, thread int) bool {
	r.mu.Lock()
	r.running++
	if r.running > r.maxRun {
		r.maxRun = r.running
	}
	r.order = append(r.order, uid)
	r.mu.Unlock()
	if r.block[uid] {
		<-ctx.Done()
	} else {
		time.Sleep(2 * time.Millisecond)
	}
	r.mu.Lock()
	r.running--
	r.mu.Unlock()
	return !r.fail[uid] && ctx.Err() == nil
}

func (r *recorder) Skip(uid, cause string, thread int) {
	r.mu.Lock()
	r.skipped = append(r.skipped, uid+"<"+cause)
	r.mu.Unlock()
}

// a → b → d, a → c, e (independent), c → f
func testGraph(t *testing.T) *graph.Graph {
	g, err := graph.FromEdges([]string{"a", "b", "c", "d", "e", "f"}, []graph.Edge{{Parent: "a", Child: "b"}, {Parent: "b", Child: "d"}, {Parent: "a", Child: "c"}, {Parent: "c", Child: "f"}})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestOrderAndSkips(t *testing.T) {
	all := []string{"a", "b", "c", "d", "e", "f"}
	cases := []struct {
		name        string
		threads     int
		fail        []string
		selected    []string
		wantRun     string // sorted
		wantSkipped string // sorted
	}{
		{"all ok one thread", 1, nil, all, "a b c d e f", ""},
		{"all ok four threads", 4, nil, all, "a b c d e f", ""},
		{"b fails", 2, []string{"b"}, all, "a b c e f", "d<b"},
		{"a fails", 3, []string{"a"}, all, "a e", "b<a c<a d<a f<a"},
		{"subset", 2, []string{"a"}, []string{"a", "d"}, "a", "d<a"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := &recorder{fail: map[string]bool{}}
			for _, f := range c.fail {
				r.fail[f] = true
			}
			st, err := Run(context.Background(), testGraph(t), c.selected, Options{Threads: c.threads}, r)
			if err != nil {
				t.Fatal(err)
			}
			ran := append([]string(nil), r.order...)
			sort.Strings(ran)
			sort.Strings(r.skipped)
			if strings.Join(ran, " ") != c.wantRun || strings.Join(r.skipped, " ") != c.wantSkipped {
				t.Errorf("ran %v skipped %v", ran, r.skipped)
			}
			if st.Started+st.Skipped != len(c.selected) || st.NotRun != 0 {
				t.Errorf("stats %+v", st)
			}
			// Parents always run before children.
			pos := map[string]int{}
			for i, u := range r.order {
				pos[u] = i
			}
			for _, e := range [][2]string{{"a", "b"}, {"b", "d"}, {"a", "c"}, {"c", "f"}} {
				pi, ok1 := pos[e[0]]
				ci, ok2 := pos[e[1]]
				if ok1 && ok2 && pi > ci {
					t.Errorf("%s ran before its parent %s: %v", e[1], e[0], r.order)
				}
			}
			if c.threads == 1 && r.maxRun != 1 {
				t.Errorf("ran %d at once on one thread", r.maxRun)
			}
		})
	}
}

func TestFailFastCancelsRunning(t *testing.T) {
	r := &recorder{fail: map[string]bool{"e": true}, block: map[string]bool{"a": true}}
	start := time.Now()
	st, err := Run(context.Background(), testGraph(t), []string{"a", "b", "c", "d", "e", "f"}, Options{Threads: 2, FailFast: true}, r)
	if err != nil {
		t.Fatal(err)
	}
	if time.Since(start) > 2*time.Second {
		t.Fatal("fail-fast did not cancel the blocked node")
	}
	if !st.FailFast || st.NotRun != 0 {
		t.Errorf("stats %+v", st)
	}
	sort.Strings(r.skipped)
	if strings.Join(r.skipped, " ") != "b< c< d< f<" {
		t.Errorf("skipped %v", r.skipped)
	}
}

func TestCancelLeavesRest(t *testing.T) {
	r := &recorder{block: map[string]bool{"a": true, "e": true}}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	st, err := Run(ctx, testGraph(t), []string{"a", "b", "c", "d", "e", "f"}, Options{Threads: 2}, r)
	if err != nil {
		t.Fatal(err)
	}
	if st.Started != 2 || st.NotRun != 4 || len(r.skipped) != 0 {
		t.Errorf("stats %+v skipped %v", st, r.skipped)
	}
}
