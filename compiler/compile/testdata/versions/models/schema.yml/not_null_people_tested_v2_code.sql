
    
    



select code
from "showcase_lead"."vers"."people_tested_v2"
where code is null


