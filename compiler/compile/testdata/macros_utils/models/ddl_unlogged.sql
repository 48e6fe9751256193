/*

  
    

  create unlogged table "macros_utils"."ddl_unlogged"
  
  
    as
  
  (
    select 1 as id
  );
  

  
    

  create temporary table "macros_utils"."ddl_unlogged"
  
  
    as
  
  (
    select 1 as id
  );
  
*/
select 1 as id