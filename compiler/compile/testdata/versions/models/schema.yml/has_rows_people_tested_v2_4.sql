
select 1 as failure
from (select count(*) as n from "showcase_lead"."vers"."people_tested_v2") as counted
where n < 4
