package parser

import (
	"fmt"
	"strings"

	"github.com/gdbt/gdbt/compiler/project"
)

// The value kinds dbt's property schemas accept for the keys of a
// models/seeds/snapshots/analyses entry and of one of its columns; dbt
// rejects any other ("3 is not of type 'array'"), a number for a
// description included.
var (
	entryKinds = map[string][]project.Kind{
		"name": {project.String}, "description": {project.String},
		"columns": {project.List}, "tests": {project.List}, "data_tests": {project.List},
		"versions": {project.List}, "constraints": {project.List},
		"config": {project.Map}, "meta": {project.Map}, "docs": {project.Map},
		"tags": {project.String, project.List},
	}
	columnKinds = map[string][]project.Kind{
		"name": {project.String}, "description": {project.String}, "data_type": {project.String},
		"tests": {project.List}, "data_tests": {project.List}, "constraints": {project.List},
		"meta": {project.Map}, "tags": {project.String, project.List}, "quote": {project.Bool},
	}
)

// checkKinds reports the first key of entry whose value is not of a kind
// dbt accepts, at the value: what was expected and what was found. what
// names the entry ("models entry 'a'"). Null values are left to the caller.
func checkKinds(entry *project.Value, what string, kinds map[string][]project.Kind) error {
	if entry.Kind != project.Map {
		return fmt.Errorf("%s: expected a mapping for %s, found %s", entry.Pos, what, project.Describe(entry))
	}
	for _, e := range entry.Entries {
		want, ok := kinds[e.Key]
		if !ok || e.Value.IsNull() {
			continue
		}
		found := false
		for _, k := range want {
			found = found || e.Value.Kind == k
		}
		if !found {
			names := make([]string, len(want))
			for i, k := range want {
				names[i] = k.String()
			}
			return fmt.Errorf("%s: expected %s for '%s' of %s, found %s", e.Value.Pos, strings.Join(names, " or "), e.Key, what, project.Describe(e.Value))
		}
	}
	return nil
}
