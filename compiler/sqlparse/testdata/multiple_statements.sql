create table if not exists audit.log (id int, at timestamptz);
insert into audit.log select id, now() from "analytics"."marts"."fct_orders";
select count(*) from audit.log
