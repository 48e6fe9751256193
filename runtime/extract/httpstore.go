package extract

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// colSet collects the top-level fields of records, in first-seen order,
// with the least type that fits every value.
type colSet struct {
	names []string
	kinds map[string]kind
}

func newColSet() *colSet { return &colSet{kinds: map[string]kind{}} }

func (c *colSet) observe(keys []string, vals []any) {
	for i, k := range keys {
		old, seen := c.kinds[k]
		if !seen {
			c.names = append(c.names, k)
		}
		c.kinds[k] = merge(old, jsonValueKind(vals[i]))
	}
}

// jsonValueKind types one JSON value. Strings stay text unless they are ISO
// dates or timestamps: APIs quote identifiers and codes, which must not turn
// into numbers.
func jsonValueKind(v any) kind {
	switch v := v.(type) {
	case nil:
		return kNull
	case bool:
		return kBool
	case json.Number:
		if _, err := strconv.ParseInt(v.String(), 10, 64); err == nil {
			return kInt
		}
		return kNumeric
	case string:
		switch k := classify(v); k {
		case kDate, kTimestamp, kTimestamptz:
			return k
		}
		return kText
	}
	return kJSON
}

// decodeObject decodes a JSON object keeping its key order.
func decodeObject(raw []byte) ([]string, []any, error) {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	if t, err := d.Token(); err != nil || t != json.Delim('{') {
		return nil, nil, fmt.Errorf("expected an object")
	}
	var keys []string
	var vals []any
	for d.More() {
		t, err := d.Token()
		if err != nil {
			return nil, nil, err
		}
		k, _ := t.(string)
		var v any
		if err := d.Decode(&v); err != nil {
			return nil, nil, err
		}
		keys = append(keys, k)
		vals = append(vals, v)
	}
	return keys, vals, nil
}

// stage copies one page's records into the run's temporary table.
func (r *httpRun) stage(ctx context.Context, tx pgx.Tx, records []json.RawMessage, safeURL string, page int) error {
	if len(records) == 0 {
		return nil
	}
	var buf []byte
	for i, rec := range records {
		if r.s.Columns == nil {
			keys, vals, err := decodeObject(rec)
			if err != nil {
				return &HTTPError{URL: safeURL, Page: page, Offset: -1, Msg: fmt.Sprintf("record %d: %v", i+1, err)}
			}
			r.cols.observe(keys, vals)
		}
		r.seq++
		buf = strconv.AppendInt(buf, r.seq, 10)
		buf = append(buf, '\t')
		buf = strconv.AppendInt(buf, int64(page), 10)
		buf = append(buf, '\t')
		buf = strconv.AppendInt(buf, int64(i+1), 10)
		buf = append(buf, '\t')
		buf = appendCopy(buf, safeURL)
		buf = append(buf, '\t')
		buf = appendCopy(buf, string(rec))
		buf = append(buf, '\n')
	}
	_, err := tx.Conn().PgConn().CopyFrom(ctx, bytes.NewReader(buf), `copy pg_temp._gdbt_stage (seq, page, idx, url, raw) from stdin`)
	if err != nil {
		var pg *pgconn.PgError
		if errors.As(err, &pg) {
			if _, line, _, ok := copyErrorAt(err); ok && line >= 1 && line <= len(records) {
				return &HTTPError{URL: safeURL, Page: page, Offset: -1,
					Msg: fmt.Sprintf("record %d: expected a JSON object PostgreSQL's jsonb accepts, found one it rejects (%s)", line, pg.Message)}
			}
		}
		return err
	}
	r.records += int64(len(records))
	return nil
}

// target is a column of the HTTP table and where its value comes from.
type target struct {
	name string
	typ  string
	path []string
}

// targets lists the table's columns: declared, or inferred from records.
func (r *httpRun) targets() []target {
	if r.s.Columns != nil {
		out := make([]target, len(r.s.Columns))
		for i, c := range r.s.Columns {
			out[i] = target{c.Name, c.Type, c.Path}
		}
		return out
	}
	var out []target
	for _, n := range r.cols.names {
		if isMetaColumn(n) {
			continue // a record field named like our columns stays in _raw only
		}
		out = append(out, target{n, r.cols.kinds[n].pgType(), []string{n}})
	}
	return out
}

// write moves the staged records into the table, advances the watermark
// and records the run in the ledger.
func (r *httpRun) write(ctx context.Context, tx pgx.Tx, ledgerKey, oldWM string) error {
	s, h := r.s, r.h
	rel := relation(s.Schema, s.Identifier)
	cols := r.targets()
	if err := r.prepareTable(ctx, tx, cols); err != nil {
		return err
	}
	if h.Mode == ModeReplace {
		if _, err := tx.Exec(ctx, `delete from `+rel); err != nil {
			return err
		}
	}
	var wrote int64
	if r.records > 0 {
		n, err := r.insert(ctx, tx, cols)
		if err != nil {
			return err
		}
		wrote = n
	}
	r.t.Rows = wrote

	wm := oldWM
	if h.Incremental != nil && r.records > 0 {
		typ := "text"
		if wc := r.watermarkColumn(cols); wc != nil {
			typ = wc.typ
		}
		var newWM *string
		err := tx.QueryRow(ctx, `select raw #>> $1::text[] from pg_temp._gdbt_stage
where raw #>> $1::text[] is not null order by (raw #>> $1::text[])::`+typ+` desc, seq desc limit 1`, h.Incremental.Field).Scan(&newWM)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("computing the watermark from field %s as %s: %w", strings.Join(h.Incremental.Field, "."), typ, err)
		}
		if newWM != nil {
			newer := true
			if oldWM != "" {
				if err := tx.QueryRow(ctx, `select $1::`+typ+` > $2::`+typ, *newWM, oldWM).Scan(&newer); err != nil {
					return fmt.Errorf("comparing watermarks as %s: %w", typ, err)
				}
			}
			if newer {
				wm = *newWM
			}
		}
	}
	r.t.Watermark = wm
	var wmArg any
	if h.Incremental != nil && wm != "" {
		wmArg = wm
	}
	_, err := tx.Exec(ctx, `insert into `+relation(s.Schema, ledgerTable)+` (target, kind, key, source, rows, bytes, watermark, loaded_at)
values ($1, 'http', $2, $3, $4, $5, $6, now())
on conflict (target, kind, key) do update set source = excluded.source, rows = excluded.rows,
	bytes = excluded.bytes, watermark = excluded.watermark, loaded_at = excluded.loaded_at`,
		s.Identifier, ledgerKey, r.t.URL, wrote, r.t.Bytes, wmArg)
	if err != nil {
		return err
	}
	if h.Mode == ModeReplace && r.records == 0 {
		r.t.Status = StatusLoaded // the table was emptied, which is a change
	}
	return nil
}

// prepareTable creates the table or adds missing columns to it, and takes
// the database's type for columns that exist.
func (r *httpRun) prepareTable(ctx context.Context, tx pgx.Tx, cols []target) error {
	s, h := r.s, r.h
	rel := relation(s.Schema, s.Identifier)
	existing, err := tableColumns(ctx, tx, s.Schema, s.Identifier)
	if err != nil {
		return err
	}
	if len(existing) == 0 {
		defs := make([]string, 0, len(cols)+4)
		for _, c := range cols {
			defs = append(defs, ident(c.name)+" "+c.typ)
		}
		defs = append(defs, ident(colRaw)+" jsonb not null", ident(colLoadedAt)+" timestamptz not null", ident(colSourceURL)+" text not null")
		if h.Mode == ModeMerge {
			pk := make([]string, len(h.PrimaryKey))
			for i, k := range h.PrimaryKey {
				pk[i] = ident(k)
			}
			defs = append(defs, "primary key ("+strings.Join(pk, ", ")+")")
		}
		if _, err := tx.Exec(ctx, `create table `+rel+` (`+strings.Join(defs, ", ")+`)`); err != nil {
			return fmt.Errorf("creating %s: %w", rel, err)
		}
		return nil
	}
	for _, m := range []string{colRaw, colLoadedAt, colSourceURL} {
		if findColumn(existing, m) == nil {
			return fmt.Errorf("expected existing table %s to have gdbt's column %s, found only %s", rel, m, columnNames(existing))
		}
	}
	declared := s.Columns != nil
	for i := range cols {
		c := &cols[i]
		e := findColumn(existing, c.name)
		if e == nil {
			// APIs grow fields; the value is in _raw already, so a new
			// column loses nothing.
			if _, err := tx.Exec(ctx, `alter table `+rel+` add column `+ident(c.name)+` `+c.typ); err != nil {
				return fmt.Errorf("adding column %s to %s: %w", ident(c.name), rel, err)
			}
			continue
		}
		if declared {
			oid, canon, err := resolveType(ctx, tx, c.typ)
			if err != nil {
				return fmt.Errorf("column %s: %w", c.name, err)
			}
			if oid != e.TypeOID {
				return fmt.Errorf("expected column %s of existing table %s to have the declared type %s, found %s", ident(c.name), rel, canon, e.Type)
			}
		}
		c.typ = e.Type
	}
	return nil
}

// watermarkColumn is the column holding the incremental field, if any.
func (r *httpRun) watermarkColumn(cols []target) *target {
	if r.h.Incremental == nil {
		return nil
	}
	want := strings.Join(r.h.Incremental.Field, ".")
	for i := range cols {
		if strings.Join(cols[i].path, ".") == want {
			return &cols[i]
		}
	}
	return nil
}

func valueExpr(c target, arg int) string {
	p := "$" + strconv.Itoa(arg) + "::text[]"
	switch strings.ToLower(c.typ) {
	case "jsonb":
		return "nullif(raw #> " + p + ", 'null'::jsonb)"
	case "json":
		return "nullif(raw #> " + p + ", 'null'::jsonb)::json"
	case "text":
		return "raw #>> " + p
	}
	return "(raw #>> " + p + ")::" + c.typ
}

// insert writes staged records into the table; merge keeps the last record
// per key. A value the database cannot cast is traced back to its record.
func (r *httpRun) insert(ctx context.Context, tx pgx.Tx, cols []target) (int64, error) {
	h := r.h
	rel := relation(r.s.Schema, r.s.Identifier)
	args := []any{r.l.loadedAt}
	names := make([]string, 0, len(cols)+3)
	exprs := make([]string, 0, len(cols)+4)
	for _, c := range cols {
		args = append(args, c.path)
		names = append(names, ident(c.name))
		exprs = append(exprs, valueExpr(c, len(args))+" as "+ident(c.name))
	}
	names = append(names, ident(colRaw), ident(colLoadedAt), ident(colSourceURL))
	exprs = append(exprs, "raw as "+ident(colRaw), "$1::timestamptz as "+ident(colLoadedAt), "url as "+ident(colSourceURL), "seq")
	inner := "select " + strings.Join(exprs, ", ") + " from pg_temp._gdbt_stage"
	list := strings.Join(names, ", ")
	var sql string
	if h.Mode == ModeMerge {
		pk := make([]string, len(h.PrimaryKey))
		for i, k := range h.PrimaryKey {
			pk[i] = ident(k)
		}
		pks := strings.Join(pk, ", ")
		var sets []string
		for _, n := range names {
			sets = append(sets, n+" = excluded."+n)
		}
		// Feeds repeat keys, sometimes with an older version later: keep
		// the newest by the watermark field when it is a column, else the
		// last one received; never let an older version overwrite a newer.
		order := pks + ", seq desc"
		guard := ""
		if wc := r.watermarkColumn(cols); wc != nil {
			w := ident(wc.name)
			order = pks + ", " + w + " desc nulls last, seq desc"
			guard = " where " + rel + "." + w + " is null or excluded." + w + " >= " + rel + "." + w
		}
		sql = "insert into " + rel + " (" + list + ") select distinct on (" + pks + ") " + list +
			" from (" + inner + ") x order by " + order + " on conflict (" + pks + ") do update set " + strings.Join(sets, ", ") + guard
	} else {
		sql = "insert into " + rel + " (" + list + ") select " + list + " from (" + inner + ") x order by seq"
	}
	sp, err := tx.Begin(ctx) // savepoint: a failed cast is diagnosed in the same transaction
	if err != nil {
		return 0, err
	}
	tag, err := sp.Exec(ctx, sql, args...)
	if err == nil {
		return tag.RowsAffected(), sp.Commit(ctx)
	}
	sp.Rollback(ctx)
	if d := r.findBadValue(ctx, tx, cols); d != nil {
		return 0, d
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) && pg.Code == "42P10" {
		return 0, fmt.Errorf("expected a unique index on %s (primary_key) of %s for merge, found none: %w", strings.Join(h.PrimaryKey, ", "), rel, err)
	}
	return 0, fmt.Errorf("writing records into %s: %w", rel, err)
}

// findBadValue finds the first staged record with a value the database
// cannot cast to its column's type. PostgreSQL 15 lacks pg_input_is_valid,
// so a temporary function catches the cast error per value.
func (r *httpRun) findBadValue(ctx context.Context, tx pgx.Tx, cols []target) error {
	sp, err := tx.Begin(ctx)
	if err != nil {
		return nil
	}
	defer sp.Rollback(ctx)
	_, err = sp.Exec(ctx, `create or replace function pg_temp._gdbt_castable(v text, t text) returns boolean
language plpgsql as $f$
begin
	execute format('select %L::%s', v, t);
	return true;
exception when others then
	return false;
end
$f$`)
	if err != nil {
		return nil
	}
	for _, c := range cols {
		switch strings.ToLower(c.typ) {
		case "text", "json", "jsonb":
			continue
		}
		var page, idx int
		var url, val string
		err := sp.QueryRow(ctx, `select page, idx, url, raw #>> $1::text[] from pg_temp._gdbt_stage
where raw #>> $1::text[] is not null and not pg_temp._gdbt_castable(raw #>> $1::text[], $2)
order by seq limit 1`, c.path, c.typ).Scan(&page, &idx, &url, &val)
		if err != nil {
			continue
		}
		return &HTTPError{URL: url, Page: page, Offset: -1,
			Msg: fmt.Sprintf("record %d: field %s: expected a %s value for column %s, found %s",
				idx, strings.Join(c.path, "."), c.typ, c.name, strconv.Quote(val))}
	}
	return nil
}

func sortStrings(s []string) { sort.Strings(s) }
