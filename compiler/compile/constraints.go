package compile

import (
	"fmt"

	"github.com/gdbt/gdbt/compiler/dbtctx"
	"github.com/gdbt/gdbt/compiler/manifest"
)

// resolveForeignKeys turns each foreign key's `to: ref(...)` or
// `to: source(...)` into the relation it names, as dbt's compiler does
// (the manifest then shows the relation, and the DDL references it). A
// `to` already resolved (a node compiled once per microbatch batch) is
// left alone.
func (c *Compiler) resolveForeignKeys(n *manifest.Node) error {
	if n.ResourceType != manifest.Model {
		return nil
	}
	resolve := func(k *manifest.Constraint) error {
		if k.Type != "foreign_key" || k.To == nil || *k.To == "" {
			return nil
		}
		ref, src, ok := dbtctx.StaticRefOrSource(c.env.Jinja, *k.To)
		if !ok {
			return nil
		}
		var rel *dbtctx.Relation
		if ref != nil {
			t, err := c.env.ResolveRef(n, *ref)
			if err != nil {
				return fmt.Errorf("foreign key constraint on model %s: %w", n.Name, err)
			}
			rel = c.env.Relation(t)
		} else {
			s, err := c.env.ResolveSource(n, src[0], src[1])
			if err != nil {
				return fmt.Errorf("foreign key constraint on model %s: %w", n.Name, err)
			}
			rel = c.env.SourceRelation(s)
		}
		to := rel.String()
		k.To = &to
		return nil
	}
	for i := range n.Constraints {
		if err := resolve(&n.Constraints[i]); err != nil {
			return err
		}
	}
	for _, col := range n.Columns {
		for i, x := range col.Constraints {
			k, ok := x.(manifest.Constraint)
			if !ok {
				continue
			}
			if err := resolve(&k); err != nil {
				return err
			}
			col.Constraints[i] = k
		}
	}
	return nil
}
