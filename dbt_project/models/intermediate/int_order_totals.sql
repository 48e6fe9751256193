with orders as (

    select * from {{ ref('stg_orders') }}

),

lines as (

    select
        order_id,
        count(*) as item_count,
        sum(quantity) as unit_count,
        sum(line_subtotal_cents) as items_subtotal_cents,
        sum(discount_cents) as discount_cents,
        sum(line_net_cents) as items_net_cents,
        max(updated_at) as items_updated_at
    from {{ ref('stg_order_items') }}
    group by order_id

)

select
    orders.order_id,
    orders.customer_id,
    orders.status,
    orders.ordered_at,
    orders.order_date,
    orders.sales_channel,
    orders.ship_country_code,
    coalesce(lines.item_count, 0) as item_count,
    coalesce(lines.unit_count, 0) as unit_count,
    coalesce(lines.items_subtotal_cents, 0) as items_subtotal_cents,
    coalesce(lines.discount_cents, 0) as discount_cents,
    orders.shipping_cents,
    coalesce(lines.items_net_cents, 0) + orders.shipping_cents as order_total_cents,
    {{ is_revenue_status('orders.status') }} as is_revenue,
    greatest(orders.updated_at, lines.items_updated_at) as updated_at
from orders
left join lines on lines.order_id = orders.order_id
