select
    
        (date_part('year', (ended_at)::date) - date_part('year', (started_at)::date))
     as years,
    
        (
        (date_part('year', (ended_at)::date) - date_part('year', (started_at)::date))
     * 4 + date_part('quarter', (ended_at)::date) - date_part('quarter', (started_at)::date))
     as quarters,
    
        (
        (date_part('year', (ended_at)::date) - date_part('year', (started_at)::date))
     * 12 + date_part('month', (ended_at)::date) - date_part('month', (started_at)::date))
     as months,
    
        (
        ((ended_at)::date - (started_at)::date)
     / 7 + case
            when date_part('dow', (started_at)::timestamp) <= date_part('dow', (ended_at)::timestamp) then
                case when started_at <= ended_at then 0 else -1 end
            else
                case when started_at <= ended_at then 1 else 0 end
        end)
     as weeks,
    
        ((ended_at)::date - (started_at)::date)
     as days,
    
        (
        ((ended_at)::date - (started_at)::date)
     * 24 + date_part('hour', (ended_at)::timestamp) - date_part('hour', (started_at)::timestamp))
     as hours,
    
        (
        (
        ((ended_at)::date - (started_at)::date)
     * 24 + date_part('hour', (ended_at)::timestamp) - date_part('hour', (started_at)::timestamp))
     * 60 + date_part('minute', (ended_at)::timestamp) - date_part('minute', (started_at)::timestamp))
     as minutes,
    
        (
        (
        (
        ((ended_at)::date - (started_at)::date)
     * 24 + date_part('hour', (ended_at)::timestamp) - date_part('hour', (started_at)::timestamp))
     * 60 + date_part('minute', (ended_at)::timestamp) - date_part('minute', (started_at)::timestamp))
     * 60 + floor(date_part('second', (ended_at)::timestamp)) - floor(date_part('second', (started_at)::timestamp)))
     as seconds,
    
        (
        (
        (
        ((ended_at)::date - (started_at)::date)
     * 24 + date_part('hour', (ended_at)::timestamp) - date_part('hour', (started_at)::timestamp))
     * 60 + date_part('minute', (ended_at)::timestamp) - date_part('minute', (started_at)::timestamp))
     * 60000 + floor(date_part('millisecond', (ended_at)::timestamp)) - floor(date_part('millisecond', (started_at)::timestamp)))
     as milliseconds,
    
        (
        (
        (
        ((ended_at)::date - (started_at)::date)
     * 24 + date_part('hour', (ended_at)::timestamp) - date_part('hour', (started_at)::timestamp))
     * 60 + date_part('minute', (ended_at)::timestamp) - date_part('minute', (started_at)::timestamp))
     * 60000000 + floor(date_part('microsecond', (ended_at)::timestamp)) - floor(date_part('microsecond', (started_at)::timestamp)))
     as microseconds,
    
        (('2024-03-01'::date)::date - ('2024-01-01'::date)::date)
     as days_literal
from somewhere