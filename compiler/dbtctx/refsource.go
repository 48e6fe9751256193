package dbtctx

import (
	"github.com/gdbt/gdbt/compiler/jinja"
	"github.com/gdbt/gdbt/compiler/manifest"
)

// StaticRefOrSource reads text that must be exactly one ref(...) or
// source(...) call with literal arguments (a foreign key constraint's
// `to`), without rendering it. It returns the ref, or the source's
// (source, table) when ref is nil.
func StaticRefOrSource(j *jinja.Environment, text string) (*manifest.Ref, [2]string, bool) {
	var none [2]string
	t, err := j.Parse("constraint", "{{ "+text+" }}")
	if err != nil {
		return nil, none, false
	}
	calls := t.StaticCalls("ref", "source")
	if len(calls) != 1 || !calls[0].Literal {
		return nil, none, false
	}
	c := calls[0]
	var args []string
	for _, a := range c.Args {
		s, ok := a.(string)
		if !ok {
			return nil, none, false
		}
		args = append(args, s)
	}
	if c.Name == "source" {
		if len(args) != 2 || len(c.Kwargs) > 0 {
			return nil, none, false
		}
		return nil, [2]string{args[0], args[1]}, true
	}
	r := &manifest.Ref{}
	switch len(args) {
	case 1:
		r.Name = args[0]
	case 2:
		r.Package, r.Name = args[0], args[1]
	default:
		return nil, none, false
	}
	for _, kv := range c.Kwargs {
		switch kv.Name {
		case "v", "version":
			r.Version = kv.Value
		default:
			return nil, none, false
		}
	}
	return r, none, true
}
