package extract

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// csvFiles expands the spec's paths and globs, in a stable order without
// duplicates. A pattern matching nothing is an error: a typo should not load
// zero rows quietly.
func csvFiles(s *Spec) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	for _, p := range s.CSV.Paths {
		var matches []string
		if strings.ContainsAny(p, "*?[") {
			m, err := filepath.Glob(p)
			if err != nil {
				return nil, fmt.Errorf("path %s: %w", displayPath(s, p), err)
			}
			sort.Strings(m)
			matches = m
		} else if _, err := os.Stat(p); err == nil {
			matches = []string{p}
		}
		if len(matches) == 0 {
			return nil, fmt.Errorf("expected path %s to match at least one file, found none", displayPath(s, p))
		}
		for _, m := range matches {
			if !seen[m] {
				seen[m] = true
				out = append(out, m)
			}
		}
	}
	return out, nil
}

// displayPath is p relative to the project directory when that is shorter
// to read; it is also what _source_file holds.
func displayPath(s *Spec, p string) string {
	if s.ProjectDir != "" {
		if rel, err := filepath.Rel(s.ProjectDir, p); err == nil {
			return filepath.ToSlash(rel)
		}
	}
	return filepath.ToSlash(p)
}

func (l *loader) loadCSV(ctx context.Context, s *Spec, t *TableReport) error {
	files, err := csvFiles(s)
	if err != nil {
		return err
	}
	if err := ensureSchema(ctx, l.db, s.Schema); err != nil {
		return err
	}
	var firstErr error
	for _, path := range files {
		if err := ctx.Err(); err != nil {
			return err
		}
		fr := FileReport{Path: displayPath(s, path)}
		err := l.loadCSVFile(ctx, s, path, &fr, t)
		if err != nil {
			fr.Status = StatusError
			fr.Error = err.Error()
			if firstErr == nil {
				firstErr = err
			}
		}
		t.Files = append(t.Files, fr)
		t.Rows += fr.Rows
		t.Bytes += fr.Bytes
	}
	return firstErr
}

// csvScan is what the first pass over a file learns.
type csvScan struct {
	sha    string
	size   int64
	header []string
	kinds  []kind // per header column; nil when not inferred
}

// scanCSV hashes the file and, when infer is set, infers column kinds.
// Parse errors are found here too, before a transaction starts.
func scanCSV(ctx context.Context, s *Spec, path string, infer bool) (*csvScan, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	h := sha256.New()
	sc := &csvScan{}
	if !infer {
		n, err := io.Copy(h, f)
		if err != nil {
			return nil, err
		}
		sc.size, sc.sha = n, hex.EncodeToString(h.Sum(nil))
		return sc, nil
	}
	cr := newCSVReader(io.TeeReader(f, h), displayPath(s, path), s.CSV.Delimiter, s.CSV.Quote)
	nulls := nullSet(s.CSV.Nulls)
	n := 0
	for {
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if n == 0 {
			sc.header, err = csvHeader(s, cr, rec)
			if err != nil {
				return nil, err
			}
			sc.kinds = make([]kind, len(sc.header))
			n++
			if s.CSV.Header {
				continue
			}
		}
		n++
		if err := checkFieldCount(cr, rec, len(sc.header)); err != nil {
			return nil, err
		}
		for i, v := range rec {
			if nulls[v] {
				continue
			}
			if sc.kinds[i] != kText {
				sc.kinds[i] = merge(sc.kinds[i], classify(v))
			}
		}
	}
	// Drain: blank trailing lines are not records but are part of the hash.
	if _, err := io.Copy(h, f); err != nil {
		return nil, err
	}
	sc.sha = hex.EncodeToString(h.Sum(nil))
	sc.size = cr.bytes
	if fi, err := f.Stat(); err == nil {
		sc.size = fi.Size()
	}
	return sc, nil
}

func nullSet(nulls []string) map[string]bool {
	m := make(map[string]bool, len(nulls))
	for _, n := range nulls {
		m[n] = true
	}
	return m
}

// csvHeader returns the column names: the header record, or the declared
// columns, or col_1..col_N.
func csvHeader(s *Spec, cr *csvReader, first []string) ([]string, error) {
	if !s.CSV.Header {
		if s.Columns != nil {
			names := make([]string, len(s.Columns))
			for i, c := range s.Columns {
				names[i] = c.Name
			}
			return names, nil
		}
		names := make([]string, len(first))
		for i := range first {
			names[i] = "col_" + strconv.Itoa(i+1)
		}
		return names, nil
	}
	names := make([]string, len(first))
	seen := map[string]int{}
	for i, h := range first {
		h = strings.TrimSpace(h)
		line, col := cr.FieldPos(i)
		if h == "" {
			return nil, &RowError{File: cr.name, Line: line, Column: col, Expected: "a column name in the header", Found: "an empty field"}
		}
		if isMetaColumn(h) {
			return nil, &RowError{File: cr.name, Line: line, Column: col, Expected: "a column name in the header", Found: fmt.Sprintf("%q, which gdbt adds itself", h)}
		}
		if j, dup := seen[h]; dup {
			return nil, &RowError{File: cr.name, Line: line, Column: col, Expected: "distinct column names in the header", Found: fmt.Sprintf("%q again (first in field %d)", h, j+1)}
		}
		seen[h] = i
		names[i] = h
	}
	for _, c := range s.Columns {
		if _, ok := seen[c.Name]; !ok {
			return nil, &RowError{File: cr.name, Line: cr.recLine, Column: 1,
				Expected: fmt.Sprintf("declared column %q in the header", c.Name), Found: fmt.Sprintf("only %s", strings.Join(names, ", "))}
		}
	}
	return names, nil
}

func checkFieldCount(cr *csvReader, rec []string, want int) error {
	if len(rec) == want {
		return nil
	}
	var line, col int
	if len(rec) > want {
		line, col = cr.FieldPos(want)
	} else {
		line, col = cr.EndPos()
	}
	return &RowError{File: cr.name, Line: line, Column: col,
		Expected: fmt.Sprintf("%d fields", want), Found: strconv.Itoa(len(rec))}
}

// loadCSVFile loads one file in one transaction. Nothing is written when
// the file is already in the ledger or any row is bad.
func (l *loader) loadCSVFile(ctx context.Context, s *Spec, path string, fr *FileReport, t *TableReport) error {
	// Undeclared columns are inferred; only a headerless file with declared
	// columns has none.
	infer := s.Columns == nil || s.CSV.Header
	sc, err := scanCSV(ctx, s, path, infer)
	if err != nil {
		return err
	}
	fr.SHA256 = sc.sha
	name := displayPath(s, path)
	fr.Status = StatusUpToDate

	return pgx.BeginFunc(ctx, l.db, func(tx pgx.Tx) error {
		if err := lockTable(ctx, tx, s.Schema, s.Identifier); err != nil {
			return err
		}
		var prev string
		err := tx.QueryRow(ctx, `select source from `+relation(s.Schema, ledgerTable)+
			` where target = $1 and kind = 'csv' and key = $2`, s.Identifier, sc.sha).Scan(&prev)
		if err == nil {
			return nil // already loaded (perhaps under another name: same bytes)
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		cr := newCSVReader(f, name, s.CSV.Delimiter, s.CSV.Quote)
		header := sc.header
		if s.CSV.Header || header == nil {
			first, err := cr.Read()
			if err == io.EOF {
				return nil // empty file: nothing to load, not even a header
			}
			if err != nil {
				return err
			}
			if header, err = csvHeader(s, cr, first); err != nil {
				return err
			}
			if !s.CSV.Header {
				// Headerless: the first record is data; re-open.
				f.Seek(0, io.SeekStart)
				cr = newCSVReader(f, name, s.CSV.Delimiter, s.CSV.Quote)
			}
		}
		types, err := l.prepareCSVTable(ctx, tx, s, header, sc.kinds)
		if err != nil {
			return err
		}
		src := &copySource{cr: cr, ncols: len(header), nulls: nullSet(s.CSV.Nulls),
			meta: "\t" + l.loadedAt.Format(time.RFC3339Nano) + "\t" + string(appendCopy(nil, name)) + "\t",
			progress: func(rows, bytes int64) {
				l.opts.Reporter.Progress(t.Source, t.Rows+rows, t.Bytes+bytes)
			}}
		cols := make([]string, 0, len(header)+3)
		for _, h := range header {
			cols = append(cols, ident(h))
		}
		cols = append(cols, ident(colLoadedAt), ident(colSourceFile), ident(colSourceRow))
		sql := `copy ` + relation(s.Schema, s.Identifier) + ` (` + strings.Join(cols, ", ") + `) from stdin`
		_, err = tx.Conn().PgConn().CopyFrom(ctx, src, sql)
		if src.err != nil {
			return src.err // our own row error; the server only saw a CopyFail
		}
		if err != nil {
			return l.mapCopyError(ctx, s, path, header, types, err)
		}
		fr.Rows, fr.Bytes = src.rows, sc.size
		_, err = tx.Exec(ctx, `insert into `+relation(s.Schema, ledgerTable)+
			` (target, kind, key, source, rows, bytes) values ($1, 'csv', $2, $3, $4, $5)`,
			s.Identifier, sc.sha, name, src.rows, sc.size)
		if err != nil {
			return err
		}
		fr.Status = StatusLoaded
		return nil
	})
}

// prepareCSVTable creates the table from the header and inferred or
// declared types, or checks that an existing one can take the file. It
// returns each header column's type as the database knows it.
func (l *loader) prepareCSVTable(ctx context.Context, tx pgx.Tx, s *Spec, header []string, kinds []kind) ([]string, error) {
	declared := map[string]string{}
	for _, c := range s.Columns {
		declared[c.Name] = c.Type
	}
	existing, err := tableColumns(ctx, tx, s.Schema, s.Identifier)
	if err != nil {
		return nil, err
	}
	rel := relation(s.Schema, s.Identifier)
	types := make([]string, len(header))
	if len(existing) == 0 {
		defs := make([]string, 0, len(header)+3)
		for i, h := range header {
			typ, ok := declared[h]
			if !ok {
				typ = kText.pgType()
				if kinds != nil {
					typ = kinds[i].pgType()
				}
			} else if _, _, err := resolveType(ctx, tx, typ); err != nil {
				return nil, fmt.Errorf("column %s: %w", h, err)
			}
			types[i] = typ
			defs = append(defs, ident(h)+" "+typ)
		}
		defs = append(defs, ident(colLoadedAt)+" timestamptz not null", ident(colSourceFile)+" text not null", ident(colSourceRow)+" integer not null")
		if _, err := tx.Exec(ctx, `create table `+rel+` (`+strings.Join(defs, ", ")+`)`); err != nil {
			return nil, fmt.Errorf("creating %s: %w", rel, err)
		}
		return types, nil
	}
	for i, h := range header {
		c := findColumn(existing, h)
		if c == nil {
			return nil, fmt.Errorf("expected table %s to have column %s (it is in the file), found only %s; drop the table or add the column", rel, ident(h), columnNames(existing))
		}
		if typ, ok := declared[h]; ok {
			oid, canon, err := resolveType(ctx, tx, typ)
			if err != nil {
				return nil, fmt.Errorf("column %s: %w", h, err)
			}
			if oid != c.TypeOID {
				return nil, fmt.Errorf("expected column %s of existing table %s to have the declared type %s, found %s", ident(h), rel, canon, c.Type)
			}
		}
		types[i] = c.Type
	}
	for _, m := range []string{colLoadedAt, colSourceFile, colSourceRow} {
		if findColumn(existing, m) == nil {
			return nil, fmt.Errorf("expected existing table %s to have gdbt's column %s, found only %s", rel, m, columnNames(existing))
		}
	}
	return types, nil
}

func columnNames(cols []tableColumn) string {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Name
	}
	return strings.Join(names, ", ")
}

// mapCopyError turns the database's complaint about COPY data line n into
// a file:line:column error by finding record n again.
func (l *loader) mapCopyError(ctx context.Context, s *Spec, path string, header, types []string, err error) error {
	pg, n, column, ok := copyErrorAt(err)
	if !ok {
		return err
	}
	field := -1
	for i, h := range header {
		if h == column {
			field = i
		}
	}
	f, ferr := os.Open(path)
	if ferr != nil {
		return err
	}
	defer f.Close()
	cr := newCSVReader(f, displayPath(s, path), s.CSV.Delimiter, s.CSV.Quote)
	if s.CSV.Header {
		if _, rerr := cr.Read(); rerr != nil {
			return err
		}
	}
	var rec []string
	for i := 0; i < n; i++ {
		var rerr error
		if rec, rerr = cr.Read(); rerr != nil {
			return err
		}
	}
	line, col := cr.FieldPos(max(field, 0))
	if field < 0 || field >= len(rec) {
		return &RowError{File: cr.name, Line: line, Column: col, Expected: "a row the database accepts", Found: "an error", Detail: pg.Message}
	}
	return &RowError{File: cr.name, Line: line, Column: col,
		Expected: fmt.Sprintf("a %s value for column %s", types[field], column),
		Found:    strconv.Quote(rec[field]), Detail: pg.Message}
}

// copySource turns CSV records into COPY text rows on demand, so a file is
// streamed, not held in memory. A bad record stops the copy; the error is
// kept in err because the server only sees a CopyFail.
type copySource struct {
	cr       *csvReader
	ncols    int
	nulls    map[string]bool
	meta     string // "\t<loaded_at>\t<file>\t"
	buf      []byte
	off      int
	done     bool
	err      error
	rows     int64
	progress func(rows, bytes int64)
}

func (c *copySource) Read(p []byte) (int, error) {
	for len(c.buf)-c.off < len(p) && !c.done {
		if c.off > 0 {
			c.buf = append(c.buf[:0], c.buf[c.off:]...)
			c.off = 0
		}
		rec, err := c.cr.Read()
		if err == io.EOF {
			c.done = true
			break
		}
		if err == nil {
			err = checkFieldCount(c.cr, rec, c.ncols)
		}
		if err != nil {
			c.err, c.done = err, true
			return 0, err
		}
		for i, v := range rec {
			if i > 0 {
				c.buf = append(c.buf, '\t')
			}
			if c.nulls[v] {
				c.buf = append(c.buf, '\\', 'N')
			} else {
				c.buf = appendCopy(c.buf, v)
			}
		}
		c.buf = append(c.buf, c.meta...)
		c.buf = strconv.AppendInt(c.buf, int64(c.cr.recLine), 10)
		c.buf = append(c.buf, '\n')
		c.rows++
		if c.rows%1024 == 0 && c.progress != nil {
			c.progress(c.rows, c.cr.bytes)
		}
	}
	n := copy(p, c.buf[c.off:])
	c.off += n
	if n == 0 && c.done {
		if c.progress != nil {
			c.progress(c.rows, c.cr.bytes)
		}
		return 0, io.EOF
	}
	return n, nil
}
