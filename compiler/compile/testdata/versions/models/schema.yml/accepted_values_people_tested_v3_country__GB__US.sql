
    
    

with all_values as (

    select
        country as value_field,
        count(*) as n_records

    from "showcase_lead"."vers"."people_tested_v3"
    group by country

)

select *
from all_values
where value_field not in (
    'GB','US'
)


