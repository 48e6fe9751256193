package parser

import (
	"fmt"
	"strings"

	"github.com/gdbt/gdbt/compiler/project"
)

// Warning is a parse-time warning as dbt prints it after the timestamp.
type Warning struct {
	// Deprecation is the name of dbt's event for a deprecation
	// (MissingArgumentsPropertyInGenericTestDeprecation), "" for other
	// warnings. A command prints the first warning of each deprecation
	// (every one with --show-all-deprecations) and counts them all in
	// DeprecationsSummary at its end.
	Deprecation string
	// Text has dbt's tag ("[WARNING]: …") and is wrapped where dbt wraps.
	Text string
}

// warning is a warning with the plain tag; msg is already wrapped where
// dbt wraps it.
func warning(msg string) Warning { return Warning{Text: "[WARNING]: " + msg} }

// deprecation is dbt's deprecation warning: its tag, "Deprecated
// functionality" and the description, each paragraph wrapped to the
// printer width (dbt's line_wrap_message). dbt_project.yml's deprecations
// fire before dbt reads its flags and their tag has no event name.
func deprecation(event string, named bool, description string) Warning {
	tag := "[WARNING]: "
	if named {
		tag = "[WARNING][" + event + "]: "
	}
	return Warning{Deprecation: event, Text: wrapParagraphs(tag + "Deprecated functionality\n\n" + description)}
}

// wrapParagraphs fills each paragraph (text between blank lines) to the
// printer width and joins them with one newline, as dbt's
// line_wrap_message does.
func wrapParagraphs(text string) string {
	paras := strings.Split(text, "\n\n")
	for i, p := range paras {
		paras[i] = fillText(p, printerWidth)
	}
	return strings.Join(paras, "\n")
}

// DeprecationCount is how often one deprecation occurred in a command.
type DeprecationCount struct {
	Event string
	Count int
}

// DeprecationsSummary is the warning dbt prints at the end of a command
// that met deprecations, in the order each first occurred; showAll (the
// command ran with --show-all-deprecations) drops the hint to use it.
func DeprecationsSummary(counts []DeprecationCount, showAll bool) string {
	var b strings.Builder
	b.WriteString("Summary of encountered deprecations:")
	for _, c := range counts {
		noun := "occurrences"
		if c.Count == 1 {
			noun = "occurrence"
		}
		fmt.Fprintf(&b, "\n\n- %s: %d %s", c.Event, c.Count, noun)
	}
	if !showAll {
		b.WriteString("\n\nTo see all deprecation instances instead of just the first occurrence of each, " +
			"run command again with the `--show-all-deprecations` flag. You may also need to run with " +
			"`--no-partial-parse` as some deprecations are only encountered during parsing.")
	}
	return deprecation("DeprecationsSummary", true, b.String()).Text
}

// projectDeprecations are dbt's warnings for dbt_project.yml keys it has
// replaced, for the root project then each package: source-paths and
// data-paths (renamed), and log-path and target-path set to anything but
// their defaults (the CLI flags and env vars replace them).
func (p *parser) projectDeprecations() []Warning {
	var out []Warning
	for _, pr := range p.root.All() {
		if pr.Doc == nil {
			continue
		}
		for _, d := range []struct{ key, renamed, event string }{
			{"source-paths", "model-paths", "ConfigSourcePathDeprecation"},
			{"data-paths", "seed-paths", "ConfigDataPathDeprecation"},
		} {
			if pr.Doc.Get(d.key) != nil {
				out = append(out, deprecation(d.event, false, fmt.Sprintf("The `%s` config has been renamed to `%s`. "+
					"Please update your `dbt_project.yml` configuration to reflect this change.", d.key, d.renamed)))
			}
		}
		for _, d := range []struct{ key, def, output, flag, env, event string }{
			{"log-path", "logs", "logs", "--log-path", "DBT_LOG_PATH", "ConfigLogPathDeprecation"},
			{"target-path", "target", "artifacts", "--target-path", "DBT_TARGET_PATH", "ConfigTargetPathDeprecation"},
		} {
			if v := pr.Doc.Get(d.key); v != nil && str(v) != d.def {
				out = append(out, deprecation(d.event, false, fmt.Sprintf("The `%s` config in `dbt_project.yml` has been deprecated, "+
					"and will no longer be supported in a future version of dbt-core. If you wish to write dbt %s to a "+
					"custom directory, please use the %s CLI flag or %s env var instead.", d.key, d.output, d.flag, d.env)))
			}
		}
	}
	return out
}

// topLevelTestKeys may stand beside a generic test's name without an
// arguments: property (with configArgs).
var topLevelTestKeys = map[string]bool{"config": true, "column_name": true, "description": true, "name": true}

// testDeprecations are dbt's deprecations for one generic test entry
// declared on resource (a model, seed or snapshot name, or
// <source>_<table>) in file: each config given beside the test's
// arguments instead of under config:, then arguments not nested under
// arguments:. An entry dbt cannot read gives none (buildTest reports it).
func testDeprecations(e *project.Value, file, resource, pkg string) []Warning {
	if e == nil || e.Kind != project.Map {
		return nil
	}
	var name string
	var args []project.Entry
	if tn := e.Get("test_name"); tn != nil {
		name = str(tn)
		for _, en := range e.Entries {
			if en.Key != "test_name" {
				args = append(args, en)
			}
		}
	} else if len(e.Entries) == 1 {
		name = e.Entries[0].Key
		if v := e.Entries[0].Value; v != nil && v.Kind == project.Map {
			args = v.Entries
		}
	} else {
		return nil
	}
	var out []Warning
	nested := false
	for _, en := range args {
		switch {
		case en.Key == "arguments":
			nested = en.Value != nil && !isFalsy(en.Value.Interface())
		case isConfigArg(en.Key):
			out = append(out, deprecation("PropertyMovedToConfigDeprecation", true, fmt.Sprintf(
				"Found `%s` as a top-level property of `data_tests.%s.%s` in file `%s`. "+
					"The `%s` top-level property should be moved into the `config` of `data_tests.%s.%s`.",
				en.Key, name, en.Key, file, en.Key, name, en.Key)))
		}
	}
	if !nested && hasLooseArgument(args) {
		out = append(out, deprecation("MissingArgumentsPropertyInGenericTestDeprecation", true, fmt.Sprintf(
			"Found top-level arguments to test `%s` defined on '%s' in package '%s' (%s). "+
				"Arguments to generic tests should be nested under the `arguments` property.", name, resource, pkg, file)))
	}
	return out
}

// hasLooseArgument reports whether a test entry has a key that is neither
// arguments:, a config nor another key dbt allows beside them.
func hasLooseArgument(args []project.Entry) bool {
	for _, en := range args {
		if en.Key != "arguments" && !isConfigArg(en.Key) && !topLevelTestKeys[en.Key] {
			return true
		}
	}
	return false
}

func isConfigArg(key string) bool {
	for _, k := range configArgs {
		if k == key {
			return true
		}
	}
	return false
}

// testsDeprecations gathers testDeprecations over a resource's tests and
// its columns' tests, in the order given (dbt reads a model's column tests
// before its own, a source table's own before its columns').
func testsDeprecations(file, resource, pkg string, tests []*project.Value, colTests [][]*project.Value, columnsFirst bool) []Warning {
	var own, cols []Warning
	for _, t := range tests {
		own = append(own, testDeprecations(t, file, resource, pkg)...)
	}
	for _, ts := range colTests {
		for _, t := range ts {
			cols = append(cols, testDeprecations(t, file, resource, pkg)...)
		}
	}
	if columnsFirst {
		return append(cols, own...)
	}
	return append(own, cols...)
}
