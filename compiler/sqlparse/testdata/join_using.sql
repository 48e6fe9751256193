select id, a.x, b.y from a join b using (id) left join c on c.id = a.id
