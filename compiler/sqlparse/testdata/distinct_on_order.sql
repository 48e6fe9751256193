select distinct on (customer_id) customer_id, ordered_at from orders order by customer_id, ordered_at desc limit 10 offset 5
