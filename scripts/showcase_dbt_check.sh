#!/usr/bin/env bash
# showcase_dbt_check.sh — prove dbt_project/ with real dbt-core against real Postgres.
#
# Creates a fresh database, loads fixtures/showcase into schema raw the way
# `gdbt load` would (declared columns + metadata columns, see docs/load-spec.md)
# but with plain psql, then runs dbt parse/seed/build/snapshot/docs generate/
# source freshness, checks the marts against fixtures/showcase/expected.json,
# and finally exercises fct_order_items' incremental path. Exits non-zero on
# any failure.
#
# Environment:
#   DBT                 dbt executable (default: .venv/bin/dbt, made by scripts/venv.sh)
#   GDBT_PG_URL         server to use (default: scripts/pg.sh start)
#   SHOWCASE_CHECK_DB   database to (re)create (default: showcase_check)
#   SHOWCASE_TARGET_DIR dbt target/log directory (default: .cache/showcase-check)
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
project=$repo/dbt_project
fixtures=$repo/fixtures/showcase
db=${SHOWCASE_CHECK_DB:-showcase_check}
out=${SHOWCASE_TARGET_DIR:-$repo/.cache/showcase-check}

say() { printf '\n== %s\n' "$*"; }
die() { echo "showcase_dbt_check: $*" >&2; exit 1; }

# --- tools -------------------------------------------------------------------
dbt=${DBT:-}
if [ -z "$dbt" ]; then
	if [ ! -x "$repo/.venv/bin/dbt" ] && [ -x "$repo/scripts/venv.sh" ]; then
		"$repo/scripts/venv.sh" >&2
	fi
	dbt=$repo/.venv/bin/dbt
fi
[ -x "$dbt" ] || die "no dbt at $dbt (run scripts/venv.sh or set DBT)"
py=$(dirname "$dbt")/python # the venv's python has psycopg2 (a dbt-postgres dependency)
[ -x "$py" ] || py=python3

url=${GDBT_PG_URL:-$("$repo/scripts/pg.sh" start)}
re='^postgres(ql)?://([^:@/]+)(:([^@]*))?@([^:/?]+)(:([0-9]+))?(/[^?]*)?'
[[ $url =~ $re ]] || die "cannot parse Postgres URL: $url"
export GDBT_PG_USER=${BASH_REMATCH[2]}
export GDBT_PG_PASSWORD=${BASH_REMATCH[4]}
export GDBT_PG_HOST=${BASH_REMATCH[5]}
export GDBT_PG_PORT=${BASH_REMATCH[7]:-5432}
export GDBT_PG_DBNAME=$db
export PGPASSWORD=$GDBT_PG_PASSWORD
export DO_NOT_TRACK=1 DBT_SEND_ANONYMOUS_USAGE_STATS=false
psql_db() { psql -X -q -v ON_ERROR_STOP=1 -h "$GDBT_PG_HOST" -p "$GDBT_PG_PORT" -U "$GDBT_PG_USER" -d "$1" "${@:2}"; }

# --- fixtures are what the generator makes -------------------------------------
say "fixtures match gen.py"
python3 "$fixtures/gen.py" --check

# --- fresh database + raw load -------------------------------------------------
say "create database $db"
psql_db postgres -c "drop database if exists \"$db\" with (force)" -c "create database \"$db\""

say "load raw (psql stand-in for gdbt load)"
api=${SHOWCASE_API_URL:-http://127.0.0.1:8765}
csv_table() { # name, file, column DDL, column list
	cat <<-SQL
		create sequence raw.$1_row_seq;
		create table raw.$1 (
		    $3,
		    _loaded_at timestamptz not null default now(),
		    _source_file text not null default '../fixtures/showcase/csv/$2',
		    _source_row int not null default nextval('raw.$1_row_seq')
		);
		\\copy raw.$1 ($4) from '$fixtures/csv/$2' with (format csv, header true)
		alter table raw.$1 alter column _source_file drop default, alter column _source_row drop default;
		drop sequence raw.$1_row_seq;
	SQL
}
api_table() { # name, column DDL, column list
	cat <<-SQL
		create table raw.$1 ($2, _raw jsonb, _loaded_at timestamptz, _source_url text);
		\\set doc \`cat '$fixtures/api/$1.json'\`
		insert into raw.$1
		select $(sed -E 's/([a-z_]+)/r.\1/g' <<<"$3"), e.rec, now(),
		       '$api/$1?page=' || ((e.n - 1) / 100 + 1) || '&per_page=100'
		from jsonb_array_elements(:'doc'::jsonb) with ordinality as e(rec, n),
		     jsonb_populate_record(null::raw.$1, e.rec) as r;
	SQL
}
mkdir -p "$out"
{
	echo "create schema raw;"
	csv_table customers customers.csv "customer_id bigint, first_name text, last_name text, email text, country_code text, city text, signup_date date, marketing_opt_in text" \
		"customer_id, first_name, last_name, email, country_code, city, signup_date, marketing_opt_in"
	csv_table products products.csv "product_id bigint, sku text, product_name text, category text, price text, unit_cost numeric(12,2), is_active boolean, description text, updated_at timestamptz" \
		"product_id, sku, product_name, category, price, unit_cost, is_active, description, updated_at"
	csv_table payments payments.csv "payment_id bigint, order_id bigint, payment_method text, amount numeric(12,2), status text, paid_at timestamptz" \
		"payment_id, order_id, payment_method, amount, status, paid_at"
	api_table orders "order_id bigint, customer_id bigint, status text, ordered_at timestamptz, shipping_cents bigint, updated_at timestamptz" \
		"order_id, customer_id, status, ordered_at, shipping_cents, updated_at"
	api_table order_items "order_item_id bigint, order_id bigint, product_id bigint, quantity integer, unit_price_cents bigint, discount_cents bigint, updated_at timestamptz" \
		"order_item_id, order_id, product_id, quantity, unit_price_cents, discount_cents, updated_at"
} >"$out/load_raw.sql"
psql_db "$db" -f "$out/load_raw.sql"

# --- dbt -----------------------------------------------------------------------
dbt_do() {
	say "dbt $*"
	"$dbt" "$@" --project-dir "$project" --profiles-dir "$project" \
		--target-path "$out/target" --log-path "$out/logs"
}
dbt_do parse --no-partial-parse --warn-error
dbt_do seed
dbt_do build
dbt_do snapshot
dbt_do docs generate
dbt_do source freshness

# --- marts against the generator's own figures ---------------------------------
verify() {
	say "marts match fixtures/showcase/expected.json"
	"$py" - "$fixtures/expected.json" <<-'PY'
		import json, os, sys
		import psycopg2
		exp = json.load(open(sys.argv[1], encoding="utf-8"))
		conn = psycopg2.connect(host=os.environ["GDBT_PG_HOST"], port=os.environ["GDBT_PG_PORT"],
		                        user=os.environ["GDBT_PG_USER"], password=os.environ["GDBT_PG_PASSWORD"],
		                        dbname=os.environ["GDBT_PG_DBNAME"])
		cur = conn.cursor()
		checks = list(exp["checks"])
		for table, n in exp["raw_rows"].items():
		    checks.append({"name": f"raw.{table} rows", "sql": f"select count(*)::text from raw.{table}", "rows": [[str(n)]]})
		failed = 0
		for c in checks:
		    cur.execute(c["sql"])
		    got = [[None if v is None else str(v) for v in row] for row in cur.fetchall()]
		    if got != c["rows"]:
		        failed += 1
		        print(f"FAIL {c['name']}\n  want {c['rows'][:10]}\n  got  {got[:10]}")
		print(f"{len(checks) - failed} passed, {failed} failed")
		sys.exit(1 if failed else 0)
	PY
}
verify

# --- incremental path: a changed line and a new line reach fct_order_items -----
say "incremental: change one order line, add one, dbt run -s fct_order_items"
psql_db "$db" <<-'SQL'
	insert into raw.order_items (order_item_id, order_id, product_id, quantity, unit_price_cents,
	                             discount_cents, updated_at, _raw, _loaded_at, _source_url)
	select order_item_id, order_id, product_id, quantity + 5, unit_price_cents, 0,
	       now(), null, now(), 'check'
	from raw.order_items where order_item_id = 1;
	insert into raw.order_items (order_item_id, order_id, product_id, quantity, unit_price_cents,
	                             discount_cents, updated_at, _raw, _loaded_at, _source_url)
	select 999999, order_id, product_id, 1, unit_price_cents, 0, now(), null, now(), 'check'
	from raw.order_items where order_item_id = 1;
SQL
before=$(psql_db "$db" -tA -c "select count(*) from analytics.fct_order_items")
dbt_do run -s fct_order_items
got=$(psql_db "$db" -tA -c "select count(*) from analytics.fct_order_items")
[ "$got" = $((before + 1)) ] || die "incremental run: fct_order_items has $got rows, want $((before + 1))"
got=$(psql_db "$db" -tA -c "select f.quantity = s.quantity and f.discount_cents = 0 from analytics.fct_order_items f join analytics.stg_order_items s using (order_item_id) where order_item_id = 1")
[ "$got" = t ] || die "incremental run did not pick up the changed line (order_item_id 1)"
echo "incremental: ok ($before -> $((before + 1)) rows, changed line updated)"

say "showcase dbt check passed (database $db, artifacts in $out/target)"
