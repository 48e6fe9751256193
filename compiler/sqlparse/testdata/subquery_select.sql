select c.id,
       (select max(o.ordered_at) from orders o where o.customer_id = c.id) as last_order,
       (select max(amount) from payments),
       exists (select 1 from refunds r where r.customer_id = c.id),
       array(select tag from tags t where t.customer_id = c.id)
from customers c
