
    
    



select name
from "showcase_lead"."vers"."people_tested_v2"
where name is null


