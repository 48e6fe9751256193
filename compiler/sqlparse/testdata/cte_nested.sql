with outer_cte as (
    with inner_cte as (select id, amount from raw.payments)
    select id, sum(amount) as total from inner_cte group by id
)
select o.id, o.total, (select count(*) from inner_cte) as n
from outer_cte o
