with source as (

    select * from {{ source('raw', 'payments') }}

)

select
    payment_id,
    order_id,
    lower(trim(payment_method)) as payment_method,
    lower(trim(status)) as payment_status,
    {{ to_cents('amount') }} as amount_cents,
    paid_at
from source
