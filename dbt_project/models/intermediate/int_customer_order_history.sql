select
    customer_id,
    min(ordered_at) as first_order_at,
    max(ordered_at) as last_order_at,
    count(*) as order_count,
    count(*) filter (where is_revenue) as revenue_order_count,
    count(*) filter (where status = 'returned') as returned_order_count,
    coalesce(sum(order_total_cents) filter (where is_revenue), 0) as lifetime_value_cents
from {{ ref('int_order_totals') }}
group by customer_id
