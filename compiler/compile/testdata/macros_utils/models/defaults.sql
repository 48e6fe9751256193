-- the default__ implementations that Postgres dispatch passes over
select
    any_value(x) as any_value_default,
    

    dateadd(
        day,
        2,
        d
        )

 as dateadd_default,
    datediff(
        month,
        a,
        b
        ) as datediff_default,
    cast(
        

    

    date_trunc('month', d) + ((interval '1 month') * (1))

 + ((interval '1 day') * (-1))


        as date) as last_day_default,
    (a = b)
 as equals_default,
    
    listagg(
        name,
        ','
        )
         as listagg_plain,
    
    listagg(
        name,
        ','
        )
        within group (order by name) as listagg_ordered,
    array_to_string(
        array_slice(
            array_agg(
                name
            )within group (order by name)
            ,0
            ,3
        ),
        ','
        ) as listagg_ordered_limited,
    array_to_string(
        array_slice(
            array_agg(
                name
            )
            ,0
            ,3
        ),
        ','
        ) as listagg_limited,
    

    split_part(
        s,
        ',',
        2
        )

 as split_default,
    
    current_timestamp::timestamp
 as ts_backcompat,
    
    current_timestamp::timestamp
 as ts_utc_backcompat,
    db.INFORMATION_SCHEMA as info_schema
from somewhere