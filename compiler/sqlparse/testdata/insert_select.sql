with new_rows as (select * from staging.orders where loaded_at > now() - interval '1 day')
insert into marts.orders (id, amount)
select id, amount from new_rows
on conflict (id) do update set amount = excluded.amount
returning id, amount as new_amount
