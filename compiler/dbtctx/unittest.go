package dbtctx

import (
	"context"

	"github.com/gdbt/gdbt/compiler/jinja"
	"github.com/gdbt/gdbt/compiler/manifest"
)

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

// TemplateValue turns manifest data (unit test rows and overrides:
// Objects keep their key order) into template values.
func TemplateValue(v any) any {
	switch x := v.(type) {
	case manifest.Object:
		d := jinja.NewDict()
		for _, f := range x {
			d.Set(f.Key, TemplateValue(f.Value))
		}
		return d
	case []manifest.Object:
		items := make([]any, len(x))
		for i, o := range x {
			items[i] = TemplateValue(o)
		}
		return &jinja.List{Items: items}
	case []any:
		items := make([]any, len(x))
		for i, e := range x {
			items[i] = TemplateValue(e)
		}
		return &jinja.List{Items: items}
	}
	return FromGo(v)
}
