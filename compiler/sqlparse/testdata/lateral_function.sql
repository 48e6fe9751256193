select e.id, kv.key, kv.value, u.elem, u.n
from events e,
     lateral jsonb_each(e.payload) as kv,
     unnest(e.tags) with ordinality as u(elem, n)
