select
    latest.id,
    latest.country,
    old.name
from "showcase_lead"."vers"."dim_people_v2" as latest
join "showcase_lead"."vers"."dim_people_v1" as old on old.id = latest.id