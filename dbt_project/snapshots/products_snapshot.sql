{#- Price and status history of the catalogue: a new version whenever the
    export's updated_at moves forward for a product. dbt-postgres stamps
    dbt_valid_from/to as timestamp without time zone, so the strategy column is
    the UTC wall-clock of updated_at (comparing mixed types draws a warning). -#}
{% snapshot products_snapshot %}

{{
    config(
        target_schema='snapshots',
        unique_key='product_id',
        strategy='timestamp',
        updated_at='updated_at_utc'
    )
}}

select
    product_id,
    sku,
    product_name,
    category,
    price,
    unit_cost,
    is_active,
    updated_at,
    updated_at at time zone 'UTC' as updated_at_utc
from {{ source('raw', 'products') }}

{% endsnapshot %}
