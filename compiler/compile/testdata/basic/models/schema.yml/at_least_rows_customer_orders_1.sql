
select count(*) as n
from "postgres"."basic_dbt_marts"."customer_order_totals"
having count(*) < 1
