
    
    

select
    id as unique_field,
    count(*) as n_records

from "showcase_lead"."vers"."people_tested_v4"
where id is not null
group by id
having count(*) > 1


