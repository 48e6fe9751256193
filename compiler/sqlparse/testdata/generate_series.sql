select d::date as day, g, x.n
from generate_series('2020-01-01'::date, '2020-12-31'::date, interval '1 day') d
cross join generate_series(1, 3) g
cross join generate_series(1, 2) as x(n)
