select j.id, j.x from (a join b using (id)) as j
