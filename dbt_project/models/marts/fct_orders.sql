with totals as (

    select * from {{ ref('int_order_totals') }}

),

reconciliation as (

    select * from {{ ref('int_payment_reconciliation') }}

)

select
    totals.order_id,
    totals.customer_id,
    totals.ordered_at,
    totals.order_date,
    date_trunc('month', totals.order_date)::date as order_month,
    totals.status,
    totals.sales_channel,
    totals.ship_country_code,
    totals.item_count,
    totals.unit_count,
    totals.items_subtotal_cents,
    totals.discount_cents,
    totals.shipping_cents,
    totals.order_total_cents,
    {{ from_cents('totals.order_total_cents') }} as order_total,
    totals.is_revenue,
    reconciliation.expected_payment_cents,
    reconciliation.net_paid_cents,
    reconciliation.refunded_cents,
    reconciliation.payment_attempt_count,
    reconciliation.payment_difference_cents,
    reconciliation.reconciliation_status,
    reconciliation.last_payment_at,
    totals.updated_at
from totals
inner join reconciliation on reconciliation.order_id = totals.order_id
