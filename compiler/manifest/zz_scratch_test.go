package manifest_test

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/gdbt/gdbt/compiler/parser"
	"github.com/gdbt/gdbt/compiler/project"
)

func TestZZScratch(t *testing.T) {
	dir := filepath.Join("..", "..", "fixtures", "projects", "basic")
	p, err := project.Load(dir, project.Options{ProfilesDir: dir, Env: func(k string) (string, bool) { if k == "GDBT_PG_PORT" {return "54321", true}; return "", false }})
	if err != nil { t.Fatal(err) }
	res, err := parser.Parse(p, parser.Options{})
	if err != nil { t.Fatal(err) }
	for _, id := range []string{"model.basic.customer_orders", "seed.basic.raw_orders", "snapshot.basic.customers_snapshot", "test.basic.relationships_stg_payments_order_id__order_id__ref_orders_incremental_.ca0272d2f9", "analysis.basic.payment_methods","test.basic.assert_no_negative_payments"} {
		n := res.Manifest.Nodes[id]
		b, _ := json.MarshalIndent(n, "", " ")
		fmt.Println(string(b))
	}
	for id, d := range res.Manifest.Docs { fmt.Println(id, d.Path, d.OriginalFilePath) }
	fmt.Println(len(res.Manifest.Macros))
	for id, d := range res.Manifest.Macros { if d.Package == "basic" { b, _ := json.MarshalIndent(d, "", " "); fmt.Println(id, string(b)) } }
}
