with orders as (
    select * from orders where status = 'open'
)
select id from orders
