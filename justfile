# gdbt task runner. `just` alone lists the recipes.
# Install just where missing with: npm install -g rust-just

set shell := ["bash", "-euo", "pipefail", "-c"]

staticcheck_version := "v0.8.2"

# List the recipes.
default:
    @just --list --unsorted

# Run the showcase end to end (starts a throwaway Postgres; builds bin/gdbt).
demo:
    #!/usr/bin/env bash
    set -euo pipefail
    scripts/pg.sh start >/dev/null
    if compgen -G 'cmd/gdbt/*.go' >/dev/null; then
        go build -o bin/gdbt ./cmd/gdbt
    fi
    if [ -f scripts/demo.sh ]; then
        exec bash scripts/demo.sh
    fi
    echo "The demo is not written yet (scripts/demo.sh is missing). When it is, 'just demo' will:"
    echo "  1. start a throwaway PostgreSQL (scripts/pg.sh start: $(scripts/pg.sh url))"
    echo "  2. build bin/gdbt"
    echo "  3. load the showcase's CSV and API data and run 'gdbt build' on dbt_project/"
    echo "  4. run the same project with dbt and compare tables, test verdicts, artifacts and timings"

# Run the whole test suite against a real, throwaway Postgres.
test: && jinja-goldens-check
    scripts/pg.sh start >/dev/null
    scripts/venv.sh >/dev/null
    GDBT_TEST_DATABASE_URL="$(scripts/pg.sh url)" go test -timeout 40m ./...

# Compare our Jinja goldens with the Python Jinja2 oracle (skipped until scripts/jinja_oracle.py exists).
jinja-goldens-check:
    #!/usr/bin/env bash
    set -euo pipefail
    if [ ! -f scripts/jinja_oracle.py ]; then
        echo "jinja-goldens-check: scripts/jinja_oracle.py does not exist yet; skipped"
        exit 0
    fi
    py=$(scripts/venv.sh)
    "$py" scripts/jinja_oracle.py --check

# gofmt, go vet and staticcheck (pinned; installed into ./bin when missing).
lint:
    #!/usr/bin/env bash
    set -euo pipefail
    unformatted=$(gofmt -l $(go list -e -f '{{{{.Dir}}' ./...))
    if [ -n "$unformatted" ]; then
        echo "gofmt: these files need formatting (run gofmt -w):" >&2
        echo "$unformatted" >&2
        exit 1
    fi
    go vet ./...
    sc=bin/staticcheck
    if ! [ -x "$sc" ] || ! "$sc" -version 2>/dev/null | grep -qF '({{trim_start_match(staticcheck_version, "v")}})'; then
        echo "installing staticcheck {{staticcheck_version}} into bin/" >&2
        GOBIN="$PWD/bin" go install "honnef.co/go/tools/cmd/staticcheck@{{staticcheck_version}}"
    fi
    "$sc" ./...
    echo "lint: ok"

# Speed figures with their baselines: Go benchmarks, parse of 10,000 models (cat / gdbt / dbt), dbt vs gdbt builds.
bench:
    scripts/bench.sh

# Jinja benchmarks only, compared with Python Jinja2 when scripts/bench_jinja.py exists.
bench-jinja:
    #!/usr/bin/env bash
    set -euo pipefail
    go build -o bin/benchfmt ./internal/benchfmt
    status=0
    go test -run '^$' -bench . -benchmem ./compiler/jinja >bin/bench-jinja.txt 2>&1 || status=$?
    if [ -f scripts/bench_jinja.py ]; then
        py=$(scripts/venv.sh)
        "$py" scripts/bench_jinja.py >bin/bench-jinja-py.txt
        bin/benchfmt -python bin/bench-jinja-py.txt <bin/bench-jinja.txt
    else
        bin/benchfmt <bin/bench-jinja.txt
        echo "(scripts/bench_jinja.py does not exist yet: no Python comparison)"
    fi
    exit $status

# Run dbt and gdbt side by side on projects (default: basic showcase) and compare everything.
conformance *PROJECTS:
    scripts/pg.sh start >/dev/null
    scripts/venv.sh >/dev/null
    go run ./internal/conformance/cmd/conformance {{PROJECTS}}

# Stop the throwaway Postgres.
pg-stop:
    scripts/pg.sh stop

# Remove throwaway state: the Postgres cluster, bin/ and target/ directories (keeps .venv).
clean:
    scripts/pg.sh destroy
    rm -rf bin
    find . -path './.*' -prune -o -type d -name target -prune -exec rm -rf {} +
