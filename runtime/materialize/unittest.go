package materialize

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gdbt/gdbt/compiler/compile"
	"github.com/gdbt/gdbt/compiler/dbtctx"
	"github.com/gdbt/gdbt/compiler/manifest"
)

// CompileUnitTest compiles a unit test (its fixtures are typed from the
// input relations, so this reaches the warehouse). A fixture error is
// reported against the input's stand-in model, as dbt does.
func (r *Runner) CompileUnitTest(ctx context.Context, n *manifest.Node) (*compile.UnitTest, error) {
	ut, err := r.C.UnitTest(ctx, n)
	if err == nil {
		return ut, nil
	}
	var ie *compile.InputError
	if errors.As(err, &ie) {
		msg := ie.Err.Error()
		if len(ie.Trace) > 0 {
			msg += "\n\n" + strings.Join(ie.Trace, "\n")
		}
		return nil, &NodeError{Kind: CompilationError, Node: ie.Input, Err: ie.Err, Detail: msg}
	}
	return nil, &NodeError{Kind: CompilationError, Node: n, Err: err}
}

// ExecuteUnitTest runs dbt's unit materialization: the expected rows are
// typed by the columns of the model's result (read from an empty
// temporary table of it), actual and expected rows come back from one
// query and are compared; a difference fails the test with dbt's diff.
func (r *Runner) ExecuteUnitTest(ctx context.Context, n *manifest.Node, ut *compile.UnitTest, color bool) (*Result, error) {
	conn, err := r.A.Acquire(ctx)
	if err != nil {
		return nil, &NodeError{Kind: DatabaseError, Node: n, Err: err}
	}
	defer conn.Release()
	un := ut.Node
	x := &exec{r: r, n: un, conn: conn, sql: ut.SQL, this: dbtctx.NewRelation(un.Database, un.Schema, un.Alias, "table")}
	res, err := x.unitTest(dbtctx.WithWarehouse(ctx, conn.Warehouse()), ut, color)
	_ = conn.Rollback(ctx)
	if err != nil {
		var ee *compile.ExpectedError
		var ne *NodeError
		switch {
		case errors.As(err, &ee):
			inner := "Compilation Error in unit_test " + un.Name + " (" + un.OriginalFilePath + ")\n  " +
				strings.ReplaceAll(ee.Err.Error()+"\n\n> in macro format_row (macros/unit_test_sql/get_fixture_sql.sql)\n"+
					"> called by macro get_expected_sql (macros/unit_test_sql/get_fixture_sql.sql)\n"+
					"> called by macro materialization_unit_default (macros/materializations/tests/unit.sql)\n"+
					"> called by unit_test "+un.Name+" ("+un.OriginalFilePath+")", "\n", "\n  ")
			return nil, unitRuntimeError(n, inner)
		case errors.As(err, &ne):
			return nil, err
		}
		werr := x.wrap(err)
		if errors.As(werr, &ne) && ne.Kind == DatabaseError {
			return nil, unitRuntimeError(n, ne.Error())
		}
		return nil, werr
	}
	return res, nil
}

// unitRuntimeError is how dbt reports a failure inside the unit
// materialization.
func unitRuntimeError(n *manifest.Node, inner string) error {
	return &NodeError{Kind: RuntimeError, Node: n, Err: errors.New(inner),
		Detail: "An error occurred during execution of unit test '" + n.Name + "'. There may be an error in the unit test definition: check the data types.\n " + inner}
}

func (x *exec) unitTest(ctx context.Context, ut *compile.UnitTest, color bool) (*Result, error) {
	def := ut.Def
	expectedRows := def.Expect.RowList()
	if def.Expect.Format == "sql" {
		expectedRows = nil
	}
	if err := x.begin(ctx); err != nil {
		return nil, err
	}
	// The columns the comparison selects: the first expected row's keys,
	// else the model's own columns.
	var names []string
	if len(expectedRows) > 0 {
		for _, f := range expectedRows[0] {
			names = append(names, f.Key)
		}
	} else {
		_, t, err := x.conn.Query(ctx, "select * from (\n        "+ut.SQL+"\n    ) as __dbt_sbq\n    where false\n    limit 0\n")
		if err != nil {
			return nil, err
		}
		names = t.Names
	}
	// An empty temporary table of the model's result gives the types.
	now := time.Now()
	stamp := now.Format("150405") + fmt.Sprintf("%06d", now.Nanosecond()/1000)
	tmp := dbtctx.NewRelation("", "", suffixed(ut.Node.Alias, "__dbt_tmp"+stamp), "table")
	empty := "select * from (\n        " + ut.SQL + "\n    ) as __dbt_sbq\n    where false\n    limit 0\n"
	stmt, _, err := x.createTableAs(ctx, true, tmp, empty)
	if err != nil {
		return nil, err
	}
	if _, err := x.conn.Exec(ctx, stmt); err != nil {
		return nil, err
	}
	cols, err := x.conn.Columns(ctx, tmp)
	if err != nil {
		return nil, err
	}
	uc := compile.NewUnitColumns(cols)
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = uc.Quoted[strings.ToLower(n)]
	}
	expectedSQL, _ := def.Expect.Rows.(string)
	if def.Expect.Format != "sql" {
		if expectedSQL, err = x.r.C.ExpectedSQL(ctx, ut.Node, expectedRows, uc); err != nil {
			return nil, err
		}
	}
	sql, err := x.r.C.UnitTestSQL(ctx, ut.Node, ut.SQL, expectedSQL, quoted)
	if err != nil {
		return nil, err
	}
	main := "\n    " + sql
	x.mainSQL, x.mainFrom = main, strings.Index(main, ut.SQL)
	resp, t, err := x.conn.Query(ctx, main)
	if err != nil {
		return nil, err
	}
	if _, err := x.conn.Exec(ctx, "drop table if exists "+tmp.String()+" cascade"); err != nil {
		return nil, err
	}
	res := &Result{Response: resp, MainSQL: main, Status: Pass}
	zero, one := int64(0), int64(1)
	res.Failures = &zero
	header, expected, actual := splitActual(t)
	if diff, ok := unitDiff(header, expected, actual, color); ok {
		res.Status = Fail
		res.Failures = &one
		paint := func(code, s string) string {
			if !color {
				return s
			}
			return "\x1b[" + code + "m" + s + "\x1b[0m"
		}
		res.Message = "\n\n" + paint("32", "actual") + " differs from " + paint("31", "expected") + ":\n\n" + diff + "\n"
	}
	return res, nil
}

// splitActual separates the rows of the comparison query by its
// actual_or_expected column and sorts them as dbt does.
func splitActual(t *dbtctx.Table) (header []string, expected, actual [][]any) {
	marker := -1
	for i, n := range t.Names {
		if strings.ToLower(n) == "actual_or_expected" {
			marker = i
			continue
		}
		header = append(header, strings.ToLower(n))
	}
	var exp, act [][]any
	for _, row := range t.Rows {
		var r []any
		for i, v := range row {
			if i != marker {
				r = append(r, v)
			}
		}
		if marker >= 0 && fmt.Sprint(row[marker]) == "expected" {
			exp = append(exp, r)
		} else {
			act = append(act, r)
		}
	}
	sortRows(exp)
	sortRows(act)
	return header, exp, act
}
