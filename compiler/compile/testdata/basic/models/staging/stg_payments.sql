with source as (
    select * from "postgres"."basic_dbt"."raw_payments"
)
select
    id as payment_id,
    order_id,
    method as payment_method,
    cast(round(amount * 100) as integer) as amount_cents,
    amount
from source
where amount >= 0