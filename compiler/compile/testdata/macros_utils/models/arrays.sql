select
    
    array[ 1 , 2 , 3 ]
     as three_ints,
    
    array[]::integer[]
     as empty_ints,
    
    array[]::text[]
     as empty_texts,
    
    array[ 'a' , 'b' ]
     as two_texts,
    array_append(arr, 4) as appended,
    array_cat(arr, 
    array[ 5 ]
    ) as concatenated
from somewhere