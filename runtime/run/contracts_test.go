package run

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// The contracts and microbatch fixtures are the differential harness's
// (internal/conformance); here they run against gdbt alone and the
// console, the relations and the batch results go to goldens. The goldens
// match what dbt 1.12.6 + dbt-postgres 1.11 print and build for the same
// steps (compared side by side when they were written).

// scenarioStep is one step of these scenarios.
type scenarioStep struct {
	sql        string
	cmd        string // run, build, retry
	vars       string
	sel        []string // --select, as unique_ids
	full       bool
	start, end string // --event-time-start/--event-time-end
}

// useGdbtFixture points a fixture whose profile reads GDBT_PG_* at the
// test database, building into schema.
func useGdbtFixture(f *fixture, schema string) {
	for _, k := range []string{"HOST", "PORT", "USER", "PASSWORD", "DBNAME"} {
		f.env["GDBT_PG_"+k] = f.env["RT_PG_"+k]
	}
	f.env["GDBT_PG_SCHEMA"] = schema
}

func eventTime(t *testing.T, s string) *time.Time {
	t.Helper()
	if s == "" {
		return nil
	}
	for _, l := range []string{"2006-01-02", "2006-01-02 15:04:05"} {
		if v, err := time.Parse(l, s); err == nil {
			return &v
		}
	}
	t.Fatalf("bad event time %q", s)
	return nil
}

// result is what these tests read back from run_results.json.
type result struct {
	UniqueID     string          `json:"unique_id"`
	Status       string          `json:"status"`
	BatchResults json.RawMessage `json:"batch_results"`
}

func loadResults(t *testing.T, target string) []result {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(target, "run_results.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rr struct{ Results []result }
	if err := json.Unmarshal(data, &rr); err != nil {
		t.Fatal(err)
	}
	sort.Slice(rr.Results, func(i, j int) bool { return rr.Results[i].UniqueID < rr.Results[j].UniqueID })
	return rr.Results
}

// previousBatches reads what a retry needs from the last run, as gdbt
// retry does: the nodes to run again and the batches of partly
// successful microbatch models.
func previousBatches(t *testing.T, target string) (map[string]*BatchResults, []string) {
	t.Helper()
	out := map[string]*BatchResults{}
	var ids []string
	for _, r := range loadResults(t, target) {
		if r.Status == "success" {
			continue
		}
		ids = append(ids, r.UniqueID)
		var b *BatchResults
		if err := json.Unmarshal(r.BatchResults, &b); err != nil {
			t.Fatal(err)
		}
		if b != nil && len(b.Successful) > 0 && len(b.Failed) > 0 {
			out[r.UniqueID] = b
		}
	}
	return out, ids
}

// batchResultsOf prints each microbatch model's status and batch_results.
func batchResultsOf(t *testing.T, target string) string {
	t.Helper()
	var b strings.Builder
	for _, r := range loadResults(t, target) {
		if string(r.BatchResults) != "null" {
			fmt.Fprintf(&b, "%s %s %s\n", r.UniqueID, r.Status, r.BatchResults)
		}
	}
	return b.String()
}

func runSteps(t *testing.T, f *fixture, steps []scenarioStep, golden string) {
	t.Helper()
	cmds := map[string]invoke{"run": Run, "build": Build, "retry": Run}
	var b strings.Builder
	for i, s := range steps {
		if s.sql != "" {
			f.exec(s.sql)
			fmt.Fprintf(&b, "=== step %d: sql\n%s\n", i+1, strings.TrimSpace(s.sql))
			continue
		}
		var prev map[string]*BatchResults
		sel := s.sel
		if s.cmd == "retry" {
			prev, sel = previousBatches(t, f.target)
		}
		code, out := f.run(cmds[s.cmd], s.vars, func(o *Options) {
			o.Threads, o.FullRefresh = 1, s.full
			o.EventTimeStart, o.EventTimeEnd = eventTime(t, s.start), eventTime(t, s.end)
			o.PreviousBatches = prev
			if sel != nil {
				o.Selected = sel
			}
		})
		fmt.Fprintf(&b, "=== step %d: %s full=%v vars=%q select=%v window=[%s, %s) exit=%d\n%s", i+1, s.cmd, s.full, s.vars, s.sel, s.start, s.end, code, out)
		b.WriteString(batchResultsOf(t, f.target))
		b.WriteString(f.dump())
	}
	checkGolden(t, golden, b.String())
}

// TestContractsScenario: enforced contracts on tables, a view and an
// incremental model; tables are created with their column and model
// constraints; a wrong type, an extra column, a renamed view column and a
// null in a not-null column each fail their model and leave the previous
// relation as it was.
func TestContractsScenario(t *testing.T) {
	f := newFixture(t, "contracts")
	useGdbtFixture(f, "rt_ctr")
	all := []string{"seed.contracts.raw_customers", "model.contracts.customers", "model.contracts.orders",
		"model.contracts.customer_view", "model.contracts.order_events"}
	models := all[1:]
	steps := []scenarioStep{
		{cmd: "build", sel: all},
		{cmd: "run", sel: models, vars: "{orders_mode: wrong_type}"},
		{cmd: "run", sel: models, vars: "{orders_mode: extra_column}"},
		{cmd: "run", sel: models, vars: "{orders_mode: null_status}"},
		{cmd: "run", sel: models, vars: "{view_mode: wrong_name}"},
		{cmd: "run", sel: models, vars: "{orders_count: 6}"},
		{cmd: "run", sel: []string{"model.contracts.order_events"}, vars: "{events_mode: wrong_type}"},
		{cmd: "run", sel: []string{"model.contracts.order_events"}, vars: "{events_mode: wrong_type}", full: true},
	}
	runSteps(t, f, steps, "contracts_scenario.golden")
}

// TestMicrobatchScenario: microbatch models of each batch size over a
// fixed event-time window, filtered refs and sources, a rerun picking up
// new rows, a batch failing on a poisoned row (partial success) and the
// retry of that batch alone, and a full refresh.
func TestMicrobatchScenario(t *testing.T) {
	f := newFixture(t, "microbatch")
	useGdbtFixture(f, "rt_mb")
	f.exec(`create schema mb_raw;
create table mb_raw.page_views (id int, viewed_at timestamp);
insert into mb_raw.page_views select g, timestamp '2024-01-01' + g * interval '5 hours' from generate_series(1, 30) g;
create table mb_raw.refunds (id int);
insert into mb_raw.refunds values (1), (2);`)
	const (
		events  = "model.microbatch.events"
		daily   = "model.microbatch.daily_revenue"
		monthly = "model.microbatch.monthly_customers"
		hourly  = "model.microbatch.hourly_events"
		yearly  = "model.microbatch.yearly"
	)
	steps := []scenarioStep{
		{cmd: "build", sel: []string{"seed.microbatch.raw_events", "seed.microbatch.customers", events, daily, monthly, yearly},
			start: "2024-01-01", end: "2024-01-04"},
		{cmd: "run", sel: []string{hourly}, start: "2024-01-02", end: "2024-01-02 04:00:00"},
		{sql: `insert into rt_mb.raw_events values (100, 1, '2024-01-03 12:00', 1000), (101, 2, '2024-01-05 12:00', 7)`},
		{cmd: "run", sel: []string{events, daily, monthly, yearly}, start: "2024-01-03", end: "2024-01-06"},
		{sql: `insert into rt_mb.raw_events values (102, 1, '2024-01-04 09:00', -1)`},
		{cmd: "run", sel: []string{events, daily}, start: "2024-01-03", end: "2024-01-06"},
		{sql: `delete from rt_mb.raw_events where id = 102; delete from rt_mb.events where id = 102`},
		{cmd: "retry"},
		{cmd: "run", sel: []string{daily, monthly, yearly}, full: true, start: "2023-12-30", end: "2024-01-02"},
		{cmd: "run", sel: []string{hourly}, full: true, start: "2024-01-02 02:30:00", end: "2024-01-02 05:00:00"},
	}
	runSteps(t, f, steps, "microbatch_scenario.golden")
}
