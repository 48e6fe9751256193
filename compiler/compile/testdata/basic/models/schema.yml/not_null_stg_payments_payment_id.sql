
    
    



select payment_id
from "postgres"."basic_dbt"."stg_payments"
where payment_id is null


