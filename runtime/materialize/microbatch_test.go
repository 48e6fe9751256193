package materialize

import (
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gdbt/gdbt/compiler/manifest"
)

// TestBatchesMatchDbt computes the batches of each case in
// testdata/microbatch_cases.txt and compares them with what dbt's
// MicrobatchBuilder computed (testdata/microbatch_batches.golden, written
// by scripts/microbatch_oracle.py).
func TestBatchesMatchDbt(t *testing.T) {
	cases, err := os.ReadFile("testdata/microbatch_cases.txt")
	if err != nil {
		t.Fatal(err)
	}
	golden, err := os.ReadFile("testdata/microbatch_batches.golden")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	var name string
	for _, line := range strings.Split(strings.TrimSuffix(string(golden), "\n"), "\n") {
		if n, ok := strings.CutPrefix(line, "=== case: "); ok {
			name = n
			continue
		}
		want[name] += line + "\n"
	}
	parse := func(s string) *time.Time {
		if s == "-" {
			return nil
		}
		for _, l := range []string{"2006-01-02 15:04:05", "2006-01-02"} {
			if v, err := time.Parse(l, s); err == nil {
				return &v
			}
		}
		t.Fatalf("bad time %q", s)
		return nil
	}
	n := 0
	for _, line := range strings.Split(string(cases), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, " | ")
		if len(f) != 8 {
			t.Fatalf("bad case line %q", line)
		}
		n++
		t.Run(f[0], func(t *testing.T) {
			cfg := manifest.Config{"batch_size": f[1], "lookback": mustInt(t, f[3])}
			if f[2] != "-" {
				cfg["begin"] = f[2]
			}
			node := &manifest.Node{Name: "m", Config: cfg}
			batches, err := Batches(node, BatchWindow{Start: parse(f[5]), End: parse(f[6]), Now: *parse(f[7]), Incremental: f[4] == "true"})
			var got strings.Builder
			if err != nil {
				got.WriteString("error: " + err.Error() + "\n")
			}
			for _, b := range batches {
				got.WriteString(b.Start.Format(isoUTC) + " " + b.End.Format(isoUTC) + "\n")
			}
			if got.String() != want[f[0]] {
				t.Errorf("batches differ from dbt's\n got:\n%s\nwant:\n%s", got.String(), want[f[0]])
			}
		})
	}
	if n != len(want) {
		t.Errorf("%d cases, %d in the golden: run scripts/microbatch_oracle.py", n, len(want))
	}
}

const isoUTC = "2006-01-02T15:04:05-07:00"

func mustInt(t *testing.T, s string) int64 {
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
