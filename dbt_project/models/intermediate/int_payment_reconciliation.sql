{#- What each order should have been paid versus what the provider settled. -#}

with totals as (

    select * from {{ ref('int_order_totals') }}

),

payments as (

    select
        order_id,
        count(*) as payment_attempt_count,
        count(*) filter (where payment_status = 'failed') as failed_payment_count,
        coalesce(sum(amount_cents) filter (where payment_status = 'success'), 0) as paid_cents,
        coalesce(sum(amount_cents) filter (where payment_status = 'refunded'), 0) as refunded_cents,
        max(paid_at) as last_payment_at
    from {{ ref('stg_payments') }}
    group by order_id

),

compared as (

    select
        totals.order_id,
        totals.status,
        totals.order_total_cents,
        case
            when totals.status in ('placed', 'shipped', 'completed') then totals.order_total_cents
            else 0
        end as expected_payment_cents,
        coalesce(payments.payment_attempt_count, 0) as payment_attempt_count,
        coalesce(payments.failed_payment_count, 0) as failed_payment_count,
        coalesce(payments.paid_cents, 0) as paid_cents,
        coalesce(payments.refunded_cents, 0) as refunded_cents,
        coalesce(payments.paid_cents, 0) - coalesce(payments.refunded_cents, 0) as net_paid_cents,
        payments.last_payment_at
    from totals
    left join payments on payments.order_id = totals.order_id

)

select
    *,
    net_paid_cents - expected_payment_cents as payment_difference_cents,
    case
        when net_paid_cents = 0 and expected_payment_cents > 0 then 'unpaid'
        when net_paid_cents = expected_payment_cents then 'balanced'
        when net_paid_cents < expected_payment_cents then 'underpaid'
        else 'overpaid'
    end as reconciliation_status
from compared
