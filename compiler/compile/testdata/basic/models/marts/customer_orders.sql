



with  __dbt__cte__stg_orders as (


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
), orders as (
    select * from __dbt__cte__stg_orders
),
payments as (
    select * from "postgres"."basic_dbt"."stg_payments"
)
select
    c.customer_id,
    c.first_name,
    count(distinct o.order_id) as order_count,
    sum(case when p.payment_method = 'card' then p.amount else 0 end) as card_amount,
    sum(case when p.payment_method = 'voucher' then p.amount else 0 end) as voucher_amount,
    sum(case when p.payment_method = 'bank' then p.amount else 0 end) as bank_amount,
    coalesce(sum(p.amount), 0) as total_amount
from "postgres"."basic_dbt"."stg_customers" c
left join orders o on o.customer_id = c.customer_id
left join payments p on p.order_id = o.order_id
group by 1, 2