package parser

import "strings"

// docsBlocksOnly blanks everything of a .md file outside its top-level
// {% docs %} … {% enddocs %} blocks, keeping newlines so positions stay
// true. dbt reads docs files with a block lexer that only looks for docs
// blocks: text around them ({{ }} included) is never parsed, so a README
// with template-like text in it is not an error.
func docsBlocksOnly(src string) string {
	out := []byte(src)
	keep := make([]bool, len(src))
	i := 0
	for {
		start, end, name := nextTag(src, i)
		if start < 0 {
			break
		}
		i = end
		switch name {
		case "raw":
			if _, e, ok := findTag(src, end, "endraw"); ok {
				i = e
			}
		case "docs":
			if _, e, ok := findTag(src, end, "enddocs"); ok {
				for k := start; k < e; k++ {
					keep[k] = true
				}
				i = e
			}
		}
	}
	for k := range out {
		if !keep[k] && out[k] != '\n' {
			out[k] = ' '
		}
	}
	return string(out)
}

// findTag returns the span of the first {% name %} tag at or after from.
func findTag(src string, from int, name string) (start, end int, ok bool) {
	for {
		s, e, n := nextTag(src, from)
		if s < 0 {
			return 0, 0, false
		}
		if n == name {
			return s, e, true
		}
		from = e
	}
}

// nextTag finds the next {% … %} tag at or after from, skipping {# #}
// comments, and returns its span and its name (the first word inside);
// start is -1 when there is none.
func nextTag(src string, from int) (start, end int, name string) {
	for from < len(src) {
		j := strings.IndexByte(src[from:], '{')
		if j < 0 || from+j+1 >= len(src) {
			return -1, 0, ""
		}
		k := from + j
		switch src[k+1] {
		case '#':
			c := strings.Index(src[k+2:], "#}")
			if c < 0 {
				return -1, 0, ""
			}
			from = k + 2 + c + 2
			continue
		case '%':
			e := tagEnd(src, k+2)
			if e < 0 {
				return -1, 0, ""
			}
			body := strings.TrimSpace(strings.Trim(src[k+2:e-2], "-+"))
			if f := strings.Fields(body); len(f) > 0 {
				name = f[0]
			}
			return k, e, name
		}
		from = k + 1
	}
	return -1, 0, ""
}

// tagEnd returns the index just past the %} closing a tag whose body starts
// at i, skipping quoted strings; -1 when the tag is not closed.
func tagEnd(src string, i int) int {
	var quote byte
	for ; i < len(src); i++ {
		c := src[i]
		switch {
		case quote != 0:
			if c == '\\' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '%' && i+1 < len(src) && src[i+1] == '}':
			return i + 2
		}
	}
	return -1
}
