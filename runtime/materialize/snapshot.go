package materialize

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/gdbt/gdbt/compiler/dbtctx"
)

const snapshotNow = "now()::timestamp without time zone"

// snapCols are the snapshot meta column names (snapshot_meta_column_names
// renames them).
type snapCols struct {
	validTo, validFrom, scdID, updatedAt, isDeleted string
}

// snapStrategy is what dbt's snapshot strategy macros return.
type snapStrategy struct {
	keys       []string
	keyIsList  bool
	updatedAt  string
	rowChanged string
	scdID      string
	hardDelete string // ignore, invalidate, new_record
}

func (x *exec) snapCols() snapCols {
	c := snapCols{"dbt_valid_to", "dbt_valid_from", "dbt_scd_id", "dbt_updated_at", "dbt_is_deleted"}
	m, _ := x.cfg("snapshot_meta_column_names").(map[string]any)
	if m == nil {
		m, _ = x.cfg("snapshot_table_column_names").(map[string]any)
	}
	set := func(dst *string, k string) {
		if s, ok := m[k].(string); ok && s != "" {
			*dst = s
		}
	}
	set(&c.validTo, "dbt_valid_to")
	set(&c.validFrom, "dbt_valid_from")
	set(&c.scdID, "dbt_scd_id")
	set(&c.updatedAt, "dbt_updated_at")
	set(&c.isDeleted, "dbt_is_deleted")
	return c
}

func (x *exec) hardDeletes() (string, error) {
	if b, _ := x.cfg("invalidate_hard_deletes").(bool); b {
		return "invalidate", nil
	}
	h := x.n.Config.String("hard_deletes")
	switch h {
	case "", "ignore":
		return "ignore", nil
	case "invalidate", "new_record":
		return h, nil
	}
	return "", fmt.Errorf("Invalid setting for property hard_deletes: %s", h)
}

// scdHash is default__snapshot_hash_arguments.
func scdHash(args []string) string {
	var b strings.Builder
	b.WriteString("md5(")
	for i, a := range args {
		b.WriteString("coalesce(cast(" + a + " as varchar ), '')\n        ")
		if i < len(args)-1 {
			b.WriteString(" || '|' || ")
		}
	}
	b.WriteString(")")
	return b.String()
}

// columnsInQuery returns the column names sql produces.
func (x *exec) columnsInQuery(ctx context.Context, sql string) ([]string, error) {
	_, t, err := x.conn.Query(ctx, "select * from (\n"+sql+"\n) as __dbt_sbq\nwhere false\nlimit 0\n")
	if err != nil {
		return nil, err
	}
	return t.Names, nil
}

func (x *exec) snapshotStrategy(ctx context.Context, exists bool, target *dbtctx.Relation, cols snapCols) (*snapStrategy, error) {
	hd, err := x.hardDeletes()
	if err != nil {
		return nil, err
	}
	uk := x.cfg("unique_key")
	st := &snapStrategy{keys: keyList(uk), hardDelete: hd}
	_, st.keyIsList = uk.([]any)
	if len(st.keys) == 0 {
		return nil, fmt.Errorf("Snapshot is missing the required unique_key config")
	}
	switch name := x.n.Config.String("strategy"); name {
	case "timestamp":
		st.updatedAt = x.n.Config.String("updated_at")
		if st.updatedAt == "" {
			return nil, fmt.Errorf("Snapshots with the timestamp strategy require an updated_at config")
		}
		st.rowChanged = "(snapshotted_data." + cols.validFrom + " < source_data." + st.updatedAt + ")"
	case "check":
		st.updatedAt = x.n.Config.String("updated_at")
		if st.updatedAt == "" {
			st.updatedAt = snapshotNow
		}
		var check []string
		added := false
		if exists {
			var query []string
			switch cc := x.cfg("check_cols").(type) {
			case string:
				if cc != "all" {
					return nil, fmt.Errorf("Invalid value for 'check_cols': %s", cc)
				}
				if query, err = x.columnsInQuery(ctx, x.sql); err != nil {
					return nil, err
				}
			case []any:
				if len(cc) == 0 {
					return nil, fmt.Errorf("Invalid value for 'check_cols': []")
				}
				if query, err = x.columnsInQuery(ctx, "select "+strings.Join(stringList(cc), ", ")+" from (\n                "+x.sql+"\n            ) subq"); err != nil {
					return nil, err
				}
			default:
				return nil, fmt.Errorf("Invalid value for 'check_cols': %v", cc)
			}
			existing, err := x.conn.Columns(ctx, target)
			if err != nil {
				return nil, err
			}
			have := map[string]bool{}
			for _, c := range existing {
				have[c.Name] = true
			}
			for _, q := range query {
				if have[q] {
					check = append(check, dbtctx.QuoteIdent(q))
				} else {
					added = true
				}
			}
		}
		var b strings.Builder
		b.WriteString("(")
		if added {
			b.WriteString("TRUE")
		} else {
			for i, c := range check {
				s, d := "snapshotted_data."+c, "source_data."+c
				b.WriteString(s + " != " + d + "\n        or\n        (\n            ((" + s + " is null) and not (" + d + " is null))\n            or\n            ((not " +
					s + " is null) and (" + d + " is null))\n        )")
				if i < len(check)-1 {
					b.WriteString(" or ")
				}
			}
		}
		b.WriteString(")")
		st.rowChanged = b.String()
	case "":
		return nil, fmt.Errorf("Snapshot is missing the required strategy config")
	default:
		return nil, fmt.Errorf("The specified strategy macro '%s' was not found in package 'None'", name)
	}
	st.scdID = scdHash(append(append([]string{}, st.keys...), st.updatedAt))
	return st, nil
}

func (st *snapStrategy) keyFields() string {
	if !st.keyIsList {
		return st.keys[0] + " as dbt_unique_key"
	}
	parts := make([]string, len(st.keys))
	for i, k := range st.keys {
		parts[i] = fmt.Sprintf("%s as dbt_unique_key_%d", k, i+1)
	}
	return strings.Join(parts, " , ")
}

func (st *snapStrategy) joinOn(a, b string) string {
	if !st.keyIsList {
		return a + ".dbt_unique_key = " + b + ".dbt_unique_key"
	}
	parts := make([]string, len(st.keys))
	for i := range st.keys {
		parts[i] = fmt.Sprintf("%s.dbt_unique_key_%d = %s.dbt_unique_key_%d", a, i+1, b, i+1)
	}
	return strings.Join(parts, " and ")
}

func (st *snapStrategy) keyIsNull(a string) string {
	if st.keyIsList {
		return a + ".dbt_unique_key_1 is null"
	}
	return a + ".dbt_unique_key is null"
}

func (st *snapStrategy) keyIsNotNull(a string) string {
	if st.keyIsList {
		return a + ".dbt_unique_key_1 is not null"
	}
	return a + ".dbt_unique_key is not null"
}

func (x *exec) validToCurrent(st *snapStrategy, c snapCols) string {
	cur := x.n.Config.String("dbt_valid_to_current")
	if cur == "" {
		cur = "null"
	}
	return "coalesce(nullif(" + st.updatedAt + ", " + st.updatedAt + "), " + cur + ")\n  as " + c.validTo
}

// buildSnapshotTable is default__build_snapshot_table.
func (x *exec) buildSnapshotTable(st *snapStrategy, c snapCols) string {
	s := "\n    select *,\n        " + st.scdID + " as " + c.scdID + ",\n        " + st.updatedAt + " as " + c.updatedAt + ",\n        " +
		st.updatedAt + " as " + c.validFrom + ",\n        " + x.validToCurrent(st, c)
	if st.hardDelete == "new_record" {
		s += ", 'False' as " + c.isDeleted + "\n      "
	}
	return s + "\n    from (\n        " + x.sql + "\n    ) sbq\n"
}

// stagingSQL is default__snapshot_staging_table.
func (x *exec) stagingSQL(ctx context.Context, st *snapStrategy, c snapCols, target *dbtctx.Relation) (string, error) {
	cur := x.n.Config.String("dbt_valid_to_current")
	var b strings.Builder
	w := b.WriteString
	w("\n    with snapshot_query as (\n\n        " + x.sql + "\n\n    ),\n\n    snapshotted_data as (\n\n        select *, " + st.keyFields() + "\n        from " + target.String() + "\n        where\n            ")
	if cur != "" {
		w("( " + c.validTo + " = " + cur + " or " + c.validTo + " is null )")
	} else {
		w(c.validTo + " is null")
	}
	w("\n\n    ),\n\n    insertions_source_data as (\n\n        select *, " + st.keyFields() + ",\n            " + st.updatedAt + " as " + c.updatedAt + ",\n            " +
		st.updatedAt + " as " + c.validFrom + ",\n            " + x.validToCurrent(st, c) + ",\n            " + st.scdID + " as " + c.scdID + "\n\n        from snapshot_query\n    ),\n\n")
	w("    updates_source_data as (\n\n        select *, " + st.keyFields() + ",\n            " + st.updatedAt + " as " + c.updatedAt + ",\n            " +
		st.updatedAt + " as " + c.validFrom + ",\n            " + st.updatedAt + " as " + c.validTo + "\n\n        from snapshot_query\n    ),\n")
	del := st.hardDelete == "invalidate" || st.hardDelete == "new_record"
	nr := st.hardDelete == "new_record"
	if del {
		w("\n    deletes_source_data as (\n\n        select *, " + st.keyFields() + "\n        from snapshot_query\n    ),\n")
	}
	changed := st.rowChanged
	if nr {
		changed += " or snapshotted_data." + c.isDeleted + " = 'True'"
	}
	w("\n    insertions as (\n\n        select\n            'insert' as dbt_change_type,\n            source_data.*")
	if nr {
		w(",'False' as " + c.isDeleted)
	}
	w("\n\n        from insertions_source_data as source_data\n        left outer join snapshotted_data\n            on " + st.joinOn("snapshotted_data", "source_data") +
		"\n            where " + st.keyIsNull("snapshotted_data") + "\n            or (" + st.keyIsNotNull("snapshotted_data") + " and (\n               " + changed + "\n            )\n\n        )\n\n    ),\n\n")
	w("    updates as (\n\n        select\n            'update' as dbt_change_type,\n            source_data.*,\n            snapshotted_data." + c.scdID)
	if nr {
		w(", snapshotted_data." + c.isDeleted)
	}
	w("\n\n        from updates_source_data as source_data\n        join snapshotted_data\n            on " + st.joinOn("snapshotted_data", "source_data") +
		"\n        where (\n            " + changed + "\n        )\n    )")
	isCurrent := "snapshotted_data." + c.validTo + " is null"
	if cur != "" {
		isCurrent = "snapshotted_data." + c.validTo + " = " + cur
	}
	if del {
		w(",\n    deletes as (\n\n        select\n            'delete' as dbt_change_type,\n            source_data.*,\n            " + snapshotNow + " as " + c.validFrom +
			",\n            " + snapshotNow + " as " + c.updatedAt + ",\n            " + snapshotNow + " as " + c.validTo + ",\n            snapshotted_data." + c.scdID)
		if nr {
			w(", snapshotted_data." + c.isDeleted)
		}
		w("\n        from snapshotted_data\n        left join deletes_source_data as source_data\n            on " + st.joinOn("snapshotted_data", "source_data") +
			"\n            where " + st.keyIsNull("source_data"))
		if nr {
			w("\n            and not (\n                snapshotted_data." + c.isDeleted + " = 'True'\n                and\n                " + isCurrent + "\n            )")
		}
		w("\n    )")
	}
	if nr {
		snapCols, err := x.conn.Columns(ctx, target)
		if err != nil {
			return "", err
		}
		have := map[string]bool{}
		for _, col := range snapCols {
			have[col.Name] = true
		}
		srcCols, err := x.columnsInQuery(ctx, x.sql)
		if err != nil {
			return "", err
		}
		w(",\n    deletion_records as (\n\n        select\n            'insert' as dbt_change_type,")
		for _, name := range srcCols {
			if have[name] {
				w("snapshotted_data." + dbtctx.QuoteIdent(name) + ",")
			} else {
				w("source_data." + dbtctx.QuoteIdent(name) + ",")
			}
			w("\n            ")
		}
		if st.keyIsList {
			for i, k := range st.keys {
				w(fmt.Sprintf("snapshotted_data.%s as dbt_unique_key_%d,\n                ", k, i+1))
			}
		} else {
			w("snapshotted_data.dbt_unique_key as dbt_unique_key,\n            ")
		}
		newSCD := scdHash([]string{c.scdID, snapshotNow})
		w(snapshotNow + " as " + c.validFrom + ",\n            " + snapshotNow + " as " + c.updatedAt + ",\n            snapshotted_data." + c.validTo + " as " + c.validTo +
			",\n            " + newSCD + " as " + c.scdID + ",\n            'True' as " + c.isDeleted + "\n        from snapshotted_data\n        left join deletes_source_data as source_data\n            on " +
			st.joinOn("snapshotted_data", "source_data") + "\n        where " + st.keyIsNull("source_data") + "\n        and not (\n            snapshotted_data." + c.isDeleted +
			" = 'True'\n            and\n            " + isCurrent + "\n            )\n\n    )")
	}
	w("\n\n    select * from insertions\n    union all\n    select * from updates")
	if del {
		w("\n    union all\n    select * from deletes")
	}
	if nr {
		w("\n    union all\n    select * from deletion_records")
	}
	w("\n\n")
	return b.String(), nil
}

// snapshot is dbt's snapshot materialization.
func (x *exec) snapshot(ctx context.Context) (*Result, error) {
	if err := x.schema(ctx); err != nil {
		return nil, err
	}
	old, err := x.existing(ctx, x.this.Identifier)
	if err != nil {
		return nil, err
	}
	if old != nil && old.Type != "table" {
		return nil, &NodeError{Kind: CompilationError, Node: x.n, Err: fmt.Errorf("Trying to create table %s, but it currently exists as a %s. Either drop %s manually, or run dbt with `--full-refresh` and dbt will drop it for you.", x.this.String(), old.Type, x.this.String())}
	}
	target := x.rel(x.this.Identifier, "table")
	cols := x.snapCols()
	if err := x.hooks(ctx, "pre-hook", false); err != nil {
		return nil, err
	}
	if err := x.begin(ctx); err != nil {
		return nil, err
	}
	if err := x.hooks(ctx, "pre-hook", true); err != nil {
		return nil, err
	}
	st, err := x.snapshotStrategy(ctx, old != nil, target, cols)
	if err != nil {
		return nil, err
	}
	var final string
	from := -1
	var temp *dbtctx.Relation
	if old == nil {
		build := x.buildSnapshotTable(st, cols)
		final, from, err = x.createTableAs(ctx, false, target, build)
		if err != nil {
			return nil, err
		}
		if k := strings.Index(build, x.sql); k >= 0 && from >= 0 {
			from += k
		} else {
			from = -1
		}
	} else {
		staging, err := x.stagingSQL(ctx, st, cols, target)
		if err != nil {
			return nil, err
		}
		now := time.Now()
		temp = dbtctx.NewRelation("", "", suffixed(target.Identifier, "__dbt_tmp"+now.Format("150405")+fmt.Sprintf("%06d", now.Nanosecond()/1000)), "table")
		temp.IncludeDatabase, temp.IncludeSchema = false, false
		tmpSQL, tfrom, err := x.createTableAs(ctx, true, temp, staging)
		if err != nil {
			return nil, err
		}
		if k := strings.Index(staging, x.sql); k >= 0 && tfrom >= 0 {
			x.mainSQL, x.mainFrom = tmpSQL, tfrom+k
		}
		if _, err := x.conn.Exec(ctx, tmpSQL); err != nil {
			return nil, err
		}
		if err := x.expandColumnTypes(ctx, temp, target); err != nil {
			return nil, err
		}
		remove := map[string]bool{"dbt_change_type": true, "DBT_CHANGE_TYPE": true, "dbt_unique_key": true, "DBT_UNIQUE_KEY": true}
		if st.keyIsList {
			for i := range st.keys {
				remove[fmt.Sprintf("dbt_unique_key_%d", i+1)] = true
				remove[fmt.Sprintf("DBT_UNIQUE_KEY_%d", i+1)] = true
			}
		}
		stagingCols, err := x.conn.Columns(ctx, temp)
		if err != nil {
			return nil, err
		}
		targetCols, err := x.conn.Columns(ctx, target)
		if err != nil {
			return nil, err
		}
		have := map[string]bool{}
		for _, c := range targetCols {
			have[strings.ToLower(c.Name)] = true
		}
		var insert []string
		for _, c := range stagingCols {
			if remove[c.Name] {
				continue
			}
			if !have[strings.ToLower(c.Name)] {
				if _, err := x.conn.Exec(ctx, "alter table "+target.String()+" add column "+dbtctx.QuoteIdent(c.Name)+" "+c.FullType()+";"); err != nil {
					return nil, err
				}
			}
			insert = append(insert, dbtctx.QuoteIdent(c.Name))
		}
		final = x.snapshotMerge(target, temp, insert, cols)
	}
	var resp *dbtctx.Response
	if from >= 0 {
		resp, err = x.main(ctx, final, from)
	} else {
		resp, err = x.conn.Exec(ctx, final)
	}
	if err != nil {
		return nil, err
	}
	if err := x.grants(ctx, target, old != nil); err != nil {
		return nil, err
	}
	if err := x.persistDocs(ctx, target); err != nil {
		return nil, err
	}
	if old == nil {
		if err := x.indexes(ctx, target); err != nil {
			return nil, err
		}
	}
	if err := x.hooks(ctx, "post-hook", true); err != nil {
		return nil, err
	}
	x.conn.Created(target)
	if err := x.commit(ctx); err != nil {
		return nil, err
	}
	if temp != nil {
		if _, err := x.conn.Exec(ctx, "drop table if exists "+temp.String()); err != nil {
			return nil, err
		}
	}
	if err := x.hooks(ctx, "post-hook", false); err != nil {
		return nil, err
	}
	return &Result{Status: Success, Message: resp.Message, Response: resp, MainSQL: final}, nil
}

// snapshotMerge is postgres__snapshot_merge_sql.
func (x *exec) snapshotMerge(target, source *dbtctx.Relation, insert []string, c snapCols) string {
	t := target.String()
	var b strings.Builder
	b.WriteString("\n    update " + t + "\n    set " + c.validTo + " = DBT_INTERNAL_SOURCE." + c.validTo + "\n    from " + source.String() + " as DBT_INTERNAL_SOURCE\n    where DBT_INTERNAL_SOURCE." +
		c.scdID + "::text = " + t + "." + c.scdID + "::text\n      and DBT_INTERNAL_SOURCE.dbt_change_type::text in ('update'::text, 'delete'::text)\n      ")
	if cur := x.n.Config.String("dbt_valid_to_current"); cur != "" {
		b.WriteString("and (" + t + "." + c.validTo + " = " + cur + " or " + t + "." + c.validTo + " is null);\n")
	} else {
		b.WriteString("and " + t + "." + c.validTo + " is null;\n")
	}
	cols := strings.Join(insert, ", ")
	src := make([]string, len(insert))
	for i, col := range insert {
		src[i] = "DBT_INTERNAL_SOURCE." + col
	}
	b.WriteString("\n\n    insert into " + t + " (" + cols + ")\n    select " + strings.Join(src, ", ") + "\n    from " + source.String() +
		" as DBT_INTERNAL_SOURCE\n    where DBT_INTERNAL_SOURCE.dbt_change_type::text = 'insert'::text;\n")
	return b.String()
}
