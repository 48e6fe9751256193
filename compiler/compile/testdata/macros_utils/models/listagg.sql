select
    
    string_agg(
        name,
        ','
        
        ) as plain,
    
    string_agg(
        name,
        ', '
        
        ) as with_delimiter,
    
    string_agg(
        name,
        '|'
        order by name
        ) as ordered,
    array_to_string(
        (array_agg(
            name
            order by id desc
        ))[1:2],
        ','
        ) as ordered_limited,
    array_to_string(
        (array_agg(
            name
            
        ))[1:3],
        ','
        ) as limited,
    
    string_agg(
        name,
        ','
        order by name
        ) as keywords
from somewhere
group by 1