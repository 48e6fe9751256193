
    
    



select id
from "showcase_lead"."vers"."people_tested_v4"
where id is null


