explain select * from t
