select id from customers c
where exists (select 1 from orders o where o.customer_id = c.id)
  and c.region in (select region from regions where active)
  and c.score > any (select score from thresholds)
