package run

import "testing"

// TestUnitTestsScenario runs the unit_tests fixture's unit tests (dict,
// csv and sql fixtures, fixture files, a seed input without rows, a
// source input, var/env_var/is_incremental overrides, versions) after its
// models exist: test runs them all, one fails with dbt's diff table;
// build runs each model's unit tests just before it, so the failing one
// skips order_totals, and the unit tests of a model skipped upstream are
// skipped too. The console lines, verdicts and diff match dbt's (the
// unit_tests conformance project compares run_results with dbt's).
func TestUnitTestsScenario(t *testing.T) {
	f := newFixture(t, "unit_tests")
	for k, v := range map[string]string{"HOST": "RT_PG_HOST", "PORT": "RT_PG_PORT", "USER": "RT_PG_USER", "PASSWORD": "RT_PG_PASSWORD", "DBNAME": "RT_PG_DBNAME"} {
		f.env["GDBT_PG_"+k] = f.env[v]
	}
	f.env["GDBT_PG_SCHEMA"] = "rt_unit"
	steps := []step{
		{cmd: "seed"},
		{cmd: "test", sel: []string{"unit_test.unit_tests.stg_orders.test_stg_orders_empty"}},
		{cmd: "run"},
		{cmd: "test"},
		{sql: `drop view rt_unit.stg_payments cascade`},
		{cmd: "build"},
	}
	runScenario(t, f, steps, "unit_scenario.golden")
}

// TestUnitTestErrors runs unit tests that cannot run: a ref with no given
// input, a fixture column the input does not have, an expected column the
// model does not return. The messages are dbt's, word for word.
func TestUnitTestErrors(t *testing.T) {
	f := newFixture(t, "unit_tests_errors")
	for k, v := range map[string]string{"HOST": "RT_PG_HOST", "PORT": "RT_PG_PORT", "USER": "RT_PG_USER", "PASSWORD": "RT_PG_PASSWORD", "DBNAME": "RT_PG_DBNAME"} {
		f.env["GDBT_PG_"+k] = f.env[v]
	}
	f.env["GDBT_PG_SCHEMA"] = "rt_unit_errors"
	runScenario(t, f, []step{{cmd: "seed"}, {cmd: "run"}, {cmd: "test"}}, "unit_errors_scenario.golden")
}
