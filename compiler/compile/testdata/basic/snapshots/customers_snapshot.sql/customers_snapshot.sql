

select * from "postgres"."basic_dbt"."raw_customers"