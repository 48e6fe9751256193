package lineage

import (
	"strings"

	"github.com/gdbt/gdbt/compiler/compile"
	"github.com/gdbt/gdbt/compiler/manifest"
)

// injection says where compile.InjectCTEs put the ephemeral CTEs into a
// node's own render: compiled = own[:at] + compiled[at:at+n] + own[at:].
type injection struct{ at, n int }

// toCompiled maps an offset of the node's own render to the compiled SQL.
func (in injection) toCompiled(off int) int {
	if off < in.at {
		return off
	}
	return off + in.n
}

// splitInjected recovers a node's own render from its compiled SQL by
// taking out the text InjectCTEs added. The result is checked by injecting
// again, so a wrong guess is never used: ok is false then.
func splitInjected(compiled string, ctes []manifest.CTE) (own string, in injection, ok bool) {
	if len(ctes) == 0 {
		return compiled, injection{}, true
	}
	parts := make([]string, len(ctes))
	for i, c := range ctes {
		parts[i] = c.SQL
	}
	joined := strings.Join(parts, ", ")
	try := func(at, n int) bool {
		if at < 0 || at+n > len(compiled) {
			return false
		}
		cand := compiled[:at] + compiled[at+n:]
		if compile.InjectCTEs(cand, ctes) != compiled {
			return false
		}
		own, in = cand, injection{at: at, n: n}
		return true
	}
	// The CTE text may also occur in the node's own SQL (a comment, a
	// string): try each occurrence.
	for from := 0; from < len(compiled); {
		i := strings.Index(compiled[from:], joined)
		if i < 0 {
			break
		}
		k := from + i
		end := k + len(joined)
		// After an existing WITH: "<joined>, " goes in.
		if strings.HasPrefix(compiled[end:], ", ") && try(k, len(joined)+2) {
			return own, in, true
		}
		// No WITH: "with<joined> " goes in before the first token.
		if strings.HasSuffix(compiled[:k], "with") && strings.HasPrefix(compiled[end:], " ") && try(k-4, len(joined)+5) {
			return own, in, true
		}
		from = k + 1
	}
	return "", injection{}, false
}
