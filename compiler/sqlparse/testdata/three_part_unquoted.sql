select dim_customers.id, analytics.marts.dim_customers.name, marts.dim_customers.email, dim_customers.address.city
from Analytics.Marts.Dim_Customers
