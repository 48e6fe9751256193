#!/usr/bin/env bash
# just bench: every speed figure the issues ask for, each against a baseline
# measured in the same run on the same machine.
#   1. go test -bench over every package (Jinja, parser, sqlparse, manifest, …)
#   2. parse of a generated 10,000-model project: cat of its files vs gdbt parse
#      vs dbt parse (dbt takes ~10+ minutes here; GDBT_BENCH_SKIP_DBT=1 skips it)
#   3. dbt vs gdbt wall time on the showcase and a generated 1,000-view project
#      (parse, compile, seed, build), through the differential harness
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
scripts/pg.sh start >/dev/null
export GDBT_TEST_DATABASE_URL="$(scripts/pg.sh url)"
go build -o bin/benchfmt ./internal/benchfmt
go build -o bin/gdbt ./cmd/gdbt
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== 1. Go benchmarks"
status=0
go test -run '^$' -bench . -benchmem ./... >bin/bench.txt 2>&1 || status=$?
bin/benchfmt <bin/bench.txt

echo
echo "== 2. parse of a generated project of 10,000 models (+10,000 tests)"
go run ./internal/genproject/cmd/genproject -models 10000 -tests 1 "$work/gen10k"
port=$(echo "$GDBT_TEST_DATABASE_URL" | sed -E 's#.*:([0-9]+)/.*#\1#')
export GDBT_PG_PORT=$port
best() { # best wall time in seconds of 5 runs of "$@"
  local b=
  for _ in 1 2 3 4 5; do
    local s e t
    s=$(date +%s.%N)
    if ! "$@" >/dev/null 2>&1; then echo "bench: failed: $*" >&2; return 1; fi
    e=$(date +%s.%N)
    t=$(echo "$e - $s" | bc -l)
    if [ -z "$b" ] || (( $(echo "$t < $b" | bc -l) )); then b=$t; fi
  done
  printf '%.3f' "$b"
}
# The file list is made once, outside the timing; xargs hands it to cat
# (a single command line would exceed the kernel's argument limit).
(cd "$work/gen10k" && find . -type f \( -name '*.sql' -o -name '*.yml' \) | sort) >"$work/files.txt"
t_cat=$(best bash -c "cd '$work/gen10k' && xargs -a '$work/files.txt' cat >/dev/null")
t_gdbt=$(best bin/gdbt parse --project-dir "$work/gen10k" --profiles-dir "$work/gen10k")
printf '%-34s %10s %12s\n' "" "seconds" "vs cat"
printf '%-34s %10s %12s\n' "cat every file" "$t_cat" "1.0x"
printf '%-34s %10s %11.1fx\n' "gdbt parse" "$t_gdbt" "$(echo "$t_gdbt / $t_cat" | bc -l)"
if [ -z "${GDBT_BENCH_SKIP_DBT:-}" ] && [ -x .venv/bin/dbt ]; then
  s=$(date +%s.%N)
  (cd "$work/gen10k" && "$root/.venv/bin/dbt" parse --no-partial-parse --profiles-dir . >/dev/null 2>&1) || echo "dbt parse failed"
  e=$(date +%s.%N)
  t_dbt=$(printf '%.3f' "$(echo "$e - $s" | bc -l)")
  printf '%-34s %10s %11.1fx   (gdbt is %.0fx faster)\n' "dbt parse (one run)" "$t_dbt" "$(echo "$t_dbt / $t_cat" | bc -l)" "$(echo "$t_dbt / $t_gdbt" | bc -l)"
else
  echo "dbt parse: skipped (GDBT_BENCH_SKIP_DBT set or .venv missing)"
fi

echo
echo "== 3. dbt vs gdbt on the showcase and 1,000 views (differential harness)"
go run ./internal/genproject/cmd/genproject -models 1000 -tests 0 -views "$work/views1k"
scripts/venv.sh >/dev/null
go run ./internal/conformance/cmd/conformance -bench -gdbt "$root/bin/gdbt" showcase "$work/views1k" || status=$?
exit $status
