select id, amount from orders, payments
