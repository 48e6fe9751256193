#!/usr/bin/env python3
"""Validate dbt artifacts (manifest.json, run_results.json, catalog.json)
against the JSON schema that the installed dbt-core derives from its own
artifact classes. Test oracle only: run it with the .venv interpreter
(scripts/venv.sh creates it).

Usage: validate_artifacts.py FILE...      (kind taken from metadata.dbt_schema_version)
       validate_artifacts.py --kind manifest FILE
       validate_artifacts.py --dump-schema manifest > schema.json

Exit status 0 when every file validates, 1 on violations (each printed as
file: json-path: message), 2 on usage errors.
"""
import argparse
import json
import sys


def artifact_class(kind):
    if kind == "manifest":
        from dbt.artifacts.schemas.manifest import WritableManifest

        return WritableManifest
    if kind == "run-results":
        from dbt.artifacts.schemas.run import RunResultsArtifact

        return RunResultsArtifact
    if kind == "catalog":
        from dbt.artifacts.schemas.catalog import CatalogArtifact

        return CatalogArtifact
    raise SystemExit(f"unknown artifact kind {kind!r} (want manifest, run-results or catalog)")


def kind_of(doc, path):
    # https://schemas.getdbt.com/dbt/<kind>/vN.json
    url = (doc.get("metadata") or {}).get("dbt_schema_version", "")
    parts = url.rstrip("/").split("/")
    if len(parts) < 2:
        raise SystemExit(f"{path}: no metadata.dbt_schema_version; pass --kind")
    return parts[-2]


def schema_for(kind):
    """Returns (dbt_schema_version, schema). Building the schema from the
    dbt classes takes ~15 s, so it is cached beside the interpreter's venv,
    keyed by the dbt-core version."""
    import importlib.metadata
    import os

    version = importlib.metadata.version("dbt-core")
    cache_dir = os.path.join(sys.prefix, "gdbt-schema-cache")
    cache = os.path.join(cache_dir, f"{kind}-{version}.json")
    try:
        with open(cache, encoding="utf-8") as f:
            cached = json.load(f)
        return cached["version"], cached["schema"]
    except (OSError, ValueError, KeyError):
        pass
    cls = artifact_class(kind)
    out = {"version": str(cls.dbt_schema_version), "schema": cls.json_schema()}
    try:
        os.makedirs(cache_dir, exist_ok=True)
        tmp = f"{cache}.{os.getpid()}"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(out, f)
        os.replace(tmp, cache)
    except OSError:
        pass
    return out["version"], out["schema"]


def json_path(error):
    out = "$"
    for p in error.absolute_path:
        out += f"[{p}]" if isinstance(p, int) else f".{p}"
    return out


def validate(path, kind):
    import jsonschema

    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    kind = kind or kind_of(doc, path)
    want, schema = schema_for(kind)
    got = (doc.get("metadata") or {}).get("dbt_schema_version")
    problems = []
    if got != want:
        problems.append(f"{path}: $.metadata.dbt_schema_version: {got!r}, want {want!r}")
    validator_cls = jsonschema.validators.validator_for(schema)
    validator = validator_cls(schema)
    for err in sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path))):
        for e in explain(err):
            msg = e.message
            if len(msg) > 300:
                msg = msg[:300] + "..."
            problems.append(f"{path}: {json_path(e)}: {msg}")
    return problems


def explain(err):
    """A failed anyOf (nodes are a union of node classes) says only that
    nothing matched; report instead the errors of the branch meant, the
    one whose resource_type (or other discriminating const) matched."""
    if err.validator not in ("anyOf", "oneOf") or not err.context:
        return [err]
    branches = {}
    for sub in err.context:
        branches.setdefault(sub.schema_path[0], []).append(sub)
    # Prefer branches not rejecting a const/enum discriminator, then the
    # one with fewest errors.
    def rank(item):
        errs = item[1]
        discr = sum(1 for e in errs if e.validator in ("const", "enum") or e.validator == "type" and e.instance is None)
        return (discr, len(errs))

    best = sorted(branches.items(), key=rank)[0][1]
    out = []
    for sub in best:
        out += explain(sub)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kind", choices=["manifest", "run-results", "catalog"])
    ap.add_argument("--dump-schema", metavar="KIND")
    ap.add_argument("files", nargs="*")
    args = ap.parse_args()
    if args.dump_schema:
        artifact_class(args.dump_schema)  # reject unknown kinds before caching
        json.dump(schema_for(args.dump_schema)[1], sys.stdout, indent=1)
        return 0
    if not args.files:
        ap.print_usage(sys.stderr)
        return 2
    problems = []
    for path in args.files:
        problems += validate(path, args.kind)
    for p in problems:
        print(p)
    if problems:
        print(f"{len(problems)} schema violation(s)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
