package cli

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/gdbt/gdbt/runtime/run"
)

// eventTimeLayouts are the forms --event-time-start/--event-time-end
// accept (click.DateTime's defaults); the time is UTC.
var eventTimeLayouts = []string{"2006-01-02", "2006-01-02T15:04:05", "2006-01-02 15:04:05"}

func parseEventTime(flag, v string) (*time.Time, error) {
	if v == "" {
		return nil, nil
	}
	for _, l := range eventTimeLayouts {
		if t, err := time.Parse(l, v); err == nil {
			return &t, nil
		}
	}
	return nil, fmt.Errorf("Invalid value for '%s': '%s' does not match the formats '%%Y-%%m-%%d', '%%Y-%%m-%%dT%%H:%%M:%%S', '%%Y-%%m-%%d %%H:%%M:%%S'.", flag, v)
}

// eventTimeWindow reads and checks the two flags, as dbt's
// _validate_event_time_configs.
func (a *app) eventTimeWindow() (start, end *time.Time, err error) {
	if start, err = parseEventTime("--event-time-start", a.f.EventTimeStart); err != nil {
		return nil, nil, err
	}
	if end, err = parseEventTime("--event-time-end", a.f.EventTimeEnd); err != nil {
		return nil, nil, err
	}
	switch {
	case start == nil && end == nil:
	case start == nil:
		return nil, nil, fmt.Errorf("The flag `--event-time-end` was specified, but `--event-time-start` was not. When specifying `--event-time-end`, `--event-time-start` must also be present.")
	case end == nil:
		return nil, nil, fmt.Errorf("The flag `--event-time-start` was specified, but `--event-time-end` was not. When specifying `--event-time-start`, `--event-time-end` must also be present.")
	case !start.Before(*end):
		return nil, nil, fmt.Errorf("Value for `--event-time-start` must be less than `--event-time-end`")
	}
	return start, end, nil
}

// eventTimeArgs records the window in run_results.json's args as dbt does.
func eventTimeArgs(args map[string]any, start, end *time.Time) {
	if start != nil {
		args["event_time_start"] = start.Format("2006-01-02T15:04:05")
	}
	if end != nil {
		args["event_time_end"] = end.Format("2006-01-02T15:04:05")
	}
}

// previousBatches reads, from a previous run_results.json, the batch
// results of microbatch models that had both successful and failed
// batches: a retry runs only the failed ones (with none successful, dbt
// runs the model again from scratch).
func previousBatches(data []byte) (map[string]*run.BatchResults, time.Time) {
	var prev struct {
		Metadata struct {
			GeneratedAt         string `json:"generated_at"`
			InvocationStartedAt string `json:"invocation_started_at"`
		} `json:"metadata"`
		Results []struct {
			UniqueID     string            `json:"unique_id"`
			BatchResults *run.BatchResults `json:"batch_results"`
		} `json:"results"`
	}
	if json.Unmarshal(data, &prev) != nil {
		return nil, time.Time{}
	}
	out := map[string]*run.BatchResults{}
	for _, r := range prev.Results {
		if b := r.BatchResults; b != nil && len(b.Successful) > 0 && len(b.Failed) > 0 {
			out[r.UniqueID] = b
		}
	}
	started := prev.Metadata.InvocationStartedAt
	if started == "" {
		started = prev.Metadata.GeneratedAt
	}
	t, _ := time.Parse(time.RFC3339Nano, started)
	return out, t
}
