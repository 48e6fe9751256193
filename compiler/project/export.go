package project

import "github.com/gdbt/gdbt/compiler/source"

// FromJinja converts a template value (a config() call's arguments, a
// rendered YAML value) into a Value at pos, so it can be merged with
// MergeConfig.
func FromJinja(x any, pos source.Position) *Value { return fromJinja(x, pos) }

// ParseYAML parses a YAML document with dbt's (PyYAML) scalar rules;
// errors name file:line:col.
func ParseYAML(file string, data []byte) (*Value, error) { return parseYAML(file, data) }

// Describe names a value's kind for an error message, with its text when
// it is a scalar: `an integer (3)`, `a string ("x")`, `a list`.
func Describe(v *Value) string { return describe(v) }
