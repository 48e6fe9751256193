#!/usr/bin/env bash
# just bench: every speed figure the issues ask for, each against a baseline
# measured in the same run on the same machine.
#   1. go test -bench over every package (Jinja, parser, sqlparse, manifest, …)
#   2. parse of a generated 10,000-model project: cat of its files vs gdbt parse
#      vs dbt parse (dbt takes ~10+ minutes here; GDBT_BENCH_SKIP_DBT=1 skips it)
#   3. dbt vs gdbt wall time on the showcase and a generated 1,000-view project
#      (parse, compile, seed, build), through the differential harness
# GDBT_BENCH_SECTIONS="2" (for example) runs only the sections listed.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
scripts/pg.sh start >/dev/null
export GDBT_TEST_DATABASE_URL="$(scripts/pg.sh url)"
go build -o bin/benchfmt ./internal/benchfmt
go build -o bin/gdbt ./cmd/gdbt
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
want() { [[ " ${GDBT_BENCH_SECTIONS:-1 2 3} " == *" $1 "* ]]; }
status=0

if want 1; then
echo "== 1. Go benchmarks"
go test -run '^$' -bench . -benchmem ./... >bin/bench.txt 2>&1 || status=$?
bin/benchfmt <bin/bench.txt
echo
fi

if want 2; then
echo "== 2. parse of a generated project of 10,000 models (+10,000 tests)"
go run ./internal/genproject/cmd/genproject -models 10000 -tests 1 "$work/gen10k"
port=$(echo "$GDBT_TEST_DATABASE_URL" | sed -E 's#.*:([0-9]+)/.*#\1#')
export GDBT_PG_PORT=$port
timed() { # "best median" wall seconds of 5 runs of "$@"
  local ts=()
  for _ in 1 2 3 4 5; do
    local s e
    s=$(date +%s.%N)
    if ! "$@" >/dev/null 2>&1; then echo "bench: failed: $*" >&2; return 1; fi
    e=$(date +%s.%N)
    ts+=("$(echo "$e - $s" | bc -l)")
  done
  printf '%s\n' "${ts[@]}" | sort -g | awk '{t[NR]=$1} END {printf "%.3f %.3f", t[1], t[3]}'
}
# The file list is made once, outside the timing; xargs hands it to cat
# (a single command line would exceed the kernel's argument limit).
(cd "$work/gen10k" && find . -type f \( -name '*.sql' -o -name '*.yml' \) | sort) >"$work/files.txt"
r=$(timed bash -c "cd '$work/gen10k' && xargs -a '$work/files.txt' cat >/dev/null")
read -r cat_best cat_med <<<"$r"
r=$(timed bin/gdbt parse --project-dir "$work/gen10k" --profiles-dir "$work/gen10k")
read -r gdbt_best gdbt_med <<<"$r"
ratio() { echo "$1 / $2" | bc -l; }
printf '%-28s %9s %9s %14s\n' "(5 runs each)" "best s" "median s" "vs cat (med)"
printf '%-28s %9s %9s %14s\n' "cat every file" "$cat_best" "$cat_med" "1.0x"
printf '%-28s %9s %9s %13.1fx\n' "gdbt parse" "$gdbt_best" "$gdbt_med" "$(ratio "$gdbt_med" "$cat_med")"
if [ -z "${GDBT_BENCH_SKIP_DBT:-}" ] && [ -x .venv/bin/dbt ]; then
  s=$(date +%s.%N)
  (cd "$work/gen10k" && "$root/.venv/bin/dbt" parse --no-partial-parse --profiles-dir . >/dev/null 2>&1) || echo "dbt parse failed"
  e=$(date +%s.%N)
  t_dbt=$(printf '%.3f' "$(echo "$e - $s" | bc -l)")
  printf '%-28s %9s %9s %13.1fx   (gdbt is %.0fx faster)\n' "dbt parse (one run)" "$t_dbt" "$t_dbt" "$(ratio "$t_dbt" "$cat_med")" "$(ratio "$t_dbt" "$gdbt_med")"
else
  echo "dbt parse: skipped (GDBT_BENCH_SKIP_DBT set or .venv missing)"
fi
echo
fi

if want 3; then
echo "== 3. dbt vs gdbt on the showcase and 1,000 views (differential harness)"
go run ./internal/genproject/cmd/genproject -models 1000 -tests 0 -views "$work/views1k"
scripts/venv.sh >/dev/null
go run ./internal/conformance/cmd/conformance -bench -gdbt "$root/bin/gdbt" showcase "$work/views1k" || status=$?
fi
exit $status
