// Package sqlparse is gdbt's only door to the Postgres parser
// (libpg_query through pg_query_go). It answers what the compiler asks of
// compiled SQL and hides the parse tree:
//
//	a, err := sqlparse.Analyze(sql)   // cached, safe for concurrent use
//	a.Statements  // kind (command tag), text and byte offset of each statement
//	a.Reads       // relations read, with byte offsets; CTE names excluded
//	a.Writes      // relations written/created (INSERT ... targets, CREATE ... AS, DROP, GRANT ...)
//	a.Columns     // output columns of the last statement, named as Postgres names
//	              // them, with best-effort lineage (Sources, Partial)
//
//	stmts, err := sqlparse.SplitStatements(sql) // for hooks and run_query
//
// Errors are *SyntaxError{Offset, Message} (Offset is a byte offset into
// the SQL, converted from Postgres' 1-based character position) or
// *InternalError; use errors.As.
//
// How: libpg_query prints its tree as JSON (ParseToJSON); a small
// hand-written reader (json.go) turns only the parts the analysis needs into
// a tiny internal tree (ast.go), and analyze.go resolves names through
// scopes. This is several times faster than pg_query.Parse, whose cost is
// mostly the C protobuf packer and Go protobuf decoding (bench_test.go has
// the numbers). libpg_query is thread-safe, so callers may analyze in
// parallel; identical SQL is parsed once (cache keyed by a hash of the text).
//
// Lineage is best effort, without a catalog: an unqualified column with
// several candidate base tables, a column behind an alias column list on a
// base table, or a NATURAL join leaves the column Partial.
package sqlparse
