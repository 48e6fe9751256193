#!/usr/bin/env python3
"""Test oracle: the table dbt prints for a failing unit test, by daff.

Reads runtime/materialize/testdata/unitdiff/cases.json and prints, per
case, "== <name>" and the rendered diff (ANSI codes kept) the way dbt's
test task builds it: rows sorted with nulls last, compared unordered.
Run with .venv/bin/python; writes nothing else.
"""
import datetime
import json
import sys
from decimal import Decimal

import daff


def value(v):
    if isinstance(v, dict):
        if "dec" in v:
            return Decimal(v["dec"])
        if "date" in v:
            return datetime.date.fromisoformat(v["date"])
    return v


def table(header, rows):
    rows = [[value(v) for v in r] for r in rows]
    rows = sorted(rows, key=lambda x: [(e is None, e) for e in x])
    return daff.PythonTableView([header] + rows)


def main(path):
    for case in json.load(open(path)):
        flags = daff.CompareFlags()
        flags.ordered = False
        expected = table(case["header"], case["expected"])
        actual = table(case["header"], case["actual"])
        align = daff.Coopy.compareTables(expected, actual, flags).align()
        diff = daff.TableDiff(align, flags)
        out = daff.PythonTableView([])
        diff.hilite(out)
        sys.stdout.write("== " + case["name"] + "\n")
        sys.stdout.write(daff.TerminalDiffRender().render(out) if diff.hasDifference() else "(no difference)\n")


if __name__ == "__main__":
    main(sys.argv[1])
