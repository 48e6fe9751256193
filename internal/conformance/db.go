package conformance

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/jackc/pgx/v5"
)

// The harness talks to Postgres directly (pgx) to create the per-tool databases
// and read back every relation. It is a test tool, like internal/pgtest.

func withDatabase(base, db string) (string, error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	u.Path = "/" + db
	return u.String(), nil
}

func execOn(ctx context.Context, dbURL string, sqls ...string) error {
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	for _, s := range sqls {
		// Simple protocol: a step's SQL may hold several statements.
		if _, err := conn.Exec(ctx, s, pgx.QueryExecModeSimpleProtocol); err != nil {
			return fmt.Errorf("%s: %w", firstLine(s), err)
		}
	}
	return nil
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i] + " …"
	}
	if len(s) > 120 {
		s = s[:120] + "…"
	}
	return s
}

func quoteIdent(s string) string { return pgx.Identifier{s}.Sanitize() }

// recreateDatabase drops db and creates it again from template.
func recreateDatabase(ctx context.Context, admin, db, template string) error {
	return execOn(ctx, admin,
		"DROP DATABASE IF EXISTS "+quoteIdent(db)+" WITH (FORCE)",
		"CREATE DATABASE "+quoteIdent(db)+" TEMPLATE "+quoteIdent(template))
}

// Relation is one table or view as the harness compares it.
type Relation struct {
	Schema  string   `json:"schema"`
	Name    string   `json:"name"`
	Kind    string   `json:"kind"`    // table, view, materialized view, partitioned table, foreign table
	Columns []string `json:"columns"` // "name type" in ordinal order
	Rows    int      `json:"rows"`
	names   []string
}

// Key is schema.name.
func (r *Relation) Key() string { return r.Schema + "." + r.Name }

var relkinds = map[string]string{"r": "table", "v": "view", "m": "materialized view", "p": "partitioned table", "f": "foreign table"}

// listRelations reads the kind and columns of every relation outside the system schemas.
func listRelations(ctx context.Context, conn *pgx.Conn) (map[string]*Relation, error) {
	rows, err := conn.Query(ctx, `
		select n.nspname, c.relname, c.relkind::text,
		       coalesce(array_agg(a.attname::text order by a.attnum) filter (where a.attnum > 0), '{}'),
		       coalesce(array_agg(format_type(a.atttypid, a.atttypmod) order by a.attnum) filter (where a.attnum > 0), '{}')
		from pg_class c
		join pg_namespace n on n.oid = c.relnamespace
		left join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
		where c.relkind in ('r', 'v', 'm', 'p', 'f')
		  and n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')
		  and n.nspname not like 'pg_temp%' and n.nspname not like 'pg_toast_temp%'
		group by 1, 2, 3`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]*Relation{}
	for rows.Next() {
		var r Relation
		var kind string
		var types []string
		if err := rows.Scan(&r.Schema, &r.Name, &kind, &r.names, &types); err != nil {
			return nil, err
		}
		r.Kind = relkinds[kind]
		for i, n := range r.names {
			r.Columns = append(r.Columns, n+" "+types[i])
		}
		out[r.Key()] = &r
	}
	return out, rows.Err()
}

// dumpRows reads cols of a relation as COPY text lines, counted as a multiset.
func dumpRows(ctx context.Context, conn *pgx.Conn, r *Relation, cols []string) (map[string]int, int, error) {
	sel := "*"
	if cols != nil {
		q := make([]string, len(cols))
		for i, c := range cols {
			q[i] = quoteIdent(c)
		}
		sel = strings.Join(q, ", ") // no common columns: zero columns, one empty line per row
	}
	var buf bytes.Buffer
	sql := fmt.Sprintf("COPY (SELECT %s FROM %s.%s) TO STDOUT", sel, quoteIdent(r.Schema), quoteIdent(r.Name))
	if _, err := conn.PgConn().CopyTo(ctx, &buf, sql); err != nil {
		return nil, 0, err
	}
	rows := map[string]int{}
	if buf.Len() == 0 {
		return rows, 0, nil
	}
	// Every row ends with \n (newlines inside values are escaped), so after the last
	// one is trimmed each element is a row, an empty one included.
	lines := bytes.Split(bytes.TrimSuffix(buf.Bytes(), []byte{'\n'}), []byte{'\n'})
	for _, line := range lines {
		rows[string(line)]++
	}
	return rows, len(lines), nil
}

// multisetDiff returns rows only in a and rows only in b (with repetition), sorted.
func multisetDiff(a, b map[string]int) (onlyA, onlyB []string) {
	for k, n := range a {
		for i := b[k]; i < n; i++ {
			onlyA = append(onlyA, k)
		}
	}
	for k, n := range b {
		for i := a[k]; i < n; i++ {
			onlyB = append(onlyB, k)
		}
	}
	sort.Strings(onlyA)
	sort.Strings(onlyB)
	return onlyA, onlyB
}
