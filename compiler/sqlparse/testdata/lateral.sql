select c.id, recent.ordered_at
from customers c
cross join lateral (
    select o.ordered_at from orders o where o.customer_id = c.id order by 1 desc limit 3
) recent
