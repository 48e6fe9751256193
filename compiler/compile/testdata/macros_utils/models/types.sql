-- type names, qualified and not
select
    cast(null as TEXT) as a_string,
    cast(null as TEXT) as a_string_unqualified,
    cast(null as timestamp) as a_timestamp,
    cast(null as float) as a_float,
    cast(null as numeric(28,6)) as a_numeric,
    cast(null as bigint) as a_bigint,
    cast(null as integer) as an_int,
    cast(null as boolean) as a_boolean,
    
    cast('1' as integer)
 as cast_int,
    
    cast(2.5 as numeric(4,1))
 as cast_numeric,
    
    
    cast('2024-01-02' as timestamp)
 as safe_cast_ts,
    
    
    cast(amount as float)
 as safe_cast_float,
    
  
    cast(true as TEXT)

 as bool_text,
    
  
    cast(1 = 0 as TEXT)

 as bool_text_expr