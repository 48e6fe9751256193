package dbtctx

import (
	"time"

	"github.com/gdbt/gdbt/compiler/jinja"
	"github.com/gdbt/gdbt/compiler/manifest"
)

// Batch is one microbatch of an incremental model with
// incremental_strategy: microbatch: the model is compiled once per batch,
// and ref() and source() of nodes with an event_time config select only
// the rows of [Start, End).
type Batch struct {
	ID         string // the batch start as dbt's batch id (20240101)
	Start, End time.Time
}

// EventTimeFilter is dbt's EventTimeFilter on a relation.
type EventTimeFilter struct {
	Field      string
	Start, End time.Time
}

func (f *EventTimeFilter) wrap(rendered, identifier string) string {
	return "(select * from " + rendered + " where " + f.Field + " >= '" + PyTime(f.Start) + "' and " +
		f.Field + " < '" + PyTime(f.End) + "') _dbt_et_filter_subq_" + identifier
}

// PyTime is Python's str() of a UTC-aware datetime.
func PyTime(t time.Time) string {
	return jinja.ToString(DateTime(t.UTC(), true))
}

// IsMicrobatch reports whether n is an incremental model with the
// microbatch strategy.
func IsMicrobatch(n *manifest.Node) bool {
	return n != nil && n.ResourceType == manifest.Model && n.Config.String("materialized") == "incremental" &&
		n.Config.String("incremental_strategy") == "microbatch"
}

// eventTimeField is the event_time column of a ref or source target,
// quoted when its column (or else the source's quoting) says so.
func eventTimeField(field string, cols []*manifest.Column, quoting map[string]any) string {
	quote, found := false, false
	for _, c := range cols {
		if c.Name == field {
			found = true
			if q, ok := c.Quote.(bool); ok {
				quote = q
			} else if q, ok := quoting["column"].(bool); ok {
				quote = q
			}
			break
		}
	}
	if !found {
		if q, ok := quoting["column"].(bool); ok {
			quote = q
		}
	}
	if quote {
		return `"` + field + `"`
	}
	return field
}

// batchFiltered returns rel filtered to the node's batch when the node is
// a batched microbatch model and the target has an event_time.
func (c *NodeContext) batchFiltered(rel *Relation, cfg manifest.Config, cols []*manifest.Column, quoting map[string]any) *Relation {
	if c.Batch == nil || !IsMicrobatch(c.Node) {
		return rel
	}
	et, _ := cfg["event_time"].(string)
	if et == "" {
		return rel
	}
	rel = rel.clone()
	rel.EventTime = &EventTimeFilter{Field: eventTimeField(et, cols, quoting), Start: c.Batch.Start, End: c.Batch.End}
	return rel
}

// batchValue is model.batch: none outside a batch.
func (c *NodeContext) batchValue() any {
	if c.Batch == nil {
		return nil
	}
	d := jinja.NewDict()
	d.Set("id", c.Batch.ID)
	d.Set("event_time_start", DateTime(c.Batch.Start.UTC(), true))
	d.Set("event_time_end", DateTime(c.Batch.End.UTC(), true))
	return d
}
