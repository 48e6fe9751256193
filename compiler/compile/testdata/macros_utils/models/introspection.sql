
-- columns: id integer, name text, Mixed Case character varying(20), amount numeric(12,3), ratio double precision, created_at timestamp without time zone, active boolean
-- names: id name Mixed Case amount ratio created_at active
-- quoted csv: "id", "Name", "Mixed Case"
-- query columns: a b c
-- query columns (unqualified): id amount
-- loaded: intro_table table
-- cached: intro_view view
-- missing: True
-- get_or_create existing: True view
-- get_or_create new: False brand_new table
-- intermediate: intro_table__dbt_tmp intro_table__x
-- backup: intro_table__dbt_backup table
-- information schema: information_schema information_schema
select 1 as id