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
	k := strings.Index(compiled, joined)
	if k < 0 {
		return "", injection{}, false
	}
	end := k + len(joined)
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
	// After an existing WITH: "<joined>, " goes in.
	if strings.HasPrefix(compiled[end:], ", ") && try(k, len(joined)+2) {
		return own, in, true
	}
	// No WITH: "with<joined> " goes in before the first token.
	if strings.HasSuffix(compiled[:k], "with") && strings.HasPrefix(compiled[end:], " ") && try(k-4, len(joined)+5) {
		return own, in, true
	}
	return "", injection{}, false
}
