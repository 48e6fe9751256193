package lineage

import (
	"sort"
	"strings"

	"github.com/gdbt/gdbt/compiler/manifest"
	"github.com/gdbt/gdbt/compiler/sqlparse"
)

// relKey is a fully qualified relation name with Postgres' folding applied
// (unquoted parts lower-cased, quoted parts kept), so equal keys are the
// same relation.
type relKey struct{ db, schema, name string }

// relIndex maps relation names to the project nodes and sources that own
// them. Several may share one relation (a source declared over a model's
// table); their ids are kept sorted.
type relIndex struct {
	byKey      map[relKey][]string
	searchPath []string
}

const ctePrefix = "__dbt__cte__"

func newRelIndex(m *manifest.Manifest, searchPath []string) *relIndex {
	if searchPath == nil {
		searchPath = []string{"public"}
	}
	ix := &relIndex{byKey: map[relKey][]string{}, searchPath: searchPath}
	for id, n := range m.Nodes {
		switch n.ResourceType {
		case manifest.Model, manifest.Seed, manifest.Snapshot:
		default:
			continue
		}
		if n.Config.String("materialized") == "ephemeral" {
			// ref() renders ephemerals as an unquoted __dbt__cte__<name>,
			// which Postgres folds to lower case.
			ix.add(relKey{name: strings.ToLower(ctePrefix + n.Name)}, id)
			continue
		}
		ix.add(parseRelation(n.RelationName, n.Database, n.Schema, n.Alias), id)
	}
	for id, s := range m.Sources {
		ix.add(parseRelation(s.RelationName, s.Database, s.Schema, s.Identifier), id)
	}
	for k, ids := range ix.byKey {
		ix.byKey[k] = sortedUnique(ids)
	}
	return ix
}

func (ix *relIndex) add(k relKey, id string) {
	if k.name == "" {
		return
	}
	ix.byKey[k] = append(ix.byKey[k], id)
}

// parseRelation reads a relation_name like "db"."schema"."alias" with
// Postgres' rules (through sqlparse, so quoting and case are exact). When
// it is empty or unreadable the parts are taken as written.
func parseRelation(rel, db, schema, name string) relKey {
	if rel != "" {
		if a, err := sqlparse.Analyze("select * from " + rel); err == nil && len(a.Reads) == 1 {
			t := a.Reads[0].TableName
			if t.Catalog == "" {
				t.Catalog = db
			}
			if t.Schema == "" {
				t.Schema = schema
			}
			return relKey{t.Catalog, t.Schema, t.Name}
		}
	}
	return relKey{db, schema, name}
}

// lookup finds the project entities a relation name written in SQL refers
// to. db is the database the reading node runs in (the current catalog).
func (ix *relIndex) lookup(t sqlparse.TableName, db string) []string {
	switch {
	case t.Catalog != "":
		return ix.byKey[relKey{t.Catalog, t.Schema, t.Name}]
	case t.Schema != "":
		return ix.byKey[relKey{db, t.Schema, t.Name}]
	}
	if ids := ix.byKey[relKey{name: t.Name}]; ids != nil {
		return ids // an ephemeral's CTE name
	}
	for _, s := range ix.searchPath {
		if ids := ix.byKey[relKey{db, s, t.Name}]; ids != nil {
			return ids
		}
	}
	return nil
}

// pick chooses which of the entities sharing a relation a read means:
// one the node declares if any, else the first.
func pick(ids []string, declared map[string]bool) (string, bool) {
	for _, id := range ids {
		if declared[id] {
			return id, true
		}
	}
	return ids[0], false
}

func sortRefs(refs []ColumnRef) {
	sort.Slice(refs, func(i, j int) bool {
		a, b := refs[i], refs[j]
		if a.Node != b.Node {
			return a.Node < b.Node
		}
		if a.Relation != b.Relation {
			return a.Relation < b.Relation
		}
		return a.Column < b.Column
	})
}
