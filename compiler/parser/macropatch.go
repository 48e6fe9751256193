package parser

import (
	"fmt"

	"github.com/gdbt/gdbt/compiler/project"
)

// readMacroPatches applies a schema file's macros: entries to the
// package's macros, as dbt patches them: the description (doc() rendered),
// meta (its own, then config:'s) and the arguments replace what the macro
// file gave, and patch_path names the YAML file. An entry naming no macro
// of the package is skipped (dbt warns).
func (p *parser) readMacroPatches(pr *project.Project, rel string, list *project.Value) error {
	if list.IsNull() {
		return nil
	}
	if list.Kind != project.List {
		return fmt.Errorf("%s: expected a list under 'macros', found %s", list.Pos, list.Kind)
	}
	for _, item := range list.Items {
		md := p.m.Macros["macro."+pr.Name+"."+str(item.Get("name"))]
		if md == nil {
			continue
		}
		desc, _, err := p.renderDoc(pr.Name, str(item.Get("description")))
		if err != nil {
			return fmt.Errorf("%s: %w", item.Pos, err)
		}
		meta := plainMap(item.Get("meta"))
		for k, v := range plainMap(item.Get("config").Get("meta")) {
			meta[k] = v
		}
		args := []any{}
		if l := item.Get("arguments"); !l.IsNull() && l.Kind == project.List {
			for _, a := range l.Items {
				adesc, _, err := p.renderDoc(pr.Name, str(a.Get("description")))
				if err != nil {
					return fmt.Errorf("%s: %w", a.Pos, err)
				}
				var typ any
				if t := a.Get("type"); !t.IsNull() {
					typ = str(t)
				}
				args = append(args, map[string]any{"name": str(a.Get("name")), "type": typ, "description": adesc})
			}
		}
		md.Description, md.Meta, md.Arguments = desc, meta, args
		md.PatchPath = pr.Name + "://" + rel
	}
	return nil
}
