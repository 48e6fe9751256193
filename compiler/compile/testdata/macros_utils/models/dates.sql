select
    now() as now_ts,
    now() as now_unqualified,
    
    current_timestamp::timestamp
 as now_backcompat,
    
    (current_timestamp at time zone 'utc')::timestamp
 as now_utc_backcompat,
    now()::timestamp without time zone as snapshot_time,
    to_date('2023-01-05', 'YYYY-MM-DD') as a_date,
    to_date('1999-12-31', 'YYYY-MM-DD') as another_date,
    date_trunc('month', created_at) as month_start,
    date_trunc('day', '2024-03-04 05:06:07'::timestamp) as day_start,
    

    created_at + ((interval '1 day') * (1))

 as tomorrow,
    

    '2024-01-31'::date + ((interval '1 month') * (-3))

 as three_months_ago,
    

    created_at + ((interval '1 hour') * (n))

 as later,
    cast(
        

    

    date_trunc('month', created_at) + ((interval '1 month') * (1))

 + ((interval '1 day') * (-1))


        as date) as month_end,
    -- postgres dateadd does not support quarter interval.
    cast(
        

    

    date_trunc('quarter', created_at) + ((interval '1 month') * (3))

 + ((interval '1 day') * (-1))


        as date) as quarter_end,
    cast(
        

    

    date_trunc('year', '2024-02-10'::date) + ((interval '1 year') * (1))

 + ((interval '1 day') * (-1))


        as date) as year_end
from somewhere