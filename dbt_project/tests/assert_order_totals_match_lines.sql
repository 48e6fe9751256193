{#- Every order total must equal its lines' net amounts plus shipping.
    Returns the orders where fct_orders and fct_order_items disagree. -#}

with lines as (

    select order_id, sum(line_net_cents) as lines_net_cents
    from {{ ref('fct_order_items') }}
    group by order_id

)

select
    orders.order_id,
    orders.order_total_cents,
    orders.shipping_cents,
    lines.lines_net_cents
from {{ ref('fct_orders') }} as orders
left join lines on lines.order_id = orders.order_id
where orders.order_total_cents <> coalesce(lines.lines_net_cents, 0) + orders.shipping_cents
