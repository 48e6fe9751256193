select s.total * 2 as doubled, s.customer_id
from (select customer_id, sum(amount) as total from payments group by 1) as s
