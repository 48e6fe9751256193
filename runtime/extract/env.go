package extract

import (
	"fmt"
	"strings"
)

// LookupFunc looks up an environment variable; os.LookupEnv fits.
type LookupFunc func(name string) (string, bool)

// envError explains a failed ${...} interpolation; the caller adds the
// config field and position.
type envError struct {
	Offset int // byte offset of the "${" in the value
	Msg    string
}

func (e *envError) Error() string { return e.Msg }

// Interpolate replaces ${NAME} and ${NAME:-default} in s from lookup.
// "$${" stands for a literal "${". An unset ${NAME} without a default is an
// error, as dbt's env_var() is: a silently empty URL or path is worse.
// A default is used when the variable is unset or empty (shell ":-").
func Interpolate(s string, lookup LookupFunc) (string, error) {
	if !strings.Contains(s, "${") {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if strings.HasPrefix(s[i:], "$${") {
			b.WriteString("${")
			i += 3
			continue
		}
		if !strings.HasPrefix(s[i:], "${") {
			b.WriteByte(s[i])
			i++
			continue
		}
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			return "", &envError{i, `unterminated "${": expected "}"`}
		}
		body := s[i+2 : i+end]
		name, def, hasDef := strings.Cut(body, ":-")
		if !validEnvName(name) {
			return "", &envError{i, fmt.Sprintf("expected an environment variable name in ${...}, found %q", name)}
		}
		v, ok := lookup(name)
		switch {
		case ok && (v != "" || !hasDef):
			b.WriteString(v)
		case hasDef:
			b.WriteString(def)
		default:
			return "", &envError{i, fmt.Sprintf("environment variable %s is not set (write ${%s:-default} for a fallback)", name, name)}
		}
		i += end + 1
	}
	return b.String(), nil
}

func validEnvName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || i > 0 && c >= '0' && c <= '9' {
			continue
		}
		return false
	}
	return true
}
