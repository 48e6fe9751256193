
/* table:

  
    set local work_mem = '64MB';

  create  table "macros_utils"."ddl_target"
  
  
    as
  
  (
    select 1 as id
  );
  
*/
/* temporary table:

  
    set local work_mem = '64MB';

  create temporary table "macros_utils"."ddl_target"
  
  
    as
  
  (
    select 2 as id
  );
  
*/
/* get_create_table_as_sql:

  
    set local work_mem = '64MB';

  create  table "macros_utils"."ddl_table"
  
  
    as
  
  (
    select 3 as id
  );
  
*/
/* default__create_table_as:
set local work_mem = '64MB';

  create  table
    "macros_utils"."ddl_target"
  
  
  as (
    select 4 as id
  );
set local work_mem = '64MB';

  create temporary table
    "ddl_target"
  
  
  as (
    select 5 as id
  );
*/
/* view:
set local work_mem = '64MB';
  create view "macros_utils"."ddl_view"
    
    
  as (
    select 6 as id
  );
set local work_mem = '64MB';
  create view "macros_utils"."ddl_view"
    
    
  as (
    select 7 as id
  );
*/
/* drops:
drop view if exists "macros_utils"."ddl_view" cascade
drop table if exists "macros_utils"."ddl_table" cascade
drop view if exists "macros_utils"."ddl_view" cascade / drop table if exists "macros_utils"."ddl_table" cascade / drop materialized view if exists "macros_utils"."ddl_target" cascade
*/
select 1 as id