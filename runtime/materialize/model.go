package materialize

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/gdbt/gdbt/compiler/dbtctx"
)

// createTableAs returns dbt-postgres's create_table_as statement and the
// offset of sql in it.
func (x *exec) createTableAs(ctx context.Context, temporary bool, rel *dbtctx.Relation, sql string) (string, int, error) {
	if name := x.override("get_create_table_as_sql", "default__get_create_table_as_sql", "postgres__get_create_table_as_sql",
		"create_table_as", "postgres__create_table_as", "default__create_table_as"); name != "" {
		out, err := x.call(ctx, name, temporary, rel, sql)
		return out, strings.Index(out, sql), err
	}
	if x.contractEnforced() {
		if err := x.assertContract(ctx, sql); err != nil {
			return "", 0, err
		}
		if !temporary {
			stmt, from := x.contractTableSQL(rel, sql)
			return stmt, from, nil
		}
	}
	var b strings.Builder
	if h, ok := x.cfg("sql_header").(string); ok && h != "" {
		b.WriteString(h)
	}
	b.WriteString("\n\n  create ")
	if temporary {
		b.WriteString("temporary ")
	} else if x.n.Config.Bool("unlogged") {
		b.WriteString("unlogged ")
	}
	b.WriteString("table " + rel.String() + "\n  \n  \n    as\n  \n  (\n    ")
	from := b.Len()
	b.WriteString(sql)
	b.WriteString("\n  );")
	return b.String(), from, nil
}

// createViewAs returns the create view statement and the offset of sql.
func (x *exec) createViewAs(ctx context.Context, rel *dbtctx.Relation, sql string) (string, int, error) {
	if name := x.override("get_create_view_as_sql", "default__get_create_view_as_sql", "postgres__get_create_view_as_sql",
		"create_view_as", "postgres__create_view_as", "default__create_view_as"); name != "" {
		out, err := x.call(ctx, name, rel, sql)
		return out, strings.Index(out, sql), err
	}
	if x.contractEnforced() {
		if err := x.assertContract(ctx, sql); err != nil {
			return "", 0, err
		}
	}
	var b strings.Builder
	if h, ok := x.cfg("sql_header").(string); ok && h != "" {
		b.WriteString(h)
	}
	b.WriteString("\n  create view " + rel.String() + "\n    \n    \n  as (\n    ")
	from := b.Len()
	b.WriteString(sql)
	b.WriteString("\n  );")
	return b.String(), from, nil
}

func (x *exec) dropIfExists(ctx context.Context, identifier string) error {
	old, err := x.existing(ctx, identifier)
	if err != nil || old == nil {
		return err
	}
	return x.conn.DropRelation(ctx, old)
}

// swapIn renames the existing relation (if any) to the backup name, the
// intermediate to the target, and drops the backup — all inside the open
// transaction, so an error anywhere leaves the old relation in place and
// an interruption leaves no backup behind.
func (x *exec) swapIn(ctx context.Context, existing, intermediate, target *dbtctx.Relation) error {
	if existing != nil {
		backup := x.rel(suffixed(target.Identifier, "__dbt_backup"), existing.Type)
		if err := x.conn.RenameRelation(ctx, existing, backup); err != nil {
			return err
		}
		if err := x.conn.RenameRelation(ctx, intermediate, target); err != nil {
			return err
		}
		return x.conn.DropRelation(ctx, backup)
	}
	return x.conn.RenameRelation(ctx, intermediate, target)
}

// view is dbt's view materialization.
func (x *exec) view(ctx context.Context) (*Result, error) {
	return x.replace(ctx, "view")
}

// table is dbt's table materialization.
func (x *exec) table(ctx context.Context) (*Result, error) {
	return x.replace(ctx, "table")
}

// replace builds the relation under an intermediate name and swaps it in.
func (x *exec) replace(ctx context.Context, typ string) (*Result, error) {
	if err := x.schema(ctx); err != nil {
		return nil, err
	}
	existing, err := x.existing(ctx, x.this.Identifier)
	if err != nil {
		return nil, err
	}
	target := x.rel(x.this.Identifier, typ)
	intermediate := x.rel(suffixed(target.Identifier, "__dbt_tmp"), typ)
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
	var stmt string
	var from int
	if typ == "view" {
		stmt, from, err = x.createViewAs(ctx, intermediate, x.sql)
	} else {
		stmt, from, err = x.createTableAs(ctx, false, intermediate, x.sql)
	}
	if err != nil {
		return nil, err
	}
	resp, err := x.main(ctx, stmt, from)
	if err != nil {
		return nil, err
	}
	if typ == "table" {
		if err := x.indexes(ctx, intermediate); err != nil {
			return nil, err
		}
	}
	if err := x.swapIn(ctx, existing, intermediate, target); err != nil {
		return nil, err
	}
	if err := x.grants(ctx, target, false); err != nil {
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
	if err := x.hooks(ctx, "post-hook", false); err != nil {
		return nil, err
	}
	return &Result{Status: Success, Message: resp.Message, Response: resp, MainSQL: stmt}, nil
}

// indexes creates the configured indexes (postgres__get_create_index_sql).
func (x *exec) indexes(ctx context.Context, rel *dbtctx.Relation) error {
	list, _ := x.cfg("indexes").([]any)
	for _, raw := range list {
		sql, err := createIndexSQL(rel, raw)
		if err != nil {
			return err
		}
		if _, err := x.conn.Exec(ctx, sql); err != nil {
			return err
		}
	}
	return nil
}

// indexConfig reads one entry of the indexes config.
func indexConfig(raw any) (*dbtctx.IndexConfig, error) {
	m, ok := raw.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("Invalid index config:\n  Got: %v\n  Expected a dictionary with at minimum a \"columns\" key", raw)
	}
	ic := &dbtctx.IndexConfig{}
	switch c := m["columns"].(type) {
	case []any:
		for _, e := range c {
			ic.Columns = append(ic.Columns, fmt.Sprint(e))
		}
	case string:
		ic.Columns = []string{c}
	}
	if len(ic.Columns) == 0 {
		return nil, fmt.Errorf("Could not parse index config: %v", raw)
	}
	ic.Unique, _ = m["unique"].(bool)
	ic.Type, _ = m["type"].(string)
	return ic, nil
}

// createIndexSQL is postgres__get_create_index_sql for one index config:
// the name is an md5 of the columns, relation, flags and the current time.
func createIndexSQL(rel *dbtctx.Relation, raw any) (string, error) {
	ic, err := indexConfig(raw)
	if err != nil {
		return "", err
	}
	sql := "create "
	if ic.Unique {
		sql += "unique "
	}
	sql += "index if not exists\n  \"" + ic.Name(rel, time.Now()) + "\"\n  on " + rel.String() + " "
	if ic.Type != "" {
		sql += "using " + ic.Type
	}
	return sql + "\n  (" + strings.Join(ic.Columns, ", ") + ")", nil
}

// grants applies the grants config: grant what is missing and, when the
// relation was not freshly created, revoke what is no longer configured.
func (x *exec) grants(ctx context.Context, rel *dbtctx.Relation, revoke bool) error {
	cfg, _ := x.cfg("grants").(map[string]any)
	if len(cfg) == 0 {
		return nil
	}
	want := map[string][]string{}
	for priv, v := range cfg {
		switch g := v.(type) {
		case []any:
			for _, e := range g {
				want[strings.ToLower(priv)] = append(want[strings.ToLower(priv)], fmt.Sprint(e))
			}
		case string:
			want[strings.ToLower(priv)] = append(want[strings.ToLower(priv)], g)
		}
	}
	have := map[string]map[string]bool{}
	if revoke {
		_, t, err := x.conn.Query(ctx, "select grantee, privilege_type\n  from information_schema.role_table_grants\n      where grantor = current_role\n        and grantee != current_role\n        and table_schema = "+literal(rel.Schema)+"\n        and table_name = "+literal(rel.Identifier))
		if err != nil {
			return err
		}
		for _, r := range t.Rows {
			p := strings.ToLower(fmt.Sprint(r[1]))
			if have[p] == nil {
				have[p] = map[string]bool{}
			}
			have[p][strings.ToLower(fmt.Sprint(r[0]))] = true
		}
		privs := sortedKeys(have)
		for _, p := range privs {
			var drop []string
			for _, g := range sortedSet(have[p]) {
				if !contains(want[p], g) {
					drop = append(drop, g)
				}
			}
			if len(drop) > 0 {
				if _, err := x.conn.Exec(ctx, "revoke "+p+" on "+rel.String()+" from "+strings.Join(drop, ", ")); err != nil {
					return err
				}
			}
		}
	}
	for _, p := range sortedKeysS(want) {
		var add []string
		for _, g := range want[p] {
			if !have[p][strings.ToLower(g)] {
				add = append(add, g)
			}
		}
		if len(add) > 0 {
			if _, err := x.conn.Exec(ctx, "grant "+p+" on "+rel.String()+" to "+strings.Join(add, ", ")); err != nil {
				return err
			}
		}
	}
	return nil
}

// persistDocs writes descriptions as comments (persist_docs config).
func (x *exec) persistDocs(ctx context.Context, rel *dbtctx.Relation) error {
	pd, _ := x.cfg("persist_docs").(map[string]any)
	if len(pd) == 0 {
		return nil
	}
	const magic = "$dbt_comment_literal_block$"
	escape := func(s string) (string, error) {
		if strings.Contains(s, magic) {
			return "", fmt.Errorf("The string %s is not allowed in comments.", magic)
		}
		return magic + s + magic, nil
	}
	if b, _ := pd["relation"].(bool); b && x.n.Description != "" {
		c, err := escape(x.n.Description)
		if err != nil {
			return err
		}
		kind := rel.Type
		if kind == "materialized_view" {
			kind = "materialized view"
		}
		if _, err := x.conn.Exec(ctx, "comment on "+kind+" "+rel.String()+" is "+c+";"); err != nil {
			return err
		}
	}
	if b, _ := pd["columns"].(bool); b && len(x.n.Columns) > 0 {
		existing, err := x.conn.Columns(ctx, rel)
		if err != nil {
			return err
		}
		var sql strings.Builder
		for _, col := range x.n.Columns {
			found := false
			for _, e := range existing {
				if e.Name == col.Name {
					found = true
				}
			}
			if !found {
				continue
			}
			c, err := escape(col.Description)
			if err != nil {
				return err
			}
			name := col.Name
			if q, _ := col.Quote.(bool); q {
				name = dbtctx.QuoteIdent(name)
			}
			sql.WriteString("comment on column " + rel.String() + "." + name + " is " + c + ";\n")
		}
		if sql.Len() > 0 {
			if _, err := x.conn.Exec(ctx, sql.String()); err != nil {
				return err
			}
		}
	}
	return nil
}

func literal(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func contains(list []string, s string) bool {
	for _, e := range list {
		if strings.EqualFold(e, s) {
			return true
		}
	}
	return false
}

func sortedKeys(m map[string]map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func sortedKeysS(m map[string][]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func sortedSet(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
