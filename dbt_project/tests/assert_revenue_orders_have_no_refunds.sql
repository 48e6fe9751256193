{{ config(tags=['finance']) }}

{#- Revenue orders (shipped/completed) should never carry refunds; a refund
    means the order should have been marked returned. -#}
select order_id, status, refunded_cents
from {{ ref('fct_orders') }}
where is_revenue and refunded_cents > 0
