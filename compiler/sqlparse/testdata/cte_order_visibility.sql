with a as (select 1 as x),
b as (select x from a),
c as (select * from b join d on true)
select * from c
