#!/usr/bin/env python3
"""Golden generator for compiler/jinja/builtins_golden_test.go.

Each line of <topic>.txt (blank lines and lines starting with '#' are
skipped) is a Jinja expression, rendered as "{{ <expr> }}", or, when it
starts with "{{" or "{%", a whole one-line template. It is rendered by Python
Jinja2 3.1.6 in dbt's configuration, and <topic>.golden gets one JSON object
per case: {"expr": ..., "out": ...} or {"expr": ..., "err": Kind, "msg": ...}.
The variables in VARS are defined (the Go test defines the same); they give
values Jinja2 cannot constant-fold at compile time.

Usage: python3 compiler/jinja/testdata/builtins/oracle.py
"""
import glob
import json
import os

import jinja2
from jinja2.sandbox import SandboxedEnvironment

assert jinja2.__version__ == "3.1.6", jinja2.__version__
VARS = {"s_inf": "inf"}
HERE = os.path.dirname(os.path.abspath(__file__))


def render(expr):
    env = SandboxedEnvironment(extensions=["jinja2.ext.do", "jinja2.ext.loopcontrols"])
    try:
        src = expr if expr.startswith(("{{", "{%")) else "{{ " + expr + " }}"
        return {"expr": expr, "out": env.from_string(src).render(VARS)}
    except Exception as e:  # the exception is the expected result
        return {"expr": expr, "err": type(e).__name__, "msg": str(e)}


for path in sorted(glob.glob(os.path.join(HERE, "*.txt"))):
    with open(path, encoding="utf-8") as f:
        lines = [l.rstrip("\n") for l in f]
    cases = [render(l) for l in lines if l.strip() and not l.startswith("#")]
    with open(path[:-4] + ".golden", "w", encoding="utf-8") as f:
        for c in cases:
            f.write(json.dumps(c, ensure_ascii=False) + "\n")
