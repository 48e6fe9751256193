copy (select * from marts.orders) to stdout with csv header;
copy staging.raw_orders from '/tmp/orders.csv' with (format csv);
copy marts.customers to stdout
