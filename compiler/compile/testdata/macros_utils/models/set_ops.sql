select 1 as n


    except


select 2 as n


    intersect


select 1 as n