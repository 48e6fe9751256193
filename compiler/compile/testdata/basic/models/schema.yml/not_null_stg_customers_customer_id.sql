
    
    



select customer_id
from "postgres"."basic_dbt"."stg_customers"
where customer_id is null


