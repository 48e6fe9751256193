create table "analytics"."marts"."fct_orders__dbt_tmp" as (
    select * from "analytics"."staging"."stg_orders"
)
