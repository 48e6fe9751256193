with products as (

    select * from {{ ref('stg_products') }}

),

sales as (

    select
        product_id,
        sum(quantity) as units_ordered,
        count(distinct order_id) as order_count
    from {{ ref('stg_order_items') }}
    group by product_id

)

select
    products.product_id,
    products.sku,
    products.product_name,
    products.category,
    products.price_cents,
    {{ from_cents('products.price_cents') }} as price,
    products.unit_cost_cents,
    products.price_cents - products.unit_cost_cents as unit_margin_cents,
    products.is_active,
    products.description,
    coalesce(sales.units_ordered, 0) as units_ordered,
    coalesce(sales.order_count, 0) as order_count,
    products.updated_at
from products
left join sales on sales.product_id = products.product_id
