package extract

import (
	"net/url"
	"strings"
)

const redacted = "[REDACTED]"

// redactor removes secrets from text that may reach a user: errors, the
// report, _source_url. Secrets are replaced in their plain, query-escaped
// and path-escaped spellings.
type redactor struct{ secrets []string }

func (r *redactor) add(s string) {
	if len(s) < 4 {
		return // too short to replace without mangling unrelated text
	}
	for _, v := range []string{s, url.QueryEscape(s), url.PathEscape(s)} {
		dup := false
		for _, x := range r.secrets {
			dup = dup || x == v
		}
		if !dup {
			r.secrets = append(r.secrets, v)
		}
	}
}

func (r *redactor) scrub(s string) string {
	for _, x := range r.secrets {
		s = strings.ReplaceAll(s, x, redacted)
	}
	return s
}

// sensitiveHeader says whether a header's value should be kept secret.
func sensitiveHeader(name string) bool {
	n := strings.ToLower(name)
	return n == "authorization" || n == "cookie" || n == "proxy-authorization" ||
		strings.Contains(n, "token") || strings.Contains(n, "key") || strings.Contains(n, "secret")
}

// safeURL is u without userinfo and without query parameters that carry a
// secret, for reports and _source_url.
func (r *redactor) safeURL(u *url.URL, secretParams ...string) string {
	c := *u
	c.User = nil
	if len(secretParams) > 0 && c.RawQuery != "" {
		q := c.Query()
		for _, p := range secretParams {
			q.Del(p)
		}
		c.RawQuery = q.Encode()
	}
	return r.scrub(c.String())
}

// redactedError is an error whose text has been scrubbed. It keeps the
// original for errors.Is/As on typed, secret-free errors only: Unwrap
// returns nil when the original text held a secret.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

func (r *redactor) wrap(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	clean := r.scrub(msg)
	if clean == msg {
		return err
	}
	return &redactedError{msg: clean}
}
