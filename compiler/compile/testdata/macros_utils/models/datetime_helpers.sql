-- converted: 2024/02/28
-- range: 20240227,20240228,20240229,20240301,20240302
-- one day: 20240101
-- formats: 30.01.2024 31.01.2024 01.02.2024
-- partition range: 20231230,20231231,20240101,20240102
-- single partition: 20231230
-- flags: False False
select 1 as id