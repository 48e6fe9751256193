package materialize

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/gdbt/gdbt/compiler/dbtctx"
	"github.com/gdbt/gdbt/compiler/jinja"
)

// builtinStrategies are dbt's built-in incremental strategies; those
// Postgres supports are valid.
var builtinStrategies = map[string]bool{"append": true, "delete+insert": true, "merge": true, "insert_overwrite": true, "microbatch": true}
var validStrategies = map[string]bool{"append": true, "delete+insert": true, "merge": true, "microbatch": true, "default": true}

// shouldFullRefresh is dbt's should_full_refresh: the model's full_refresh
// config wins over the --full-refresh flag.
func (x *exec) shouldFullRefresh() bool {
	if x.batch != nil && x.batch.incremental {
		return false
	}
	if v, ok := x.cfg("full_refresh").(bool); ok {
		return v
	}
	return x.r.FullRefresh
}

// incremental is dbt's incremental materialization.
func (x *exec) incremental(ctx context.Context) (*Result, error) {
	if err := x.schema(ctx); err != nil {
		return nil, err
	}
	existing, err := x.existing(ctx, x.this.Identifier)
	if err != nil {
		return nil, err
	}
	target := x.rel(x.this.Identifier, "table")
	intermediate := x.rel(suffixed(target.Identifier, "__dbt_tmp"), "table")
	now := time.Now()
	tmpSuffix := "__dbt_tmp"
	if x.batch != nil {
		// Each batch gets its own temporary table (make_temp_relation).
		tmpSuffix += "_" + x.batch.batch.ID
	}
	tempName := suffixed(target.Identifier, tmpSuffix+now.Format("150405")+fmt.Sprintf("%06d", now.Nanosecond()/1000))
	temp := dbtctx.NewRelation("", "", tempName, "table")
	temp.IncludeDatabase, temp.IncludeSchema = false, false
	fullRefresh := x.shouldFullRefresh() || (existing != nil && existing.Type == "view")
	osc := x.n.Config.String("on_schema_change")
	switch osc {
	case "sync_all_columns", "append_new_columns", "fail", "ignore":
	default:
		if osc != "" && x.r.Log != nil {
			x.r.Log(fmt.Sprintf("Invalid value for on_schema_change (%s) specified. Setting default value of %s.", osc, "ignore"))
		}
		osc = "ignore"
	}

	if err := x.hooks(ctx, "pre-hook", false); err != nil {
		return nil, err
	}
	if err := x.begin(ctx); err != nil {
		return nil, err
	}
	if err := x.dropIfExists(ctx, intermediate.Identifier); err != nil {
		return nil, err
	}
	if err := x.dropIfExists(ctx, suffixed(target.Identifier, "__dbt_backup")); err != nil {
		return nil, err
	}
	if err := x.hooks(ctx, "pre-hook", true); err != nil {
		return nil, err
	}
	strategy, err := x.strategy()
	if err != nil {
		return nil, err
	}

	var stmt string
	from := -1
	var forIndexes *dbtctx.Relation
	swap := false
	switch {
	case existing == nil:
		stmt, from, err = x.createTableAs(ctx, false, target, x.sql)
		forIndexes = target
	case fullRefresh:
		stmt, from, err = x.createTableAs(ctx, false, intermediate, x.sql)
		forIndexes = intermediate
		swap = true
	default:
		var tmpSQL string
		tmpSQL, from, err = x.createTableAs(ctx, true, temp, x.sql)
		if err != nil {
			return nil, err
		}
		// Errors in the model's SQL surface here: point them at it.
		x.mainSQL, x.mainFrom = tmpSQL, from
		if _, err := x.conn.Exec(ctx, tmpSQL); err != nil {
			return nil, err
		}
		forIndexes = temp
		if !x.contractEnforced() {
			if err := x.expandColumnTypes(ctx, temp, target); err != nil {
				return nil, err
			}
		}
		dest, serr := x.schemaChanges(ctx, osc, temp, target)
		if serr != nil {
			return nil, serr
		}
		if dest == nil {
			if dest, serr = x.conn.Columns(ctx, target); serr != nil {
				return nil, serr
			}
		}
		// err, not a new variable: a failing strategy must reach the
		// check after the switch.
		stmt, err = x.strategySQL(ctx, strategy, target, temp, dest)
		from = -1
	}
	if err != nil {
		return nil, err
	}
	var resp *dbtctx.Response
	if from >= 0 {
		resp, err = x.main(ctx, stmt, from)
	} else {
		resp, err = x.conn.Exec(ctx, stmt)
	}
	if err != nil {
		return nil, err
	}
	if existing == nil || existing.Type == "view" || x.shouldFullRefresh() {
		if err := x.indexes(ctx, forIndexes); err != nil {
			return nil, err
		}
	}
	if swap {
		if err := x.swapIn(ctx, existing, intermediate, target); err != nil {
			return nil, err
		}
	}
	if err := x.grants(ctx, target, existing != nil && !fullRefresh); err != nil {
		return nil, err
	}
	if err := x.persistDocs(ctx, target); err != nil {
		return nil, err
	}
	if err := x.hooks(ctx, "post-hook", true); err != nil {
		return nil, err
	}
	x.conn.Created(target)
	if err := x.commit(ctx); err != nil {
		return nil, err
	}
	if forIndexes == temp {
		// Pooled sessions outlive the node: drop its temporary table.
		if _, err := x.conn.Exec(ctx, "drop table if exists "+temp.String()); err != nil {
			return nil, err
		}
	}
	if err := x.hooks(ctx, "post-hook", false); err != nil {
		return nil, err
	}
	return &Result{Status: Success, Message: resp.Message, Response: resp, MainSQL: stmt}, nil
}

func (x *exec) contractEnforced() bool {
	c, _ := x.cfg("contract").(map[string]any)
	b, _ := c["enforced"].(bool)
	return b
}

// strategy validates incremental_strategy as dbt's
// get_incremental_strategy_macro does (before anything is built, so a bad
// strategy fails on the first run too) and returns it.
func (x *exec) strategy() (string, error) {
	s := x.n.Config.String("incremental_strategy")
	if s == "" {
		s = "default"
	}
	if builtinStrategies[s] && !validStrategies[s] {
		return "", fmt.Errorf("The incremental strategy '%s' is not valid for this adapter", s)
	}
	if !validStrategies[s] {
		name := "get_incremental_" + strings.ReplaceAll(s, "+", "_") + "_sql"
		if x.override(name) == "" {
			return "", fmt.Errorf("dbt could not find an incremental strategy macro with the name \"%s\" in %s", name, x.r.C.Env().ProjectName)
		}
	}
	return s, nil
}

// strategySQL renders the strategy's statement: an override macro when the
// project defines one, else dbt's SQL shapes.
func (x *exec) strategySQL(ctx context.Context, strategy string, target, temp *dbtctx.Relation, dest []*dbtctx.Column) (string, error) {
	uniqueKey := x.cfg("unique_key")
	preds := x.cfg("incremental_predicates")
	if p := x.cfg("predicates"); p != nil {
		preds = p
	}
	argDict := func() *jinja.Dict {
		d := jinja.NewDict()
		d.Set("target_relation", target)
		d.Set("temp_relation", temp)
		d.Set("unique_key", dbtctx.FromGo(uniqueKey))
		cols := &jinja.List{}
		for _, c := range dest {
			cols.Items = append(cols.Items, c)
		}
		d.Set("dest_columns", cols)
		d.Set("incremental_predicates", dbtctx.FromGo(preds))
		return d
	}
	name := "get_incremental_" + strings.ReplaceAll(strategy, "+", "_") + "_sql"
	if o := x.override(name, "postgres__"+name, "default__"+name); o != "" {
		return x.call(ctx, o, argDict())
	}
	keys := keyList(uniqueKey)
	if strategy == "default" {
		strategy = "append"
		if len(keys) > 0 {
			strategy = "delete+insert"
		}
		if o := x.override("get_incremental_"+strings.ReplaceAll(strategy, "+", "_")+"_sql", "default__get_incremental_"+strings.ReplaceAll(strategy, "+", "_")+"_sql"); o != "" {
			return x.call(ctx, o, argDict())
		}
	}
	if strategy == "microbatch" {
		if len(keys) == 0 {
			return "", fmt.Errorf("dbt-postgres 'microbatch' requires a `unique_key` config")
		}
		strategy = "merge"
	}
	predList := stringList(preds)
	cols := quotedCSV(dest)
	switch strategy {
	case "append":
		if o := x.override("get_insert_into_sql"); o != "" {
			return x.call(ctx, o, target, temp, toColumns(dest))
		}
		return insertInto(target, temp, cols), nil
	case "delete+insert":
		if o := x.override("get_delete_insert_merge_sql", "postgres__get_delete_insert_merge_sql", "default__get_delete_insert_merge_sql"); o != "" {
			return x.call(ctx, o, target, temp, dbtctx.FromGo(uniqueKey), toColumns(dest), dbtctx.FromGo(preds))
		}
		var b strings.Builder
		if len(keys) > 0 {
			k := strings.Join(keys, ", ")
			b.WriteString("delete from " + target.String() + " as DBT_INTERNAL_DEST\n        where (" + k + ") in (\n            select distinct " + k +
				"\n            from " + temp.String() + " as DBT_INTERNAL_SOURCE\n        )")
			for _, p := range predList {
				b.WriteString("\n            and " + p)
			}
			b.WriteString(";\n\n    ")
		}
		b.WriteString(insertInto(target, temp, cols))
		return b.String(), nil
	case "merge":
		if o := x.override("get_merge_sql", "postgres__get_merge_sql", "default__get_merge_sql"); o != "" {
			return x.call(ctx, o, target, temp, dbtctx.FromGo(uniqueKey), toColumns(dest), dbtctx.FromGo(preds))
		}
		return x.mergeSQL(target, temp, uniqueKey, keys, dest, predList)
	}
	return "", fmt.Errorf("unsupported incremental strategy %q", strategy)
}

func insertInto(target, temp *dbtctx.Relation, cols string) string {
	return "insert into " + target.String() + " (" + cols + ")\n    (\n        select " + cols + "\n        from " + temp.String() + "\n    )"
}

// mergeSQL is dbt's default__get_merge_sql (Postgres 15+ MERGE).
func (x *exec) mergeSQL(target, temp *dbtctx.Relation, uniqueKey any, keys []string, dest []*dbtctx.Column, preds []string) (string, error) {
	var on []string
	on = append(on, preds...)
	if len(keys) == 0 {
		on = append(on, "FALSE")
	} else if _, isList := uniqueKey.([]any); isList {
		for _, k := range keys {
			on = append(on, "DBT_INTERNAL_SOURCE."+k+" = DBT_INTERNAL_DEST."+k)
		}
	} else {
		on = append(on, "DBT_INTERNAL_SOURCE."+keys[0]+" = DBT_INTERNAL_DEST."+keys[0])
	}
	update := stringList(x.cfg("merge_update_columns"))
	exclude := stringList(x.cfg("merge_exclude_columns"))
	if len(update) > 0 && len(exclude) > 0 {
		return "", fmt.Errorf("Model cannot specify merge_update_columns and merge_exclude_columns. Please update model to use only one config")
	}
	if len(update) == 0 {
		for _, c := range dest {
			if !contains(exclude, c.Name) {
				update = append(update, dbtctx.QuoteIdent(c.Name))
			}
		}
	}
	cols := quotedCSV(dest)
	var b strings.Builder
	if h, ok := x.cfg("sql_header").(string); ok && h != "" {
		b.WriteString(h + "\n")
	}
	b.WriteString("merge into " + target.String() + " as DBT_INTERNAL_DEST\n        using " + temp.String() + " as DBT_INTERNAL_SOURCE\n        on (" +
		strings.Join(on, ") and (") + ")\n")
	if len(keys) > 0 {
		b.WriteString("\n    when matched then update set\n        ")
		for i, c := range update {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(c + " = DBT_INTERNAL_SOURCE." + c)
		}
		b.WriteString("\n")
	}
	b.WriteString("\n    when not matched then insert\n        (" + cols + ")\n    values\n        (" + cols + ")\n")
	return b.String(), nil
}

// expandColumnTypes widens target string columns that the new data no
// longer fits (dbt's expand_target_column_types).
func (x *exec) expandColumnTypes(ctx context.Context, from, to *dbtctx.Relation) error {
	ref, err := x.conn.Columns(ctx, from)
	if err != nil {
		return err
	}
	cur, err := x.conn.Columns(ctx, to)
	if err != nil {
		return err
	}
	byName := map[string]*dbtctx.Column{}
	for _, c := range cur {
		byName[c.Name] = c
	}
	for _, rc := range ref {
		tc := byName[rc.Name]
		if tc == nil || !isString(tc) || !isString(rc) || stringSize(rc) <= stringSize(tc) {
			continue
		}
		if err := x.alterColumnType(ctx, to, rc.Name, fmt.Sprintf("character varying(%d)", stringSize(rc))); err != nil {
			return err
		}
	}
	return nil
}

func isString(c *dbtctx.Column) bool {
	switch strings.ToLower(c.DataType) {
	case "text", "character varying", "character", "varchar":
		return true
	}
	return false
}

func stringSize(c *dbtctx.Column) int64 {
	if strings.ToLower(c.DataType) == "text" || c.CharSize == nil {
		return 256
	}
	return *c.CharSize
}

func (x *exec) alterColumnType(ctx context.Context, rel *dbtctx.Relation, col, typ string) error {
	tmp := dbtctx.QuoteIdent(col + "__dbt_alter")
	q := dbtctx.QuoteIdent(col)
	r := rel.String()
	_, err := x.conn.Exec(ctx, "alter table "+r+" add column "+tmp+" "+typ+";\n"+
		"update "+r+" set "+tmp+" = "+q+";\n"+
		"alter table "+r+" drop column "+q+" cascade;\n"+
		"alter table "+r+" rename column "+tmp+" to "+q)
	return err
}

// schemaChanges is dbt's process_schema_changes: it returns the source
// columns to insert, or nil for on_schema_change=ignore.
func (x *exec) schemaChanges(ctx context.Context, osc string, source, target *dbtctx.Relation) ([]*dbtctx.Column, error) {
	if osc == "ignore" {
		return nil, nil
	}
	src, err := x.conn.Columns(ctx, source)
	if err != nil {
		return nil, err
	}
	tgt, err := x.conn.Columns(ctx, target)
	if err != nil {
		return nil, err
	}
	add := diffColumns(src, tgt)
	remove := diffColumns(tgt, src)
	type change struct{ name, typ string }
	var changed []change
	for _, sc := range src {
		for _, tc := range tgt {
			if tc.Name == sc.Name && sc.FullType() != tc.FullType() && !(isString(tc) && isString(sc) && stringSize(sc) > stringSize(tc)) {
				changed = append(changed, change{tc.Name, sc.FullType()})
			}
		}
	}
	if len(add) == 0 && len(remove) == 0 && len(changed) == 0 {
		return src, nil
	}
	reprCols := func(cs []*dbtctx.Column) string {
		parts := make([]string, len(cs))
		for i, c := range cs {
			parts[i] = c.Repr()
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	reprChanges := func() string {
		parts := make([]string, len(changed))
		for i, c := range changed {
			parts[i] = "{'column_name': '" + c.name + "', 'new_type': '" + c.typ + "'}"
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	switch osc {
	case "fail":
		return nil, &NodeError{Kind: CompilationError, Node: x.n, Err: fmt.Errorf(`The source and target schemas on this incremental model are out of sync!
They can be reconciled in several ways:
  - set the `+"`on_schema_change`"+` config to either append_new_columns or sync_all_columns, depending on your situation.
  - Re-run the incremental model with `+"`full_refresh: True`"+` to update the target schema.
  - update the schema manually and re-run the process.

Additional troubleshooting context:
   Source columns not in target: %s
   Target columns not in source: %s
   New column types: %s`, reprCols(add), reprCols(remove), reprChanges())}
	case "append_new_columns":
		if len(add) > 0 {
			if err := x.addRemoveColumns(ctx, target, add, nil); err != nil {
				return nil, err
			}
		}
	case "sync_all_columns":
		if len(add) > 0 || len(remove) > 0 {
			if err := x.addRemoveColumns(ctx, target, add, remove); err != nil {
				return nil, err
			}
		}
		for _, c := range changed {
			if err := x.alterColumnType(ctx, target, c.name, c.typ); err != nil {
				return nil, err
			}
		}
	}
	return src, nil
}

func diffColumns(a, b []*dbtctx.Column) []*dbtctx.Column {
	var out []*dbtctx.Column
	for _, c := range a {
		found := false
		for _, d := range b {
			if d.Name == c.Name {
				found = true
				break
			}
		}
		if !found {
			out = append(out, c)
		}
	}
	return out
}

func (x *exec) addRemoveColumns(ctx context.Context, rel *dbtctx.Relation, add, remove []*dbtctx.Column) error {
	var parts []string
	for _, c := range add {
		parts = append(parts, "add column "+dbtctx.QuoteIdent(c.Name)+" "+c.FullType())
	}
	for _, c := range remove {
		parts = append(parts, "drop column "+dbtctx.QuoteIdent(c.Name))
	}
	_, err := x.conn.Exec(ctx, "alter table "+rel.String()+"\n  "+strings.Join(parts, ",\n  "))
	return err
}

func quotedCSV(cols []*dbtctx.Column) string {
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = dbtctx.QuoteIdent(c.Name)
	}
	return strings.Join(parts, ", ")
}

func toColumns(cols []*dbtctx.Column) *jinja.List {
	l := &jinja.List{}
	for _, c := range cols {
		l.Items = append(l.Items, c)
	}
	return l
}

// keyList reads unique_key: a string or a list of strings.
func keyList(v any) []string {
	return stringList(v)
}

func stringList(v any) []string {
	switch x := v.(type) {
	case string:
		if x == "" {
			return nil
		}
		return []string{x}
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			out = append(out, fmt.Sprint(e))
		}
		return out
	case []string:
		return x
	}
	return nil
}
