#!/usr/bin/env python3
"""Render the Jinja conformance cases with Python Jinja2 (the oracle).

Reads compiler/jinja/testdata/cases/<topic>.txt and writes
compiler/jinja/testdata/golden/<topic>.golden, which the Go test
compiler/jinja/conformance_test.go compares our engine against.

Environment: exactly what dbt builds, SandboxedEnvironment with the do and
loopcontrols extensions, autoescape off, default Undefined, default options.

Template name: every case is loaded as "<topic>/<case_name>" (e.g.
"for_loop/else_branch"); the Go test parses it under the same name.

Case file format (also parsed by the Go test; keep both in step):

    anything before the first case header is a comment and ignored
    === case: some_name
    --- vars                 (optional; a JSON object, key order kept)
    {"x": 1}
    --- template
    template text up to the next line starting with "=== case: " or EOF,
    with exactly one trailing newline removed

Golden format:

    === case: some_name
    --- output
    <rendered text, one "\\n" appended when written and stripped when read>
    === case: bad_one
    --- error
    TemplateSyntaxError line 3
    msg: <Python message, for humans only; newlines escaped>

The error line is the Python exception class name and "line N": the lineno of
a TemplateSyntaxError (or subclass), or for runtime errors the line of the
innermost traceback frame that belongs to the template (Jinja rewrites
tracebacks so template frames carry the template's name), else "line ?".

It also renders testdata/bench/model.sql with scripts/bench_jinja.py's
context into testdata/bench/model.golden (raw output, nothing appended).

Usage:
    scripts/jinja_oracle.py --write   regenerate the golden files
    scripts/jinja_oracle.py --check   exit 1 (with a diff) if goldens are stale;
                                      msg: lines are informational and ignored
"""

import argparse
import datetime
import decimal
import difflib
import json
import os
import re
import sys
import traceback

try:
    import jinja2
    from jinja2 import BaseLoader
    from jinja2.sandbox import SandboxedEnvironment
except ImportError:
    sys.exit("jinja_oracle: jinja2 is not installed; run scripts/venv.sh and use .venv/bin/python")

REQUIRED = "3.1.6"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TESTDATA = os.path.join(ROOT, "compiler", "jinja", "testdata")
CASES = os.path.join(TESTDATA, "cases")
GOLDEN = os.path.join(TESTDATA, "golden")
BENCH_MODEL = os.path.join(TESTDATA, "bench", "model.sql")
BENCH_GOLDEN = os.path.join(TESTDATA, "bench", "model.golden")

HEADER = "=== case: "
NAME_RE = re.compile(r"^[a-z0-9_]+$")


class CaseLoader(BaseLoader):
    """Serves case sources by name, reporting the name as the filename so
    rewritten traceback frames can be matched to the template."""

    def __init__(self):
        self.sources = {}

    def get_source(self, environment, template):
        if template not in self.sources:
            raise jinja2.TemplateNotFound(template)
        return self.sources[template], template, lambda: True


def make_env(loader):
    return SandboxedEnvironment(
        extensions=["jinja2.ext.do", "jinja2.ext.loopcontrols"],
        loader=loader,
        # Templates are compiled once per case; never reuse a cached one.
        cache_size=0,
    )


def parse_cases(path):
    """Returns [(name, vars_text or None, template)] in file order."""
    with open(path, encoding="utf-8", newline="") as f:
        text = f.read()
    # Split on "\n" only: str.splitlines would also split on \r, U+2028, ...
    lines = [l + "\n" for l in text.split("\n")]
    lines[-1] = lines[-1][:-1]
    cases = []
    cur = None  # [name, body_lines]
    for line in lines:
        if line.startswith(HEADER):
            if cur:
                cases.append(cur)
            name = line[len(HEADER):].rstrip("\n")
            if not NAME_RE.match(name):
                raise SystemExit(f"{path}: bad case name {name!r}")
            cur = [name, []]
        elif cur is not None:
            cur[1].append(line)
    if cur:
        cases.append(cur)
    out = []
    for name, body in cases:
        vars_text = None
        i = 0
        if body and body[0] == "--- vars\n":
            j = 1
            while j < len(body) and body[j] != "--- template\n":
                j += 1
            vars_text = "".join(body[1:j])
            i = j
        if i >= len(body) or body[i] != "--- template\n":
            raise SystemExit(f"{path}: case {name}: missing '--- template' line")
        tmpl = "".join(body[i + 1:])
        if tmpl.endswith("\n"):
            tmpl = tmpl[:-1]
        out.append((name, vars_text, tmpl))
    return out


def tagged(obj):
    """Vars may hold values JSON cannot: {"$decimal": "1.50"},
    {"$date": "2024-01-02"}, {"$datetime": "2024-01-02 03:04:05[+00:00]"}
    (what run_query hands templates through agate)."""
    if len(obj) == 1:
        (k, v), = obj.items()
        if k == "$decimal":
            return decimal.Decimal(v)
        if k == "$date":
            return datetime.date.fromisoformat(v)
        if k == "$datetime":
            return datetime.datetime.fromisoformat(v)
    return obj


def dbt_modules():
    """The `modules` member of dbt's context for topics named dbt_modules*:
    a dict per module holding the names dbt exports (dbt/context/base.py)."""
    import pytz

    return {
        "datetime": {n: getattr(datetime, n) for n in ("date", "datetime", "time", "timedelta", "tzinfo")},
        "pytz": {n: getattr(pytz, n) for n in pytz.__all__},
        "re": {n: getattr(re, n) for n in re.__all__},
    }


ADDR_RE = re.compile(r"0x[0-9a-fA-F]+")
OBJ_ADDR_RE = re.compile(r" at 0x[0-9a-fA-F]+")


def error_line(exc, name):
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return str(exc.lineno) if exc.lineno is not None else "?"
    line = "?"
    for fs in traceback.extract_tb(exc.__traceback__):
        if fs.filename == name:
            line = str(fs.lineno)
    return line


def error_message(exc):
    if isinstance(exc, jinja2.TemplateSyntaxError):
        msg = exc.message or ""
    else:
        msg = str(exc)
    msg = ADDR_RE.sub("0x…", msg)
    return msg.replace("\\", "\\\\").replace("\n", "\\n")


def render_case(env, loader, topic, name, vars_text, source):
    tname = f"{topic}/{name}"
    loader.sources[tname] = source
    try:
        ctx = json.loads(vars_text, object_hook=tagged) if vars_text and vars_text.strip() else {}
        if not isinstance(ctx, dict):
            raise SystemExit(f"{tname}: vars must be a JSON object")
    except json.JSONDecodeError as e:
        raise SystemExit(f"{tname}: bad vars JSON: {e}")
    if topic.startswith("dbt_modules"):
        ctx["modules"] = dbt_modules()
    try:
        tmpl = env.get_template(tname)
        out = tmpl.render(ctx)
    except SystemExit:
        raise
    except Exception as exc:  # every failure is part of the spec
        kind = type(exc).__name__
        return "--- error\n" f"{kind} line {error_line(exc, tname)}\n" f"msg: {error_message(exc)}\n"
    if OBJ_ADDR_RE.search(out):
        raise SystemExit(f"{tname}: output contains a memory address (nondeterministic); change the case")
    for line in out.split("\n"):
        if line.startswith(HEADER):
            raise SystemExit(f"{tname}: output line starts with {HEADER!r}; change the case")
    return "--- output\n" + out + "\n"


def generate():
    """Returns {golden filename: text}."""
    loader = CaseLoader()
    env = make_env(loader)
    seen = {}
    result = {}
    for fn in sorted(os.listdir(CASES)):
        if not fn.endswith(".txt"):
            continue
        topic = fn[:-4]
        parts = []
        for name, vars_text, source in parse_cases(os.path.join(CASES, fn)):
            if name in seen:
                raise SystemExit(f"duplicate case name {name} in {fn} and {seen[name]}")
            seen[name] = fn
            parts.append(HEADER + name + "\n" + render_case(env, loader, topic, name, vars_text, source))
        result[topic + ".golden"] = "".join(parts)
    return result


def render_bench():
    """Renders the benchmark model with scripts/bench_jinja.py's context, so
    the Go test can check that the benchmarked template renders identically."""
    sys.dont_write_bytecode = True  # keep scripts/ free of __pycache__
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import bench_jinja

    with open(BENCH_MODEL, encoding="utf-8", newline="") as f:
        src = f.read()
    return bench_jinja.make_env().from_string(src).render(bench_jinja.CONTEXT)


def normative(text):
    """Drops the informational msg: lines of error goldens. Python's exception
    wording changes between Python versions; --check compares only what the
    Go test checks (outputs, error classes and lines)."""
    out = []
    prev_err = False
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if prev_err and line.startswith("msg: "):
            prev_err = False
            continue
        prev_err = i > 0 and lines[i - 1] == "--- error"
        out.append(line)
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--write", action="store_true", help="rewrite the golden files")
    g.add_argument("--check", action="store_true", help="fail if the golden files are stale")
    args = ap.parse_args()

    if jinja2.__version__ != REQUIRED:
        sys.exit(f"jinja_oracle: need jinja2=={REQUIRED}, found {jinja2.__version__}; run scripts/venv.sh")

    want = generate()
    bench_out = render_bench()
    if args.write:
        with open(BENCH_GOLDEN, "w", encoding="utf-8", newline="") as f:
            f.write(bench_out)
        os.makedirs(GOLDEN, exist_ok=True)
        for fn in os.listdir(GOLDEN):
            if fn.endswith(".golden") and fn not in want:
                os.remove(os.path.join(GOLDEN, fn))
        for fn, text in want.items():
            with open(os.path.join(GOLDEN, fn), "w", encoding="utf-8", newline="") as f:
                f.write(text)
        n = sum(t.count("\n" + HEADER) + t.startswith(HEADER) for t in want.values())
        print(f"jinja_oracle: wrote {len(want)} golden files, {n} cases")
        return

    stale = False
    have = set(os.listdir(GOLDEN)) if os.path.isdir(GOLDEN) else set()
    for fn in sorted(have | set(want)):
        if not fn.endswith(".golden"):
            continue
        path = os.path.join(GOLDEN, fn)
        old = ""
        if os.path.exists(path):
            with open(path, encoding="utf-8", newline="") as f:
                old = f.read()
        new = want.get(fn, "")
        if old != new and normative(old) == normative(new):
            print(f"jinja_oracle: note: {fn}: only error messages differ (other Python version?)")
        elif old != new:
            stale = True
            sys.stdout.writelines(
                difflib.unified_diff(
                    old.splitlines(keepends=True),
                    new.splitlines(keepends=True),
                    fromfile=f"committed/{fn}",
                    tofile=f"oracle/{fn}",
                )
            )
    old_bench = ""
    if os.path.exists(BENCH_GOLDEN):
        with open(BENCH_GOLDEN, encoding="utf-8", newline="") as f:
            old_bench = f.read()
    if old_bench != bench_out:
        stale = True
        sys.stdout.writelines(
            difflib.unified_diff(
                old_bench.splitlines(keepends=True),
                bench_out.splitlines(keepends=True),
                fromfile="committed/bench/model.golden",
                tofile="oracle/bench/model.golden",
            )
        )
    if stale:
        print("jinja_oracle: goldens are stale; run scripts/jinja_oracle.py --write")
        sys.exit(1)
    print("jinja_oracle: goldens up to date")


if __name__ == "__main__":
    main()
