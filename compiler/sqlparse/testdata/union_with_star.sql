select * from t1 union all select * from t2
