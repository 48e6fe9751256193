select
    id as customer_id,
    first_name,
    last_name,
    email
from "postgres"."basic_dbt"."raw_customers"