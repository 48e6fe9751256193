package materialize

import (
	"context"
	"fmt"
	"math"
	"math/big"
	"strings"

	"github.com/gdbt/gdbt/compiler/dbtctx"
	"github.com/gdbt/gdbt/compiler/jinja"
)

// StoresFailures reports whether a test stores its failing rows
// (store_failures config, else --store-failures).
func (r *Runner) StoresFailures(cfg map[string]any) bool {
	if b, ok := cfg["store_failures"].(bool); ok {
		return b
	}
	return r.StoreFailures
}

func (x *exec) cfgString(key, def string) string {
	v, ok := x.cfg(key).(string)
	if !ok || v == "" {
		return def
	}
	return v
}

// test is dbt's test materialization plus the verdict dbt's test task
// draws from its one row (failures, should_warn, should_error).
func (x *exec) test(ctx context.Context) (*Result, error) {
	sql := x.sql
	var limit any
	if l := x.cfg("limit"); l != nil {
		limit = l
		sql = sql + "\n  limit " + fmt.Sprint(l)
	}
	mainSQL := sql
	if x.r.StoresFailures(x.n.Config) {
		as := x.cfgString("store_failures_as", "table")
		if as != "table" && as != "view" {
			return nil, &NodeError{Kind: CompilationError, Node: x.n, Err: fmt.Errorf("'%s' is not a valid value for `store_failures_as`. Accepted values are: ['ephemeral', 'table', 'view']", as)}
		}
		if err := x.schema(ctx); err != nil {
			return nil, err
		}
		target := x.rel(x.this.Identifier, as)
		if err := x.begin(ctx); err != nil {
			return nil, err
		}
		if err := x.dropIfExists(ctx, target.Identifier); err != nil {
			return nil, err
		}
		var stmt string
		var from int
		var err error
		if as == "view" {
			stmt, from, err = x.createViewAs(ctx, target, sql)
		} else {
			stmt, from, err = x.createTableAs(ctx, false, target, sql)
		}
		if err != nil {
			return nil, err
		}
		if _, err := x.main(ctx, stmt, from); err != nil {
			return nil, err
		}
		x.conn.Created(target)
		if err := x.commit(ctx); err != nil {
			return nil, err
		}
		mainSQL = "\n        select *\n        from " + target.String() + "\n    "
	}
	failCalc := x.cfgString("fail_calc", "count(*)")
	warnIf := x.cfgString("warn_if", "!= 0")
	errorIf := x.cfgString("error_if", "!= 0")
	var stmt string
	from := -1
	if o := x.override("get_test_sql", "default__get_test_sql", "postgres__get_test_sql"); o != "" {
		var err error
		if stmt, err = x.call(ctx, o, mainSQL, failCalc, warnIf, errorIf, nil); err != nil {
			return nil, err
		}
		from = strings.Index(stmt, x.sql)
	} else {
		_ = limit
		head := "select\n      " + failCalc + " as failures,\n      " + failCalc + " " + warnIf + " as should_warn,\n      " +
			failCalc + " " + errorIf + " as should_error\n    from (\n      "
		stmt = head + mainSQL + "\n      \n    ) dbt_internal_test"
		if mainSQL == sql {
			from = len(head)
		}
	}
	var resp *dbtctx.Response
	var t *dbtctx.Table
	var err error
	if from >= 0 {
		x.mainSQL, x.mainFrom = stmt, from
	}
	resp, t, err = x.conn.Query(ctx, stmt)
	if err != nil {
		return nil, err
	}
	if len(t.Rows) != 1 {
		return nil, fmt.Errorf("dbt internally failed to execute %s: Returned %d rows, but expected 1 row", x.n.UniqueID, len(t.Rows))
	}
	if len(t.Names) != 3 {
		return nil, fmt.Errorf("dbt internally failed to execute %s: Returned %d columns, but expected 3 columns", x.n.UniqueID, len(t.Names))
	}
	vals := map[string]any{}
	for i, n := range t.Names {
		vals[strings.ToLower(n)] = t.Rows[0][i]
	}
	failures := toInt(vals["failures"])
	shouldWarn := jinja.Truth(vals["should_warn"])
	shouldError := jinja.Truth(vals["should_error"])
	severity := strings.ToUpper(x.cfgString("severity", "ERROR"))
	res := &Result{Response: resp, MainSQL: stmt}
	noun := "results"
	if failures == 1 {
		noun = "result"
	}
	zero := int64(0)
	switch {
	case severity == "ERROR" && shouldError:
		res.Status = Fail
		res.Message = fmt.Sprintf("Got %d %s, configured to fail if %s", failures, noun, errorIf)
		res.Failures = &failures
	case shouldWarn:
		res.Status = Warn
		res.Message = fmt.Sprintf("Got %d %s, configured to warn if %s", failures, noun, warnIf)
		res.Failures = &failures
	default:
		res.Status = Pass
		res.Failures = &zero
	}
	return res, nil
}

func toInt(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case float64:
		return int64(math.Round(x))
	case *big.Int:
		return x.Int64()
	case *jinja.Decimal: // fail_calc over a numeric, e.g. sum(...)
		n, _ := x.Int().(int64)
		return n
	case bool:
		if x {
			return 1
		}
	case nil:
		return 0
	}
	return 0
}
