select c.name, (select sum(amount) from orders where customer_id = c.id) as spent
from customers c
