#!/usr/bin/env bash
# conformance_showcase_raw.sh — load fixtures/showcase into schema raw of the
# database at $CONFORMANCE_DB_URL (or $1), exactly as scripts/showcase_dbt_check.sh
# does with psql (declared columns + the loader's metadata columns, docs/load-spec.md).
#
# The conformance harness runs it once in a template database and clones both
# tools' databases from it, so _loaded_at is identical on both sides.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
fixtures=$repo/fixtures/showcase
url=${1:-${CONFORMANCE_DB_URL:?set CONFORMANCE_DB_URL or pass the database URL}}
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
} | psql -X -q -v ON_ERROR_STOP=1 "$url" -f -
