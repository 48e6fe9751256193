
    
    

select
    name as unique_field,
    count(*) as n_records

from "showcase_lead"."vers"."people_tested_v2"
where name is not null
group by name
having count(*) > 1


