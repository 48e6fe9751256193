package cli

import (
	"context"
	"errors"
	"fmt"
	"github.com/gdbt/gdbt/compiler/jinja"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/gdbt/gdbt/compiler/compile"
	"github.com/gdbt/gdbt/compiler/manifest"
	"github.com/gdbt/gdbt/runtime/adapter/postgres"
)

func init() {
	runCommands["show"] = func(ctx context.Context, a *app) int { return a.show(ctx) }
}

// show runs `gdbt show`: it compiles the selected node (or --inline SQL),
// runs it wrapped in dbt's get_show_sql (a limit of --limit rows, -1 for
// all) and prints the rows as agate's print_table does, or as JSON with
// --output json.
func (a *app) show(ctx context.Context) int {
	if len(a.f.Select) == 0 && a.f.Inline == "" {
		a.printError(errors.New("Runtime Error\n  Either --select or --inline must be passed to show"))
		return exitCrash
	}
	if err := a.parseProject(); err != nil {
		a.printError(err)
		return exitCrash
	}
	var nodes []*manifest.Node
	if a.f.Inline != "" {
		nodes = []*manifest.Node{{UniqueID: "sql_operation." + a.proj.Name + ".inline_query", ResourceType: "sql_operation",
			Package: a.proj.Name, Name: "inline_query", RawCode: a.f.Inline, OriginalFilePath: "from remote system.sql",
			Config: manifest.Config{"materialized": "view"}}}
	} else {
		ids, _, err := a.selectFor("compile")
		if err != nil {
			a.printError(err)
			return exitCrash
		}
		// dbt previews the selected nodes whose name occurs in the first
		// --select argument (a substring test).
		first := a.f.Select[0]
		for _, id := range ids {
			n := a.res.Manifest.Nodes[id]
			if n != nil && n.ResourceType != manifest.Seed && strings.Contains(first, n.Name) {
				nodes = append(nodes, n)
			}
		}
		if err := a.writeManifest(); err != nil {
			a.printError(err)
			return exitCrash
		}
	}
	wh, err := a.openWarehouse(ctx, "show")
	if err != nil {
		a.printError(err)
		return exitCrash
	}
	defer wh.Close()
	a.logf("")
	a.logf("Concurrency: %d threads (target='%s')", a.threads(), a.targetName())
	a.logf("")
	if len(nodes) == 0 {
		return exitOK
	}
	conn, err := a.previewConn(ctx)
	if err != nil {
		a.printError(err)
		return exitCrash
	}
	defer conn.Close(context.Background())
	c := compile.New(a.res, wh)
	var limit *int64
	if a.f.Limit >= 0 {
		l := int64(a.f.Limit)
		limit = &l
	}
	for _, n := range nodes {
		sql, err := c.Node(ctx, n)
		if err != nil {
			a.printError(&userError{fmt.Errorf("Compilation Error in %s %s (%s)\n  %s", n.ResourceType, n.Name, n.OriginalFilePath, indent(err.Error()))})
			return exitFailure
		}
		if a.f.Inline == "" {
			if err := a.writeCompiled(n, sql); err != nil {
				a.printError(err)
				return exitCrash
			}
		}
		query, err := showSQL(ctx, c, n, sql, limit)
		if err != nil {
			a.printError(fmt.Errorf("Runtime Error\n  Compilation Error in %s %s (%s)\n    %s", n.ResourceType, n.Name, n.OriginalFilePath, strings.ReplaceAll(err.Error(), "\n", "\n    ")))
			return exitCrash
		}
		tbl, err := runPreview(ctx, conn, query)
		if err != nil {
			a.printError(fmt.Errorf("Runtime Error\n  Database Error in %s %s (%s)\n    %s", n.ResourceType, n.Name, n.OriginalFilePath, strings.ReplaceAll(err.Error(), "\n", "\n    ")))
			return exitCrash
		}
		name := n.Name
		if n.Version != nil {
			name += ".v" + fmt.Sprint(n.Version)
		}
		if a.f.Output == "json" {
			var b strings.Builder
			b.WriteString("{\n")
			if a.f.Inline == "" {
				b.WriteString(`  "node": ` + pyString(name) + ",\n")
			}
			b.WriteString(`  "show": `)
			tbl.writeJSON(&b)
			b.WriteString("\n}\n")
			io.WriteString(a.stdout, b.String())
			continue
		}
		var b strings.Builder
		if a.f.Inline != "" {
			b.WriteString("Previewing inline node:\n")
		} else {
			b.WriteString("Previewing node '" + name + "':\n")
		}
		tbl.print(&b)
		b.WriteString("\n")
		io.WriteString(a.stdout, b.String())
	}
	return exitOK
}

// showSQL is dbt's get_show_sql: the sql_header, then the query with a
// limit. A project's own get_show_sql or get_limit_sql wins.
func showSQL(ctx context.Context, c *compile.Compiler, n *manifest.Node, sql string, limit *int64) (string, error) {
	var header, lim any
	if h, ok := n.Config["sql_header"]; ok && h != nil {
		header = h
	}
	if limit != nil {
		lim = *limit
	}
	if c.HasMacro(n.Package, "get_show_sql") || c.HasMacro(n.Package, "get_limit_sql") {
		v, err := c.CallMacro(ctx, n, "get_show_sql", sql, header, lim)
		if err != nil {
			return "", err
		}
		return fmt.Sprint(v), nil
	}
	var b strings.Builder
	if header != nil {
		b.WriteString(fmt.Sprint(header))
	}
	b.WriteString("\n  \n  " + sql + "\n  ")
	if limit != nil {
		b.WriteString("\n  limit " + strconv.FormatInt(*limit, 10))
	}
	return b.String(), nil
}

// previewConn opens one session for the preview query. The adapter's
// tables convert values for templates; show needs the column types to
// format them as agate does, so it reads the raw result itself.
func (a *app) previewConn(ctx context.Context) (*pgx.Conn, error) {
	p := a.proj.Profile
	cfg, err := pgx.ParseConfig(postgres.ConnString(p))
	if err != nil {
		return nil, &postgres.ConnectError{Err: err}
	}
	if p.SearchPath != "" {
		cfg.RuntimeParams["search_path"] = p.SearchPath
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, &postgres.ConnectError{Err: err}
	}
	if p.Role != "" {
		if _, err := conn.Exec(ctx, "set role "+p.Role); err != nil {
			conn.Close(ctx)
			return nil, err
		}
	}
	return conn, nil
}

func runPreview(ctx context.Context, conn *pgx.Conn, sql string) (*previewTable, error) {
	results, err := conn.PgConn().Exec(ctx, sql).ReadAll()
	if err != nil {
		return nil, &postgres.Error{SQL: sql, Err: err}
	}
	if len(results) == 0 {
		return &previewTable{}, nil
	}
	return newPreviewTable(results[len(results)-1]), nil
}

// Agate's column types, as dbt's type tester picks them.
type agateType int

const (
	tInteger agateType = iota
	tNumber
	tDate
	tDateTime
	tBoolean
	tText
)

type previewTable struct {
	names []string
	types []agateType
	rows  [][]*string // Postgres text values; nil is NULL
	kinds []uint32
}

// newPreviewTable types the columns as dbt does: a column holding strings
// (or JSON, arrays) is text; otherwise the Python value's type decides.
// An all-NULL column is an Integer, agate's first type.
func newPreviewTable(res *pgconn.Result) *previewTable {
	t := &previewTable{}
	for _, f := range res.FieldDescriptions {
		t.names = append(t.names, f.Name)
		t.kinds = append(t.kinds, f.DataTypeOID)
	}
	for _, raw := range res.Rows {
		row := make([]*string, len(raw))
		for j, b := range raw {
			if b != nil {
				s := string(b)
				row[j] = &s
			}
		}
		t.rows = append(t.rows, row)
	}
	t.types = make([]agateType, len(t.names))
	for j, oid := range t.kinds {
		hasValue := false
		for _, r := range t.rows {
			if r[j] != nil {
				hasValue = true
				break
			}
		}
		if !hasValue {
			t.types[j] = tInteger
			continue
		}
		t.types[j] = typeOf(oid)
	}
	return t
}

func typeOf(oid uint32) agateType {
	switch oid {
	case pgtype.Int2OID, pgtype.Int4OID, pgtype.Int8OID, pgtype.OIDOID:
		return tInteger
	case pgtype.NumericOID, pgtype.Float4OID, pgtype.Float8OID:
		return tNumber
	case pgtype.BoolOID:
		return tBoolean
	case pgtype.DateOID:
		return tDate
	case pgtype.TimestampOID, pgtype.TimestamptzOID:
		return tDateTime
	}
	return tText
}

// display is str() of the Python value psycopg2 returns for a column.
func (t *previewTable) display(j int, s string) string {
	switch t.types[j] {
	case tBoolean:
		if s == "t" {
			return "True"
		}
		return "False"
	case tDateTime:
		return pyDateTime(s, " ")
	}
	switch t.kinds[j] {
	case pgtype.TimeOID, pgtype.TimetzOID:
		return pyMicros(s)
	}
	return s
}

// pyDateTime turns Postgres's timestamp text into Python's str() (sep " ")
// or isoformat() (sep "T"): six fractional digits, "+00:00" offsets.
func pyDateTime(s, sep string) string {
	date, rest, ok := strings.Cut(s, " ")
	if !ok {
		return s
	}
	zone := ""
	if i := strings.LastIndexAny(rest, "+-"); i > 0 {
		rest, zone = rest[:i], rest[i:]
		if len(zone) == 3 {
			zone += ":00"
		}
	}
	return date + sep + pyMicros(rest) + zone
}

func pyMicros(clock string) string {
	hms, frac, ok := strings.Cut(clock, ".")
	if !ok {
		return clock
	}
	if len(frac) > 6 {
		frac = frac[:6]
	}
	return hms + "." + frac + strings.Repeat("0", 6-len(frac))
}

// print writes agate's print_table(max_rows=None): at most 6 columns,
// values cut at 20 characters, numbers with the column's decimal places
// (at most 3, marked with … when cut), text left-justified and everything
// else right-justified.
func (t *previewTable) print(w *strings.Builder) {
	const maxCols, maxWidth = 6, 20
	trunc := func(s string) string {
		if utf8.RuneCountInString(s) > maxWidth {
			return string([]rune(s)[:maxWidth-3]) + "..."
		}
		return s
	}
	ncols := len(t.names)
	shown := ncols
	if shown > maxCols {
		shown = maxCols
	}
	var header []string
	for _, n := range t.names[:shown] {
		header = append(header, trunc(n))
	}
	if ncols > maxCols {
		header = append(header, "...")
	}
	widths := make([]int, len(header))
	for i, h := range header {
		widths[i] = utf8.RuneCountInString(h)
	}
	formats := make([]func(string) string, shown)
	for j := 0; j < shown; j++ {
		if t.types[j] != tNumber {
			continue
		}
		places := 0
		for _, r := range t.rows {
			if r[j] == nil {
				continue
			}
			if d, ok := parseDecimal(*r[j]); ok && !d.special() {
				if p := d.places(); p > places {
					places = p
				}
			}
		}
		ellipsis := false
		if places > 3 {
			places, ellipsis = 3, true
		}
		formats[j] = func(s string) string { return formatNumber(s, places, ellipsis) }
	}
	var data [][]string
	for _, r := range t.rows {
		var out []string
		for j := range r {
			if j >= maxCols {
				out = append(out, "...")
				break
			}
			v := ""
			if r[j] != nil {
				if formats[j] != nil {
					v = formats[j](*r[j])
				} else {
					v = t.display(j, *r[j])
				}
			}
			v = trunc(v)
			if n := utf8.RuneCountInString(v); n > widths[j] {
				widths[j] = n
			}
			out = append(out, v)
		}
		data = append(data, out)
	}
	writeRow := func(cells []string) {
		w.WriteString("|")
		for j, c := range cells {
			pad := strings.Repeat(" ", widths[j]-utf8.RuneCountInString(c))
			if j < len(t.types) && t.types[j] == tText {
				w.WriteString(" " + c + pad + " |")
			} else {
				w.WriteString(" " + pad + c + " |")
			}
		}
		w.WriteString("\n")
	}
	writeRow(header)
	dashes := make([]string, len(widths))
	for i, n := range widths {
		dashes[i] = strings.Repeat("-", n)
	}
	w.WriteString("| " + strings.Join(dashes, " | ") + " |\n")
	for _, r := range data {
		writeRow(r)
	}
}

// writeJSON writes the rows as dbt does: agate's to_json re-dumped by
// json.dumps(indent=2), so numbers become Python floats and text is
// ASCII-escaped.
func (t *previewTable) writeJSON(w *strings.Builder) {
	if len(t.rows) == 0 {
		w.WriteString("[]")
		return
	}
	w.WriteString("[\n")
	for i, r := range t.rows {
		w.WriteString("    {")
		if len(t.names) == 0 {
			w.WriteString("}")
		}
		// Python dicts keep the first position of a repeated key and the
		// last value.
		var keys []string
		vals := map[string]string{}
		for j, name := range t.names {
			if _, seen := vals[name]; !seen {
				keys = append(keys, name)
			}
			vals[name] = t.jsonValue(j, r[j])
		}
		for k, name := range keys {
			if k > 0 {
				w.WriteString(",")
			}
			w.WriteString("\n      " + pyString(name) + ": " + vals[name])
		}
		if len(keys) > 0 {
			w.WriteString("\n    }")
		}
		if i < len(t.rows)-1 {
			w.WriteString(",")
		}
		w.WriteString("\n")
	}
	w.WriteString("  ]")
}

func (t *previewTable) jsonValue(j int, v *string) string {
	if v == nil {
		return "null"
	}
	s := *v
	switch t.types[j] {
	case tInteger:
		return s
	case tNumber:
		return pyFloat(s)
	case tBoolean:
		if s == "t" {
			return "true"
		}
		return "false"
	case tDateTime:
		return pyString(pyDateTime(s, "T"))
	}
	return pyString(t.display(j, s))
}

// pyFloat is Python's json.dumps of float(Decimal(s)).
func pyFloat(s string) string {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		switch strings.ToLower(s) {
		case "nan":
			return "NaN"
		case "infinity":
			return "Infinity"
		case "-infinity":
			return "-Infinity"
		}
		return "null"
	}
	out, _ := jinja.DumpJSON(f, false)
	return out
}

// pyString is json.dumps of a str (ensure_ascii), shared with tojson.
func pyString(s string) string {
	out, _ := jinja.DumpJSON(s, false)
	return out
}

// decimal is a parsed number: digits × 10^exp.
type decimal struct {
	neg    bool
	digits string // no leading zeros; "0" for zero
	exp    int
	kind   string // "", "nan", "inf"
}

func (d decimal) special() bool { return d.kind != "" }

func parseDecimal(s string) (decimal, bool) {
	s = strings.TrimSpace(s)
	var d decimal
	if strings.HasPrefix(s, "-") {
		d.neg, s = true, s[1:]
	} else if strings.HasPrefix(s, "+") {
		s = s[1:]
	}
	switch strings.ToLower(s) {
	case "nan":
		d.kind = "nan"
		return d, true
	case "infinity", "inf":
		d.kind = "inf"
		return d, true
	}
	mant, expPart, hasExp := strings.Cut(strings.ToLower(s), "e")
	if hasExp {
		e, err := strconv.Atoi(expPart)
		if err != nil {
			return d, false
		}
		d.exp = e
	}
	intPart, frac, _ := strings.Cut(mant, ".")
	digits := intPart + frac
	if digits == "" {
		return d, false
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return d, false
		}
	}
	d.exp -= len(frac)
	digits = strings.TrimLeft(digits, "0")
	if digits == "" {
		digits = "0"
	}
	d.digits = digits
	return d, true
}

// places is the number of decimal places after Python's normalize().
func (d decimal) places() int {
	if d.digits == "0" {
		return 0
	}
	trimmed := strings.TrimRight(d.digits, "0")
	exp := d.exp + len(d.digits) - len(trimmed)
	if exp >= 0 {
		return 0
	}
	return -exp
}

// formatNumber is babel's format_decimal with "#,##0.<places zeros>[…]"
// in en_US: half-even rounding, comma grouping.
func formatNumber(s string, places int, ellipsis bool) string {
	d, ok := parseDecimal(s)
	if !ok || d.exp > 1<<17 || d.exp < -(1<<17) {
		// Beyond Postgres's numeric range: print as given.
		return s
	}
	suffix := ""
	if ellipsis {
		suffix = "…"
	}
	sign := ""
	if d.neg {
		sign = "-"
	}
	switch d.kind {
	case "inf":
		return sign + "Infinity"
	case "nan":
		out := "NaN"
		if places > 0 {
			out += "." + strings.Repeat("0", places)
		}
		return out + suffix
	}
	// n = round(value × 10^places), half to even.
	shift := d.exp + places
	var n string
	if shift >= 0 {
		n = d.digits + strings.Repeat("0", shift)
	} else {
		cut := len(d.digits) + shift
		var kept, dropped string
		if cut <= 0 {
			kept, dropped = "0", strings.Repeat("0", -cut)+d.digits
		} else {
			kept, dropped = d.digits[:cut], d.digits[cut:]
		}
		half := "5" + strings.Repeat("0", len(dropped)-1)
		up := false
		switch cmp := strings.Compare(dropped, half); {
		case cmp > 0:
			up = true
		case cmp == 0:
			up = (kept[len(kept)-1]-'0')%2 == 1
		}
		if up {
			kept = incDigits(kept)
		}
		n = kept
	}
	n = strings.TrimLeft(n, "0")
	if len(n) <= places {
		n = strings.Repeat("0", places-len(n)+1) + n
	}
	intPart, frac := n[:len(n)-places], n[len(n)-places:]
	var g strings.Builder
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			g.WriteByte(',')
		}
		g.WriteRune(c)
	}
	out := sign + g.String()
	if places > 0 {
		out += "." + frac
	}
	return out + suffix
}

func incDigits(s string) string {
	b := []byte(s)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < '9' {
			b[i]++
			return string(b)
		}
		b[i] = '0'
	}
	return "1" + string(b)
}
