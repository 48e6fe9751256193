with x as (select a from t1)
select * from (
    with x as (select b from t2)
    select b from x
) s, x
