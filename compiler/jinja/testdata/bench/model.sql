{{
    config(
        materialized = "incremental",
        unique_key = "order_id",
        tags = ["finance", "daily"],
        on_schema_change = "append_new_columns",
    )
}}

{%- set payment_methods = ["credit_card", "coupon", "bank_transfer", "gift_card"] -%}
{%- set lookback_days = var("lookback_days", 3) %}

with orders as (
    select * from {{ ref("stg_orders") }}
),

payments as (
    select * from {{ ref("stg_payments") }}
),

customers as (
    select * from {{ ref("dim_customers") }}
),

order_payments as (
    select
        order_id,
        {% for method in payment_methods -%}
        sum(case when payment_method = '{{ method }}' then amount else 0 end) as {{ method }}_amount
        {%- if not loop.last %},{% endif %}
        {% endfor -%}
    from payments
    group by order_id
)

select
    orders.order_id,
    orders.customer_id,
    customers.customer_name,
    orders.order_date,
    {% for method in payment_methods -%}
    order_payments.{{ method }}_amount,
    {% endfor -%}
    orders.status
from orders
left join order_payments using (order_id)
left join customers using (customer_id)
{% if is_incremental() %}
where orders.order_date >= (select max(order_date) - interval '{{ lookback_days }} days' from {{ this }})
{% endif %}
