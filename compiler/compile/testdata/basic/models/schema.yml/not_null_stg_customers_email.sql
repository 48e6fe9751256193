
    
    



select email
from "postgres"."basic_dbt"."stg_customers"
where email is null


