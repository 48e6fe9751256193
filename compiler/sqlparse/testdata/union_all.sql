select id, 'a' as src from a.orders
union all
select order_id, 'b' from b.orders
union
select id, kind from c.orders
order by 1
