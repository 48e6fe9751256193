create or replace view "analytics"."marts"."v_orders" as
select id, amount from "analytics"."staging"."stg_orders"
