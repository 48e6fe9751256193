{#- One row per calendar day between vars calendar_start and calendar_end. -#}

with days as (

    select day::date as date_day
    from generate_series(
        '{{ var("calendar_start") }}'::date,
        '{{ var("calendar_end") }}'::date,
        interval '1 day'
    ) as day

)

select
    date_day,
    extract(year from date_day)::int as year,
    extract(quarter from date_day)::int as quarter,
    extract(month from date_day)::int as month,
    to_char(date_day, 'YYYY-MM') as year_month,
    date_trunc('month', date_day)::date as month_start,
    extract(isoyear from date_day)::int as iso_year,
    extract(week from date_day)::int as iso_week,
    extract(isodow from date_day)::int as iso_day_of_week,
    trim(to_char(date_day, 'Day')) as day_name,
    extract(isodow from date_day) in (6, 7) as is_weekend
from days
