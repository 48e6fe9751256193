select
    'a' as concat_one,
    'a' || 'b' as concat_two,
    first_name || ' ' || last_name as concat_three,
    md5(cast(id as TEXT)) as hash_col,
    md5(cast('literal' as TEXT)) as hash_literal,
    

    length(
        'abc'
    ) as length_literal,
    

    length(
        name
    ) as length_col,
    

    position(
        'b' in 'abc'
    ) as position_literal,
    

    replace(
        name,
        'a',
        'b'
    )


 as replaced,
    

    right(
        'abcdef',
        3
    ) as right_three,
    

    right(
        name,
        n
    ) as right_expr,
    

  
    

    split_part(
        'a,b,c',
        ',',
        2
        )


  

 as split_second,
    

  
    

    split_part(
        'a,b,c',
        ',',
          length('a,b,c')
          - length(
              replace('a,b,c',  ',', '')
          ) + 2 + -1
        )


  

 as split_last,
    

  
    

    split_part(
        path,
        '/',
        1
        )


  

 as split_first,
    'hello' as literal_hello,
    'it''s' as literal_quoted,
    'they''re' as escaped,
    'no quotes' as not_escaped,
    min(name) as any_name,
    bool_or(active) as any_active,
    (a = b) as equal_ab,
    (coalesce(x, 0) = 1) as equal_expr
from somewhere