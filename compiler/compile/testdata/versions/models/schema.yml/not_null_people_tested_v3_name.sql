
    
    



select name
from "showcase_lead"."vers"."people_tested_v3"
where name is null


