package parser

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"

	"github.com/gdbt/gdbt/compiler/dbtctx"
	"github.com/gdbt/gdbt/compiler/manifest"
	"github.com/gdbt/gdbt/compiler/project"
	"github.com/gdbt/gdbt/compiler/source"
)

// Model contracts: constraints as dbt parses them from schema files (column
// level and model level), the checks it makes when a contract is enforced,
// the refs and sources foreign keys add, and the contract checksum.

func validConstraintType(t string) bool {
	for _, v := range manifest.ConstraintTypes {
		if v == t {
			return true
		}
	}
	return false
}

// readConstraints reads a constraints: list. invalid is called for an
// entry whose type is missing or unknown (dbt's messages differ between
// column and model level).
func readConstraints(v *project.Value, modelLevel bool, invalid func() error) ([]manifest.Constraint, error) {
	if v.IsNull() || v.Kind != project.List {
		return nil, nil
	}
	var out []manifest.Constraint
	for _, it := range v.Items {
		typ := str(it.Get("type"))
		if !validConstraintType(typ) {
			if err := invalid(); err != nil {
				return nil, err
			}
		}
		c := manifest.Constraint{Type: typ, WarnUnenforced: true, WarnUnsupported: true, ModelLevel: modelLevel,
			Name: optStr(it.Get("name")), Expression: optStr(it.Get("expression")), To: optStr(it.Get("to")),
			ToColumns: strList(it.Get("to_columns"))}
		if w := it.Get("warn_unenforced"); !w.IsNull() {
			c.WarnUnenforced, _ = w.Scalar.(bool)
		}
		if w := it.Get("warn_unsupported"); !w.IsNull() {
			c.WarnUnsupported, _ = w.Scalar.(bool)
		}
		if modelLevel {
			c.Columns = strList(it.Get("columns"))
		}
		out = append(out, c)
	}
	return out, nil
}

func optStr(v *project.Value) *string {
	if v.IsNull() {
		return nil
	}
	s := str(v)
	return &s
}

// columnConstraints reads a column's constraints; an invalid type is an
// error whether or not a contract is enforced.
func columnConstraints(c *project.Value) ([]any, error) {
	name := str(c.Get("name"))
	list, err := readConstraints(c.Get("constraints"), false, func() error {
		return fmt.Errorf("%s: Invalid constraint type on column %s", c.Pos, name)
	})
	out := make([]any, len(list))
	for i, x := range list {
		out[i] = x
	}
	return out, err
}

// modelConstraints reads a model's model-level constraints.
func modelConstraints(item *project.Value) ([]manifest.Constraint, error) {
	// The type check needs the resolved contract config: applyContract
	// makes it. An invalid entry is kept with its raw type until then.
	return readConstraints(item.Get("constraints"), true, func() error { return nil })
}

// columnConstraintList returns a column's constraints as typed values.
func columnConstraintList(c *manifest.Column) []manifest.Constraint {
	var out []manifest.Constraint
	for _, x := range c.Constraints {
		if k, ok := x.(manifest.Constraint); ok {
			out = append(out, k)
		}
	}
	return out
}

func contractEnforced(cfg manifest.Config) bool {
	c, _ := cfg["contract"].(map[string]any)
	b, _ := c["enforced"].(bool)
	return b
}

// applyContract is dbt's patch_constraints and build_contract_checksum for
// a model with a schema-file patch.
func (p *parser) applyContract(f *sqlFile, list []manifest.Constraint, yml string) error {
	n := f.node
	if n.ResourceType != manifest.Model {
		return nil
	}
	// Schema files are rendered with the parse context (dbt's
	// SchemaYamlRenderer): constraint texts may use target, var, ….
	var err error
	if list, err = p.renderConstraints(list, yml); err != nil {
		return err
	}
	for _, col := range n.Columns {
		cl, err := p.renderConstraints(columnConstraintList(col), yml)
		if err != nil {
			return err
		}
		col.Constraints = make([]any, len(cl))
		for i, c := range cl {
			col.Constraints[i] = c
		}
	}
	enforced := contractEnforced(n.Config)
	if enforced {
		if err := p.validateConstraintPrerequisites(n, list); err != nil {
			return err
		}
		for _, c := range list {
			if !validConstraintType(c.Type) {
				quoted := make([]string, len(manifest.ConstraintTypes))
				for i, t := range manifest.ConstraintTypes {
					quoted[i] = "'" + t + "'"
				}
				return fmt.Errorf("%s: Invalid constraint type on model %s: Type must be one of [%s]", yml, n.Name, strings.Join(quoted, ", "))
			}
		}
	}
	if err := validatePrimaryKeys(n, list); err != nil {
		return err
	}
	n.Constraints = list
	if err := p.foreignKeyDeps(f); err != nil {
		return fmt.Errorf("%s: %w", yml, err)
	}
	if enforced {
		setContractChecksum(n)
	}
	return nil
}

// materializationEnforcesConstraints: only tables and incremental models
// are created with their constraints.
func materializationEnforcesConstraints(n *manifest.Node) bool {
	m := n.Config.String("materialized")
	return m == "table" || m == "incremental"
}

func (p *parser) validateConstraintPrerequisites(n *manifest.Node, list []manifest.Constraint) error {
	// (dbt also warns here when the materialization cannot create the
	// constraints: see unsupportedConstraints.)
	var errs []string
	if len(n.Columns) == 0 {
		errs = append(errs, "Constraints must be defined in a `yml` schema configuration file like `schema.yml`.")
	}
	if n.Language != "" && n.Language != "sql" {
		errs = append(errs, fmt.Sprintf("Language Error: Expected 'sql' but found '%s'", n.Language))
	}
	if len(errs) > 0 {
		return fmt.Errorf("Contract enforcement failed for: (%s)\n%s", n.OriginalFilePath, strings.Join(errs, "\n"))
	}
	return nil
}

// validatePrimaryKeys is dbt's _validate_pk_constraints.
func validatePrimaryKeys(n *manifest.Node, list []manifest.Constraint) error {
	var pkCols []string
	for _, col := range n.Columns {
		for _, c := range columnConstraintList(col) {
			if c.Type == "primary_key" {
				pkCols = append(pkCols, col.Name)
			}
		}
	}
	var errs []string
	if len(pkCols) > 1 {
		quoted := make([]string, len(pkCols))
		for i, c := range pkCols {
			quoted[i] = "'" + c + "'"
		}
		errs = append(errs, fmt.Sprintf("Found %d columns ([%s]) with primary key constraints defined. Primary keys for multiple columns must be defined as a model level constraint.", len(pkCols), strings.Join(quoted, ", ")))
	}
	modelPK := false
	for _, c := range list {
		modelPK = modelPK || c.Type == "primary_key"
	}
	if len(pkCols) > 0 && modelPK {
		errs = append(errs, "Primary key constraints defined at the model level and the columns level. Primary keys can be defined at the model level or the column level, not both.")
	}
	if len(errs) > 0 {
		return fmt.Errorf("Primary key constraint error: (%s)\n%s", n.OriginalFilePath, strings.Join(errs, "\n"))
	}
	return nil
}

// allConstraints lists the model-level constraints, then each column's.
func allConstraints(n *manifest.Node) []manifest.Constraint {
	out := append([]manifest.Constraint{}, n.Constraints...)
	for _, col := range n.Columns {
		out = append(out, columnConstraintList(col)...)
	}
	return out
}

// foreignKeyDeps adds the ref() or source() of each foreign key's `to` to
// the model's refs and sources, as dbt does.
func (p *parser) foreignKeyDeps(f *sqlFile) error {
	n := f.node
	for _, c := range allConstraints(n) {
		if c.Type != "foreign_key" || c.To == nil || *c.To == "" {
			continue
		}
		bad := fmt.Errorf("Invalid 'ref' or 'source' syntax on foreign key constraint 'to' on model %s: %s.", n.Name, *c.To)
		ref, src, ok := dbtctx.StaticRefOrSource(p.jinja, *c.To)
		if !ok {
			return bad
		}
		if ref != nil {
			f.refs = append(f.refs, *ref)
		} else {
			f.sources = append(f.sources, src)
		}
	}
	return nil
}

// setContractChecksum is dbt's build_contract_checksum: a sha256 of the
// columns (sorted by name) with their data types and constraints, plus
// the materialization and model constraints where they are enforced.
func setContractChecksum(n *manifest.Node) {
	cols := append([]*manifest.Column{}, n.Columns...)
	sort.SliceStable(cols, func(i, j int) bool { return cols[i].Name < cols[j].Name })
	var b strings.Builder
	for _, c := range cols {
		b.WriteString("|" + c.Name)
		if c.DataType == "" {
			b.WriteString("None")
		} else {
			b.WriteString(c.DataType)
		}
		b.WriteString(manifest.ConstraintsRepr(columnConstraintList(c)))
	}
	if materializationEnforcesConstraints(n) {
		b.WriteString(n.Config.String("materialized"))
		b.WriteString(manifest.ConstraintsRepr(n.Constraints))
	}
	sum := sha256.Sum256([]byte(b.String()))
	n.ContractChecksum = hex.EncodeToString(sum[:])
}

// renderConstraints renders the Jinja in constraint names, expressions and
// `to`, returning new values (columns are shared between versions).
func (p *parser) renderConstraints(list []manifest.Constraint, yml string) ([]manifest.Constraint, error) {
	out := make([]manifest.Constraint, len(list))
	for i, c := range list {
		for _, sp := range []**string{&c.Name, &c.Expression, &c.To} {
			if *sp == nil {
				continue
			}
			r, err := p.renderYAMLString(**sp, source.Position{File: yml})
			if err != nil {
				return nil, err
			}
			*sp = &r
		}
		out[i] = c
	}
	return out, nil
}
