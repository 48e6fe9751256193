select * from pg_catalog.pg_tables, unnest(array[1,2]) u, json_to_record('{"a":1}') as r(a int, b text), rows from (generate_series(1,2), generate_series(3,4)) as z(p, q)
