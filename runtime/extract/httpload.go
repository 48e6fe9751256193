package extract

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// HTTPError is a failed request or an unusable response. URL never holds
// secrets.
type HTTPError struct {
	URL    string
	Page   int   // 1-based page of this run
	Status int   // HTTP status, 0 when none was received
	Offset int64 // byte offset into the body of a JSON error, -1 when none
	Msg    string
	Err    error // a secret-free cause (context errors), may be nil
}

func (e *HTTPError) Error() string {
	s := fmt.Sprintf("GET %s (page %d): ", e.URL, e.Page)
	if e.Status != 0 {
		s += fmt.Sprintf("HTTP %d: ", e.Status)
	}
	return s + e.Msg
}

func (e *HTTPError) Unwrap() error { return e.Err }

const maxBody = 1 << 30

// httpRun is one HTTP load in progress.
type httpRun struct {
	l       *loader
	s       *Spec
	h       *HTTPSpec
	t       *TableReport
	red     redactor
	header  http.Header
	authQ   string // auth query parameter name, "" when none
	token   string
	cols    *colSet // inferred columns, in first-seen order
	seq     int64
	records int64
}

func (l *loader) loadHTTP(ctx context.Context, s *Spec, t *TableReport) error {
	r := &httpRun{l: l, s: s, h: s.HTTP, t: t, header: http.Header{}, cols: newColSet()}
	err := r.run(ctx)
	return r.red.wrap(err)
}

func (r *httpRun) run(ctx context.Context) error {
	h := r.h
	if a := h.Auth; a != nil {
		tok, ok := r.l.opts.Lookup(a.TokenEnv)
		if !ok || tok == "" {
			return fmt.Errorf("expected environment variable %s to hold the API token, found it unset or empty", a.TokenEnv)
		}
		r.token = tok
		r.red.add(tok)
	}
	for _, kv := range h.Headers {
		r.header.Add(kv.Key, kv.Value)
		if sensitiveHeader(kv.Key) {
			r.red.add(kv.Value)
			if _, v, ok := strings.Cut(kv.Value, " "); ok {
				r.red.add(v)
			}
		}
	}
	if a := h.Auth; a != nil {
		switch a.Type {
		case AuthBearer:
			r.header.Set("Authorization", "Bearer "+r.token)
		case AuthHeader:
			r.header.Set(a.Header, r.token)
		case AuthQuery:
			r.authQ = a.Param
		}
	}
	if r.header.Get("Accept") == "" {
		r.header.Set("Accept", "application/json")
	}
	if r.header.Get("User-Agent") == "" {
		r.header.Set("User-Agent", "gdbt-load")
	}
	base, err := url.Parse(h.URL)
	if err != nil {
		return fmt.Errorf("expected a URL, found %q: %v", h.URL, err)
	}
	r.t.URL = r.red.safeURL(base, r.authQ)
	if err := ensureSchema(ctx, r.l.db, r.s.Schema); err != nil {
		return err
	}
	return pgx.BeginFunc(ctx, r.l.db, func(tx pgx.Tx) error { return r.inTx(ctx, tx, base) })
}

func (r *httpRun) inTx(ctx context.Context, tx pgx.Tx, base *url.URL) error {
	s, h := r.s, r.h
	if err := lockTable(ctx, tx, s.Schema, s.Identifier); err != nil {
		return err
	}
	ledgerKey := "http"
	var watermark string
	if h.Incremental != nil {
		ledgerKey = "watermark:" + strings.Join(h.Incremental.Field, ".")
		var wm *string
		err := tx.QueryRow(ctx, `select watermark from `+relation(s.Schema, ledgerTable)+
			` where target = $1 and kind = 'http' and key = $2`, s.Identifier, ledgerKey).Scan(&wm)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		if wm != nil {
			watermark = *wm
		}
	}
	if _, err := tx.Exec(ctx, `create temp table _gdbt_stage (seq bigint not null, page int not null, idx int not null, url text not null, raw jsonb not null) on commit drop`); err != nil {
		return err
	}

	// Walk the pages.
	params := base.Query()
	for _, kv := range h.Params {
		params.Set(kv.Key, kv.Value)
	}
	if h.Incremental != nil && h.Incremental.Param != "" && watermark != "" {
		params.Set(h.Incremental.Param, watermark)
	}
	if r.authQ != "" {
		params.Set(r.authQ, r.token)
	}
	p := h.Pagination
	pageSize := 0
	if p.SizeParam != "" {
		pageSize, _ = strconv.Atoi(params.Get(p.SizeParam))
	}
	next := *base
	offset := p.Start
	var cursor string
pages:
	for page := 1; ; page++ {
		if page > h.MaxPages {
			return &HTTPError{URL: r.red.safeURL(&next, r.authQ), Page: page, Offset: -1,
				Msg: fmt.Sprintf("expected the API to end within max_pages=%d pages, found more; raise max_pages if that is right", h.MaxPages)}
		}
		q := params
		switch p.Type {
		case PagePage:
			q = cloneValues(params)
			q.Set(p.PageParam, strconv.Itoa(p.Start+page-1))
		case PageOffset:
			q = cloneValues(params)
			q.Set(p.OffsetParam, strconv.Itoa(offset))
			q.Set(p.LimitParam, strconv.Itoa(p.Limit))
		case PageCursor:
			if page > 1 {
				q = cloneValues(params)
				q.Set(p.CursorParam, cursor)
			}
		}
		if p.Type != PageLink || page == 1 {
			next.RawQuery = q.Encode()
		} else if r.authQ != "" {
			lq := next.Query()
			if lq.Get(r.authQ) == "" {
				lq.Set(r.authQ, r.token)
				next.RawQuery = lq.Encode()
			}
		}
		safe := r.red.safeURL(&next, r.authQ)
		body, respHdr, err := r.fetch(ctx, &next, safe, page)
		if err != nil {
			return err
		}
		r.t.Pages = page
		r.t.Bytes += int64(len(body))
		records, nextCursor, err := parsePage(body, h.RecordsPath, p.CursorPath)
		if err != nil {
			var he *HTTPError
			if errors.As(err, &he) {
				he.URL, he.Page = safe, page
			}
			return err
		}
		if err := r.stage(ctx, tx, records, safe, page); err != nil {
			return err
		}
		r.l.opts.Reporter.Progress(r.t.Source, r.records, r.t.Bytes)

		// Decide whether there is a next page.
		link, hasLinks := nextLink(respHdr, &next)
		switch p.Type {
		case PageNone:
			break pages
		case PagePage, PageOffset:
			if len(records) == 0 || pageSize > 0 && len(records) < pageSize ||
				p.Type == PageOffset && len(records) < p.Limit || hasLinks && link == nil {
				break pages
			}
			offset += len(records)
		case PageCursor:
			if nextCursor == "" {
				break pages
			}
			cursor = nextCursor
		case PageLink:
			if link == nil {
				break pages
			}
			next = *link
		}
	}
	return r.write(ctx, tx, ledgerKey, watermark)
}

func cloneValues(v url.Values) url.Values {
	c := make(url.Values, len(v)+2)
	for k, x := range v {
		c[k] = append([]string(nil), x...)
	}
	return c
}

// fetch GETs u, retrying 429, 5xx and transport errors with exponential
// backoff and jitter, or after the server's Retry-After.
func (r *httpRun) fetch(ctx context.Context, u *url.URL, safe string, page int) ([]byte, http.Header, error) {
	o := r.l.opts
	for attempt := 0; ; attempt++ {
		r.t.Requests++
		body, hdr, status, err := r.once(ctx, u)
		if err == nil && status >= 200 && status < 300 {
			return body, hdr, nil
		}
		if ctx.Err() != nil {
			return nil, nil, &HTTPError{URL: safe, Page: page, Offset: -1, Msg: ctx.Err().Error(), Err: ctx.Err()}
		}
		herr := &HTTPError{URL: safe, Page: page, Status: status, Offset: -1}
		retryable := err != nil || status == http.StatusTooManyRequests || status >= 500
		if err != nil {
			herr.Msg = r.red.scrub(transportMsg(err))
			if errors.Is(err, context.DeadlineExceeded) {
				herr.Msg = fmt.Sprintf("no complete response within timeout %s", r.h.Timeout)
			}
		} else {
			herr.Msg = http.StatusText(status)
			if snippet := strings.TrimSpace(string(body[:min(len(body), 200)])); snippet != "" {
				herr.Msg += ": " + r.red.scrub(snippet)
			}
		}
		if !retryable || attempt >= r.h.Retries {
			if retryable && attempt > 0 {
				herr.Msg += fmt.Sprintf(" (gave up after %d retries)", attempt)
			}
			return nil, nil, herr
		}
		wait := backoff(o.BackoffBase, o.BackoffMax, attempt)
		if ra, ok := retryAfter(hdr, time.Now()); ok {
			wait = min(ra, o.MaxRetryAfter)
		}
		r.t.Retries++
		tm := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			tm.Stop()
			return nil, nil, &HTTPError{URL: safe, Page: page, Offset: -1, Msg: ctx.Err().Error(), Err: ctx.Err()}
		case <-tm.C:
		}
	}
}

// once makes one request; its timeout covers reading the body.
func (r *httpRun) once(ctx context.Context, u *url.URL) ([]byte, http.Header, int, error) {
	ctx, cancel := context.WithTimeout(ctx, r.h.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, nil, 0, err
	}
	req.Header = r.header.Clone()
	resp, err := r.l.opts.HTTPClient.Do(req)
	if err != nil {
		return nil, nil, 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return nil, resp.Header, 0, err
	}
	if len(body) > maxBody {
		return nil, resp.Header, 0, fmt.Errorf("response larger than %d bytes", maxBody)
	}
	return body, resp.Header, resp.StatusCode, nil
}

// transportMsg drops the *url.Error wrapper, whose text repeats the full
// URL (with any query secrets); the caller names the safe URL itself.
func transportMsg(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}

// backoff is attempt n's wait: exponential, capped, with "equal jitter"
// (half fixed, half random) so clients spread out but never retry at once.
func backoff(base, max time.Duration, n int) time.Duration {
	d := base << min(n, 30)
	if d <= 0 || d > max {
		d = max
	}
	return d/2 + rand.N(d/2+1)
}

// retryAfter reads Retry-After as seconds or an HTTP date.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.Atoi(v); err == nil {
		return time.Duration(max(secs, 0)) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// nextLink finds rel="next" in the Link header, resolved against cur.
// hasLinks says whether a Link header was there at all.
func nextLink(h http.Header, cur *url.URL) (next *url.URL, hasLinks bool) {
	for _, v := range h.Values("Link") {
		hasLinks = true
		for _, part := range splitLinks(v) {
			segs := strings.Split(part, ";")
			target := strings.TrimSpace(segs[0])
			if !strings.HasPrefix(target, "<") || !strings.HasSuffix(target, ">") {
				continue
			}
			for _, p := range segs[1:] {
				k, val, _ := strings.Cut(strings.TrimSpace(p), "=")
				if !strings.EqualFold(strings.TrimSpace(k), "rel") {
					continue
				}
				for _, rel := range strings.Fields(strings.Trim(strings.TrimSpace(val), `"`)) {
					if strings.EqualFold(rel, "next") {
						u, err := cur.Parse(target[1 : len(target)-1])
						if err == nil {
							return u, true
						}
					}
				}
			}
		}
	}
	return nil, hasLinks
}

// splitLinks splits a Link header at commas outside <...>.
func splitLinks(v string) []string {
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case '<':
			depth++
		case '>':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, v[start:i])
				start = i + 1
			}
		}
	}
	return append(out, v[start:])
}

// parsePage finds the records and the next cursor in a response body.
func parsePage(body []byte, recordsPath, cursorPath []string) ([]json.RawMessage, string, error) {
	var top json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil {
		var se *json.SyntaxError
		off := int64(-1)
		if errors.As(err, &se) {
			off = se.Offset
		}
		line, col := lineCol(body, off)
		return nil, "", &HTTPError{Offset: off,
			Msg: fmt.Sprintf("expected JSON, found malformed JSON at byte offset %d (line %d, column %d): %v", off, line, col, err)}
	}
	cur, err := walkJSON(top, recordsPath)
	if err != nil {
		return nil, "", &HTTPError{Offset: -1, Msg: "records_path " + err.Error()}
	}
	var records []json.RawMessage
	if !bytes.Equal(bytes.TrimSpace(cur), []byte("null")) {
		if err := json.Unmarshal(cur, &records); err != nil {
			return nil, "", &HTTPError{Offset: -1, Msg: fmt.Sprintf("expected an array of records at records_path %q, found %s", strings.Join(recordsPath, "."), jsonKind(cur))}
		}
	}
	for i, rec := range records {
		if k := jsonKind(rec); k != "an object" {
			return nil, "", &HTTPError{Offset: -1, Msg: fmt.Sprintf("record %d: expected an object, found %s", i+1, k)}
		}
	}
	cursor := ""
	if len(cursorPath) > 0 {
		c, err := walkJSON(top, cursorPath)
		if err == nil {
			var v any
			d := json.NewDecoder(bytes.NewReader(c))
			d.UseNumber()
			if d.Decode(&v) == nil {
				switch v := v.(type) {
				case string:
					cursor = v
				case json.Number:
					cursor = v.String()
				}
			}
		}
	}
	return records, cursor, nil
}

// walkJSON follows a dotted path through objects. A missing key is an error.
func walkJSON(cur json.RawMessage, path []string) (json.RawMessage, error) {
	for i, seg := range path {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(cur, &m); err != nil || m == nil {
			return nil, fmt.Errorf("%q: expected an object at %q, found %s", strings.Join(path, "."), strings.Join(path[:i], "."), jsonKind(cur))
		}
		v, ok := m[seg]
		if !ok {
			return nil, fmt.Errorf("%q: expected key %q in the response, found only %s", strings.Join(path, "."), seg, keyList(m))
		}
		cur = v
	}
	return cur, nil
}

func keyList(m map[string]json.RawMessage) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, strconv.Quote(k))
	}
	if len(keys) == 0 {
		return "no keys"
	}
	sortStrings(keys)
	return strings.Join(keys, ", ")
}

func jsonKind(b []byte) string {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return "nothing"
	}
	switch b[0] {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

func lineCol(b []byte, off int64) (int, int) {
	if off < 0 || off > int64(len(b)) {
		return 0, 0
	}
	line, col := 1, 1
	for _, c := range b[:off] {
		if c == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return line, col
}
