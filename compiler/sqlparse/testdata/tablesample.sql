select count(*) from big_table tablesample system (10)
