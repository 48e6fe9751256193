package parser

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gdbt/gdbt/compiler/manifest"
	"github.com/gdbt/gdbt/compiler/project"
)

// Parse-time warnings dbt prints, with its wording and tags. They are
// gathered once the manifest is complete, in the order dbt fires them:
// dbt_project.yml's deprecations; then, per schema file and section, what
// the section's patches find, entry by entry, followed by the deprecations
// of the section's generic tests; then the already-collected warnings
// (sources' tests and freshness, tests' refs and sources); then
// dbt_project.yml's unused config paths.

// printerWidth is dbt's default --printer-width, to which it wraps some
// warnings.
const printerWidth = 80

func (p *parser) collectWarnings() error {
	out := append(p.projectDeprecations(), p.patchWarnings()...)
	p.warnings = append(out, p.warnings...)
	if w := p.unusedConfigPaths(); w != "" {
		p.warnings = append(p.warnings, warning(w))
	}
	return nil
}

// patchWarnings: a model, seed, snapshot or analysis entry with no node of
// that name (or one of another kind), and enforced constraints on a model
// whose materialization cannot create them; after each section of a
// schema file, its tests' deprecations.
func (p *parser) patchWarnings() []Warning {
	patched := map[*patch][]*sqlFile{}
	for _, f := range p.sqlNodes {
		if f.patch != nil {
			patched[f.patch] = append(patched[f.patch], f)
		}
	}
	var out, deprecations []Warning
	for i, pt := range p.patches {
		if files := patched[pt]; len(files) == 0 {
			out = append(out, warning(p.noNodeWarning(pt)))
		} else {
			if len(files) > 1 {
				// Versions in the order the entry lists them.
				sort.SliceStable(files, func(i, j int) bool { return versionIndex(pt, files[i]) < versionIndex(pt, files[j]) })
			}
			for _, f := range files {
				if w := unsupportedConstraints(f.node); w != "" {
					out = append(out, warning(w))
				}
			}
		}
		deprecations = append(deprecations, pt.deprecations...)
		if next := i + 1; next == len(p.patches) || p.patches[next].pkg != pt.pkg ||
			p.patches[next].file != pt.file || p.patches[next].yamlKey != pt.yamlKey {
			out = append(out, deprecations...)
			deprecations = deprecations[:0]
		}
	}
	return out
}

func versionIndex(pt *patch, f *sqlFile) int {
	for i, v := range pt.versions {
		if v == f.version {
			return i
		}
	}
	return -1
}

func (p *parser) noNodeWarning(pt *patch) string {
	if pt.rt != manifest.Analysis {
		for _, n := range p.byName[pt.name] { // enabled models, seeds and snapshots
			if n.ResourceType != pt.rt {
				kind := string(n.ResourceType)
				return wrapWarning(fmt.Sprintf("'%s' is a %s node, but it is specified in the %s section of %s. "+
					"To fix this error, place the `%s` specification under the %ss key instead.",
					pt.name, kind, pt.yamlKey, pt.file, pt.name, kind))
			}
		}
	}
	return fmt.Sprintf("Did not find matching node for patch with name '%s' in the '%s' section of file '%s'", pt.name, pt.yamlKey, pt.file)
}

// unsupportedConstraints is dbt's warning for an enforced contract with
// constraints (that warn_unsupported) on a materialization other than
// table or incremental: they are left out.
func unsupportedConstraints(n *manifest.Node) string {
	if n.ResourceType != manifest.Model || !contractEnforced(n.Config) || materializationEnforcesConstraints(n) {
		return ""
	}
	for _, c := range allConstraints(n) {
		if c.WarnUnsupported {
			return wrapWarning(fmt.Sprintf("Constraint types are not supported for %s materializations and will "+
				"be ignored.  Set 'warn_unsupported: false' on this constraint to ignore this warning.",
				n.Config.String("materialized")))
		}
	}
	return ""
}

// configTrees are dbt_project.yml's resource config trees, named as dbt's
// warning names them.
var configTrees = []struct{ key, name string }{
	{"models", "models"}, {"seeds", "seeds"}, {"snapshots", "snapshots"}, {"sources", "sources"},
	{"data_tests", "data_tests"}, {"unit_tests", "unit_tests"}, {"metrics", "metrics"},
	{"semantic-models", "semantic_models"}, {"saved-queries", "saved_queries"},
	{"exposures", "exposures"}, {"functions", "functions"},
}

// pluralTypes are the resource types as dbt pluralizes them to match
// config trees.
var pluralTypes = map[manifest.ResourceType]string{manifest.Test: "data_tests", manifest.Analysis: "analyses"}

// unusedConfigPaths is dbt's warning for the root project's config paths
// (folders of a config tree that set something) that match no resource,
// enabled or disabled.
func (p *parser) unusedConfigPaths() string {
	var unused []string
	for _, t := range configTrees {
		var paths [][]string
		configPaths(p.root.Configs[t.key], nil, &paths)
		var lines []string
		for _, path := range paths {
			if !p.configPathUsed(t.name, path) {
				lines = append(lines, strings.Join(append([]string{t.name}, path...), "."))
			}
		}
		sort.Strings(lines) // dbt's order is a Python set's
		unused = append(unused, lines...)
	}
	if len(unused) == 0 {
		return ""
	}
	return fmt.Sprintf("Configuration paths exist in your dbt_project.yml file which do not apply to any resources.\n"+
		"There are %d unused configuration paths:\n- %s", len(unused), strings.Join(unused, "\n- "))
}

// configPathUsed reports whether path is a prefix of the fqn of a resource
// of the tree's type (plural, as dbt names them), or of any disabled
// resource.
func (p *parser) configPathUsed(plural string, path []string) bool {
	match := func(fqn []string) bool { return len(path) <= len(fqn) && slices.Equal(fqn[:len(path)], path) }
	switch plural {
	case "sources":
		for _, s := range p.m.Sources {
			if match(s.FQN) {
				return true
			}
		}
	case "exposures":
		for _, x := range p.m.Exposures {
			if match(x.FQN) {
				return true
			}
		}
	default:
		for _, n := range p.m.Nodes {
			typ, ok := pluralTypes[n.ResourceType]
			if !ok {
				typ = string(n.ResourceType) + "s"
			}
			if typ == plural && match(n.FQN) {
				return true
			}
		}
	}
	for _, list := range p.m.Disabled {
		for _, n := range list {
			if match(n.FQN) {
				return true
			}
		}
	}
	for _, list := range p.m.DisabledSources {
		for _, s := range list {
			if match(s.FQN) {
				return true
			}
		}
	}
	for _, list := range p.m.DisabledExposures {
		for _, x := range list {
			if match(x.FQN) {
				return true
			}
		}
	}
	return false
}

// configPaths adds the paths of tree's levels that set a config (a +key,
// or a plain key whose value is not a mapping), each once.
func configPaths(tree *project.Value, path []string, out *[][]string) {
	if tree == nil || tree.Kind != project.Map {
		return
	}
	added := false
	for _, e := range tree.Entries {
		if e.Value.Kind == project.Map && !strings.HasPrefix(e.Key, "+") {
			configPaths(e.Value, append(append([]string{}, path...), e.Key), out)
		} else if !added {
			added = true
			*out = append(*out, path)
		}
	}
}

// wrapWarning wraps "[WARNING]: "+msg to dbt's printer width as dbt's
// line_wrap_message does (Python's textwrap.fill: words split at
// whitespace, the whitespace between them kept, a word longer than a line
// cut) and returns it without the tag, which the CLI prints.
func wrapWarning(msg string) string {
	const tag = "[WARNING]: "
	return strings.TrimPrefix(fillText(tag+msg, printerWidth), tag)
}

// fillText is textwrap.fill(text, width, break_on_hyphens=False).
func fillText(text string, width int) string {
	// Chunks alternate words and runs of whitespace (each whitespace
	// character, a newline too, counted as one space; the messages have
	// no tabs, which Python would expand).
	var chunks []string
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		space := unicode.IsSpace(r)
		j := i + size
		for j < len(text) {
			r2, s2 := utf8.DecodeRuneInString(text[j:])
			if unicode.IsSpace(r2) != space {
				break
			}
			j += s2
		}
		c := text[i:j]
		if space {
			c = strings.Repeat(" ", utf8.RuneCountInString(c))
		}
		chunks = append(chunks, c)
		i = j
	}
	blank := func(c string) bool { return strings.TrimSpace(c) == "" }
	var lines []string
	for len(chunks) > 0 {
		if len(lines) > 0 && blank(chunks[0]) {
			chunks = chunks[1:]
		}
		var line []string
		n := 0
		for len(chunks) > 0 && n+utf8.RuneCountInString(chunks[0]) <= width {
			n += utf8.RuneCountInString(chunks[0])
			line = append(line, chunks[0])
			chunks = chunks[1:]
		}
		if len(chunks) > 0 && utf8.RuneCountInString(chunks[0]) > width {
			// A word longer than the line: cut it to fill the line.
			left := max(width-n, 1)
			rs := []rune(chunks[0])
			line = append(line, string(rs[:left]))
			chunks[0] = string(rs[left:])
		}
		if len(line) > 0 && blank(line[len(line)-1]) {
			line = line[:len(line)-1]
		}
		if len(line) > 0 {
			lines = append(lines, strings.Join(line, ""))
		}
	}
	return strings.Join(lines, "\n")
}
