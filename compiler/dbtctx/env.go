package dbtctx

import (
	"strconv"
	"strings"

	"github.com/gdbt/gdbt/compiler/jinja"
)

// NewJinja returns the Jinja environment dbt templates are parsed with:
// Jinja2's defaults plus dbt's block tags and filters.
func NewJinja() *jinja.Environment {
	env := jinja.NewEnvironment()
	env.AddBlockTag("test", jinja.BlockTag{Header: jinja.HeaderSignature, Macro: true,
		MacroName: func(h *jinja.BlockHeader) string { return "test_" + h.Name }})
	env.AddBlockTag("data_test", jinja.BlockTag{Header: jinja.HeaderSignature, Macro: true,
		MacroName: func(h *jinja.BlockHeader) string { return "test_" + h.Name }})
	env.AddBlockTag("materialization", jinja.BlockTag{Header: jinja.HeaderArgs, Macro: true,
		MacroName: materializationMacroName})
	env.AddBlockTag("snapshot", jinja.BlockTag{Header: jinja.HeaderName})
	env.AddBlockTag("docs", jinja.BlockTag{Header: jinja.HeaderName})
	env.AddFilter("as_text", func(s *jinja.State, v any, a *jinja.Args) any { return jinja.ToString(v) })
	env.AddFilter("as_bool", func(s *jinja.State, v any, a *jinja.Args) any { return NativeValue(v) })
	env.AddFilter("as_number", func(s *jinja.State, v any, a *jinja.Args) any { return NativeValue(v) })
	env.AddFilter("as_native", func(s *jinja.State, v any, a *jinja.Args) any { return NativeValue(v) })
	return env
}

// materializationMacroName names {% materialization view, default %} (or
// adapter='postgres') the way dbt does: materialization_view_default.
func materializationMacroName(h *jinja.BlockHeader) string {
	adapter := "default"
	for _, a := range h.Args {
		if s, ok := a.(string); ok && s == "default" {
			adapter = "default"
		}
	}
	for _, kv := range h.Kwargs {
		if kv.Name == "adapter" {
			adapter = jinja.ToString(kv.Value)
		}
	}
	return "materialization_" + h.Name + "_" + adapter
}

// NativeValue converts a rendered string to the Python literal it spells,
// as dbt's native rendering does ("5" → 5, "True" → True); anything else
// stays a string.
func NativeValue(v any) any {
	s, ok := v.(string)
	if !ok {
		return v
	}
	t := strings.TrimSpace(s)
	switch t {
	case "True", "true":
		return true
	case "False", "false":
		return false
	case "None", "none":
		return nil
	}
	if i, err := strconv.ParseInt(t, 10, 64); err == nil {
		return i
	}
	if f, err := strconv.ParseFloat(t, 64); err == nil && strings.ContainsAny(t, ".eE") {
		return f
	}
	return s
}
