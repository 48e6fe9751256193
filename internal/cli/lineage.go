package cli

import (
	"context"
	"fmt"

	"github.com/gdbt/gdbt/compiler/compile"
	"github.com/gdbt/gdbt/compiler/lineage"
	"github.com/gdbt/gdbt/compiler/source"
)

func init() {
	extraCommands["lineage"] = func(ctx context.Context, a *app) error { return a.lineage(ctx) }
}

// lineage prints the project's lineage read from the compiled SQL:
// gdbt lineage [--format dot|mermaid|json] [--columns] [--select ...].
// Problems found in the SQL go to stderr with their file:line:col; SQL
// syntax errors make the exit status 1 after the graph is printed.
func (a *app) lineage(ctx context.Context) error {
	if err := a.parseProject(); err != nil {
		return err
	}
	format := a.f.Format
	if format == "" {
		format = "dot"
	}
	if !oneOfStrings(format, lineage.Formats) {
		return &userError{fmt.Errorf("--format: expected dot, mermaid or json, found %q", format)}
	}
	view := lineage.View{Columns: a.f.Columns}
	if len(a.f.Select) > 0 || len(a.f.Exclude) > 0 || a.f.Selector != "" || len(a.f.ResourceTypes) > 0 {
		ids, _, err := a.selectFor("ls")
		if err != nil {
			return err
		}
		keep := make(map[string]bool, len(ids))
		for _, id := range ids {
			keep[id] = true
		}
		// Tests come along with selected models; show them only when
		// resource types were asked for.
		typed := len(a.f.ResourceTypes) > 0
		view.Keep = func(n *lineage.Node) bool { return keep[n.ID] && (typed || lineage.DefaultKeep(n)) }
	}
	// Lineage never connects: templates that introspect the warehouse
	// render as in offline compile.
	g, err := lineage.Build(ctx, compile.New(a.res, nil), lineage.Options{})
	if err != nil {
		return err
	}
	if err := g.Write(a.stdout, format, view); err != nil {
		return err
	}
	errs := 0
	for _, d := range g.Diagnostics {
		sev := "warning"
		if d.Severity == source.Error {
			sev, errs = "error", errs+1
		}
		fmt.Fprintf(a.stderr, "%s: %s\n", sev, d.Error())
	}
	for _, m := range g.Mismatches {
		if m.Kind == lineage.Unread {
			fmt.Fprintf(a.stderr, "note: %s lists %s in depends_on but its SQL never reads it\n", m.Node, m.Dep)
		}
	}
	if errs > 0 {
		return &checkFailed{fmt.Errorf("lineage: %d error(s) in compiled SQL (listed above)", errs)}
	}
	return nil
}

func oneOfStrings(s string, list []string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
