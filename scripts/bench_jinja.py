#!/usr/bin/env python3
"""Time Python Jinja2 on the benchmark model, for comparison with our engine.

Renders compiler/jinja/testdata/bench/model.sql in the environment dbt uses
(SandboxedEnvironment with the do and loopcontrols extensions), with the same
small context as compiler/jinja/bench_test.go: ref/source return a quoted
relation, config returns '', var returns its default, is_incremental() is
false, target is a dict.

Prints one line per measurement, `name ns_per_op`:
    parse         Environment.from_string (lex, parse, compile to Python)
    render        Template.render of an already parsed template
    parse_render  both
Each figure is the best of several timeit repeats, each long enough (>= 0.5 s)
to be stable on a shared machine.

Usage: scripts/bench_jinja.py [--output]   (--output prints the rendered SQL)
"""

import argparse
import os
import sys
import timeit

try:
    import jinja2
    from jinja2.sandbox import SandboxedEnvironment
except ImportError:
    sys.exit("bench_jinja: jinja2 is not installed; run scripts/venv.sh and use .venv/bin/python")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODEL = os.path.join(ROOT, "compiler", "jinja", "testdata", "bench", "model.sql")
REPEATS = 5
MIN_SECONDS = 0.5


def make_env():
    return SandboxedEnvironment(extensions=["jinja2.ext.do", "jinja2.ext.loopcontrols"])


def relation(*args, **kwargs):
    # dbt renders a relation as "database"."schema"."identifier".
    return f'"analytics"."dbt"."{args[-1]}"'


def config(*args, **kwargs):
    return ""


def var(name, default=None):
    return default


def is_incremental():
    return False


CONTEXT = {
    "ref": relation,
    "source": relation,
    "config": config,
    "var": var,
    "is_incremental": is_incremental,
    "target": {"name": "dev", "schema": "dbt"},
}


def ns_per_op(fn):
    timer = timeit.Timer(fn)
    number = 1
    while True:
        if timer.timeit(number) >= MIN_SECONDS / 5:
            break
        number *= 2
    # Scale so each repeat runs for at least MIN_SECONDS.
    per = timer.timeit(number) / number
    number = max(number, int(MIN_SECONDS / per) + 1)
    best = min(timer.repeat(repeat=REPEATS, number=number))
    return best / number * 1e9


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--output", action="store_true", help="print the rendered model and exit")
    args = ap.parse_args()

    with open(MODEL, encoding="utf-8") as f:
        src = f.read()
    env = make_env()
    tmpl = env.from_string(src)

    if args.output:
        sys.stdout.write(tmpl.render(CONTEXT))
        return

    print(f"# jinja2 {jinja2.__version__}, python {sys.version.split()[0]}", file=sys.stderr)
    print(f"parse {ns_per_op(lambda: env.from_string(src)):.0f}")
    print(f"render {ns_per_op(lambda: tmpl.render(CONTEXT)):.0f}")
    print(f"parse_render {ns_per_op(lambda: env.from_string(src).render(CONTEXT)):.0f}")


if __name__ == "__main__":
    main()
