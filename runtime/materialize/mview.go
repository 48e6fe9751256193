package materialize

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/gdbt/gdbt/compiler/dbtctx"
)

// materializedView is dbt's materialized_view materialization with
// dbt-postgres's SQL: create when absent; replace on --full-refresh or
// when a table/view stands in the way (Postgres cannot rename a
// materialized view, so the old relation is backed up by rename or
// dropped); otherwise refresh, or apply index changes as
// on_configuration_change says (apply, continue, fail).
func (x *exec) materializedView(ctx context.Context) (*Result, error) {
	if err := x.schema(ctx); err != nil {
		return nil, err
	}
	existing, err := x.existing(ctx, x.this.Identifier)
	if err != nil {
		return nil, err
	}
	target := x.rel(x.this.Identifier, "materialized_view")
	backupType := "materialized_view"
	if existing != nil {
		backupType = existing.Type
	}
	backup := x.rel(suffixed(target.Identifier, "__dbt_backup"), backupType)
	intermediate := x.rel(suffixed(target.Identifier, "__dbt_tmp"), "materialized_view")
	// Leftovers of an interrupted run go first.
	if err := x.dropIfExists(ctx, backup.Identifier); err != nil {
		return nil, err
	}
	if err := x.dropIfExists(ctx, intermediate.Identifier); err != nil {
		return nil, err
	}
	if err := x.hooks(ctx, "pre-hook", false); err != nil {
		return nil, err
	}
	replace := existing != nil && (x.shouldFullRefresh() || existing.Type != "materialized_view")
	build, from, err := x.materializedViewSQL(ctx, existing, target, replace)
	if err != nil {
		return nil, err
	}
	var res *Result
	if build == "" {
		resp := &dbtctx.Response{Message: "skip " + target.String(), Code: "skip", RowsAffected: -1, RowsText: "-1"}
		res = &Result{Status: Success, Message: resp.Message, Response: resp}
	} else {
		if err := x.begin(ctx); err != nil {
			return nil, err
		}
		if err := x.hooks(ctx, "pre-hook", true); err != nil {
			return nil, err
		}
		// default__get_replace_sql: Postgres can neither replace nor rename a
		// materialized view, so an old one is dropped and a table or view
		// is moved aside to the backup name until the new one exists.
		if replace && existing.Type == "materialized_view" {
			if err := x.conn.DropRelation(ctx, existing); err != nil {
				return nil, err
			}
		} else if replace {
			if err := x.conn.RenameRelation(ctx, existing, backup); err != nil {
				return nil, err
			}
		}
		resp, err := x.main(ctx, build, from)
		if err != nil {
			return nil, err
		}
		if err := x.grants(ctx, target, false); err != nil { // should_revoke(full_refresh_mode=True) is copy_grants(): false on Postgres
			return nil, err
		}
		if err := x.persistDocs(ctx, target); err != nil {
			return nil, err
		}
		if err := x.hooks(ctx, "post-hook", true); err != nil {
			return nil, err
		}
		if replace && existing.Type != "materialized_view" {
			if err := x.conn.DropRelation(ctx, backup); err != nil {
				return nil, err
			}
		}
		x.conn.Created(target)
		if err := x.commit(ctx); err != nil {
			return nil, err
		}
		res = &Result{Status: Success, Message: resp.Message, Response: resp, MainSQL: build}
	}
	if err := x.dropIfExists(ctx, backup.Identifier); err != nil {
		return nil, err
	}
	if err := x.dropIfExists(ctx, intermediate.Identifier); err != nil {
		return nil, err
	}
	if err := x.hooks(ctx, "post-hook", false); err != nil {
		return nil, err
	}
	return res, nil
}

// materializedViewSQL picks the build statement (materialized_view_get_build_sql)
// and the offset of the compiled SQL in it, or "" for no change.
func (x *exec) materializedViewSQL(ctx context.Context, existing, target *dbtctx.Relation, replace bool) (string, int, error) {
	if existing == nil || replace {
		return x.createMaterializedView(target)
	}
	changes, err := x.indexChanges(ctx, target)
	if err != nil {
		return "", 0, err
	}
	if len(changes) == 0 {
		return "refresh materialized view " + target.String(), -1, nil
	}
	switch mode := x.n.Config.String("on_configuration_change"); mode {
	case "", "apply":
		return strings.Join(changes, ";\n"), -1, nil
	case "continue":
		if x.r.Log != nil {
			x.r.Log("[WARNING]: Configuration changes were identified and `on_configuration_change` was set to `continue` for `" + target.String() + "`")
		}
		return "", -1, nil
	case "fail":
		return "", 0, &NodeError{Kind: RuntimeError, Node: x.n, Err: fmt.Errorf("Configuration changes were identified and `on_configuration_change` was set to `fail` for `%s`", target.String())}
	default:
		return "", 0, &NodeError{Kind: CompilationError, Node: x.n, Err: fmt.Errorf("Unexpected configuration scenario")}
	}
}

// createMaterializedView is postgres__get_create_materialized_view_as_sql.
func (x *exec) createMaterializedView(rel *dbtctx.Relation) (string, int, error) {
	head := "create materialized view if not exists " + rel.String() + " as "
	stmts := []string{head + x.sql}
	list, _ := x.cfg("indexes").([]any)
	for _, raw := range list {
		idx, err := createIndexSQL(rel, raw)
		if err != nil {
			return "", 0, err
		}
		stmts = append(stmts, idx)
	}
	return strings.Join(stmts, ";\n"), len(head), nil
}

// indexKey identifies an index as dbt-postgres compares them: its column
// set (lower case), uniqueness and method; names are not compared.
func indexKey(cols []string, unique bool, method string) string {
	lower := make([]string, len(cols))
	for i, c := range cols {
		lower[i] = strings.ToLower(strings.TrimSpace(c))
	}
	sort.Strings(lower)
	if method == "" {
		method = "btree"
	}
	return fmt.Sprintf("%s|%t|%s", strings.Join(lower, ","), unique, strings.ToLower(method))
}

// indexChanges lists the statements that bring the materialized view's
// indexes to the configured ones: drops first, then creates.
func (x *exec) indexChanges(ctx context.Context, rel *dbtctx.Relation) ([]string, error) {
	_, t, err := x.conn.Query(ctx, `select i.relname as name, m.amname as method, ix.indisunique as "unique",
       array_to_string(array_agg(a.attname), ',') as column_names
from pg_index ix
join pg_class i on i.oid = ix.indexrelid
join pg_am m on m.oid = i.relam
join pg_class t on t.oid = ix.indrelid
join pg_namespace n on n.oid = t.relnamespace
join pg_attribute a on a.attrelid = t.oid and a.attnum = any(ix.indkey)
where t.relname = `+literal(rel.Identifier)+` and n.nspname = `+literal(rel.Schema)+` and t.relkind in ('r', 'm')
group by 1, 2, 3
order by 1, 2, 3`)
	if err != nil {
		return nil, err
	}
	have := map[string]string{} // key → index name
	for _, r := range t.Rows {
		name, _ := r[0].(string)
		method, _ := r[1].(string)
		unique, _ := r[2].(bool)
		cols, _ := r[3].(string)
		have[indexKey(strings.Split(cols, ","), unique, method)] = name
	}
	want := map[string]any{}
	var wantOrder []string
	list, _ := x.cfg("indexes").([]any)
	for _, raw := range list {
		ic, err := indexConfig(raw)
		if err != nil {
			return nil, err
		}
		k := indexKey(ic.Columns, ic.Unique, ic.Type)
		if _, dup := want[k]; !dup {
			wantOrder = append(wantOrder, k)
		}
		want[k] = raw
	}
	var drops, creates []string
	for _, k := range sortedKeysN(have) {
		if _, ok := want[k]; !ok {
			drops = append(drops, "drop index if exists "+dbtctx.QuoteIdent(rel.Schema)+"."+dbtctx.QuoteIdent(have[k]))
		}
	}
	for _, k := range wantOrder {
		if _, ok := have[k]; ok {
			continue
		}
		sql, err := createIndexSQL(rel, want[k])
		if err != nil {
			return nil, err
		}
		creates = append(creates, sql)
	}
	return append(drops, creates...), nil
}

func sortedKeysN(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
