package materialize

import (
	"math"
	"math/big"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gdbt/gdbt/compiler/jinja"
)

// The table dbt prints when a unit test fails comes from daff, comparing
// the expected rows with the actual ones, both sorted and in no particular
// order. This is our rendition of it: rows equal in every cell pair off
// first; the rest pair off through the column whose values match the most
// rows one to one (a changed row, "→", with "old→new" in its changed
// cells); what is left is added (+++, only in actual) or removed (---,
// only in expected). Rows are listed in actual's order, a removed row
// just before the first actual row that follows it in expected; an
// unchanged row is shown only next to a change, and each run of hidden
// rows becomes one "..." line.

// cellText is how daff prints a value: Python's str(), NULL for None.
func cellText(v any) string {
	if v == nil {
		return "NULL"
	}
	return jinja.ToString(v)
}

// sortRows sorts rows as dbt does before diffing: by each cell in turn,
// nulls last.
func sortRows(rows [][]any) {
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		for k := 0; k < len(a) && k < len(b); k++ {
			x, y := a[k], b[k]
			if (x == nil) != (y == nil) {
				return y == nil
			}
			if x == nil {
				continue
			}
			c, ok := jinja.Compare(x, y)
			if !ok {
				c = strings.Compare(cellText(x), cellText(y))
			}
			if c != 0 {
				return c < 0
			}
		}
		return len(a) < len(b)
	})
}

type diffLine struct {
	action string // "", "→", "+++", "---", "..."
	cells  []any  // values (a changed row: actual's)
	old    []any  // a changed row: expected's values
	change []bool // which cells changed
}

// unitDiff compares expected with actual (sorted rows under header) and
// renders the difference; ok is false when there is none. Cells compare
// by their text, as daff compares them.
func unitDiff(header []string, expected, actual [][]any, color bool) (string, bool) {
	text := func(rows [][]any) [][]string {
		out := make([][]string, len(rows))
		for i, r := range rows {
			out[i] = make([]string, len(r))
			for k, v := range r {
				out[i][k] = cellText(v)
			}
		}
		return out
	}
	et, at := text(expected), text(actual)
	key := func(r []string) string { return strings.Join(r, "\x00") }
	match := make([]int, len(actual)) // actual row → expected row, or -1
	taken := make([]bool, len(expected))
	for i := range match {
		match[i] = -1
	}
	byKey := map[string][]int{}
	for i, r := range et {
		byKey[key(r)] = append(byKey[key(r)], i)
	}
	for j, r := range at {
		if l := byKey[key(r)]; len(l) > 0 {
			match[j], taken[l[0]] = l[0], true
			byKey[key(r)] = l[1:]
		}
	}
	// Pair the rest through the column whose values are unique in both
	// tables for the most rows, then the next.
	used := make([]bool, len(header))
	for {
		best, bestPairs := -1, [][2]int(nil)
		for c := range header {
			if used[c] {
				continue
			}
			pairs := uniquePairs(c, et, at, match, taken)
			if len(pairs) > len(bestPairs) {
				best, bestPairs = c, pairs
			}
		}
		if best < 0 {
			break
		}
		used[best] = true
		for _, p := range bestPairs {
			match[p[1]], taken[p[0]] = p[0], true
		}
	}

	var lines []diffLine
	changed := false
	nextDeleted := 0
	emitDeleted := func(upTo int) {
		for ; nextDeleted < upTo; nextDeleted++ {
			if !taken[nextDeleted] {
				lines = append(lines, diffLine{action: "---", cells: expected[nextDeleted]})
				changed = true
			}
		}
	}
	for j, r := range actual {
		i := match[j]
		if i < 0 {
			lines = append(lines, diffLine{action: "+++", cells: r})
			changed = true
			continue
		}
		emitDeleted(i)
		if i >= nextDeleted {
			nextDeleted = i + 1
		}
		l := diffLine{cells: r, old: expected[i], change: make([]bool, len(r))}
		for k := range r {
			if k < len(et[i]) && et[i][k] != at[j][k] {
				l.change[k] = true
				l.action = "→"
			}
		}
		if l.action != "" {
			changed = true
		}
		lines = append(lines, l)
	}
	emitDeleted(len(expected))
	if !changed {
		return "", false
	}
	return renderDiff(header, contextOnly(lines), color), true
}

// uniquePairs pairs unmatched rows whose value in column c occurs once in
// each table.
func uniquePairs(c int, expected, actual [][]string, match []int, taken []bool) [][2]int {
	index := func(rows [][]string) map[string][]int {
		m := map[string][]int{}
		for i, r := range rows {
			if c < len(r) {
				m[r[c]] = append(m[r[c]], i)
			}
		}
		return m
	}
	e, a := index(expected), index(actual)
	var out [][2]int
	for v, js := range a {
		if is := e[v]; len(is) == 1 && len(js) == 1 && !taken[is[0]] && match[js[0]] < 0 {
			out = append(out, [2]int{is[0], js[0]})
		}
	}
	sort.Slice(out, func(x, y int) bool { return out[x][1] < out[y][1] })
	return out
}

// contextOnly keeps changed rows and the unchanged rows right next to
// them; each run of other rows becomes one "..." line.
func contextOnly(lines []diffLine) []diffLine {
	isChange := func(i int) bool { return i >= 0 && i < len(lines) && lines[i].action != "" }
	var out []diffLine
	hidden := false
	for i, l := range lines {
		if l.action != "" || isChange(i-1) || isChange(i+1) {
			out = append(out, l)
			hidden = false
			continue
		}
		if !hidden {
			out = append(out, diffLine{action: "..."})
			hidden = true
		}
	}
	return out
}

// cell is one printed cell: plain is what daff measures (and prints
// without color), shown what it prints in color.
type cell struct{ plain, shown string }

// renderDiff prints the lines as daff's terminal renderer does: cells
// CSV-quoted, columns padded to a width that ignores outliers (none at
// all past 130 characters), added and removed cells colored whole and
// printed with Haxe's Std.string.
func renderDiff(header []string, lines []diffLine, color bool) string {
	paint := func(code, s string) string { return "\x1b[" + code + "m" + s + "\x1b[0m" }
	plainCell := func(s string) cell { q := csvQuote(s); return cell{q, q} }
	colored := func(code, plain, shown string) cell { return cell{csvQuote(plain), csvQuote(paint(code, shown))} }
	modified := func(l, r string) cell {
		return cell{csvQuote(l + "→" + r), csvQuote("\x1b[31;1m" + l + "\x1b[34;1m→\x1b[32;1m" + r + "\x1b[0m")}
	}
	table := [][]cell{{colored("0;1", "@@", "@@")}}
	for _, h := range header {
		table[0] = append(table[0], colored("0;1", h, h))
	}
	for _, l := range lines {
		var row []cell
		switch l.action {
		case "+++", "---":
			code := "32;1"
			if l.action == "---" {
				code = "31;1"
			}
			row = append(row, colored(code, l.action, l.action))
			for _, v := range l.cells {
				row = append(row, colored(code, cellText(v), stdString(v)))
			}
		case "...":
			for range len(header) + 1 {
				row = append(row, plainCell("..."))
			}
		case "→":
			row = append(row, modified("", ""))
			for k, v := range l.cells {
				if l.change[k] {
					row = append(row, modified(cellText(l.old[k]), cellText(v)))
				} else {
					row = append(row, plainCell(cellText(v)))
				}
			}
		default:
			row = append(row, plainCell(""))
			for _, v := range l.cells {
				row = append(row, plainCell(cellText(v)))
			}
		}
		table = append(table, row)
	}
	sizes := pickSizes(table)
	sep := "\x1b[33m,\x1b[0m"
	var b strings.Builder
	for _, row := range table {
		target, at := 0, 0
		for x, c := range row {
			if sizes != nil {
				for ; at < target; at++ {
					b.WriteByte(' ')
				}
			}
			if x > 0 {
				b.WriteString(sep)
			}
			b.WriteString(c.shown)
			if sizes != nil {
				at += utf8.RuneCountInString(c.plain)
				target += sizes[x]
			}
		}
		b.WriteString("\r\n")
	}
	out := b.String()
	if !color {
		out = ansi.ReplaceAllString(out, "")
	}
	return out
}

var ansi = regexp.MustCompile(`\x1b\[[0-9;]*m`)

// pickSizes is daff's column width: the widest cell not longer than the
// mean plus two standard deviations, at least the header's; nil (no
// padding) when the widths add up to more than 130.
func pickSizes(table [][]cell) []int {
	w := len(table[0])
	h := len(table)
	sizes := make([]int, w)
	total := w - 1
	for x := 0; x < w; x++ {
		var sum, sum2 float64
		for _, row := range table {
			n := float64(utf8.RuneCountInString(row[x].plain))
			sum += n
			sum2 += n * n
		}
		mean := sum / float64(h)
		v := sum2/float64(h) - mean*mean
		most := int(mean + 0.5)
		if v >= 0 {
			most = int(mean + 2*math.Sqrt(v) + 0.5)
		}
		size := 0
		for _, row := range table {
			if n := utf8.RuneCountInString(row[x].plain); n <= most && n > size {
				size = n
			}
		}
		if hdr := utf8.RuneCountInString(table[0][x].plain); size < hdr {
			size = hdr
		}
		sizes[x] = size
		total += size
	}
	if total > 130 {
		return nil
	}
	return sizes
}

// csvQuote is daff's CSV cell: quoted when it starts or ends with a space
// or holds a quote, comma, tab or line break.
func csvQuote(s string) string {
	if s == "" {
		return s
	}
	if s[0] != ' ' && s[len(s)-1] != ' ' && !strings.ContainsAny(s, "\"\r\n\t,") {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// stdString is Haxe's Std.string of a Python value, which daff prints for
// added and removed cells: null, true/false, whole floats without ".0",
// repr() for other objects (Decimal('7.00'), datetime.date(2024, 1, 5)).
func stdString(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		if x {
			return "true"
		}
		return "false"
	case string:
		return x
	case int64, *big.Int:
		return jinja.ToString(x)
	case float64:
		if x == math.Trunc(x) && !math.IsInf(x, 0) {
			return strconv.FormatFloat(x, 'f', -1, 64)
		}
		return jinja.ToString(x)
	}
	return jinja.Repr(v)
}
