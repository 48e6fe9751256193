(select id from t1 intersect select id from t2) except select id from t3
