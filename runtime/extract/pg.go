package extract

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// DB is what Run needs from a connection or pool: *pgx.Conn and
// *pgxpool.Pool both fit. With Options.Concurrency > 1 it must be a pool.
type DB interface {
	Begin(ctx context.Context) (pgx.Tx, error)
}

// querier is the part of pgx.Tx the helpers use.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

func ident(s string) string { return pgx.Identifier{s}.Sanitize() }

func relation(schema, table string) string { return pgx.Identifier{schema, table}.Sanitize() }

const ledgerTable = "_gdbt_load_ledger"

// ensureSchema creates the raw schema and its ledger. It runs in its own
// short transaction under a per-schema lock, because concurrent
// CREATE ... IF NOT EXISTS of the same object can still fail in PostgreSQL.
func ensureSchema(ctx context.Context, db DB, schema string) error {
	return pgx.BeginFunc(ctx, db, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `select pg_advisory_xact_lock(hashtextextended($1, 0))`, "gdbt_load_schema:"+schema); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `create schema if not exists `+ident(schema)); err != nil {
			return fmt.Errorf("creating schema %s: %w", ident(schema), err)
		}
		_, err := tx.Exec(ctx, `create table if not exists `+relation(schema, ledgerTable)+` (
	target     text not null,
	kind       text not null,
	key        text not null,
	source     text not null,
	rows       bigint not null,
	bytes      bigint not null,
	watermark  text,
	loaded_at  timestamptz not null default now(),
	primary key (target, kind, key)
)`)
		if err != nil {
			return fmt.Errorf("creating ledger %s: %w", relation(schema, ledgerTable), err)
		}
		return nil
	})
}

// lockTable serializes loads of one table across processes for the rest of
// the transaction.
func lockTable(ctx context.Context, q querier, schema, table string) error {
	_, err := q.Exec(ctx, `select pg_advisory_xact_lock(hashtextextended($1, 0))`, "gdbt_load_table:"+relation(schema, table))
	return err
}

// tableColumn is an existing column.
type tableColumn struct {
	Name    string
	Type    string // format_type, e.g. "numeric(10,2)"
	TypeOID uint32
}

// tableColumns lists a table's columns, or nil if the table does not exist.
func tableColumns(ctx context.Context, q querier, schema, table string) ([]tableColumn, error) {
	rows, err := q.Query(ctx, `select a.attname, format_type(a.atttypid, a.atttypmod), a.atttypid::oid
from pg_attribute a
where a.attrelid = to_regclass($1) and a.attnum > 0 and not a.attisdropped
order by a.attnum`, relation(schema, table))
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (tableColumn, error) {
		var c tableColumn
		err := r.Scan(&c.Name, &c.Type, &c.TypeOID)
		return c, err
	})
}

func findColumn(cols []tableColumn, name string) *tableColumn {
	for i := range cols {
		if cols[i].Name == name {
			return &cols[i]
		}
	}
	return nil
}

// resolveType asks the database what a declared type is: its OID and
// canonical name. An unknown type is an error naming the column.
func resolveType(ctx context.Context, q querier, typ string) (oid uint32, canonical string, err error) {
	var o *uint32
	var name *string
	err = q.QueryRow(ctx, `select to_regtype($1)::oid, format_type(to_regtype($1), null)`, typ).Scan(&o, &name)
	if err != nil {
		return 0, "", err
	}
	if o == nil {
		return 0, "", fmt.Errorf("expected a PostgreSQL type, found %q", typ)
	}
	return *o, *name, nil
}

// appendCopy appends s escaped for COPY's text format.
func appendCopy(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			b = append(b, '\\', '\\')
		case '\t':
			b = append(b, '\\', 't')
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		default:
			b = append(b, c)
		}
	}
	return b
}

var copyWhere = regexp.MustCompile(`COPY [^,]+, line (\d+)(?:, column ([^:]+))?`)

// copyErrorAt extracts the 1-based COPY data line and column name from a
// PostgreSQL error raised during COPY.
func copyErrorAt(err error) (pg *pgconn.PgError, line int, column string, ok bool) {
	if !errors.As(err, &pg) {
		return nil, 0, "", false
	}
	m := copyWhere.FindStringSubmatch(pg.Where)
	if m == nil {
		return pg, 0, "", false
	}
	line, _ = strconv.Atoi(m[1])
	return pg, line, strings.TrimSpace(m[2]), true
}
