package parser

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/gdbt/gdbt/compiler/manifest"
	"github.com/gdbt/gdbt/compiler/project"
)

// hookFiles makes dbt's operation nodes for every project's on-run-start
// and on-run-end hooks: operation.<pkg>.<pkg>-<kind>-<i>, filed under
// hooks/ of ./dbt_project.yml, configured from the models: tree and
// rendered at parse time like any SQL node.
func (p *parser) hookFiles() ([]*sqlFile, error) {
	var out []*sqlFile
	for _, pr := range p.root.All() {
		if len(pr.OnRunStart)+len(pr.OnRunEnd) == 0 {
			continue
		}
		data, err := os.ReadFile(filepath.Join(pr.Root, "dbt_project.yml"))
		if err != nil {
			return nil, err
		}
		// dbt checksums the project file as it does SQL: whitespace runs
		// collapsed.
		sum := spaceChecksum(string(data))
		for _, kind := range []struct {
			tag   string
			hooks []project.Hook
		}{{"on-run-start", pr.OnRunStart}, {"on-run-end", pr.OnRunEnd}} {
			for i, h := range kind.hooks {
				name := fmt.Sprintf("%s-%s-%d", pr.Name, kind.tag, i)
				tmpl, err := p.jinja.Parse("dbt_project.yml", h.SQL)
				if err != nil {
					return nil, fmt.Errorf("%s: %s hook %d: %w", h.Pos, kind.tag, i, err)
				}
				n := &manifest.Node{
					ResourceType:     manifest.Operation,
					Package:          pr.Name,
					Name:             name,
					UniqueID:         "operation." + pr.Name + "." + name,
					Path:             "hooks/" + name + ".sql",
					OriginalFilePath: "./dbt_project.yml",
					FQN:              []string{pr.Name, "hooks", name},
					Language:         "sql",
					Checksum:         sum,
					RawCode:          h.SQL,
					CreatedAt:        nowStamp(),
				}
				out = append(out, &sqlFile{node: n, pkg: pr, tmpl: tmpl, body: h.SQL, hookTag: kind.tag})
			}
		}
	}
	return out, nil
}
