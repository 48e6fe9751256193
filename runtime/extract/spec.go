// Package extract loads raw data into PostgreSQL before dbt models run: CSV
// files and paginated JSON HTTP APIs, declared under a source table's
// meta.gdbt.load (see docs/load-spec.md).
//
// The entry points are ParseSpec/ParseSpecNode (declaration → Spec) and Run
// (Specs → Report). Every load is idempotent: CSV files are keyed by their
// sha256 in a ledger table, HTTP loads keep a watermark there, and each
// file or HTTP run is written in one transaction, so a failed load leaves
// its table as it was.
package extract

import "time"

// Format names a loader.
type Format string

const (
	FormatCSV  Format = "csv"
	FormatHTTP Format = "http"
)

// Spec is one typed, validated load declaration. Environment references are
// already resolved, except secrets, which are read from the environment only
// when the load runs (so a printed Spec never holds a token).
type Spec struct {
	Source     string // dbt source name
	Table      string // dbt source table name
	Schema     string // target schema (the source's schema)
	Identifier string // target table (the table's identifier)
	ProjectDir string
	Origin     string // where it was declared, e.g. "models/sources.yml:12:9"; may be empty

	Format  Format
	Columns []Column // declared columns in order; nil means "infer"

	CSV  *CSVSpec
	HTTP *HTTPSpec
}

// Name is "source.table", as the user wrote it.
func (s *Spec) Name() string { return s.Source + "." + s.Table }

// Column is a declared target column.
type Column struct {
	Name string
	Type string   // a PostgreSQL type as written, e.g. "bigint", "numeric(10,2)"
	Path []string // HTTP: where the value is in a record; default [Name]
}

// CSVSpec configures the CSV loader.
type CSVSpec struct {
	Paths     []string // absolute file paths or glob patterns, as declared
	Delimiter rune     // default ','
	Quote     rune     // default '"'
	Header    bool     // default true
	Nulls     []string // field values loaded as NULL; default [""]
}

// Pagination types.
const (
	PageNone   = "none"
	PagePage   = "page"
	PageOffset = "offset"
	PageCursor = "cursor"
	PageLink   = "link"
)

// Pagination says how to walk an API's pages.
type Pagination struct {
	Type        string   // none | page | offset | cursor | link
	PageParam   string   // page: query parameter of the page number (default "page")
	Start       int      // page: first page number (default 1); offset: first offset (default 0)
	SizeParam   string   // page: parameter holding the page size; a shorter page ends the walk
	OffsetParam string   // offset: default "offset"
	LimitParam  string   // offset: default "limit"
	Limit       int      // offset: page size sent as LimitParam (default 100)
	CursorParam string   // cursor: parameter the next cursor is sent in (default "cursor")
	CursorPath  []string // cursor: dotted path of the next cursor in the body (required)
}

// Auth types.
const (
	AuthBearer = "bearer" // Authorization: Bearer <token>
	AuthHeader = "header" // <Header>: <token>
	AuthQuery  = "query"  // ?<Param>=<token>, never written to _source_url
)

// Auth names where a secret comes from; the secret itself is read from the
// environment at run time.
type Auth struct {
	Type     string
	TokenEnv string
	Header   string // AuthHeader
	Param    string // AuthQuery
}

// Incremental configures watermark loads.
type Incremental struct {
	Field []string // dotted path of the watermark field in each record
	Param string   // query parameter the stored watermark is sent in
}

// Load modes for HTTP tables.
const (
	ModeReplace = "replace" // each run replaces the table's rows (default without key or watermark)
	ModeAppend  = "append"  // rows are appended
	ModeMerge   = "merge"   // rows are upserted by PrimaryKey (default when PrimaryKey is set)
)

// KV is one ordered key/value pair (headers, query parameters).
type KV struct{ Key, Value string }

// HTTPSpec configures the HTTP loader.
type HTTPSpec struct {
	URL         string
	Headers     []KV
	Params      []KV
	Auth        *Auth
	RecordsPath []string // dotted path of the records array; empty means the body is the array
	Pagination  Pagination
	MaxPages    int           // page cap (default 1000); reaching it is an error, not a silent cut
	Timeout     time.Duration // per request, including the body (default 30s)
	Retries     int           // retries after the first attempt (default 5)
	Incremental *Incremental
	PrimaryKey  []string
	Mode        string
}
