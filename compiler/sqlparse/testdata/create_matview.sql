create materialized view mv as select count(*) as n from big_table
