select (select o.id from orders o limit 1), (select max(amount) as m from orders), (select 1 union select 2)
