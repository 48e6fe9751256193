with moved as (
    delete from staging.queue where processed returning *
)
insert into archive.queue select * from moved
