select id from t;
-- trailing comment
