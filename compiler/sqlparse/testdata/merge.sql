merge into marts.customers t
using (select * from staging.customers) s on t.id = s.id
when matched then update set name = s.name
when not matched then insert (id, name) values (s.id, s.name)
