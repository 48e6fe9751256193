
    
    



select id
from "showcase_lead"."vers"."dim_people_v1"
where id is null


