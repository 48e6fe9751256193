
    
    



select id
from "showcase_lead"."vers"."dim_people_v2"
where id is null


