select * from "analytics"."marts"."dim_customers"
