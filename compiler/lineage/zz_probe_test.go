package lineage
import ("testing";"encoding/json";"github.com/gdbt/gdbt/compiler/sqlparse")
func TestX(t *testing.T){
 for _, q := range []string{
  `with source as (select * from "db"."raw"."customers"), renamed as (select id as customer_id, name from source) select * from renamed`,
  `with __dbt__cte__e as (select a, b from x) select e.*, c from __dbt__cte__e e join y on true`,
  `select * from __dbt__cte__e`,
 }{
 a, err := sqlparse.Analyze(q); b,_:=json.MarshalIndent(a,""," "); t.Log(string(b), err)}
}
