select id from a natural join b
