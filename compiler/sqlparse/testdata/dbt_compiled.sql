-- This model reads {{ ref('stg_orders') }} via "analytics"."dbt_staging"."stg_orders"
/* also mentions "analytics"."secret"."not_a_table" in a comment */

with source as (

    select * from "analytics"."dbt_staging"."stg_orders"

),

renamed as (

    select
        id as order_id,
        user_id as customer_id,
        order_date,
        status

    from source

)

select * from renamed;
