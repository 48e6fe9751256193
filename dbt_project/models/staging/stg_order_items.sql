{{ config(tags=['api']) }}

with latest as (

    {{ keep_latest(source('raw', 'order_items'), 'order_item_id', 'updated_at desc, _loaded_at desc') }}

)

select
    order_item_id,
    order_id,
    product_id,
    quantity,
    unit_price_cents,
    coalesce(discount_cents, 0) as discount_cents,
    quantity * unit_price_cents as line_subtotal_cents,
    quantity * unit_price_cents - coalesce(discount_cents, 0) as line_net_cents,
    updated_at
from latest
