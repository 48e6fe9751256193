select * from orders o join customers c on c.id = o.customer_id for update of o
