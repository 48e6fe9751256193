package selector

import (
	"strings"
	"unicode/utf8"
)

// fnmatch matches name against a shell pattern with Python fnmatch rules,
// which dbt uses: '*' is any run of characters (slashes and dots too), '?'
// one character, [abc] / [a-z] / [!abc] a class; a '[' without ']' is
// literal. Matching is case-sensitive, as on POSIX.
func fnmatch(name, pat string) bool {
	if !strings.ContainsAny(pat, "*?[") {
		return name == pat
	}
	// Iterative glob with one backtrack point for the last '*'.
	var starPat, starName = -1, -1
	p, n := 0, 0
	for n < len(name) {
		if p < len(pat) {
			switch pat[p] {
			case '*':
				starPat, starName = p, n
				p++
				continue
			case '?':
				_, w := utf8.DecodeRuneInString(name[n:])
				p++
				n += w
				continue
			case '[':
				r, w := utf8.DecodeRuneInString(name[n:])
				if ok, end, valid := matchClass(pat[p:], r); valid {
					if ok {
						p += end
						n += w
						continue
					}
				} else if name[n] == '[' {
					p++
					n++
					continue
				}
			default:
				if pat[p] == name[n] {
					p++
					n++
					continue
				}
			}
		}
		if starPat < 0 {
			return false
		}
		_, w := utf8.DecodeRuneInString(name[starName:])
		starName += w
		p, n = starPat+1, starName
	}
	for p < len(pat) && pat[p] == '*' {
		p++
	}
	return p == len(pat)
}

// matchClass matches r against the class at the start of pat ("[...]").
// valid is false when the class has no closing ']' (then '[' is literal).
func matchClass(pat string, r rune) (ok bool, end int, valid bool) {
	i := 1
	negate := false
	if i < len(pat) && pat[i] == '!' {
		negate = true
		i++
	}
	first := true
	for i < len(pat) {
		if pat[i] == ']' && !first {
			return ok != negate, i + 1, true
		}
		first = false
		lo, w := utf8.DecodeRuneInString(pat[i:])
		i += w
		hi := lo
		if i+1 < len(pat) && pat[i] == '-' && pat[i+1] != ']' {
			hi, w = utf8.DecodeRuneInString(pat[i+1:])
			i += 1 + w
		}
		if lo <= r && r <= hi {
			ok = true
		}
	}
	return false, 0, false
}

func hasWildcard(s string) bool { return strings.ContainsAny(s, "*?[]") }

// fqnMatch is dbt's rule for matching a selector against a fully qualified
// name: the leaf name alone, a dotted prefix of the (dot-flattened) fqn, or
// a prefix ending in a wildcard that must glob-match the rest. Versioned
// models also match on name and on name_vN / name.vN.
func fqnMatch(fqn []string, sel string, versioned bool) bool {
	if len(fqn) == 0 {
		return false
	}
	parts := strings.Split(sel, ".")
	if versioned && len(fqn) >= 2 {
		if fqn[len(fqn)-2] == sel {
			return true
		}
		tail := parts
		if len(tail) > 2 {
			tail = tail[len(tail)-2:]
		}
		if strings.Join(fqn[len(fqn)-2:], "_") == strings.Join(tail, "_") {
			return true
		}
	} else if fqn[len(fqn)-1] == sel {
		return true
	}
	var flat []string
	for _, seg := range fqn {
		flat = append(flat, strings.Split(seg, ".")...)
	}
	if len(flat) < len(parts) {
		return false
	}
	for i, p := range parts {
		if hasWildcard(p) {
			return fnmatch(strings.Join(flat[i:], "."), strings.Join(parts[i:], "."))
		}
		if flat[i] != p {
			return false
		}
	}
	return true
}

// pathMatch reports whether a project-relative file path (or, with
// parents, one of its directories) matches a path selector. dbt globs the
// selector on disk; gdbt matches it against the paths it knows, segment by
// segment, with "**" spanning directories.
func pathMatch(file, sel string, parents bool) bool {
	sel = strings.TrimPrefix(strings.TrimRight(sel, "/"), "./")
	if sel == "" || sel == "." {
		return file != ""
	}
	selParts := strings.Split(sel, "/")
	fileParts := strings.Split(file, "/")
	low := len(fileParts)
	if parents {
		low = 1
	}
	for n := len(fileParts); n >= low; n-- {
		if globSegments(fileParts[:n], selParts) {
			return true
		}
	}
	return false
}

func globSegments(name, pat []string) bool {
	if len(pat) == 0 {
		return len(name) == 0
	}
	if pat[0] == "**" {
		for i := 0; i <= len(name); i++ {
			if globSegments(name[i:], pat[1:]) {
				return true
			}
		}
		return false
	}
	if len(name) == 0 {
		return false
	}
	// Within a segment '*' does not cross '/', which segments guarantee.
	return fnmatch(name[0], pat[0]) && globSegments(name[1:], pat[1:])
}
