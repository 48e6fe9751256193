
    
    



select id
from "showcase_lead"."vers"."people_tested_v3"
where id is null


