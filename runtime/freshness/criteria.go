// Package freshness implements `gdbt source freshness`: for every selected
// source with a freshness threshold it runs dbt's collect_freshness query
// (max(loaded_at_field) and now()), grades the age against warn_after and
// error_after, prints dbt's console lines and writes target/sources.json
// (schema v3).
package freshness

import (
	"fmt"
	"github.com/gdbt/gdbt/compiler/manifest"
	"strconv"
	"strings"
	"time"
)

// Status is a source's freshness verdict.
type Status string

const (
	Pass         Status = "pass"
	Warn         Status = "warn"
	Error        Status = "error"
	RuntimeError Status = "runtime error"
)

// Time is a threshold: count periods (minute, hour, day).
type Time struct {
	Count  *int64
	Period *string
}

// isSet reports whether the threshold can be exceeded (dbt ignores a
// threshold missing its count or its period).
func (t Time) isSet() bool { return t.Count != nil && t.Period != nil }

// Seconds is the threshold's length.
func (t Time) Seconds() float64 {
	if !t.isSet() {
		return 0
	}
	unit := time.Hour
	switch *t.Period {
	case "minute":
		unit = time.Minute
	case "day":
		unit = 24 * time.Hour
	}
	return float64(*t.Count) * unit.Seconds()
}

func (t Time) exceeded(age float64) bool { return t.isSet() && age > t.Seconds() }

// Criteria is a source's freshness config.
type Criteria struct {
	WarnAfter  Time
	ErrorAfter Time
	Filter     *string
}

// Has reports whether the criteria select the source for a freshness check
// (dbt's has_freshness: a warn_after or error_after with both fields).
func (c *Criteria) Has() bool {
	return c != nil && (c.WarnAfter.isSet() || c.ErrorAfter.isSet())
}

// Status grades an age in seconds.
func (c *Criteria) Status(age float64) Status {
	switch {
	case c.ErrorAfter.exceeded(age):
		return Error
	case c.WarnAfter.exceeded(age):
		return Warn
	}
	return Pass
}

// ParseCriteria reads a source's freshness config (the YAML mapping the
// parser kept): nil or null means none.
func ParseCriteria(v any) (*Criteria, error) {
	if v == nil || v == manifest.ExplicitNull {
		return nil, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("freshness: expected a mapping with warn_after, error_after and filter, found %T", v)
	}
	c := &Criteria{}
	var err error
	if c.WarnAfter, err = parseTime("warn_after", m["warn_after"]); err != nil {
		return nil, err
	}
	if c.ErrorAfter, err = parseTime("error_after", m["error_after"]); err != nil {
		return nil, err
	}
	if f, ok := m["filter"]; ok && f != nil {
		s := fmt.Sprint(f)
		c.Filter = &s
	}
	return c, nil
}

func parseTime(name string, v any) (Time, error) {
	if v == nil || v == manifest.ExplicitNull { // warn_after: null
		return Time{}, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return Time{}, fmt.Errorf("freshness.%s: expected a mapping with count and period, found %T", name, v)
	}
	var t Time
	if c, ok := m["count"]; ok && c != nil {
		n, err := toInt(c)
		if err != nil {
			return Time{}, fmt.Errorf("freshness.%s.count: %w", name, err)
		}
		t.Count = &n
	}
	if p, ok := m["period"]; ok && p != nil {
		s := fmt.Sprint(p)
		switch s {
		case "minute", "hour", "day":
		default:
			return Time{}, fmt.Errorf("freshness.%s.period: expected minute, hour or day, found %q", name, s)
		}
		t.Period = &s
	}
	return t, nil
}

func toInt(v any) (int64, error) {
	switch x := v.(type) {
	case int:
		return int64(x), nil
	case int64:
		return x, nil
	case float64:
		if x == float64(int64(x)) {
			return int64(x), nil
		}
	case string:
		if n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64); err == nil {
			return n, nil
		}
	}
	return 0, fmt.Errorf("expected an integer, found %v", v)
}

// LoadedAtField returns the source's loaded_at_field, or "" when none.
func LoadedAtField(v any) string {
	if v == nil {
		return ""
	}
	s, ok := v.(string)
	if !ok {
		return fmt.Sprint(v)
	}
	return s
}

// SQL is dbt's default__collect_freshness statement, whitespace and all
// (error positions then point at the same line as dbt's).
func SQL(relation, loadedAtField string, filter *string) string {
	var b strings.Builder
	b.WriteString("select\n      max(" + loadedAtField + ") as max_loaded_at,\n      now() as snapshotted_at\n    from " + relation + "\n    ")
	if filter != nil && *filter != "" {
		b.WriteString("\n    where " + *filter + "\n    ")
	}
	b.WriteString("\n  ")
	return b.String()
}
