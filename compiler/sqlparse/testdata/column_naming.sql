-- Expected names checked against PostgreSQL 15.18 with psql (t has columns x, y, z, d, arr, f).
select 1, 'a', 1 + 2, count(*), count(distinct x), pg_catalog.lower(y), x::text, 1::int, 'x'::varchar(3), cast(y as numeric(10,2)),
       case when x > 0 then 'p' end, case when x > 0 then y else z end, case when x > 0 then 1 else 0 end::bool,
       coalesce(x, 0), nullif(x, 0), greatest(x, y::int), least(x, y::int), array[x, x], row(x, y), true, null,
       current_date, current_timestamp, current_user, localtime(2), extract(year from d), substring(y from 2), trim(y),
       x is null, not (x>0), x between 1 and 2, (t).f, arr[1], (select 1), exists (select 1), interval '1 day', date '2020-01-01',
       y collate "C", grouping(x), array[1]::text, (select 1 union select 2), (select x from t limit 1), case when true then 1 end
from t
group by x, y, z, d, arr, t, f
