-- intervals: 60 2.0 8
with days as (



    


    with rawdata as (

        

    

    with p as (
        select 0 as generated_number union all select 1
    ), unioned as (

    select

    
    p0.generated_number * power(2, 0)
     + 
    
    p1.generated_number * power(2, 1)
     + 
    
    p2.generated_number * power(2, 2)
     + 
    
    p3.generated_number * power(2, 3)
    
    
    + 1
    as generated_number

    from

    
    p as p0
     cross join 
    
    p as p1
     cross join 
    
    p as p2
     cross join 
    
    p as p3
    
    

    )

    select *
    from unioned
    where generated_number <= 10
    order by generated_number



    ),

    all_periods as (

        select (
            

    cast('2024-01-01' as date) + ((interval '1 day') * (row_number() over (order by 1) - 1))


        ) as date_day
        from rawdata

    ),

    filtered as (

        select *
        from all_periods
        where date_day <= cast('2024-01-11' as date)

    )

    select * from filtered


), months as (



    


    with rawdata as (

        

    

    with p as (
        select 0 as generated_number union all select 1
    ), unioned as (

    select

    
    p0.generated_number * power(2, 0)
     + 
    
    p1.generated_number * power(2, 1)
     + 
    
    p2.generated_number * power(2, 2)
     + 
    
    p3.generated_number * power(2, 3)
    
    
    + 1
    as generated_number

    from

    
    p as p0
     cross join 
    
    p as p1
     cross join 
    
    p as p2
     cross join 
    
    p as p3
    
    

    )

    select *
    from unioned
    where generated_number <= 12.0
    order by generated_number



    ),

    all_periods as (

        select (
            

    '2023-01-01'::date + ((interval '1 month') * (row_number() over (order by 1) - 1))


        ) as date_month
        from rawdata

    ),

    filtered as (

        select *
        from all_periods
        where date_month <= '2024-01-01'::date

    )

    select * from filtered


), hours as (



    


    with rawdata as (

        

    

    with p as (
        select 0 as generated_number union all select 1
    ), unioned as (

    select

    
    p0.generated_number * power(2, 0)
     + 
    
    p1.generated_number * power(2, 1)
     + 
    
    p2.generated_number * power(2, 2)
     + 
    
    p3.generated_number * power(2, 3)
     + 
    
    p4.generated_number * power(2, 4)
    
    
    + 1
    as generated_number

    from

    
    p as p0
     cross join 
    
    p as p1
     cross join 
    
    p as p2
     cross join 
    
    p as p3
     cross join 
    
    p as p4
    
    

    )

    select *
    from unioned
    where generated_number <= 30.0
    order by generated_number



    ),

    all_periods as (

        select (
            

    '2024-01-01 00:00'::timestamp + ((interval '1 hour') * (row_number() over (order by 1) - 1))


        ) as date_hour
        from rawdata

    ),

    filtered as (

        select *
        from all_periods
        where date_hour <= '2024-01-02 06:00'::timestamp

    )

    select * from filtered


)
select * from days, months, hours