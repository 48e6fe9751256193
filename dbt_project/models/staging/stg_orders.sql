{{ config(tags=['api']) }}

with latest as (

    {{ keep_latest(source('raw', 'orders'), 'order_id', 'updated_at desc, _loaded_at desc') }}

)

select
    order_id,
    customer_id,
    lower(status) as status,
    ordered_at,
    -- calendar facts are in UTC, whatever offset the API used
    (ordered_at at time zone 'UTC')::date as order_date,
    coalesce(shipping_cents, 0) as shipping_cents,
    -- fields the loader did not declare are still in the raw record
    _raw ->> 'channel' as sales_channel,
    upper(_raw #>> '{shipping_address,country}') as ship_country_code,
    updated_at
from latest
