
    
    

select
    id as unique_field,
    count(*) as n_records

from "showcase_lead"."vers"."dim_people_v2"
where id is not null
group by id
having count(*) > 1


