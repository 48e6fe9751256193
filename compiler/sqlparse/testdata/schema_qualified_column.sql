select marts.orders.id, orders.amount from marts.orders
