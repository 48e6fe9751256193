package conformance

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"gopkg.in/yaml.v3"
)

// Allow is one reviewed, deliberate difference (docs/conformance-allowlist.yml).
// Empty fields and "*" match anything; project, step, kind and id are globs
// where * matches any run of characters and ? one character.
type Allow struct {
	Project string `yaml:"project"`
	Step    string `yaml:"step"`
	Kind    string `yaml:"kind"`
	ID      string `yaml:"id"`
	Field   string `yaml:"field"`
	Reason  string `yaml:"reason"`
	line    int
}

// AllowList is the parsed allow-list file.
type AllowList struct {
	Path    string
	Entries []Allow
}

// LoadAllowList reads the allow-list; a missing file is an empty list.
func LoadAllowList(path string) (*AllowList, error) {
	al := &AllowList{Path: path}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return al, nil
	}
	if err != nil {
		return nil, err
	}
	var doc struct {
		Allow []yaml.Node `yaml:"allow"`
	}
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	for i := range doc.Allow {
		n := &doc.Allow[i]
		var a Allow
		dec := n.Decode
		if err := dec(&a); err != nil {
			return nil, fmt.Errorf("%s:%d:%d: %w", path, n.Line, n.Column, err)
		}
		for j := 0; j+1 < len(n.Content); j += 2 {
			switch k := n.Content[j].Value; k {
			case "project", "step", "kind", "id", "field", "reason":
			default:
				return nil, fmt.Errorf("%s:%d:%d: expected one of project, step, kind, id, field, reason; found %q",
					path, n.Content[j].Line, n.Content[j].Column, k)
			}
		}
		if strings.TrimSpace(a.Reason) == "" {
			return nil, fmt.Errorf("%s:%d:%d: expected a reason for this allowed difference, found none", path, n.Line, n.Column)
		}
		if a.Kind != "" && a.Kind != "*" && !knownKind(a.Kind) {
			return nil, fmt.Errorf("%s:%d:%d: kind: expected one of %s; found %q", path, n.Line, n.Column, strings.Join(kindNames(), ", "), a.Kind)
		}
		a.line = n.Line
		al.Entries = append(al.Entries, a)
	}
	return al, nil
}

// Match returns the first entry that allows d, or nil.
func (al *AllowList) Match(project string, d *Difference) *Allow {
	if al == nil {
		return nil
	}
	for i := range al.Entries {
		a := &al.Entries[i]
		if glob(a.Project, project) && glob(a.Step, d.Step) && glob(a.Kind, string(d.Kind)) &&
			glob(a.ID, d.ID) && glob(a.Field, d.Field) {
			return a
		}
	}
	return nil
}

// glob matches s against a pattern where * is any run of characters and ? any one.
func glob(pat, s string) bool {
	if pat == "" || pat == "*" {
		return true
	}
	// Iterative matcher with backtracking to the last star.
	p, i, star, mark := 0, 0, -1, 0
	for i < len(s) {
		switch {
		case p < len(pat) && (pat[p] == '?' || pat[p] == s[i]):
			p++
			i++
		case p < len(pat) && pat[p] == '*':
			star, mark = p, i
			p++
		case star >= 0:
			p = star + 1
			mark++
			i = mark
		default:
			return false
		}
	}
	for p < len(pat) && pat[p] == '*' {
		p++
	}
	return p == len(pat)
}
