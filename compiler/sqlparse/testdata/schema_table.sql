select o.id from "staging"."orders" o
