package parser

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// TestNodesMatchDBT compares every node's unique_id, alias, schema,
// dependencies and version with testdata/<fixture>.nodes.golden, which was
// written from dbt-core 1.12.6's target/manifest.json for the same fixture
// (GDBT_PG_SCHEMA as in each case) by a one-off script: one line per node,
// "<unique_id> alias=… schema=… deps=…,… version=…".
func TestNodesMatchDBT(t *testing.T) {
	for _, tc := range []struct{ fixture, schema string }{{"basic", "basic_dbt"}, {"versions", "vers"}} {
		t.Run(tc.fixture, func(t *testing.T) {
			p := loadFixture(t, tc.fixture, map[string]string{"GDBT_PG_SCHEMA": tc.schema})
			res, err := Parse(p, Options{})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for id, n := range res.Manifest.Nodes {
				v := "None"
				if n.Version != nil {
					v = fmt.Sprint(n.Version)
				}
				got = append(got, fmt.Sprintf("%s alias=%s schema=%s deps=%s version=%s", id, n.Alias, n.Schema, strings.Join(n.DependsOnNodes, ","), v))
			}
			sort.Strings(got)
			want, err := os.ReadFile(filepath.Join("testdata", tc.fixture+".nodes.golden"))
			if err != nil {
				t.Fatal(err)
			}
			if g := strings.Join(got, "\n") + "\n"; g != string(want) {
				t.Errorf("nodes differ from dbt's manifest:\n--- dbt\n%s--- gdbt\n%s", want, g)
			}
		})
	}
}
