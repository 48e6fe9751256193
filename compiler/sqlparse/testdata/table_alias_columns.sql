select x, y, z from t as u(x, y)
