with source as (

    select * from {{ source('raw', 'products') }}

)

select
    product_id,
    upper(trim(sku)) as sku,
    trim(product_name) as product_name,
    lower(trim(category)) as category,
    -- the export writes prices like "1,299.00"
    {{ to_cents("replace(price, ',', '')") }} as price_cents,
    {{ to_cents('unit_cost') }} as unit_cost_cents,
    coalesce(is_active, false) as is_active,
    {{ blank_to_null('description') }} as description,
    updated_at
from source
