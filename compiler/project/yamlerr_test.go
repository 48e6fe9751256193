package project

import (
	"testing"

	"gopkg.in/yaml.v3"
)

// TestLocateYAMLError checks that a YAML syntax error is put where PyYAML
// (dbt's parser) puts its problem mark; each want was read from
// yaml.safe_load's MarkedYAMLError in the oracle's Python. yaml.v3 itself
// reports the enclosing block's line, often one too low.
func TestLocateYAMLError(t *testing.T) {
	cases := []struct {
		name, text, want string
	}{
		{"seq_key_at_seq_indent", "version: 2\nmodels:\n  - name: a\n  columns:\n    - name: id\n   - name: x\n",
			`4:3: did not find expected '-' indicator, found "columns:"`},
		{"unclosed_flow_at_eof", "name: errs\nmodels:\n  errs:\n    +materialized: [view\n",
			`5:1: did not find expected ',' or ']', found the end of the file`},
		{"key_dedented", "errs:\n  target: dev\n  outputs:\n    dev:\n      type: postgres\n     host: x\n",
			`6:6: did not find expected key, found "host:"`},
		{"seq_item_indented", "packages:\n  - local: ../x\n   - local: ../y\n",
			`3:4: did not find expected '-' indicator, found "-"`},
		{"key_after_seq", "projects:\n  - name: x\n  bad: [\n",
			`3:3: did not find expected '-' indicator, found "bad:"`},
		{"flow_then_block_key", "name: x\nmodels:\n  a: [1, 2\n  b: 3\n",
			`4:4: did not find expected ',' or ']', found ":"`},
		{"tab_indent", "name: x\n\tversion: 1\n",
			`2:1: found a tab character that violates indentation`},
		{"colon_in_plain", "models:\n  - name: a\n    description: it is: bad\n",
			`3:23: mapping values are not allowed in this context, found ":"`},
		{"wrong_flow_closer", "models:\n  - name: a\n    config: {materialized: table, tags: [a, b}\n",
			`3:46: did not find expected ',' or ']', found "}"`},
		{"seq_dedented", "models:\n  - name: a\n    tests:\n      - unique\n    - not_null\n",
			`5:5: did not find expected key, found "-"`},
		{"unknown_alias", "models:\n  - name: a\n    description: >\n      text\n    columns: *nope\n",
			`5:14: unknown anchor 'nope' referenced, found "*nope"`},
		{"unclosed_flow_mapping", "models:\n  - name: a\n    meta: {a: 1\n  - name: b\n",
			`4:9: did not find expected ',' or '}', found ":"`},
		{"text_after_quoted", "a: 1\nb: \"x\" y\n",
			`2:8: did not find expected key, found "y"`},
		{"reserved_indicator", "a: 1\n@b: 2\n",
			`2:1: found character '@' that cannot start any token`},
		{"nested_flow_in_seq", "models:\n  - name: a\n    columns:\n      - name: id\n        tests: [unique, not_null\n      - name: b\n",
			`6:13: did not find expected ',' or ']', found ":"`},
		// PyYAML puts an unclosed quote at the end of the file; the
		// quote's start says more.
		{"unclosed_double_quote", "models:\n  - name: a\n    description: \"unclosed\n  - name: b\n",
			`3:18: expected the closing quote of the string that starts here, found the end of the file`},
		{"unclosed_single_quote", "models:\n  - name: a\n    description: 'it''s\n",
			`3:18: expected the closing quote of the string that starts here, found the end of the file`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var doc yaml.Node
			err := yaml.Unmarshal([]byte(c.text), &doc)
			if err == nil {
				t.Fatal("yaml.v3 accepted the text")
			}
			pos, msg := LocateYAMLError("f.yml", []byte(c.text), err)
			if got := pos.String() + ": " + msg; got != "f.yml:"+c.want {
				t.Errorf("got  %s\nwant f.yml:%s", got, c.want)
			}
		})
	}
}
