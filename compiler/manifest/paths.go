package manifest

import "path"

// OutputPath is where dbt writes a node's compiled (or run) SQL below
// target/compiled/ (or target/run/): <package>/<original file path>, plus
// the test's file name for generic tests (whose original file is a .yml)
// the snapshot's name for snapshots (a file may hold several) and the
// hook's path for project hooks (dbt_project.yml/hooks/<name>.sql).
func (n *Node) OutputPath() string {
	p := n.OriginalFilePath
	switch {
	case n.TestMetadata != nil, n.ResourceType == Operation:
		p = path.Join(p, n.Path)
	case n.ResourceType == Snapshot:
		p = path.Join(p, n.Name+".sql")
	case n.ResourceType == UnitTest && n.Unit != nil:
		// dbt's pseudo test path: the schema file's folder, <test>.sql.
		p = path.Join(p, path.Dir(n.OriginalFilePath), n.Unit.TestedName+".sql")
	}
	return path.Join(n.Package, p)
}
