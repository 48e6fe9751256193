

with __dbt__cte__stg_orders as (


select
    id as order_id,
    customer_id,
    cast(order_date as date) as order_date,
    status
from "postgres"."basic_dbt"."raw_orders"
where status in (
    'placed',
    'shipped',
    'completed',
    'returned'
)
) select order_id, customer_id, order_date, status
from __dbt__cte__stg_orders
