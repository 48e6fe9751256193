package materialize

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gdbt/gdbt/compiler/dbtctx"
	"github.com/gdbt/gdbt/runtime/adapter/postgres"
)

// seed is dbt's seed materialization, loading rows with COPY instead of
// batched INSERTs.
func (x *exec) seed(ctx context.Context) (*Result, error) {
	root := x.r.ProjectRoot
	if x.r.PackageRoot != nil {
		root = x.r.PackageRoot(x.n.Package)
	}
	path := filepath.Join(root, filepath.FromSlash(x.n.OriginalFilePath))
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	delim := ','
	if d := x.n.Config.String("delimiter"); d != "" {
		delim, _ = utf8.DecodeRuneInString(d)
	}
	colTypes := map[string]string{}
	text := map[string]bool{}
	if m, ok := x.cfg("column_types").(map[string]any); ok {
		for k, v := range m {
			colTypes[k] = fmt.Sprint(v)
			text[k] = true
		}
	}
	t, err := readSeed(x.n.OriginalFilePath, data, delim, text)
	if err != nil {
		var se *SeedRowError
		if errors.As(err, &se) {
			// dbt's agate table refuses the file while the seed
			// materialization compiles.
			return nil, &NodeError{Kind: CompilationError, Node: x.n, Err: err}
		}
		return nil, err
	}
	quote := true
	if q, ok := x.cfg("quote_columns").(bool); ok {
		quote = q
	}
	colName := func(n string) string {
		if quote {
			return dbtctx.QuoteIdent(n)
		}
		return n
	}

	if err := x.schema(ctx); err != nil {
		return nil, err
	}
	old, err := x.existing(ctx, x.this.Identifier)
	if err != nil {
		return nil, err
	}
	fullRefresh := x.shouldFullRefresh()
	target := x.rel(x.this.Identifier, "table")
	if err := x.hooks(ctx, "pre-hook", false); err != nil {
		return nil, err
	}
	if err := x.begin(ctx); err != nil {
		return nil, err
	}
	if err := x.hooks(ctx, "pre-hook", true); err != nil {
		return nil, err
	}
	create := func() (string, error) {
		var b strings.Builder
		b.WriteString("create table " + target.String() + " (")
		for i, n := range t.names {
			if i > 0 {
				b.WriteString(", ")
			}
			typ, ok := colTypes[n]
			if !ok {
				typ = t.sqlType(i)
			}
			b.WriteString(colName(n) + " " + typ)
		}
		b.WriteString(")")
		_, err := x.conn.Exec(ctx, b.String())
		return b.String(), err
	}
	var createSQL string
	switch {
	case old != nil && old.Type == "view":
		return nil, &NodeError{Kind: CompilationError, Node: x.n, Err: fmt.Errorf("Cannot seed to '%s', it is a view", old.String())}
	case old != nil && fullRefresh:
		if err := x.conn.DropRelation(ctx, old); err != nil {
			return nil, err
		}
		createSQL, err = create()
	case old != nil:
		createSQL = "truncate table " + target.String()
		_, err = x.conn.Exec(ctx, createSQL)
	default:
		createSQL, err = create()
	}
	if err != nil {
		return nil, err
	}
	rows := int64(0)
	if !x.r.Empty && len(t.rows) > 0 {
		if rows, err = x.copyRows(ctx, t, target, colName); err != nil {
			return nil, err
		}
	}
	if err := x.grants(ctx, target, old != nil && !fullRefresh); err != nil {
		return nil, err
	}
	if err := x.persistDocs(ctx, target); err != nil {
		return nil, err
	}
	if fullRefresh || old == nil {
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
	if err := x.hooks(ctx, "post-hook", false); err != nil {
		return nil, err
	}
	code := "INSERT"
	if fullRefresh {
		code = "CREATE"
	}
	msg := code + " " + strconv.FormatInt(rows, 10)
	return &Result{Status: Success, Message: msg, Response: &dbtctx.Response{Message: msg, Code: code, RowsAffected: rows}, MainSQL: createSQL}, nil
}

var copyLine = regexp.MustCompile(`line (\d+)`)

// copyRows loads the rows with COPY … FROM STDIN (CSV). A value the column
// type rejects is reported with the seed file's line.
func (x *exec) copyRows(ctx context.Context, t *seedTable, target *dbtctx.Relation, colName func(string) string) (int64, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	rec := make([]string, len(t.names))
	for _, row := range t.rows {
		for c, v := range row {
			s, ok := t.cell(c, v)
			if !ok {
				rec[c] = ""
				continue
			}
			rec[c] = s
		}
		if err := w.Write(rec); err != nil {
			return 0, err
		}
	}
	w.Flush()
	// A NULL is an unquoted empty field; an empty string never reaches
	// here (agate reads it as NULL).
	cols := make([]string, len(t.names))
	for i, n := range t.names {
		cols[i] = colName(n)
	}
	sql := "copy " + target.String() + " (" + strings.Join(cols, ", ") + ") from stdin with (format csv)"
	n, err := x.conn.CopyFrom(ctx, sql, &buf)
	if err != nil {
		var de *postgres.Error
		if errors.As(err, &de) && de.Pg() != nil {
			if m := copyLine.FindStringSubmatch(de.Pg().Where); m != nil {
				i, _ := strconv.Atoi(m[1])
				if i >= 1 && i <= len(t.lines) {
					// Where is `COPY t, line 4, column n: "x3"`: the
					// column's name finds the cell in the file.
					col, line, char := "", t.lines[i-1], 1
					if k := strings.Index(de.Pg().Where, "column "); k >= 0 {
						col = ", " + strings.TrimSpace(de.Pg().Where[k:])
						name, _, _ := strings.Cut(de.Pg().Where[k+len("column "):], ":")
						if c := slices.IndexFunc(t.names, func(n string) bool { return n == name || strings.ToLower(n) == name }); c >= 0 {
							line, char = t.cellPos(i-1, c)
						}
					}
					return 0, &NodeError{Kind: DatabaseError, Node: x.n, Err: err,
						Detail: fmt.Sprintf("%s\nat %s:%d:%d (row %d%s)", de.Pg().Message, t.path, line, char, i, col)}
				}
			}
		}
		return 0, err
	}
	return n, nil
}
