select 'héllo € ünïcødé' as greeting,
       naïve_column
from "tâble" where x = = 1
