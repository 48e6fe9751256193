select payment_id
from "postgres"."basic_dbt"."stg_payments"
where amount < 0