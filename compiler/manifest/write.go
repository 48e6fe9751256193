package manifest

import (
	"io"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ManifestSchema is the dbt_schema_version of the manifest we write.
const ManifestSchema = "https://schemas.getdbt.com/dbt/manifest/v12.json"

// Metadata is the header of manifest.json. Timestamps are preformatted
// (see Timestamp and RunStartedAt); empty UserID and InvocationStartedAt
// are written as null.
type Metadata struct {
	DBTVersion              string
	GeneratedAt             string
	InvocationID            string
	InvocationStartedAt     string
	RunStartedAt            string
	Env                     map[string]string
	ProjectName             string
	ProjectID               string
	UserID                  string
	SendAnonymousUsageStats bool
	AdapterType             string
	// Quoting is the project's quoting config (database, schema,
	// identifier, column); missing keys default to Postgres' true, true,
	// true, null.
	Quoting map[string]any
}

// Timestamp formats t as dbt's generated_at: 2024-01-02T03:04:05.123456Z.
func Timestamp(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000000Z")
}

// RunStartedAt formats t as dbt's run_started_at: 2024-01-02T03:04:05.123456+00:00.
func RunStartedAt(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000000+00:00")
}

// WriteJSON writes m as dbt 1.12's target/manifest.json (schema v12):
// the same keys in the same order, in Python's json.dumps format. Nodes
// are serialized in parallel and emitted in sorted unique_id order.
func (m *Manifest) WriteJSON(w io.Writer, meta Metadata) error {
	var e jw
	e.b = make([]byte, 0, 1<<16)
	e.beginObj()
	e.key("metadata")
	writeMetadata(&e, m, meta)

	// Nodes dominate the size: encode them in parallel batches and
	// stream the batches to w in order, so memory stays bounded. What
	// follows the nodes (macros, parent and child maps, …) is encoded at
	// the same time on a goroutine of its own.
	nodes, units := m.sortedNodes()
	rest := make(chan []byte, 1)
	go func() {
		var r jw
		r.first = []bool{false} // inside the top-level object, after "nodes"
		m.writeRest(&r, units)
		rest <- r.b
	}()
	tests := m.testsByAttached()
	e.key("nodes")
	e.beginObj()
	if _, err := w.Write(e.b); err != nil {
		return err
	}
	err := encodeStream(w, len(nodes), func(i int, e *jw) {
		n := nodes[i]
		e.key(n.UniqueID)
		writeNode(e, n, tests[n])
	})
	e.b = append(e.b[:0], '}')
	e.b = append(e.b, <-rest...)
	if err != nil {
		return err
	}
	_, err = w.Write(e.b)
	return err
}

// sortedNodes is the manifest's nodes in unique_id order, apart from its
// unit tests, which have a section of their own.
func (m *Manifest) sortedNodes() (nodes, units []*Node) {
	nodes = make([]*Node, 0, len(m.Nodes))
	for _, n := range m.Nodes {
		if n.ResourceType == UnitTest {
			if n.Unit != nil {
				units = append(units, n)
			}
			continue
		}
		nodes = append(nodes, n)
	}
	byID := func(a, b *Node) int { return strings.Compare(a.UniqueID, b.UniqueID) }
	slices.SortFunc(nodes, byID)
	slices.SortFunc(units, byID)
	return nodes, units
}

// writeRest writes everything after nodes.
func (m *Manifest) writeRest(e *jw, units []*Node) {
	e.b = make([]byte, 0, 1<<16+len(m.Macros)*1024+len(m.Nodes)*256)
	e.key("sources")
	e.beginObj()
	for _, id := range sortedIDs(m.Sources) {
		e.key(id)
		writeSource(e, m.Sources[id])
	}
	e.endObj()

	e.key("macros")
	e.beginObj()
	for _, id := range sortedIDs(m.Macros) {
		e.key(id)
		writeMacro(e, m.Macros[id])
	}
	e.endObj()

	e.key("docs")
	e.beginObj()
	for _, id := range sortedIDs(m.Docs) {
		d := m.Docs[id]
		e.key(id)
		e.beginObj()
		e.key("name")
		e.str(d.Name)
		e.key("resource_type")
		e.str(string(DocType))
		e.key("package_name")
		e.str(d.Package)
		e.key("path")
		e.str(d.Path)
		e.key("original_file_path")
		e.str(d.OriginalFilePath)
		e.key("unique_id")
		e.str(d.UniqueID)
		e.key("block_contents")
		e.str(d.BlockContents)
		e.endObj()
	}
	e.endObj()

	e.key("exposures")
	e.beginObj()
	for _, id := range sortedIDs(m.Exposures) {
		e.key(id)
		writeExposure(e, m.Exposures[id])
	}
	e.endObj()

	e.key("metrics")
	e.emptyObj()
	e.key("groups")
	e.beginObj()
	for _, id := range sortedIDs(m.Groups) {
		e.key(id)
		writeGroup(e, m.Groups[id])
	}
	e.endObj()
	e.key("selectors")
	e.emptyObj()
	e.key("disabled")
	m.writeDisabled(e)
	parents := m.ParentMap()
	e.key("parent_map")
	writeEdges(e, parents)
	e.key("child_map")
	writeEdges(e, invert(parents))
	e.key("group_map")
	writeEdges(e, m.GroupMap())
	for _, k := range []string{"saved_queries", "semantic_models"} {
		e.key(k)
		e.emptyObj()
	}
	e.key("unit_tests")
	e.beginObj()
	for _, n := range units {
		e.key(n.UniqueID)
		writeUnitTest(e, n)
	}
	e.endObj()
	e.key("functions")
	e.emptyObj()
	e.endObj()
}

// encodeStream writes the elements fn(0..n-1) of an already open object
// to w, separated by ", ". Batches of elements are encoded by GOMAXPROCS
// workers into pooled buffers and written in order.
func encodeStream(w io.Writer, n int, fn func(i int, e *jw)) error {
	const batch = 256
	batches := (n + batch - 1) / batch
	workers := runtime.GOMAXPROCS(0)
	if workers > batches {
		workers = batches
	}
	results := make([]chan []byte, batches)
	for i := range results {
		results[i] = make(chan []byte, 1)
	}
	jobs := make(chan int)
	tokens := make(chan struct{}, 2*workers+2) // bounds buffers in flight
	done := make(chan struct{})
	defer close(done)
	pool := sync.Pool{New: func() any { return make([]byte, 0, 1<<20) }}
	go func() {
		defer close(jobs)
		for b := 0; b < batches; b++ {
			select {
			case tokens <- struct{}{}:
			case <-done:
				return
			}
			select {
			case jobs <- b:
			case <-done:
				return
			}
		}
	}()
	for k := 0; k < workers; k++ {
		go func() {
			for b := range jobs {
				e := jw{b: pool.Get().([]byte)[:0], first: []bool{b == 0}}
				hi := min((b+1)*batch, n)
				for i := b * batch; i < hi; i++ {
					fn(i, &e)
				}
				results[b] <- e.b
			}
		}()
	}
	for b := 0; b < batches; b++ {
		buf := <-results[b]
		_, err := w.Write(buf)
		pool.Put(buf[:0]) //lint:ignore SA6002 a slice header per 256 nodes is cheap
		<-tokens
		if err != nil {
			return err
		}
	}
	return nil
}

func sortedIDs[V any](m map[string]V) []string {
	ids := make([]string, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

func writeMetadata(e *jw, m *Manifest, meta Metadata) {
	e.beginObj()
	writeMetadataHead(e, ManifestSchema, ArtifactMetadata{DBTVersion: meta.DBTVersion, GeneratedAt: meta.GeneratedAt,
		InvocationID: meta.InvocationID, InvocationStartedAt: meta.InvocationStartedAt, Env: meta.Env})
	e.key("project_name")
	e.strOrNull(firstNonEmpty(meta.ProjectName, m.ProjectName))
	e.key("project_id")
	e.strOrNull(firstNonEmpty(meta.ProjectID, m.ProjectID))
	e.key("user_id")
	e.strOrNull(meta.UserID)
	e.key("send_anonymous_usage_stats")
	e.boolean(meta.SendAnonymousUsageStats)
	e.key("adapter_type")
	e.strOrNull(firstNonEmpty(meta.AdapterType, m.AdapterType))
	e.key("quoting")
	e.fixedObj(meta.Quoting, metadataQuoting)
	if meta.RunStartedAt != "" {
		e.key("run_started_at")
		e.str(meta.RunStartedAt)
	}
	e.endObj()
}

func orEmptyEnv(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func checksum(e *jw, sum string) {
	e.beginObj()
	e.key("name")
	if sum == "" {
		e.str("none")
	} else {
		e.str("sha256")
	}
	e.key("checksum")
	e.str(sum)
	e.endObj()
}

func writeColumns(e *jw, cols []*Column) {
	e.beginObj()
	for _, c := range cols {
		e.key(c.Name)
		e.beginObj()
		e.key("name")
		e.str(c.Name)
		e.key("description")
		e.str(c.Description)
		e.key("meta")
		e.mapOrEmpty(c.Meta)
		e.key("data_type")
		e.strOrNull(c.DataType)
		e.key("constraints")
		e.value(orEmptyList(c.Constraints))
		e.key("quote")
		e.value(c.Quote)
		e.key("config")
		e.beginObj()
		e.key("meta")
		e.mapOrEmpty(c.Meta)
		e.key("tags")
		e.strs(orEmptyStrs(c.Tags))
		e.endObj()
		e.key("tags")
		e.strs(orEmptyStrs(c.Tags))
		e.key("granularity")
		e.null()
		e.key("dimension")
		e.null()
		e.key("entity")
		e.null()
		e.key("doc_blocks")
		e.strs(orEmptyStrs(c.DocBlocks))
		e.endObj()
	}
	e.endObj()
}

// mapOrEmpty writes m, {} when nil.
func (w *jw) mapOrEmpty(m map[string]any) {
	if m == nil {
		w.emptyObj()
		return
	}
	w.value(m)
}

func orEmptyList(l []any) []any {
	if l == nil {
		return []any{}
	}
	return l
}

func orEmptyStrs(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}

func writeRefs(e *jw, refs []Ref) {
	e.beginArr()
	for _, r := range refs {
		e.beginObj()
		e.key("name")
		e.str(r.Name)
		e.key("package")
		e.strOrNull(r.Package)
		e.key("version")
		e.value(r.Version)
		e.endObj()
	}
	e.endArr()
}

// writeIdentity writes the fields a node and a unit test share, from name
// to fqn.
func writeIdentity(e *jw, n *Node, rt ResourceType) {
	e.key("name")
	e.str(n.Name)
	e.key("resource_type")
	e.str(string(rt))
	e.key("package_name")
	e.str(n.Package)
	e.key("path")
	e.str(n.Path)
	e.key("original_file_path")
	e.str(n.OriginalFilePath)
	e.key("unique_id")
	e.str(n.UniqueID)
	e.key("fqn")
	e.strs(orEmptyStrs(n.FQN))
}

func writeNode(e *jw, n *Node, tests []*Node) {
	spec := specFor(n.ResourceType)
	e.beginObj()
	e.key("database")
	e.strOrNull(n.Database)
	e.key("schema")
	e.str(n.Schema)
	writeIdentity(e, n, n.ResourceType)
	e.key("alias")
	e.str(n.Alias)
	e.key("checksum")
	checksum(e, n.Checksum)
	e.key("config")
	writeConfig(e, spec, n.Config)
	e.key("tags")
	e.strs(orEmptyStrs(n.Tags))
	e.key("description")
	e.str(n.Description)
	e.key("columns")
	writeColumns(e, n.Columns)
	e.key("meta")
	e.mapOrEmpty(n.Meta)
	e.key("group")
	e.strOrNull(n.Group)
	e.key("docs")
	e.fixedObj(n.Docs, docsShape)
	e.key("patch_path")
	e.strOrNull(n.PatchPath)
	e.key("build_path")
	e.null()
	e.key("unrendered_config")
	e.mapOrEmpty(n.UnrenderedConfig)
	e.key("created_at")
	e.float(n.CreatedAt)
	e.key("relation_name")
	e.strOrNull(n.RelationName)
	e.key("raw_code")
	e.str(n.RawCode)
	e.key("doc_blocks")
	e.strs(orEmptyStrs(n.DocBlocks))
	if n.ResourceType == Seed {
		e.key("root_path")
		e.strOrNull(n.RootPath)
		e.key("depends_on")
		e.beginObj()
		e.key("macros")
		e.strs(orEmptyStrs(n.DependsOnMacros))
		e.endObj()
		e.endObj()
		return
	}
	e.key("language")
	e.str(firstNonEmpty(n.Language, "sql"))
	e.key("refs")
	writeRefs(e, n.Refs)
	e.key("sources")
	writeSourceRefs(e, n.Sources)
	e.key("metrics")
	e.beginArr()
	e.endArr()
	e.key("functions")
	e.beginArr()
	e.endArr()
	e.key("depends_on")
	e.beginObj()
	e.key("macros")
	e.strs(orEmptyStrs(n.DependsOnMacros))
	e.key("nodes")
	e.strs(orEmptyStrs(n.DependsOnNodes))
	e.endObj()
	e.key("compiled_path")
	e.strOrNull(n.CompiledPath)
	if n.Compiled {
		e.key("compiled")
		e.boolean(true)
		e.key("compiled_code")
		e.str(n.CompiledCode)
		e.key("extra_ctes_injected")
		e.boolean(n.ExtraCTEsInjected)
		e.key("extra_ctes")
		e.beginArr()
		for _, c := range n.ExtraCTEs {
			e.beginObj()
			e.key("id")
			e.str(c.ID)
			e.key("sql")
			e.str(c.SQL)
			e.endObj()
		}
		e.endArr()
	}
	e.key("contract")
	e.beginObj()
	contract, _ := n.Config["contract"].(map[string]any)
	for _, f := range contractShape {
		e.key(f.k)
		if v, ok := contract[f.k]; ok {
			e.value(v)
		} else {
			e.value(f.v)
		}
	}
	e.key("checksum")
	e.strOrNull(n.ContractChecksum)
	e.endObj()
	switch {
	case n.ResourceType == Model:
		e.key("access")
		e.str(firstNonEmpty(n.Access, firstNonEmpty(n.Config.String("access"), "protected")))
		e.key("constraints")
		e.beginArr()
		for _, c := range n.Constraints {
			c.write(e)
		}
		e.endArr()
		e.key("version")
		e.value(n.Version)
		e.key("latest_version")
		e.value(n.LatestVersion)
		e.key("deprecation_date")
		e.null()
		e.key("primary_key")
		e.strs(primaryKey(n, tests))
		e.key("time_spine")
		e.null()
	case n.ResourceType == Test && n.TestMetadata != nil:
		e.key("column_name")
		e.strOrNull(n.ColumnName)
		e.key("file_key_name")
		e.strOrNull(n.FileKeyName)
		e.key("attached_node")
		e.strOrNull(n.AttachedNode)
		e.key("test_metadata")
		writeTestMetadata(e, n.TestMetadata)
	case n.ResourceType == Operation:
		e.key("index")
		if i := strings.LastIndexByte(n.Name, '-'); i >= 0 {
			if x, err := strconv.Atoi(n.Name[i+1:]); err == nil {
				e.value(x)
				break
			}
		}
		e.null()
	}
	e.endObj()
}

func writeSourceRefs(e *jw, srcs [][2]string) {
	e.beginArr()
	for _, s := range srcs {
		e.beginArr()
		e.str(s[0])
		e.str(s[1])
		e.endArr()
	}
	e.endArr()
}

// writeTestMetadata writes kwargs as dbt orders them: column_name first,
// the test's own arguments (in KwargOrder when the parser recorded it,
// else sorted), model last.
func writeTestMetadata(e *jw, tm *TestMetadata) {
	e.beginObj()
	e.key("name")
	e.str(tm.Name)
	e.key("kwargs")
	e.beginObj()
	done := make(map[string]bool, len(tm.Kwargs))
	emit := func(k string) {
		if v, ok := tm.Kwargs[k]; ok && !done[k] {
			done[k] = true
			e.key(k)
			e.value(v)
		}
	}
	emit("column_name")
	for _, k := range tm.KwargOrder {
		if k != "model" {
			emit(k)
		}
	}
	for _, k := range sortedKeys(tm.Kwargs) {
		if k != "model" {
			emit(k)
		}
	}
	emit("model")
	e.endObj()
	e.key("namespace")
	e.value(tm.Namespace)
	e.endObj()
}

// testsByAttached maps a model to its generic tests (for primary_key).
func (m *Manifest) testsByAttached() map[*Node][]*Node {
	out := map[*Node][]*Node{}
	for _, n := range m.Nodes {
		if n.ResourceType == Test && n.TestMetadata != nil && n.AttachedNode != "" {
			if a := m.Nodes[n.AttachedNode]; a != nil {
				out[a] = append(out[a], n)
			}
		}
	}
	return out
}

// primaryKey infers a model's primary key as dbt does: a model-level
// primary_key constraint's columns, else the first column with a
// primary_key constraint, else the columns with both unique and not_null
// tests, else the columns with unique tests (unique or
// unique_combination_of_columns); sorted.
func primaryKey(n *Node, tests []*Node) []string {
	for _, con := range n.Constraints {
		if con.Type == "primary_key" {
			return orEmptyStrs(con.Columns)
		}
	}
	for _, c := range n.Columns {
		for _, con := range c.Constraints {
			if k, ok := con.(Constraint); ok && k.Type == "primary_key" {
				return []string{c.Name}
			}
			if m, ok := con.(map[string]any); ok && m["type"] == "primary_key" {
				return []string{c.Name}
			}
		}
	}
	unique := map[string]bool{}
	notNull := map[string]bool{}
	for _, t := range tests {
		var cols []string
		if s, ok := t.TestMetadata.Kwargs["column_name"].(string); ok {
			cols = []string{s}
		} else if l, ok := t.TestMetadata.Kwargs["combination_of_columns"].([]any); ok {
			for _, x := range l {
				if s, ok := x.(string); ok {
					cols = append(cols, s)
				}
			}
		}
		for _, c := range cols {
			switch t.TestMetadata.Name {
			case "unique", "unique_combination_of_columns":
				unique[c] = true
			case "not_null":
				notNull[c] = true
			}
		}
	}
	var both []string
	for c := range notNull {
		if unique[c] {
			both = append(both, c)
		}
	}
	if len(both) == 0 {
		for c := range unique {
			both = append(both, c)
		}
	}
	sort.Strings(both)
	return orEmptyStrs(both)
}

func writeSource(e *jw, s *SourceDef) {
	e.beginObj()
	e.key("database")
	e.strOrNull(s.Database)
	e.key("schema")
	e.str(s.Schema)
	e.key("name")
	e.str(s.Name)
	e.key("resource_type")
	e.str(string(Source))
	e.key("package_name")
	e.str(s.Package)
	e.key("path")
	e.str(s.Path)
	e.key("original_file_path")
	e.str(s.OriginalFilePath)
	e.key("unique_id")
	e.str(s.UniqueID)
	e.key("fqn")
	e.strs(orEmptyStrs(s.FQN))
	e.key("source_name")
	e.str(s.SourceName)
	e.key("source_description")
	e.str(s.SourceDescription)
	e.key("loader")
	e.str(s.Loader)
	e.key("identifier")
	e.str(s.Identifier)
	e.key("quoting")
	e.fixedObj(s.Quoting, sourceQuoting)
	e.key("loaded_at_field")
	e.value(s.LoadedAtField)
	e.key("loaded_at_query")
	e.value(s.Config["loaded_at_query"])
	e.key("freshness")
	if s.Freshness == nil {
		e.fixedObj(s.Config["freshness"], freshnessShape)
	} else {
		e.fixedObj(s.Freshness, freshnessShape)
	}
	// (ExplicitNull in Freshness or Config["freshness"] writes null.)
	e.key("external")
	e.null()
	e.key("description")
	e.str(s.Description)
	e.key("columns")
	writeColumns(e, s.Columns)
	e.key("meta")
	e.mapOrEmpty(s.Meta)
	e.key("source_meta")
	e.mapOrEmpty(s.SourceMeta)
	e.key("tags")
	e.strs(orEmptyStrs(s.Tags))
	e.key("config")
	writeConfig(e, sourceSpec, s.Config)
	e.key("patch_path")
	e.null()
	e.key("unrendered_config")
	e.mapOrEmpty(s.UnrenderedConfig)
	e.key("relation_name")
	e.strOrNull(s.RelationName)
	e.key("created_at")
	e.float(s.CreatedAt)
	e.key("unrendered_database")
	e.strOrNull(s.UnrenderedDatabase)
	e.key("unrendered_schema")
	e.strOrNull(s.UnrenderedSchema)
	e.key("doc_blocks")
	e.strs(orEmptyStrs(s.DocBlocks))
	e.endObj()
}

func writeMacro(e *jw, d *MacroDef) {
	e.beginObj()
	e.key("name")
	e.str(d.Name)
	e.key("resource_type")
	e.str(string(MacroType))
	e.key("package_name")
	e.str(d.Package)
	e.key("path")
	e.str(d.Path)
	e.key("original_file_path")
	e.str(d.OriginalFilePath)
	e.key("unique_id")
	e.str(d.UniqueID)
	e.key("macro_sql")
	e.str(d.MacroSQL)
	e.key("depends_on")
	e.beginObj()
	e.key("macros")
	e.strs(orEmptyStrs(d.DependsOnMacros))
	e.endObj()
	e.key("description")
	e.str(d.Description)
	e.key("meta")
	e.mapOrEmpty(d.Meta)
	e.key("docs")
	e.fixedObj(nil, docsShape)
	e.key("config")
	e.beginObj()
	e.key("meta")
	e.mapOrEmpty(d.Meta)
	e.key("docs")
	e.fixedObj(nil, docsShape)
	e.endObj()
	e.key("patch_path")
	e.strOrNull(d.PatchPath)
	e.key("arguments")
	e.beginArr()
	for _, a := range d.Arguments {
		if m, ok := a.(map[string]any); ok {
			e.fixedObj(m, argumentShape)
		} else {
			e.value(a)
		}
	}
	e.endArr()
	e.key("created_at")
	e.float(d.CreatedAt)
	e.key("supported_languages")
	if len(d.SupportedLanguages) == 0 {
		e.null()
	} else {
		e.strs(d.SupportedLanguages)
	}
	e.endObj()
}

func writeExposure(e *jw, x *ExposureDef) {
	e.beginObj()
	e.key("name")
	e.str(x.Name)
	e.key("resource_type")
	e.str(string(Exposure))
	e.key("package_name")
	e.str(x.Package)
	e.key("path")
	e.str(x.Path)
	e.key("original_file_path")
	e.str(x.OriginalFilePath)
	e.key("unique_id")
	e.str(x.UniqueID)
	e.key("fqn")
	e.strs(orEmptyStrs(x.FQN))
	e.key("type")
	e.str(x.Type)
	e.key("owner")
	e.fixedObj(x.Owner, ownerShape)
	e.key("description")
	e.str(x.Description)
	e.key("label")
	e.strOrNull(x.Label)
	e.key("maturity")
	e.strOrNull(x.Maturity)
	e.key("meta")
	e.mapOrEmpty(x.Meta)
	e.key("tags")
	e.strs(orEmptyStrs(x.Tags))
	e.key("config")
	writeConfig(e, exposureSpec, x.Config)
	e.key("unrendered_config")
	e.mapOrEmpty(x.UnrenderedConfig)
	e.key("url")
	e.strOrNull(x.URL)
	e.key("depends_on")
	e.beginObj()
	e.key("macros")
	e.strs(orEmptyStrs(x.DependsOnMacros))
	e.key("nodes")
	e.strs(orEmptyStrs(x.DependsOnNodes))
	e.endObj()
	e.key("refs")
	writeRefs(e, x.Refs)
	e.key("sources")
	writeSourceRefs(e, x.Sources)
	e.key("metrics")
	e.beginArr()
	e.endArr()
	e.key("created_at")
	e.float(x.CreatedAt)
	e.endObj()
}

func writeEdges(e *jw, m map[string][]string) {
	e.beginObj()
	for _, id := range sortedIDs(m) {
		e.key(id)
		e.strs(m[id])
	}
	e.endObj()
}

func invert(parents map[string][]string) map[string][]string {
	out := make(map[string][]string, len(parents))
	for id := range parents {
		out[id] = []string{}
	}
	for id, ps := range parents {
		for _, p := range ps {
			if _, ok := out[p]; ok {
				out[p] = append(out[p], id)
			}
		}
	}
	for _, cs := range out {
		sort.Strings(cs)
	}
	return out
}

func writeGroup(e *jw, g *GroupDef) {
	e.beginObj()
	e.key("name")
	e.str(g.Name)
	e.key("resource_type")
	e.str("group")
	e.key("package_name")
	e.str(g.Package)
	e.key("path")
	e.str(g.Path)
	e.key("original_file_path")
	e.str(g.OriginalFilePath)
	e.key("unique_id")
	e.str(g.UniqueID)
	e.key("owner")
	e.fixedObj(g.Owner, ownerShape)
	e.key("description")
	if g.Description == nil {
		e.null()
	} else {
		e.str(*g.Description)
	}
	e.key("config")
	e.beginObj()
	e.key("meta")
	e.mapOrEmpty(asMap(g.Config["meta"]))
	for _, k := range g.ConfigOrder {
		if v, ok := g.Config[k]; ok && k != "meta" {
			e.key(k)
			e.value(v)
		}
	}
	e.endObj()
	e.endObj()
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

// writeDisabled writes the disabled section: unique_id → the list of
// disabled resources with that id (a node or a source table each).
func (m *Manifest) writeDisabled(e *jw) {
	ids := sortedIDs(m.Disabled)
	for id := range m.DisabledSources {
		if _, dup := m.Disabled[id]; !dup {
			ids = append(ids, id)
		}
	}
	for id := range m.DisabledExposures {
		ids = append(ids, id) // exposure.* ids are no node's or source's
	}
	sort.Strings(ids)
	e.beginObj()
	for _, id := range ids {
		e.key(id)
		e.beginArr()
		for _, n := range m.Disabled[id] {
			if n.ResourceType == UnitTest && n.Unit != nil {
				writeUnitTest(e, n)
				continue
			}
			writeNode(e, n, nil)
		}
		for _, s := range m.DisabledSources[id] {
			writeSource(e, s)
		}
		for _, x := range m.DisabledExposures[id] {
			writeExposure(e, x)
		}
		e.endArr()
	}
	e.endObj()
}
