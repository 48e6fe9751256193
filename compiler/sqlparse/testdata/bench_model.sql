-- compiled model: marts.fct_orders
with orders as (
    select
        o.id as order_id,
        o.customer_id,
        o.ordered_at,
        o.status,
        o.amount_cents / 100.0 as amount
    from "analytics"."staging"."stg_orders" as o
    where o.status <> 'cancelled'
),

payments as (
    select
        p.order_id,
        sum(p.amount) as paid_amount,
        count(*) as payment_count,
        max(p.created_at) as last_paid_at
    from "analytics"."staging"."stg_payments" p
    group by p.order_id
),

customers as (
    select c.id, c.first_name || ' ' || c.last_name as full_name, c.region
    from "analytics"."staging"."stg_customers" c
)

select
    orders.order_id,
    orders.ordered_at::date as order_date,
    customers.full_name,
    customers.region,
    coalesce(payments.paid_amount, 0) as paid_amount,
    orders.amount - coalesce(payments.paid_amount, 0) as balance,
    row_number() over (partition by orders.customer_id order by orders.ordered_at) as customer_order_seq,
    case when payments.payment_count > 1 then true else false end as split_payment
from orders
left join payments on payments.order_id = orders.order_id
join customers on customers.id = orders.customer_id
where orders.ordered_at >= date '2020-01-01'
