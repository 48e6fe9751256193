package project

import (
	"os"
	"regexp"
	"strings"
)

// ignoreRules is a .dbtignore file: gitignore patterns matched against
// paths relative to the project root. Supported: comments, blank lines,
// ! negation (last match wins), trailing / for directories, leading or
// inner / to anchor at the root, *, ?, [...] and **.
type ignoreRules struct {
	rules []ignoreRule
}

type ignoreRule struct {
	re     *regexp.Regexp
	negate bool
}

func loadIgnore(path string) (*ignoreRules, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, nil
		}
		return nil, err
	}
	return parseIgnore(string(data)), nil
}

func parseIgnore(text string) *ignoreRules {
	ig := &ignoreRules{}
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimRight(line, "\r")
		// Trailing unescaped spaces are not part of a pattern.
		for strings.HasSuffix(line, " ") && !strings.HasSuffix(line, "\\ ") {
			line = line[:len(line)-1]
		}
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		neg := false
		if strings.HasPrefix(line, "!") {
			neg, line = true, line[1:]
		} else if strings.HasPrefix(line, "\\!") || strings.HasPrefix(line, "\\#") {
			line = line[1:]
		}
		if re := ignorePattern(line); re != nil {
			ig.rules = append(ig.rules, ignoreRule{re: re, negate: neg})
		}
	}
	return ig
}

// ignorePattern compiles one gitignore pattern into a regexp over a file's
// root-relative path. A pattern naming a directory matches every file
// below it.
func ignorePattern(p string) *regexp.Regexp {
	dirOnly := strings.HasSuffix(p, "/")
	p = strings.TrimSuffix(p, "/")
	if p == "" {
		return nil
	}
	anchored := strings.Contains(p, "/")
	p = strings.TrimPrefix(p, "/")
	var b strings.Builder
	b.WriteString("^")
	if !anchored {
		b.WriteString("(?:.*/)?")
	}
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case strings.HasPrefix(p[i:], "**/"):
			b.WriteString("(?:.*/)?")
			i += 2
		case strings.HasPrefix(p[i:], "**") && i+2 == len(p):
			b.WriteString(".*")
			i++
		case c == '*':
			b.WriteString("[^/]*")
		case c == '?':
			b.WriteString("[^/]")
		case c == '[':
			j := strings.IndexByte(p[i+1:], ']')
			if j < 0 {
				b.WriteString(`\[`)
				continue
			}
			class := p[i+1 : i+1+j]
			if strings.HasPrefix(class, "!") {
				class = "^" + class[1:]
			}
			b.WriteString("[" + strings.ReplaceAll(class, `\`, `\\`) + "]")
			i += j + 1
		case c == '\\' && i+1 < len(p):
			i++
			b.WriteString(regexp.QuoteMeta(string(p[i])))
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	if dirOnly {
		b.WriteString("/.*$")
	} else {
		b.WriteString("(?:/.*)?$")
	}
	re, err := regexp.Compile(b.String())
	if err != nil {
		return nil
	}
	return re
}

func (ig *ignoreRules) match(rel string) bool {
	ignored := false
	for _, r := range ig.rules {
		if r.negate == ignored && r.re.MatchString(rel) {
			ignored = !r.negate
		}
	}
	return ignored
}
