// Package manifest holds the parsed dbt project: every node, source, macro,
// doc and exposure, keyed by unique_id as in dbt's manifest.json. Parsing
// builds it; later phases read it and record compiled results beside it
// instead of mutating nodes in place.
package manifest

import (
	"sort"

	"github.com/gdbt/gdbt/compiler/source"
)

// ResourceType is dbt's resource_type.
type ResourceType string

const (
	Model     ResourceType = "model"
	Seed      ResourceType = "seed"
	Snapshot  ResourceType = "snapshot"
	Test      ResourceType = "test"
	Analysis  ResourceType = "analysis"
	Operation ResourceType = "operation" // hooks
	Source    ResourceType = "source"
	MacroType ResourceType = "macro"
	DocType   ResourceType = "doc"
	Exposure  ResourceType = "exposure"
	UnitTest  ResourceType = "unit_test"
)

// Config is a resolved node config (materialized, schema, tags, …) with
// JSON-compatible values: string, bool, int64, float64, nil, []any,
// map[string]any.
type Config map[string]any

// String returns the string value of key, or "".
func (c Config) String(key string) string {
	s, _ := c[key].(string)
	return s
}

// Bool returns the bool value of key.
func (c Config) Bool(key string) bool {
	b, _ := c[key].(bool)
	return b
}

// Strings returns a list value of key as strings.
func (c Config) Strings(key string) []string { return StringList(c[key]) }

// StringList reads a list-of-strings config value (tags, …): a list, whose
// non-strings are skipped, or a single string.
func StringList(v any) []string {
	switch x := v.(type) {
	case []string:
		return x
	case []any:
		out := make([]string, 0, len(x))
		for _, it := range x {
			if s, ok := it.(string); ok {
				out = append(out, s)
			}
		}
		return out
	case string:
		return []string{x}
	}
	return nil
}

// Ref is one ref() call: ref('name'), ref('package', 'name'), ref('name', v=2).
type Ref struct {
	Name    string `json:"name"`
	Package string `json:"package"`
	Version any    `json:"version"`
}

// Column is a documented column.
type Column struct {
	Name        string         `json:"name"`
	Description string         `json:"description"`
	Meta        map[string]any `json:"meta"`
	DataType    string         `json:"data_type"`
	Constraints []any          `json:"constraints"`
	Quote       any            `json:"quote"`
	Tags        []string       `json:"tags"`
	// DocBlocks are the docs referenced by doc() in the unrendered
	// description ("doc.package.name"), manifest doc_blocks.
	DocBlocks []string `json:"doc_blocks,omitempty"`
}

// Node is a model, seed, snapshot, test, analysis or hook. One struct for
// every kind keeps the graph code simple; fields that a kind does not use
// stay zero.
type Node struct {
	UniqueID         string
	ResourceType     ResourceType
	Package          string
	Name             string
	Path             string // relative to the resource folder, e.g. staging/stg_orders.sql
	OriginalFilePath string // relative to the package root, e.g. models/staging/stg_orders.sql
	PatchPath        string // the schema .yml that describes it, "package://path"
	FQN              []string
	Database         string
	Schema           string
	Alias            string
	RawCode          string
	Language         string
	Checksum         string // sha256 of the raw file
	Config           Config
	UnrenderedConfig Config
	Tags             []string
	Description      string
	DocBlocks        []string // doc() references in the unrendered description
	Meta             map[string]any
	Columns          []*Column // in declaration order
	Docs             map[string]any
	Group            string
	Access           string
	Version          any
	LatestVersion    any
	Refs             []Ref
	Sources          [][2]string
	DependsOnMacros  []string
	DependsOnNodes   []string
	CreatedAt        float64

	// Models only: the model-level contract constraints and, when the
	// contract is enforced, dbt's checksum of it.
	Constraints      []Constraint
	ContractChecksum string

	// Tests only.
	TestMetadata *TestMetadata
	ColumnName   string
	AttachedNode string
	FileKeyName  string

	// Seeds only: the CSV root folder (seed-paths entry).
	RootPath string

	// Unit tests only: the given/expect fixtures and the rest of dbt's
	// UnitTestDefinition.
	Unit *UnitTestDef

	// Set by the compile phase (each node is written by one goroutine).
	RelationName      string // "db"."schema"."alias", "" for ephemeral and tests
	Compiled          bool
	CompiledCode      string
	CompiledPath      string
	ExtraCTEsInjected bool
	ExtraCTEs         []CTE

	File *source.File // the file the raw code came from (positions)
	Pos  source.Pos   // where the node starts in File
}

// CTE is an ephemeral model injected into a node's compiled SQL.
type CTE struct {
	ID  string `json:"id"`
	SQL string `json:"sql"`
}

// TestMetadata describes a generic test instance.
type TestMetadata struct {
	Name      string         `json:"name"`
	Kwargs    map[string]any `json:"kwargs"`
	Namespace any            `json:"namespace"`
	// KwargOrder is the order the test's arguments were written in YAML;
	// manifest.json lists kwargs in it (column_name first, model last).
	// Unset, the other kwargs are written sorted.
	KwargOrder []string `json:"-"`
}

// SourceDef is one table of a sources: entry in a schema .yml.
type SourceDef struct {
	UniqueID          string
	Package           string
	SourceName        string
	Name              string
	Path              string
	OriginalFilePath  string
	FQN               []string
	Database          string
	Schema            string
	Identifier        string
	Loader            string
	Description       string
	SourceDescription string
	DocBlocks         []string // doc() references in the unrendered description
	Columns           []*Column
	Meta              map[string]any
	SourceMeta        map[string]any
	Tags              []string
	Config            Config
	Quoting           map[string]any
	LoadedAtField     any
	Freshness         any
	RelationName      string
	CreatedAt         float64
	UnrenderedConfig  Config
	// The database/schema as written in YAML before rendering (null when
	// not written), dbt's unrendered_database/unrendered_schema.
	UnrenderedDatabase string
	UnrenderedSchema   string
	File               *source.File
}

// MacroDef is a macro from the project, a package or gdbt's built-ins.
type MacroDef struct {
	UniqueID           string
	Package            string
	Name               string
	Path               string
	OriginalFilePath   string
	MacroSQL           string
	DependsOnMacros    []string
	Description        string
	Meta               map[string]any
	Arguments          []any
	PatchPath          string
	CreatedAt          float64
	SupportedLanguages []string
}

// Doc is a {% docs %} block.
type Doc struct {
	UniqueID         string
	Package          string
	Name             string
	Path             string
	OriginalFilePath string
	BlockContents    string
}

// ExposureDef is an exposures: entry.
type ExposureDef struct {
	UniqueID         string
	Package          string
	Name             string
	Path             string
	OriginalFilePath string
	FQN              []string
	Type             string
	Owner            map[string]any
	Description      string
	Label            string
	Maturity         string
	Meta             map[string]any
	Tags             []string
	Config           Config
	URL              string
	Refs             []Ref
	Sources          [][2]string
	DependsOnNodes   []string
	DependsOnMacros  []string
	CreatedAt        float64
	UnrenderedConfig Config
}

// GroupDef is a groups: entry of a schema file.
type GroupDef struct {
	UniqueID         string
	Package          string
	Name             string
	Path             string
	OriginalFilePath string
	Owner            map[string]any
	Description      *string // nil when the YAML has none (written as null)
	Config           Config
	// ConfigOrder is the order of Config's keys after meta (dbt merges
	// the models: tree into a group's config, in the tree's order).
	ConfigOrder []string
}

// Manifest is the whole parsed project.
type Manifest struct {
	Nodes     map[string]*Node
	Sources   map[string]*SourceDef
	Macros    map[string]*MacroDef
	Docs      map[string]*Doc
	Exposures map[string]*ExposureDef
	Groups    map[string]*GroupDef

	// Disabled holds what enabled: false took out of the graph, by
	// unique_id, as dbt's manifest "disabled" section.
	Disabled          map[string][]*Node
	DisabledSources   map[string][]*SourceDef
	DisabledExposures map[string][]*ExposureDef

	ProjectName  string
	ProjectID    string // md5 of the project name, as dbt
	AdapterType  string
	InvocationID string
	GeneratedAt  string
}

// New returns an empty manifest.
func New() *Manifest {
	return &Manifest{
		Nodes:     map[string]*Node{},
		Sources:   map[string]*SourceDef{},
		Macros:    map[string]*MacroDef{},
		Docs:      map[string]*Doc{},
		Exposures: map[string]*ExposureDef{},
		Groups:    map[string]*GroupDef{},

		Disabled:          map[string][]*Node{},
		DisabledSources:   map[string][]*SourceDef{},
		DisabledExposures: map[string][]*ExposureDef{},
	}
}

// GroupMap returns group name → unique_ids of the nodes in it (sorted),
// with every declared group present, as dbt's group_map.
func (m *Manifest) GroupMap() map[string][]string {
	out := make(map[string][]string, len(m.Groups))
	for _, g := range m.Groups {
		out[g.Name] = []string{}
	}
	for id, n := range m.Nodes {
		if ids, ok := out[n.Group]; ok && n.Group != "" {
			out[n.Group] = append(ids, id)
		}
	}
	for _, ids := range out {
		sort.Strings(ids)
	}
	return out
}

// ParentMap returns unique_id → parents (sorted), for every node, source
// and exposure, as dbt writes parent_map.
func (m *Manifest) ParentMap() map[string][]string {
	out := map[string][]string{}
	for id, n := range m.Nodes {
		out[id] = sortedUnique(n.DependsOnNodes)
	}
	for id := range m.Sources {
		out[id] = []string{}
	}
	for id, e := range m.Exposures {
		out[id] = sortedUnique(e.DependsOnNodes)
	}
	return out
}

// ChildMap inverts ParentMap.
func (m *Manifest) ChildMap() map[string][]string {
	parents := m.ParentMap()
	out := make(map[string][]string, len(parents))
	for id := range parents {
		out[id] = []string{}
	}
	for id, ps := range parents {
		for _, p := range ps {
			out[p] = append(out[p], id)
		}
	}
	for id, cs := range out {
		out[id] = sortedUnique(cs)
	}
	return out
}
