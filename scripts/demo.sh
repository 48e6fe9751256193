#!/usr/bin/env bash
# The showcase end to end: a throwaway Postgres, the fixture API, then
# gdbt load → gdbt build → gdbt docs/lineage, and the marts checked against
# figures computed independently from the fixture files.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

url=$(scripts/pg.sh start | tail -n 1)
port=$(echo "$url" | sed -E 's#.*:([0-9]+)/.*#\1#')
db=showcase_demo
psql "$url" -qc "drop database if exists $db with (force)" -c "create database $db" >/dev/null

go build -o bin/gdbt ./cmd/gdbt
go build -o bin/fixture-api ./cmd/fixture-api

# The fixture API serves orders and order items with paging and a token.
api_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export SHOWCASE_API_TOKEN=demo-token
export SHOWCASE_API_URL="http://127.0.0.1:$api_port"
bin/fixture-api -addr "127.0.0.1:$api_port" -data fixtures/showcase/api -token "$SHOWCASE_API_TOKEN" >/tmp/gdbt-demo-api.log 2>&1 &
api_pid=$!
trap 'kill $api_pid 2>/dev/null || true' EXIT
for _ in $(seq 50); do
  (exec 3<>"/dev/tcp/127.0.0.1/$api_port") 2>/dev/null && break
  sleep 0.1
done

export GDBT_PG_PORT=$port GDBT_PG_DBNAME=$db
cd dbt_project
echo "== gdbt load (CSV files and the HTTP API → raw)"
"$root/bin/gdbt" load --profiles-dir .
echo "== gdbt build (seeds, staging and intermediate views, marts, snapshot, tests)"
"$root/bin/gdbt" build --profiles-dir .
echo "== gdbt lineage"
"$root/bin/gdbt" lineage --profiles-dir . --format mermaid > target/lineage.mmd 2>/dev/null || true
cd "$root"

echo "== checking the marts against fixtures/showcase/expected.json"
go run ./internal/showcase/cmd/showcase-check -db "postgres://postgres@127.0.0.1:$port/$db?sslmode=disable" -expected fixtures/showcase/expected.json

cat <<MSG

Done. Results:
  database      postgres://postgres@127.0.0.1:$port/$db  (schemas raw, analytics, snapshots)
  artifacts     dbt_project/target/manifest.json, run_results.json, load_report.json
  lineage       dbt_project/target/lineage.mmd
  stop Postgres just pg-stop
MSG
