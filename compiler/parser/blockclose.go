package parser

import (
	"errors"
	"fmt"
	"strings"

	"github.com/gdbt/gdbt/compiler/jinja"
	"github.com/gdbt/gdbt/compiler/source"
)

// macroBlocks are the top-level blocks dbt's block lexer looks for in a
// macro file (macro-paths and generic test paths).
var macroBlocks = map[string]bool{"macro": true, "materialization": true, "test": true, "data_test": true}

// unclosedBlockError turns Jinja's end-of-template error for a macro file
// into dbt's: dbt first cuts the file into its top-level blocks and
// reports a block left open at the tag that opens it ("Reached EOF
// without finding a close tag for macro (searched from line 1)"), before
// Jinja parses anything. Other errors are returned as they are.
func unclosedBlockError(f *source.File, err error) error {
	var je *jinja.Error
	if !errors.As(err, &je) || je.Kind != "TemplateSyntaxError" || !strings.HasPrefix(je.Msg, "Unexpected end of template") {
		return err
	}
	src := f.Text
	for i := 0; ; {
		start, end, name := nextTag(src, i)
		if start < 0 {
			return err
		}
		i = end
		switch {
		case name == "raw":
			if _, e, ok := findTag(src, end, "endraw"); ok {
				i = e
			}
		case macroBlocks[name]:
			_, e, ok := findTag(src, end, "end"+name)
			if !ok {
				pos := f.Position(source.Pos(start))
				return fmt.Errorf("%s: Reached EOF without finding a close tag for %s (searched from line %d)",
					pos, name, strings.Count(src[:end], "\n")+1)
			}
			i = e
		}
	}
}
