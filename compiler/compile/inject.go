package compile

import (
	"sort"
	"strings"

	"github.com/gdbt/gdbt/compiler/manifest"
)

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// InjectCTEs puts ephemeral CTEs in front of sql exactly as dbt does: after
// an existing leading WITH (or WITH RECURSIVE), before the first
// non-blank token following it and joined with ", "; otherwise a new
// "with" is added before the first token.
func InjectCTEs(sql string, ctes []manifest.CTE) string {
	if len(ctes) == 0 {
		return sql
	}
	parts := make([]string, len(ctes))
	for i, c := range ctes {
		parts[i] = c.SQL
	}
	joined := strings.Join(parts, ", ")
	i := skipSpaceAndComments(sql, 0)
	if w, ok := keywordAt(sql, i, "with"); ok {
		j := skipSpace(sql, w)
		if r, ok := keywordAt(sql, j, "recursive"); ok {
			j = skipSpace(sql, r)
		}
		return sql[:j] + joined + ", " + sql[j:]
	}
	first := skipSpace(sql, 0)
	return sql[:first] + "with" + joined + " " + sql[first:]
}

func skipSpace(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r' || s[i] == '\f') {
		i++
	}
	return i
}

func skipSpaceAndComments(s string, i int) int {
	for {
		i = skipSpace(s, i)
		switch {
		case strings.HasPrefix(s[i:], "--"):
			k := strings.IndexByte(s[i:], '\n')
			if k < 0 {
				return len(s)
			}
			i += k + 1
		case strings.HasPrefix(s[i:], "/*"):
			k := strings.Index(s[i+2:], "*/")
			if k < 0 {
				return len(s)
			}
			i += k + 4
		default:
			return i
		}
	}
}

// keywordAt reports whether the case-insensitive keyword kw stands at i as
// a whole word, and returns the offset after it.
func keywordAt(s string, i int, kw string) (int, bool) {
	if len(s)-i < len(kw) || !strings.EqualFold(s[i:i+len(kw)], kw) {
		return 0, false
	}
	e := i + len(kw)
	if e < len(s) {
		c := s[e]
		if c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			return 0, false
		}
	}
	return e, true
}
