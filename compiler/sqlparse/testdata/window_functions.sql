select
    id,
    row_number() over w,
    sum(amount) over (partition by customer_id order by ordered_at rows between unbounded preceding and current row) as running,
    lag(amount) over (order by ordered_at),
    rank() filter (where amount > 0) over (partition by customer_id) as r
from orders
window w as (partition by customer_id order by id)
