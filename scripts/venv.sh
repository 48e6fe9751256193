#!/usr/bin/env bash
# venv.sh — create or reuse <repo>/.venv with the pinned Python test oracle
# (scripts/requirements-oracle.txt) and print the venv's python path.
#
# Packages are installed with --no-deps from the full lock in the requirements file
# (see the comment there for why). The install is skipped when .venv/.requirements.sha256 matches the requirements
# file, so calling this from every `just test` costs almost nothing.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv=$repo/.venv
req=$repo/scripts/requirements-oracle.txt
stamp=$venv/.requirements.sha256
py=$venv/bin/python

die() { echo "venv.sh: $*" >&2; exit 1; }

# Serialise concurrent callers (a read lock on a file that always exists).
exec 8<"$req"
flock 8

want=$(sha256sum "$req" | cut -d' ' -f1)
if [ -x "$py" ] && "$py" -c 'import sys' 2>/dev/null && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
	echo "$py"
	exit 0
fi

if ! [ -x "$py" ] || ! "$py" -c 'import sys' 2>/dev/null; then
	rm -rf "$venv"
	python3 -m venv "$venv" >&2 ||
		die "python3 -m venv failed (on Debian: apt-get install python3-venv)"
fi

log=$venv/pip-install.log
echo "venv.sh: installing $(grep -cvE '^\s*(#|$)' "$req") pinned packages into .venv (log: $log)" >&2
if ! "$py" -m pip install --quiet --disable-pip-version-check --no-deps -r "$req" >"$log" 2>&1; then
	tail -n 30 "$log" >&2
	die "pip install -r $req failed"
fi
if ! "$py" -c 'import jinja2, dbt.version, dbt.adapters.postgres' >>"$log" 2>&1; then
	tail -n 30 "$log" >&2
	die "the oracle packages installed but do not import"
fi
echo "$want" >"$stamp"
echo "$py"
