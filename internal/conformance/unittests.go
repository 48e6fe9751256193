package conformance

import (
	"encoding/json"
	"strings"
)

// KindManifestUnit is a difference in manifest.json's unit_tests section.
const KindManifestUnit Kind = "manifest-unit-test"

// unitTestFields are the compared fields of a unit_tests entry: all of
// dbt's but created_at.
var unitTestFields = []string{
	"model", "given", "expect", "name", "resource_type", "package_name", "path", "original_file_path",
	"unique_id", "fqn", "description", "overrides", "depends_on.nodes", "depends_on.macros", "config",
	"checksum", "schema", "versions", "version",
}

// loadUnitTests reads manifest.json's unit_tests section, each entry
// reduced to the compared fields (nil when there are none).
func loadUnitTests(path string, rw *strings.Replacer) (map[string]Entry, error) {
	var m struct {
		UnitTests map[string]map[string]json.RawMessage `json:"unit_tests"`
	}
	if err := readJSONFile(path, rw, &m); err != nil {
		return nil, err
	}
	if len(m.UnitTests) == 0 {
		return nil, nil
	}
	out := make(map[string]Entry, len(m.UnitTests))
	for id, u := range m.UnitTests {
		out[id] = pick(u, unitTestFields)
	}
	return out, nil
}
