with customers as (

    select * from {{ ref('stg_customers') }}

),

countries as (

    select * from {{ ref('country_codes') }}

),

history as (

    select * from {{ ref('int_customer_order_history') }}

)

select
    customers.customer_id,
    customers.full_name,
    customers.first_name,
    customers.last_name,
    customers.email,
    customers.country_code,
    countries.country_name,
    countries.region,
    customers.city,
    customers.signup_date,
    customers.has_marketing_opt_in,
    history.first_order_at,
    history.last_order_at,
    coalesce(history.order_count, 0) as order_count,
    coalesce(history.revenue_order_count, 0) as revenue_order_count,
    coalesce(history.lifetime_value_cents, 0) as lifetime_value_cents,
    {{ from_cents('coalesce(history.lifetime_value_cents, 0)') }} as lifetime_value,
    case
        when coalesce(history.lifetime_value_cents, 0) >= {{ var('vip_threshold_cents') }} then 'vip'
        when coalesce(history.order_count, 0) >= 2 then 'repeat'
        when coalesce(history.order_count, 0) = 1 then 'one_time'
        else 'prospect'
    end as customer_segment
from customers
left join countries on countries.country_code = customers.country_code
left join history on history.customer_id = customers.customer_id
