
select *
from "postgres"."basic_dbt_marts"."customer_order_totals"
where customer_id < 0
