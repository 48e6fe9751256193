with c as (select id, name from customers)
select c.*, o.*, o.id as order_id from c join orders o on o.customer_id = c.id
