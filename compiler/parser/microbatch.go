package parser

import (
	"fmt"
	"sort"
	"time"

	"github.com/gdbt/gdbt/compiler/dbtctx"
)

// checkMicrobatch is dbt's check_valid_microbatch_config: a microbatch
// model needs a string event_time, a begin that reads as an ISO datetime
// (kept as the datetime, so the manifest shows its isoformat), a valid
// batch_size and an integer lookback.
func (p *parser) checkMicrobatch() error {
	var ids []string // the microbatch models, checked in a stable order
	for id, n := range p.m.Nodes {
		if dbtctx.IsMicrobatch(n) {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	for _, id := range ids {
		n := p.m.Nodes[id]
		fail := func(format string, a ...any) error {
			return fmt.Errorf("%s: "+format, append([]any{n.OriginalFilePath}, a...)...)
		}
		switch et := n.Config["event_time"].(type) {
		case nil:
			return fail("Microbatch model '%s' must provide an 'event_time' (string) config that indicates the name of the event time column.", n.Name)
		case string:
		default:
			return fail("Microbatch model '%s' must provide an 'event_time' config of type string, but got: %s.", n.Name, pyType(et))
		}
		switch b := n.Config["begin"].(type) {
		case nil:
			return fail("Microbatch model '%s' must provide a 'begin' (datetime) config that indicates the earliest timestamp the microbatch model should be built from.", n.Name)
		case string:
			iso, ok := isoDatetime(b)
			if !ok {
				return fail("Microbatch model '%s' must provide a 'begin' config of valid datetime (ISO format), but got: %s.", n.Name, b)
			}
			n.Config["begin"] = iso
		default:
			return fail("Microbatch model '%s' must provide a 'begin' config of type datetime, but got: %s.", n.Name, pyType(b))
		}
		switch size := n.Config.String("batch_size"); size {
		case "hour", "day", "month", "year":
		default:
			var shown any = size
			if n.Config["batch_size"] == nil {
				shown = "None"
			}
			return fail("Microbatch model '%s' must provide a 'batch_size' config that is one of ['hour', 'day', 'month', 'year'], but got: %v.", n.Name, shown)
		}
		switch lb := n.Config["lookback"].(type) {
		case nil, int64, int:
		default:
			return fail("Microbatch model '%s' must provide the optional 'lookback' config as type int, but got: %s).", n.Name, pyType(lb))
		}
	}
	return nil
}

func pyType(v any) string {
	switch v.(type) {
	case string:
		return "<class 'str'>"
	case bool:
		return "<class 'bool'>"
	case int64, int:
		return "<class 'int'>"
	case float64:
		return "<class 'float'>"
	case []any:
		return "<class 'list'>"
	case map[string]any:
		return "<class 'dict'>"
	}
	return fmt.Sprintf("%T", v)
}

// isoDatetime reads s as Python's datetime.fromisoformat does (the common
// forms) and returns its isoformat().
func isoDatetime(s string) (string, bool) {
	layouts := []string{"2006-01-02", "2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02T15:04:05", "2006-01-02 15:04:05",
		"2006-01-02T15:04:05.999999", "2006-01-02 15:04:05.999999"}
	for _, l := range layouts {
		for _, tz := range []string{"", "Z07:00"} {
			t, err := time.Parse(l+tz, s)
			if err != nil {
				continue
			}
			out := t.Format("2006-01-02T15:04:05")
			if t.Nanosecond() != 0 {
				out += fmt.Sprintf(".%06d", t.Nanosecond()/1000)
			}
			if tz != "" {
				_, off := t.Zone()
				sign := "+"
				if off < 0 {
					sign, off = "-", -off
				}
				out += fmt.Sprintf("%s%02d:%02d", sign, off/3600, off%3600/60)
			}
			return out, true
		}
	}
	return "", false
}
