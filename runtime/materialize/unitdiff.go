package materialize

import (
	"sort"
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
	action string   // "", "→", "+++", "---", "..."
	cells  []string // display text; "a→b" cells are changed
	change []bool   // which cells changed (for color)
	old    []string // expected value of changed cells
}

// unitDiff compares expected with actual (rows of display strings under
// header) and renders the difference; ok is false when there is none.
func unitDiff(header []string, expected, actual [][]string, color bool) (string, bool) {
	key := func(r []string) string { return strings.Join(r, "\x00") }
	match := make([]int, len(actual)) // actual row → expected row, or -1
	taken := make([]bool, len(expected))
	for i := range match {
		match[i] = -1
	}
	byKey := map[string][]int{}
	for i, r := range expected {
		byKey[key(r)] = append(byKey[key(r)], i)
	}
	for j, r := range actual {
		if l := byKey[key(r)]; len(l) > 0 {
			match[j], taken[l[0]] = l[0], true
			byKey[key(r)] = l[1:]
		}
	}
	// Pair the rest through the most telling column, then the next.
	for {
		best, bestPairs := -1, [][2]int(nil)
		for c := range header {
			pairs := uniquePairs(c, expected, actual, match, taken)
			if len(pairs) > len(bestPairs) {
				best, bestPairs = c, pairs
			}
		}
		if best < 0 {
			break
		}
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
		l := diffLine{cells: make([]string, len(r)), change: make([]bool, len(r)), old: make([]string, len(r))}
		for k := range r {
			l.cells[k] = r[k]
			if k < len(expected[i]) && expected[i][k] != r[k] {
				l.change[k], l.old[k] = true, expected[i][k]
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

// uniquePairs pairs unmatched rows whose value in column c occurs once
// among the unmatched rows of each side.
func uniquePairs(c int, expected, actual [][]string, match []int, taken []bool) [][2]int {
	count := func(rows [][]string, skip func(int) bool) map[string][]int {
		m := map[string][]int{}
		for i, r := range rows {
			if !skip(i) && c < len(r) {
				m[r[c]] = append(m[r[c]], i)
			}
		}
		return m
	}
	e := count(expected, func(i int) bool { return taken[i] })
	a := count(actual, func(j int) bool { return match[j] >= 0 })
	var out [][2]int
	for v, js := range a {
		if is := e[v]; len(is) == 1 && len(js) == 1 {
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

func renderDiff(header []string, lines []diffLine, color bool) string {
	paint := func(code, s string) string {
		if !color {
			return s
		}
		return "\x1b[" + code + "m" + s + "\x1b[0m"
	}
	// Cell text per column, for widths.
	text := func(l diffLine, k int) string {
		if l.action == "..." {
			return "..."
		}
		if l.change != nil && l.change[k] {
			return l.old[k] + "→" + l.cells[k]
		}
		return l.cells[k]
	}
	width := make([]int, len(header)+1)
	width[0] = 2 // "@@"
	for k, h := range header {
		width[k+1] = utf8.RuneCountInString(h)
	}
	for _, l := range lines {
		width[0] = max(width[0], utf8.RuneCountInString(l.action))
		for k := range header {
			width[k+1] = max(width[k+1], utf8.RuneCountInString(text(l, k)))
		}
	}
	sep := paint("33", ",")
	pad := func(s string, col int, last bool) string {
		if last {
			return ""
		}
		return strings.Repeat(" ", width[col]-utf8.RuneCountInString(s))
	}
	var b strings.Builder
	row := func(cells []string, shown []string) {
		for i, c := range cells {
			if i > 0 {
				b.WriteString(sep)
			}
			b.WriteString(c + pad(shown[i], i, i == len(cells)-1))
		}
		b.WriteString("\r\n")
	}
	cells := []string{paint("0;1", "@@")}
	shown := []string{"@@"}
	for _, h := range header {
		cells, shown = append(cells, paint("0;1", h)), append(shown, h)
	}
	row(cells, shown)
	for _, l := range lines {
		cells, shown = cells[:0], shown[:0]
		switch l.action {
		case "+++", "---":
			code := "32;1"
			if l.action == "---" {
				code = "31;1"
			}
			cells, shown = append(cells, paint(code, l.action)), append(shown, l.action)
			for _, c := range l.cells {
				cells, shown = append(cells, paint(code, c)), append(shown, c)
			}
		case "...":
			for range len(header) + 1 {
				cells, shown = append(cells, "..."), append(shown, "...")
			}
		default:
			cells, shown = append(cells, changedCell(paint, l.action == "→", "", "")), append(shown, l.action)
			for k, c := range l.cells {
				if l.change[k] {
					cells = append(cells, changedCell(paint, true, l.old[k], c))
				} else {
					cells = append(cells, c)
				}
				shown = append(shown, text(l, k))
			}
		}
		row(cells, shown)
	}
	return b.String()
}

// changedCell prints "old→new" in daff's colors (an empty arrow marks a
// changed row's action column).
func changedCell(paint func(code, s string) string, changed bool, old, new string) string {
	if !changed {
		return ""
	}
	if paint("0", "") == "" {
		return old + "→" + new
	}
	return "\x1b[31;1m" + old + "\x1b[34;1m→\x1b[32;1m" + new + "\x1b[0m"
}
