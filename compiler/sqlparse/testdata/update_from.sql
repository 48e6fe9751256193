update marts.orders as o
set amount = p.amount, updated_at = (select max(at) from audit.log)
from staging.payments p
where p.order_id = o.id
