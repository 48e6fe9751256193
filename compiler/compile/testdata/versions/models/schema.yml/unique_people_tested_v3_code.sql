
    
    

select
    code as unique_field,
    count(*) as n_records

from "showcase_lead"."vers"."people_tested_v3"
where code is not null
group by code
having count(*) > 1


