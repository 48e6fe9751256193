
    
    



select id
from "showcase_lead"."vers"."people_tested_v2"
where id is null


