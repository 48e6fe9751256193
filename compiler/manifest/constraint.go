package manifest

import (
	"strings"

	"github.com/gdbt/gdbt/compiler/jinja"
)

// Constraint is a model contract constraint as dbt parses it
// (ColumnLevelConstraint, or ModelLevelConstraint with Columns). To is
// the raw ref()/source() text after parsing and the relation name once
// the model is compiled.
type Constraint struct {
	Type            string
	Name            *string
	Expression      *string
	WarnUnenforced  bool
	WarnUnsupported bool
	To              *string
	ToColumns       []string
	Columns         []string
	ModelLevel      bool // has Columns (written even when empty)
}

// ConstraintTypes are dbt's ConstraintType values.
var ConstraintTypes = []string{"check", "not_null", "unique", "primary_key", "foreign_key", "custom"}

// MarshalJSON writes the constraint with dbt's key order, so decoded and
// re-encoded manifests compare equal.
func (c Constraint) MarshalJSON() ([]byte, error) {
	w := &jw{}
	c.write(w)
	return w.b, nil
}

func (c Constraint) write(w *jw) {
	w.beginObj()
	w.key("type")
	w.str(c.Type)
	w.key("name")
	optStr(w, c.Name)
	w.key("expression")
	optStr(w, c.Expression)
	w.key("warn_unenforced")
	w.boolean(c.WarnUnenforced)
	w.key("warn_unsupported")
	w.boolean(c.WarnUnsupported)
	w.key("to")
	optStr(w, c.To)
	w.key("to_columns")
	w.strs(orEmptyStrs(c.ToColumns))
	if c.ModelLevel {
		w.key("columns")
		w.strs(orEmptyStrs(c.Columns))
	}
	w.endObj()
}

func optStr(w *jw, s *string) {
	if s == nil {
		w.null()
		return
	}
	w.str(*s)
}

// PyRepr is Python's repr of the dataclass, which dbt hashes into the
// contract checksum.
func (c Constraint) PyRepr() string {
	var b strings.Builder
	if c.ModelLevel {
		b.WriteString("ModelLevelConstraint(")
	} else {
		b.WriteString("ColumnLevelConstraint(")
	}
	b.WriteString("type=<ConstraintType." + c.Type + ": " + jinja.Repr(c.Type) + ">")
	b.WriteString(", name=" + pyOptStr(c.Name))
	b.WriteString(", expression=" + pyOptStr(c.Expression))
	b.WriteString(", warn_unenforced=" + pyBool(c.WarnUnenforced))
	b.WriteString(", warn_unsupported=" + pyBool(c.WarnUnsupported))
	b.WriteString(", to=" + pyOptStr(c.To))
	b.WriteString(", to_columns=" + pyStrList(c.ToColumns))
	if c.ModelLevel {
		b.WriteString(", columns=" + pyStrList(c.Columns))
	}
	b.WriteString(")")
	return b.String()
}

// ConstraintsRepr is Python's str() of a list of constraints.
func ConstraintsRepr(list []Constraint) string {
	parts := make([]string, len(list))
	for i, c := range list {
		parts[i] = c.PyRepr()
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func pyBool(b bool) string {
	if b {
		return "True"
	}
	return "False"
}

func pyOptStr(s *string) string {
	if s == nil {
		return "None"
	}
	return jinja.Repr(*s)
}

func pyStrList(l []string) string {
	parts := make([]string, len(l))
	for i, s := range l {
		parts[i] = jinja.Repr(s)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}
