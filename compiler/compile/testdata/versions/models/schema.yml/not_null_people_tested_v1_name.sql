
    
    



select name
from "showcase_lead"."vers"."people_tested_v1"
where name is null


