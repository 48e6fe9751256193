package jinja

// Compare orders a and b as Python's < does (numbers by value, strings by
// code point, dates by time); ok is false for types Python would refuse
// to compare.
func Compare(a, b any) (c int, ok bool) { return compareValues(a, b) }
