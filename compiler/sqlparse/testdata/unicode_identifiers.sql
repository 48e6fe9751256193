select "Größe" as "Maß", 'ÄÖÜ' as txt from "Schéma"."Tâble"
