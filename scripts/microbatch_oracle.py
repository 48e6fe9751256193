#!/usr/bin/env python3
"""Compute microbatch batches with dbt's MicrobatchBuilder (the oracle).

Reads runtime/materialize/testdata/microbatch_cases.txt and writes
runtime/materialize/testdata/microbatch_batches.golden, which the Go test
TestBatchesMatchDbt compares materialize.Batches against.

Golden format, per case:

    === case: name
    <start isoformat> <end isoformat>     (one line per batch)
or
    error: <message>
"""
import os
import sys
from datetime import datetime

import pytz

from dbt.contracts.graph.nodes import ModelNode
from dbt.materializations.incremental.microbatch import MicrobatchBuilder

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "runtime", "materialize", "testdata")


def parse_time(s):
    if s == "-":
        return None
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d"):
        try:
            return datetime.strptime(s, fmt)
        except ValueError:
            pass
    raise ValueError(s)


def model(batch_size, begin, lookback):
    return ModelNode.from_dict({
        "name": "m", "resource_type": "model", "package_name": "p", "path": "m.sql",
        "original_file_path": "models/m.sql", "unique_id": "model.p.m", "fqn": ["p", "m"],
        "alias": "m", "schema": "s", "database": "d", "checksum": {"name": "none", "checksum": ""},
        "config": {"materialized": "incremental", "incremental_strategy": "microbatch",
                   "batch_size": batch_size, "begin": begin, "lookback": lookback, "event_time": "t"},
    })


def main():
    out = []
    with open(os.path.join(ROOT, "microbatch_cases.txt")) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            name, size, begin, lookback, incr, start, end, now = [x.strip() for x in line.split("|")]
            out.append(f"=== case: {name}")
            try:
                m = model(size, None, int(lookback))
                m.config.begin = parse_time(begin)  # dbt's parser makes begin a datetime
                b = MicrobatchBuilder(model=m, is_incremental=incr == "true", event_time_start=parse_time(start),
                                      event_time_end=parse_time(end), default_end_time=parse_time(now).replace(tzinfo=pytz.UTC))
                e = b.build_end_time()
                s = b.build_start_time(e)
                for bs, be in b.build_batches(s, e):
                    out.append(f"{bs.isoformat()} {be.isoformat()}")
            except Exception as exc:  # noqa: BLE001 - the error is the expected output
                out.append(f"error: {getattr(exc, 'msg', exc)}")
    with open(os.path.join(ROOT, "microbatch_batches.golden"), "w") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    sys.exit(main())
