package conformance

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"
)

// Config says what to compare and with which tools.
type Config struct {
	Project  string // the dbt project directory (never written to)
	Name     string // short project name for databases and the allow-list; default: directory name
	Scenario string // scenario file; default: <Project>/conformance.yml when it exists
	Steps    []Step // overrides the scenario's steps when non-empty
	DBURL    string // any database on the cluster; the harness creates its own databases
	DbtPath  string // the dbt executable (.venv/bin/dbt)
	GdbtPath string // the gdbt executable; empty or missing means every gdbt step fails
	WorkDir  string // scratch space; the project copies and logs go here
	// Only runs dbt (for goldens and benchmarks of dbt alone).
	DbtOnly bool
	// Only runs gdbt, comparing each step with dbt's recorded outcome
	// (<Project>/expected/outcomes.json) instead of a live dbt run.
	GdbtOnly bool
	// Env is added to both tools' environment (after the harness's own variables).
	Env []string
	// Log receives progress lines; nil discards them.
	Log func(format string, args ...any)
}

// StepKind tells how a step is executed.
type StepKind string

const (
	StepCommand StepKind = "command" // a dbt command line, run with both tools
	StepSQL     StepKind = "sql"     // SQL executed in both databases
	StepShell   StepKind = "shell"   // a shell command run once per database
)

// Step is one action of a scenario.
type Step struct {
	Kind StepKind
	Args []string // StepCommand: the command and its flags, e.g. [run --vars {x: 2}]
	Text string   // StepSQL: the statements; StepShell: the command line
	Name string   // what the report calls it: "build", "run --full-refresh", "sql#3"
}

// DefaultSteps are run when the scenario lists none.
func DefaultSteps() []Step {
	var s []Step
	for _, c := range []string{"parse", "compile", "seed", "build"} {
		s = append(s, Step{Kind: StepCommand, Args: []string{c}, Name: c})
	}
	return s
}

// Scenario is a project's conformance.yml:
//
//	setup:        # run once in the template database both tools' databases are cloned from
//	  - shell: scripts/conformance_showcase_raw.sh
//	  - sql: create schema raw
//	steps:        # replaces the default steps (parse, compile, seed, build)
//	  - parse
//	scenario:     # appended after the steps
//	  - "run --vars '{x: 2}'"   # quoted: the line holds ": "
//	  - sql: update raw.orders set status = 'returned' where id = 1
//	  - build --full-refresh
//	profile: generate   # "generate" (default) or "project": use <project>/profiles.yml as is
//	schema: analytics   # schema of the generated profile (default: the project profile's, else public)
//	target: dev         # target of the generated profile, passed as --target (default: the profile's own)
//	ignore_columns:     # volatile columns left out of row comparisons, per schema.relation glob
//	  snapshots.customers_snapshot: [dbt_valid_from, dbt_updated_at, dbt_scd_id]
//	env:                # added to both tools' environment
//	  DBT_ENV_CUSTOM_ENV_team: data
type Scenario struct {
	IgnoreColumns map[string][]string
	Env           []string // KEY=value, sorted by key
	Setup         []Step
	Steps         []Step
	Profile       string
	Schema        string
	Target        string
	Database      string // overrides the <name> prefix of database names
}

type rawScenario struct {
	Setup    []yaml.Node         `yaml:"setup"`
	Steps    []yaml.Node         `yaml:"steps"`
	Scenario []yaml.Node         `yaml:"scenario"`
	Profile  string              `yaml:"profile"`
	Schema   string              `yaml:"schema"`
	Target   string              `yaml:"target"`
	Database string              `yaml:"database"`
	Ignore   map[string][]string `yaml:"ignore_columns"`
	Env      map[string]string   `yaml:"env"`
}

// LoadScenario reads a scenario file; a missing file gives the default scenario.
func LoadScenario(path string) (*Scenario, error) {
	sc := &Scenario{}
	if path == "" {
		sc.Steps = DefaultSteps()
		return sc, nil
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		sc.Steps = DefaultSteps()
		return sc, nil
	}
	if err != nil {
		return nil, err
	}
	var raw rawScenario
	dec := yaml.NewDecoder(strings.NewReader(string(b)))
	dec.KnownFields(true)
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	sc.Profile, sc.Schema, sc.Target, sc.Database = raw.Profile, raw.Schema, raw.Target, raw.Database
	sc.IgnoreColumns = raw.Ignore
	for _, k := range sortedKeys(raw.Env) {
		sc.Env = append(sc.Env, k+"="+raw.Env[k])
	}
	switch sc.Profile {
	case "", "project", "generate":
	default:
		return nil, fmt.Errorf("%s: profile: expected \"project\" or \"generate\", found %q", path, sc.Profile)
	}
	conv := func(nodes []yaml.Node) ([]Step, error) {
		var out []Step
		for i := range nodes {
			s, err := stepFromYAML(&nodes[i])
			if err != nil {
				return nil, fmt.Errorf("%s:%d:%d: %w", path, nodes[i].Line, nodes[i].Column, err)
			}
			out = append(out, s)
		}
		return out, nil
	}
	if sc.Setup, err = conv(raw.Setup); err != nil {
		return nil, err
	}
	if raw.Steps == nil {
		sc.Steps = DefaultSteps()
	} else if sc.Steps, err = conv(raw.Steps); err != nil {
		return nil, err
	}
	more, err := conv(raw.Scenario)
	if err != nil {
		return nil, err
	}
	sc.Steps = append(sc.Steps, more...)
	for _, s := range sc.Setup {
		if s.Kind == StepCommand {
			return nil, fmt.Errorf("%s: setup: expected sql or shell steps, found command %q", path, s.Name)
		}
	}
	nameSteps(sc.Steps)
	return sc, nil
}

func stepFromYAML(n *yaml.Node) (Step, error) {
	switch n.Kind {
	case yaml.ScalarNode:
		return ParseCommandStep(n.Value)
	case yaml.MappingNode:
		if len(n.Content) != 2 {
			return Step{}, fmt.Errorf("expected a mapping with one key (sql, shell or run), found %d keys", len(n.Content)/2)
		}
		k, v := n.Content[0].Value, n.Content[1].Value
		switch k {
		case "sql":
			return Step{Kind: StepSQL, Text: v, Name: "sql"}, nil
		case "shell":
			return Step{Kind: StepShell, Text: v, Name: "shell"}, nil
		case "run", "command":
			return ParseCommandStep(v)
		}
		if strings.ContainsAny(k, " '\"{") {
			return Step{}, fmt.Errorf("expected key sql, shell or command, found %q (a command line holding \": \" must be quoted in YAML)", k)
		}
		return Step{}, fmt.Errorf("expected key sql, shell or command, found %q", k)
	}
	return Step{}, fmt.Errorf("expected a command line or a mapping, found YAML kind %d", n.Kind)
}

// ParseCommandStep turns "run --vars '{x: 2}'" into a command step.
func ParseCommandStep(line string) (Step, error) {
	args, err := SplitWords(line)
	if err != nil {
		return Step{}, err
	}
	if len(args) == 0 {
		return Step{}, errors.New("expected a dbt command, found an empty line")
	}
	if args[0] == "dbt" || args[0] == "gdbt" {
		args = args[1:]
	}
	return Step{Kind: StepCommand, Args: args, Name: strings.Join(args, " ")}, nil
}

// nameSteps makes step names unique (the report and the allow-list key on them).
func nameSteps(steps []Step) {
	seen := map[string]int{}
	for i := range steps {
		base := steps[i].Name
		seen[base]++
		if n := seen[base]; n > 1 {
			steps[i].Name = fmt.Sprintf("%s#%d", base, n)
		}
	}
}

// SplitWords splits a command line the way a POSIX shell would for plain words,
// single quotes, double quotes and backslashes (no expansions).
func SplitWords(s string) ([]string, error) {
	var (
		out   []string
		cur   strings.Builder
		inTok bool
	)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return nil, fmt.Errorf("column %d: unterminated single quote", i+1)
			}
			cur.WriteString(s[i+1 : i+1+j])
			i += j + 1
			inTok = true
		case c == '"':
			i++
			for ; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) && strings.IndexByte("\"\\$`", s[i+1]) >= 0 {
					i++
				}
				cur.WriteByte(s[i])
			}
			if i >= len(s) {
				return nil, errors.New("unterminated double quote")
			}
			inTok = true
		case c == '\\' && i+1 < len(s):
			i++
			cur.WriteByte(s[i])
			inTok = true
		case c == ' ' || c == '\t' || c == '\n':
			if inTok {
				out = append(out, cur.String())
				cur.Reset()
				inTok = false
			}
		default:
			cur.WriteByte(c)
			inTok = true
		}
	}
	if inTok {
		out = append(out, cur.String())
	}
	return out, nil
}

// scenarioPath picks <project>/conformance.yml, else testdata/scenarios/<name>.yml
// next to this package when the caller passes its directory.
func scenarioPath(project, name, pkgDir string) string {
	p := filepath.Join(project, "conformance.yml")
	if _, err := os.Stat(p); err == nil {
		return p
	}
	if pkgDir != "" {
		p = filepath.Join(pkgDir, "testdata", "scenarios", name+".yml")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}
