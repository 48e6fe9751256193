with source as (

    select * from {{ source('raw', 'customers') }}

),

cleaned as (

    select
        customer_id,
        {{ blank_to_null('first_name') }} as first_name,
        {{ blank_to_null('last_name') }} as last_name,
        lower({{ blank_to_null('email') }}) as email,
        upper({{ blank_to_null('country_code') }}) as country_code,
        {{ blank_to_null('city') }} as city,
        signup_date,
        {{ parse_flag('marketing_opt_in') }} as has_marketing_opt_in,
        _loaded_at as loaded_at
    from source

)

select
    customer_id,
    first_name,
    last_name,
    concat_ws(' ', first_name, last_name) as full_name,
    email,
    country_code,
    city,
    signup_date,
    has_marketing_opt_in,
    loaded_at
from cleaned
