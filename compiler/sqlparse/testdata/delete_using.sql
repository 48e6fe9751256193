delete from marts.orders o using staging.deleted d where d.id = o.id and o.id not in (select id from keep_list)
