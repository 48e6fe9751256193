
    
    



select id
from "showcase_lead"."vers"."people_tested_v1"
where id is null


