package dbtctx

import "context"

// WarehouseFrom returns the warehouse ctx carries (a node's session, see
// WithWarehouse), else the environment's.
func (e *Env) WarehouseFrom(ctx context.Context) Warehouse {
	if w, ok := ctx.Value(warehouseKey{}).(Warehouse); ok {
		return w
	}
	return e.Warehouse
}

// CTERelation is how a reference to an ephemeral model (or a unit test
// fixture standing in for a ref) renders: __dbt__cte__<name>, unquoted.
func CTERelation(name string) *Relation {
	return NewRelation("", "", "__dbt__cte__"+name, "cte")
}
