-- hook configs: [
    {"sql": "select 1", "transaction": true}
] [
    
    {"sql": "vacuum", "transaction": false}

]
-- show:[
  
  select 1 as id
  
  limit 5
]
-- show with header:[set x = 1;
  
  select 1 as id
  
]
-- limit:[
  select 2
  
  limit 10] [
  select 3
  ]
-- true: 
  TRUE

-- model name: "macros_utils"."misc_target" say "hi"
-- comment: $dbt_comment_literal_block$it's a comment$dbt_comment_literal_block$
select 1 as id