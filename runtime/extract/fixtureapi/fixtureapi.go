// Package fixtureapi is a small paginated JSON API over fixture files, for
// gdbt's demo and the HTTP loader's tests. It serves <DataDir>/<resource>.json
// (a JSON array of records, each with an "updated_at") at
//
//	GET /<resource>?page=N&per_page=M&updated_since=TS
//
// with bearer auth, answering
//
//	{"data": [...], "page": N, "per_page": M, "total": T, "next_page": N+1 or null}
//
// plus a Link header (rel="next", rel="last"). updated_since keeps records
// updated strictly after TS (RFC 3339). Faults can be injected to exercise
// retries, timeouts and error handling.
package fixtureapi

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Config configures a Server.
type Config struct {
	DataDir     string
	Token       string  // required bearer token; "" disables auth
	PageSize    int     // default per_page (default 100)
	MaxPageSize int     // largest per_page accepted (default 1000)
	RateLimit   float64 // requests per second over all clients; 0 means unlimited
	Faults      Faults
	Log         io.Writer // one line per request when set
}

// Faults are injected failures. Request numbers count every valid,
// authorized request to a resource, from 1.
type Faults struct {
	Fail500        int           // the first N requests answer 500
	Throttle429    int           // the N requests after those answer 429
	RetryAfter     time.Duration // Retry-After sent with injected 429s (default 1s)
	RetryAfterDate bool          // send Retry-After as an HTTP date instead of seconds
	MalformedPage  int           // page K answers malformed JSON ...
	MalformedTimes int           // ... this many times (default 1), then normally
	SlowPages      []int         // these pages wait SlowDelay before answering
	SlowDelay      time.Duration
}

// Server is the fixture API; it is an http.Handler and safe for concurrent use.
type Server struct {
	cfg Config

	mu        sync.Mutex
	requests  int
	malformed int
	tokens    float64
	lastFill  time.Time
	data      map[string]*resource
}

type resource struct {
	mod     time.Time
	records []record
}

type record struct {
	raw     json.RawMessage
	updated time.Time
	hasTime bool
}

// New checks cfg and returns a Server.
func New(cfg Config) (*Server, error) {
	if cfg.DataDir == "" {
		return nil, fmt.Errorf("fixtureapi: expected a data directory, found none")
	}
	if fi, err := os.Stat(cfg.DataDir); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("fixtureapi: expected data directory %s to exist", cfg.DataDir)
	}
	if cfg.PageSize <= 0 {
		cfg.PageSize = 100
	}
	if cfg.MaxPageSize <= 0 {
		cfg.MaxPageSize = 1000
	}
	if cfg.Faults.RetryAfter <= 0 {
		cfg.Faults.RetryAfter = time.Second
	}
	if cfg.Faults.MalformedPage > 0 && cfg.Faults.MalformedTimes <= 0 {
		cfg.Faults.MalformedTimes = 1
	}
	return &Server{cfg: cfg, data: map[string]*resource{}, tokens: math.Max(1, math.Ceil(cfg.RateLimit))}, nil
}

// Requests is the number of valid, authorized resource requests so far.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

var resourceName = regexp.MustCompile(`^/([a-z0-9_]+)/?$`)

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rec := &statusWriter{ResponseWriter: w, status: 200}
	s.serve(rec, r)
	if s.cfg.Log != nil {
		q := r.URL.Query()
		q.Del("token")
		fmt.Fprintf(s.cfg.Log, "%s %s %s?%s -> %d (%s)\n", start.Format("15:04:05.000"), r.Method, r.URL.Path, q.Encode(), rec.status, time.Since(start).Round(time.Millisecond))
	}
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/healthz" {
		w.Write([]byte("ok\n"))
		return
	}
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", "GET")
		jsonError(w, http.StatusMethodNotAllowed, "expected GET, found "+r.Method)
		return
	}
	if !s.authorized(r) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="fixture-api"`)
		jsonError(w, http.StatusUnauthorized, "expected Authorization: Bearer <token>")
		return
	}
	m := resourceName.FindStringSubmatch(r.URL.Path)
	if m == nil {
		jsonError(w, http.StatusNotFound, "expected /<resource>, found "+r.URL.Path)
		return
	}
	res, err := s.resource(m[1])
	if err != nil {
		jsonError(w, http.StatusNotFound, err.Error())
		return
	}
	q := r.URL.Query()
	page, err := intParam(q, "page", 1, 1, math.MaxInt32)
	if err != nil {
		jsonError(w, http.StatusBadRequest, err.Error())
		return
	}
	perPage, err := intParam(q, "per_page", s.cfg.PageSize, 1, s.cfg.MaxPageSize)
	if err != nil {
		jsonError(w, http.StatusBadRequest, err.Error())
		return
	}
	var since time.Time
	if v := q.Get("updated_since"); v != "" {
		since, err = time.Parse(time.RFC3339Nano, v)
		if err != nil {
			jsonError(w, http.StatusBadRequest, fmt.Sprintf("expected updated_since as RFC 3339, found %q", v))
			return
		}
	}

	fault, wait := s.admit(page)
	switch fault {
	case "500":
		jsonError(w, http.StatusInternalServerError, "injected fault: internal error")
		return
	case "429":
		w.Header().Set("Retry-After", s.retryAfter(wait))
		jsonError(w, http.StatusTooManyRequests, "slow down")
		return
	}
	if s.slow(page) && s.cfg.Faults.SlowDelay > 0 {
		t := time.NewTimer(s.cfg.Faults.SlowDelay)
		select {
		case <-r.Context().Done():
			t.Stop()
			return
		case <-t.C:
		}
	}

	var sel []json.RawMessage
	for _, rc := range res.records {
		if !since.IsZero() && (!rc.hasTime || !rc.updated.After(since)) {
			continue
		}
		sel = append(sel, rc.raw)
	}
	total := len(sel)
	lastPage := max(1, (total+perPage-1)/perPage)
	lo := min((page-1)*perPage, total)
	hi := min(lo+perPage, total)
	var next any
	if page < lastPage {
		next = page + 1
	}
	body, err := json.Marshal(struct {
		Data     []json.RawMessage `json:"data"`
		Page     int               `json:"page"`
		PerPage  int               `json:"per_page"`
		Total    int               `json:"total"`
		NextPage any               `json:"next_page"`
	}{append([]json.RawMessage{}, sel[lo:hi]...), page, perPage, total, next})
	if err != nil {
		jsonError(w, http.StatusInternalServerError, err.Error())
		return
	}
	links := []string{link(r, q, 1, "first"), link(r, q, lastPage, "last")}
	if page < lastPage {
		links = append(links, link(r, q, page+1, "next"))
	}
	if page > 1 {
		links = append(links, link(r, q, page-1, "prev"))
	}
	w.Header().Set("Link", strings.Join(links, ", "))
	w.Header().Set("Content-Type", "application/json")
	if fault == "malformed" {
		// A body cut in half with a stray byte: invalid at a known offset.
		body = append(body[:len(body)/2:len(body)/2], '#')
	}
	w.Write(body)
}

func (s *Server) authorized(r *http.Request) bool {
	if s.cfg.Token == "" {
		return true
	}
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return ok && subtle.ConstantTimeCompare([]byte(got), []byte(s.cfg.Token)) == 1
}

// admit counts the request and decides on an injected or rate-limit fault.
func (s *Server) admit(page int) (fault string, wait time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests++
	f := s.cfg.Faults
	switch {
	case s.requests <= f.Fail500:
		return "500", 0
	case s.requests <= f.Fail500+f.Throttle429:
		return "429", f.RetryAfter
	}
	if s.cfg.RateLimit > 0 {
		now := time.Now()
		burst := math.Max(1, math.Ceil(s.cfg.RateLimit))
		if !s.lastFill.IsZero() {
			s.tokens = math.Min(burst, s.tokens+now.Sub(s.lastFill).Seconds()*s.cfg.RateLimit)
		}
		s.lastFill = now
		if s.tokens < 1 {
			return "429", time.Duration((1 - s.tokens) / s.cfg.RateLimit * float64(time.Second))
		}
		s.tokens--
	}
	if page == f.MalformedPage && s.malformed < f.MalformedTimes {
		s.malformed++
		return "malformed", 0
	}
	return "", 0
}

func (s *Server) retryAfter(d time.Duration) string {
	if s.cfg.Faults.RetryAfterDate {
		// HTTP dates have whole seconds: round up so the client waits at least d.
		return time.Now().Add(d).Truncate(time.Second).Add(time.Second).UTC().Format(http.TimeFormat)
	}
	return strconv.Itoa(int(math.Ceil(d.Seconds())))
}

func (s *Server) slow(page int) bool {
	for _, p := range s.cfg.Faults.SlowPages {
		if p == page {
			return true
		}
	}
	return false
}

// resource loads <DataDir>/<name>.json, again when the file changes.
func (s *Server) resource(name string) (*resource, error) {
	path := filepath.Join(s.cfg.DataDir, name+".json")
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("expected a resource, found no %s", name)
	}
	s.mu.Lock()
	res := s.data[name]
	s.mu.Unlock()
	if res != nil && res.mod.Equal(fi.ModTime()) {
		return res, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var raws []json.RawMessage
	if err := json.Unmarshal(b, &raws); err != nil {
		return nil, fmt.Errorf("%s: expected a JSON array of records: %v", path, err)
	}
	res = &resource{mod: fi.ModTime(), records: make([]record, len(raws))}
	for i, raw := range raws {
		var compact bytes.Buffer
		if err := json.Compact(&compact, raw); err == nil {
			raw = compact.Bytes()
		}
		rc := record{raw: raw}
		var probe struct {
			UpdatedAt string `json:"updated_at"`
		}
		if json.Unmarshal(raw, &probe) == nil && probe.UpdatedAt != "" {
			if t, err := time.Parse(time.RFC3339Nano, probe.UpdatedAt); err == nil {
				rc.updated, rc.hasTime = t, true
			}
		}
		res.records[i] = rc
	}
	s.mu.Lock()
	s.data[name] = res
	s.mu.Unlock()
	return res, nil
}

func intParam(q url.Values, name string, def, lo, hi int) (int, error) {
	v := q.Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("expected %s between %d and %d, found %q", name, lo, hi, v)
	}
	return n, nil
}

func link(r *http.Request, q url.Values, page int, rel string) string {
	c := url.Values{}
	for k, v := range q {
		c[k] = v
	}
	c.Set("page", strconv.Itoa(page))
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	u := url.URL{Scheme: scheme, Host: r.Host, Path: r.URL.Path, RawQuery: c.Encode()}
	return fmt.Sprintf(`<%s>; rel="%s"`, u.String(), rel)
}

func jsonError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": msg})
}
