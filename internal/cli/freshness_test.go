package cli

import (
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// TestSourceFreshness checks every verdict against setup.sql's data
// (loaded_at relative to now()): console lines with dbt's wording, exit 1
// because a source is stale, and sources.json v3 without the runtime
// errors, as dbt 1.12 writes it.
func TestSourceFreshness(t *testing.T) {
	f := newCmdFixture(t)
	code, out := f.gdbt("source", "freshness", "--threads", "1")
	if code != 1 {
		t.Errorf("exit %d, want 1 (old_events is past error_after)", code)
	}
	golden(t, "source_freshness", out)

	var art struct {
		Metadata struct {
			Schema string `json:"dbt_schema_version"`
		} `json:"metadata"`
		Results []struct {
			UniqueID    string  `json:"unique_id"`
			Status      string  `json:"status"`
			MaxLoadedAt string  `json:"max_loaded_at"`
			Snapshotted string  `json:"snapshotted_at"`
			Age         float64 `json:"max_loaded_at_time_ago_in_s"`
			Criteria    struct {
				WarnAfter struct {
					Count  *int64  `json:"count"`
					Period *string `json:"period"`
				} `json:"warn_after"`
				Filter *string `json:"filter"`
			} `json:"criteria"`
			AdapterResponse map[string]any `json:"adapter_response"`
		} `json:"results"`
	}
	readJSON(t, filepath.Join(f.dir, "target", "sources.json"), &art)
	if art.Metadata.Schema != "https://schemas.getdbt.com/dbt/sources/v3.json" {
		t.Errorf("schema %q", art.Metadata.Schema)
	}
	want := map[string]struct {
		status   string
		min, max float64 // age bounds in seconds (setup.sql's offsets)
	}{
		"source.cmd_basic.raw.fresh_events":    {"pass", 3600, 3 * 3600},
		"source.cmd_basic.raw.stale_events":    {"warn", 13 * 3600, 14 * 3600},
		"source.cmd_basic.raw.old_events":      {"error", 3 * 86400, 3*86400 + 3600},
		"source.cmd_basic.raw.filtered_events": {"warn", 2 * 3600, 3 * 3600}, // the filter skips the newer row
	}
	var ids []string
	for _, r := range art.Results {
		ids = append(ids, r.UniqueID)
		w, ok := want[r.UniqueID]
		if !ok {
			t.Errorf("unexpected result %s (%s)", r.UniqueID, r.Status)
			continue
		}
		if r.Status != w.status || r.Age < w.min || r.Age > w.max {
			t.Errorf("%s: status %s age %.0fs, want %s with age in [%.0f, %.0f]", r.UniqueID, r.Status, r.Age, w.status, w.min, w.max)
		}
		for _, ts := range []string{r.MaxLoadedAt, r.Snapshotted} {
			if _, err := time.Parse("2006-01-02T15:04:05.999999-07:00", ts); err != nil || !strings.HasSuffix(ts, "+00:00") {
				t.Errorf("%s: timestamp %q is not a UTC isoformat", r.UniqueID, ts)
			}
		}
		if r.AdapterResponse["_message"] != "SELECT 1" {
			t.Errorf("%s: adapter_response %v", r.UniqueID, r.AdapterResponse)
		}
	}
	if len(ids) != len(want) {
		sort.Strings(ids)
		t.Errorf("results %v: want the 4 sources that were measured (runtime errors are not written)", ids)
	}
	for _, r := range art.Results {
		if r.UniqueID == "source.cmd_basic.raw.filtered_events" {
			if r.Criteria.Filter == nil || *r.Criteria.Filter != "kind = 'recent'" {
				t.Errorf("filtered_events criteria.filter = %v", r.Criteria.Filter)
			}
			if r.Criteria.WarnAfter.Count == nil || *r.Criteria.WarnAfter.Count != 1 {
				t.Errorf("filtered_events warn_after = %+v", r.Criteria.WarnAfter)
			}
		}
	}
}

// TestSourceFreshnessSelectPass: a passing selection exits 0 and prints no
// error block.
func TestSourceFreshnessSelectPass(t *testing.T) {
	f := newCmdFixture(t)
	code, out := f.gdbt("source", "freshness", "--select", "source:raw.fresh_events")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	golden(t, "source_freshness_pass", out)
	f.exec("delete from cmd_raw.fresh_events")
	// An empty table was never loaded: dbt reads it as 0001-01-01, stale.
	code, out = f.gdbt("source", "freshness", "--select", "source:raw.fresh_events")
	if code != 1 || !strings.Contains(out, "ERROR STALE freshness of raw.fresh_events") {
		t.Errorf("empty table: exit %d\n%s", code, out)
	}
	var art struct {
		Results []struct {
			MaxLoadedAt string `json:"max_loaded_at"`
		} `json:"results"`
	}
	readJSON(t, filepath.Join(f.dir, "target", "sources.json"), &art)
	if len(art.Results) != 1 || art.Results[0].MaxLoadedAt != "0001-01-01T00:00:00+00:00" {
		t.Errorf("results %+v, want max_loaded_at 0001-01-01T00:00:00+00:00", art.Results)
	}
}
