-- Revenue per month as the dashboard shows it (compiled, never run).
select
    dates.year_month,
    count(orders.order_id) as revenue_orders,
    {{ from_cents('coalesce(sum(orders.order_total_cents), 0)') }} as revenue
from {{ ref('dim_date') }} as dates
left join {{ ref('fct_orders') }} as orders
    on orders.order_date = dates.date_day and orders.is_revenue
group by dates.year_month
order by dates.year_month
