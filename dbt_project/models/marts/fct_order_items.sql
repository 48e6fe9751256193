{{
    config(
        materialized='incremental',
        unique_key='order_item_id',
        incremental_strategy='delete+insert',
        on_schema_change='append_new_columns',
        indexes=[{'columns': ['order_id']}, {'columns': ['product_id']}]
    )
}}

{#- A line changes when the line itself or its order changes; source_updated_at
    is the later of the two, so the incremental filter catches both. -#}

with items as (

    select * from {{ ref('stg_order_items') }}

),

orders as (

    select order_id, customer_id, order_date, status, updated_at
    from {{ ref('stg_orders') }}

),

joined as (

    select
        items.order_item_id,
        items.order_id,
        orders.customer_id,
        items.product_id,
        orders.order_date,
        orders.status as order_status,
        items.quantity,
        items.unit_price_cents,
        items.discount_cents,
        items.line_subtotal_cents,
        items.line_net_cents,
        {{ from_cents('items.line_net_cents') }} as line_net,
        {{ is_revenue_status('orders.status') }} as is_revenue,
        greatest(items.updated_at, orders.updated_at) as source_updated_at
    from items
    inner join orders on orders.order_id = items.order_id

)

select * from joined
{% if is_incremental() %}
where source_updated_at > (select coalesce(max(source_updated_at), '-infinity'::timestamptz) from {{ this }})
{% endif %}
