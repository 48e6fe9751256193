// Package conformance is gdbt's differential harness: it runs dbt-core and gdbt
// side by side on the same dbt project against the same PostgreSQL cluster and
// reports every place where they disagree.
//
// # How a run works
//
// Run copies the project into two work directories (the fixture itself is never
// written), creates one database per tool (<project>_dbt and <project>_gdbt, both
// cloned from <project>_tpl, where the scenario's setup steps ran once, so raw data
// is byte-identical, now() included) and runs each step with both tools. After
// every step it compares exit codes, target/compiled/** (exact and
// whitespace-normalized, reported as separate figures), a normalized subset of
// target/manifest.json, target/run_results.json and every relation in both
// databases (kind, columns and types, row multiset). Database names differ
// between the tools by construction, so both are rewritten to the placeholder
// <database> before any comparison.
//
// Row contents are compared as ordered dumps in Go rather than with EXCEPT inside
// Postgres: each relation is read with COPY (SELECT ...) TO STDOUT in text
// format and the rows are counted as a multiset. That needs no dblink and no
// objects created in the databases under test, works for column types that have
// no equality operator (json, point, xml) and for relations whose column types
// differ between the tools (where a copy into the other database would fail), and
// it yields the differing rows themselves for the report.
//
// # Commands
//
//	go run ./internal/conformance/cmd/conformance [PROJECT...]   # default: DefaultProjects; "all" adds the corpus
//	go run ./internal/conformance/cmd/conformance -bench basic showcase
//	go run ./internal/conformance/cmd/conformance -update-goldens -dbt-only -steps parse,compile basic rt_basic project_localpkg
//	go run ./internal/conformance/cmd/conformance -check-goldens -dbt-only -steps parse,compile basic rt_basic project_localpkg
//	scripts/corpus.sh && go run ./internal/conformance/cmd/conformance jaffle_shop jaffle-shop dbt_utils altered_jaffle_shop
//	go test ./internal/conformance -run TestConformanceProjects   # fails (never skips) without .venv or Postgres
//
// PROJECT is a directory with dbt_project.yml, a fixture name
// (fixtures/projects/<name>), "showcase" (dbt_project/) or a name from
// $GDBT_CORPUS/projects.txt. The command prints a table per project, the first
// -n failing differences with unified diffs, writes a JSON report
// (.cache/conformance/report.json) and exits 1 on any difference the allow-list
// does not cover, 2 when the harness itself cannot run. gdbt is built from
// cmd/gdbt unless -gdbt names a binary; a failed build is a difference, not a crash.
//
// Each tool gets a generated profiles.yml (same profile and target name as the
// project's own, the schema taken from it when it is a literal or an env_var
// default, else public) pointing at its own database, so projects with any
// env-var convention run unchanged.
//
// # Scenarios
//
// Steps default to parse, compile, seed, build. A scenario file changes that:
// <project>/conformance.yml, or internal/conformance/testdata/scenarios/<name>.yml
// for projects we do not own (see Scenario). Steps are dbt command lines (run
// with both tools), sql (executed in both databases) or shell (run once per
// database with CONFORMANCE_DB_URL set).
//
// # Allow-list
//
// docs/conformance-allowlist.yml lists deliberate differences (project, step,
// kind, id pattern, reason). Differences it matches are reported but do not make
// the run fail; every entry needs a reason.
//
// # Goldens
//
// With Config.UpdateGoldens the dbt side's output is written into
// <fixture>/expected/ so compiler tests can check gdbt without Python or
// Postgres. Layout:
//
//	expected/meta.json            dbt version, profile target, database and schema
//	                              the goldens were made with (compile gdbt with the
//	                              same database name to compare byte for byte)
//	expected/manifest.json        normalized manifest subset (see ManifestSubset):
//	                              nodes, sources, project macros, docs, parent_map,
//	                              child_map; keys sorted, no timestamps or paths
//	                              outside the project
//	expected/compiled/<path>.sql  dbt's target/compiled/<project>/<path> after
//	                              `dbt compile`, one file per compiled node
//
// Goldens keep dbt's database name (recorded in meta.json) rather than a
// placeholder, so a test can compile with that name and compare files unchanged.
// CI re-runs the harness with CheckGoldens, which fails when dbt's output drifts
// from the committed files.
//
// # Recorded outcomes
//
// dbt takes seconds per command, too slow for CI on many small scenarios. A
// run with -update-goldens over the scenario's own steps (no -steps) also
// writes expected/outcomes.json: per step, dbt's exit code, run results,
// every relation (kind, columns, rows sorted, the scenario's ignored columns
// left out) and the catalog. -gdbt-only replays the scenario with gdbt alone
// and compares each step with that recording, with the same difference kinds
// as a live run (manifest and compiled SQL excepted: they have their own
// goldens). TestRecordedOutcomes replays every fixture that has a recording
// (the dbt-tests-adapter ports fixtures/projects/adapter_*):
//
//	go run ./internal/conformance/cmd/conformance -update-goldens -dbt-only adapter_base
//	go run ./internal/conformance/cmd/conformance -gdbt-only adapter_base
package conformance
