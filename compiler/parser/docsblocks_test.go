package parser

import (
	"strings"
	"testing"
)

func TestDocsBlocksOnly(t *testing.T) {
	// In want, "." marks a blanked byte (a space in the output).
	tests := []struct{ name, in, want string }{
		{"text around a block",
			"{{ bad jinja }}\n{% docs a %}x{% enddocs %} tail",
			"...............\n{% docs a %}x{% enddocs %}....."},
		{"whitespace control", "{%- docs a -%}x{%- enddocs -%}", "{%- docs a -%}x{%- enddocs -%}"},
		{"a comment hides a block", "{# {% docs a %}x{% enddocs %} #}", "................................"},
		{"a raw block hides a block", "{% raw %}{% docs a %}{% endraw %}", "................................."},
		{"other tags inside the block stay", "{% docs a %}{% if x %}y{% endif %}{% enddocs %}", "{% docs a %}{% if x %}y{% endif %}{% enddocs %}"},
		{"a quoted %} inside a tag", "{% docs a %}{{ '%}' }}{% enddocs %}", "{% docs a %}{{ '%}' }}{% enddocs %}"},
		{"unclosed block: nothing kept", "{% docs a %}x", "............."},
		{"two blocks", "{% docs a %}1{% enddocs %}\n-\n{% docs b %}2{% enddocs %}", "{% docs a %}1{% enddocs %}\n.\n{% docs b %}2{% enddocs %}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := docsBlocksOnly(tt.in)
			if want := strings.ReplaceAll(tt.want, ".", " "); got != want {
				t.Errorf("docsBlocksOnly(%q)\n got %q\nwant %q", tt.in, got, want)
			}
		})
	}
}
