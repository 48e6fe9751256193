package extract

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gdbt/gdbt/runtime/extract/fixtureapi"
	"github.com/jackc/pgx/v5"
)

const testToken = "tok-3f9a7c1e-secret"

// apiServer serves dataDir through fixtureapi on loopback and records the
// query strings it was asked for.
type apiServer struct {
	*httptest.Server
	api     *fixtureapi.Server
	mu      sync.Mutex
	queries []string
}

func (a *apiServer) seen() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.queries...)
}

func newAPI(t *testing.T, dataDir string, faults fixtureapi.Faults) *apiServer {
	t.Helper()
	api, err := fixtureapi.New(fixtureapi.Config{DataDir: dataDir, Token: testToken, PageSize: 2, Faults: faults})
	if err != nil {
		t.Fatal(err)
	}
	a := &apiServer{api: api}
	a.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.mu.Lock()
		a.queries = append(a.queries, r.URL.RawQuery)
		a.mu.Unlock()
		api.ServeHTTP(w, r)
	}))
	t.Cleanup(a.Close)
	return a
}

func httpSpec(t *testing.T, table, url string, extra map[string]any) Spec {
	t.Helper()
	load := map[string]any{
		"format":       "http",
		"url":          url,
		"params":       map[string]any{"per_page": "2"},
		"auth":         map[string]any{"type": "bearer", "token_env": "TEST_API_TOKEN"},
		"records_path": "data",
		"pagination":   map[string]any{"type": "page", "page_param": "page", "start": 1},
		"timeout":      "5s",
		"retries":      3,
	}
	for k, v := range extra {
		load[k] = v
	}
	s, err := ParseSpec(Decl{Source: "api", Table: table, Schema: "raw"}, load)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func fastOpts() Options {
	return Options{
		Lookup:      env(map[string]string{"TEST_API_TOKEN": testToken}),
		BackoffBase: 10 * time.Millisecond,
		BackoffMax:  50 * time.Millisecond,
	}
}

var ordersCols = map[string]any{"order_id": "bigint", "customer_id": "bigint", "status": "text",
	"updated_at": "timestamptz", "country": map[string]any{"type": "text", "path": "address.country"}}

func TestHTTPLoadInferred(t *testing.T) {
	t.Parallel()
	pool := testPool(t)
	ctx := testCtx(t)
	api := newAPI(t, "testdata/api", fixtureapi.Faults{})
	spec := httpSpec(t, "orders", api.URL+"/orders", map[string]any{"primary_key": "order_id"})
	rep, err := Run(ctx, pool, []Spec{spec}, fastOpts())
	if err != nil {
		t.Fatal(err)
	}
	tr := rep.Tables[0]
	// 7 records in pages of 2: pages 1-4; page 4 has no rel="next".
	if tr.Rows != 7 || tr.Pages != 4 || tr.Requests != 4 || tr.Status != StatusLoaded {
		t.Errorf("report %+v", tr)
	}
	got := strings.ReplaceAll(dump(t, pool, "raw.orders"), api.URL, "http://API")
	golden(t, "http_inferred.txt", got)
}

func TestHTTPRetry500(t *testing.T) {
	t.Parallel()
	pool := testPool(t)
	ctx := testCtx(t)
	api := newAPI(t, "testdata/api", fixtureapi.Faults{Fail500: 2})
	spec := httpSpec(t, "orders", api.URL+"/orders", map[string]any{"primary_key": "order_id", "columns": ordersCols})
	for run := 1; run <= 2; run++ {
		rep, err := Run(ctx, pool, []Spec{spec}, fastOpts())
		if err != nil {
			t.Fatalf("run %d: %v", run, err)
		}
		tr := rep.Tables[0]
		wantRetries := 0
		if run == 1 {
			wantRetries = 2
		}
		if tr.Retries != wantRetries || tr.Requests != 4+wantRetries || tr.Rows != 7 {
			t.Errorf("run %d: retries %d requests %d rows %d", run, tr.Retries, tr.Requests, tr.Rows)
		}
		if n := count(t, pool, `select count(*) from raw.orders`); n != 7 {
			t.Errorf("run %d: %d rows, want 7 (no duplicates)", run, n)
		}
	}
	if n := count(t, pool, `select count(distinct order_id) from raw.orders where country in ('DE', 'FR')`); n != 7 {
		t.Errorf("nested path column: %d rows with a country, want 7", n)
	}
}

func TestHTTPRetryAfter(t *testing.T) {
	t.Parallel()
	for _, date := range []bool{false, true} {
		name := "seconds"
		if date {
			name = "http-date"
		}
		t.Run(name, func(t *testing.T) {
			pool := testPool(t)
			ctx := testCtx(t)
			api := newAPI(t, "testdata/api", fixtureapi.Faults{Throttle429: 1, RetryAfter: time.Second, RetryAfterDate: date})
			spec := httpSpec(t, "orders", api.URL+"/orders", map[string]any{"primary_key": "order_id"})
			start := time.Now()
			rep, err := Run(ctx, pool, []Spec{spec}, fastOpts())
			el := time.Since(start)
			if err != nil {
				t.Fatal(err)
			}
			// Backoff alone would wait at most 50ms; only Retry-After explains 1s.
			if el < time.Second {
				t.Errorf("load took %v, want >= 1s (Retry-After)", el)
			}
			if tr := rep.Tables[0]; tr.Retries != 1 || tr.Rows != 7 {
				t.Errorf("report %+v", tr)
			}
		})
	}
}

func TestHTTPGivesUp(t *testing.T) {
	t.Parallel()
	pool := testPool(t)
	ctx := testCtx(t)
	api := newAPI(t, "testdata/api", fixtureapi.Faults{Fail500: 100})
	spec := httpSpec(t, "orders", api.URL+"/orders", nil)
	_, err := Run(ctx, pool, []Spec{spec}, fastOpts())
	var he *HTTPError
	if !errors.As(err, &he) || he.Status != 500 || he.Page != 1 || !strings.Contains(err.Error(), "gave up after 3 retries") {
		t.Fatalf("got %v", err)
	}
	if got := len(api.seen()); got != 4 {
		t.Errorf("%d requests, want 4 (1 + 3 retries)", got)
	}
}

func TestHTTPTimeout(t *testing.T) {
	t.Parallel()
	pool := testPool(t)
	ctx := testCtx(t)
	api := newAPI(t, "testdata/api", fixtureapi.Faults{SlowPages: []int{2}, SlowDelay: 3 * time.Second})
	spec := httpSpec(t, "orders", api.URL+"/orders", map[string]any{"timeout": "200ms", "retries": 1})
	_, err := Run(ctx, pool, []Spec{spec}, fastOpts())
	var he *HTTPError
	if !errors.As(err, &he) || he.Page != 2 || !strings.Contains(err.Error(), "no complete response within timeout 200ms") {
		t.Fatalf("got %v", err)
	}
	if tableExists(t, pool, "raw.orders") {
		t.Error("table exists after a failed first load")
	}
}

func TestHTTPMalformedPage3(t *testing.T) {
	t.Parallel()
	pool := testPool(t)
	ctx := testCtx(t)
	api := newAPI(t, "testdata/api", fixtureapi.Faults{MalformedPage: 3})
	spec := httpSpec(t, "orders", api.URL+"/orders", map[string]any{"primary_key": "order_id"})
	rep, err := Run(ctx, pool, []Spec{spec}, fastOpts())
	var he *HTTPError
	if !errors.As(err, &he) {
		t.Fatalf("got %v, want an *HTTPError", err)
	}
	want := "GET " + api.URL + "/orders?page=3&per_page=2 (page 3): expected JSON, found malformed JSON at byte offset"
	if he.Page != 3 || he.Offset <= 0 || !strings.HasPrefix(he.Error(), want) {
		t.Errorf("got  %s\nwant %s ...", he, want)
	}
	if rep.Tables[0].Status != StatusError || rep.Failed != 1 {
		t.Errorf("report %+v", rep)
	}
	if tableExists(t, pool, "raw.orders") {
		t.Error("pages 1-2 were written")
	}
	// The fault happens once: a rerun completes.
	rep, err = Run(ctx, pool, []Spec{spec}, fastOpts())
	if err != nil {
		t.Fatal(err)
	}
	if n := count(t, pool, `select count(*) from raw.orders`); n != 7 || rep.Tables[0].Rows != 7 {
		t.Errorf("rerun: %d rows in table, report %d; want 7", n, rep.Tables[0].Rows)
	}
}

func TestHTTPMalformedPage3KeepsEarlierRows(t *testing.T) {
	t.Parallel()
	pool := testPool(t)
	ctx := testCtx(t)
	good := newAPI(t, "testdata/api", fixtureapi.Faults{})
	spec := httpSpec(t, "orders", good.URL+"/orders", nil) // replace mode
	if _, err := Run(ctx, pool, []Spec{spec}, fastOpts()); err != nil {
		t.Fatal(err)
	}
	bad := newAPI(t, "testdata/api", fixtureapi.Faults{MalformedPage: 3})
	spec = httpSpec(t, "orders", bad.URL+"/orders", nil)
	if _, err := Run(ctx, pool, []Spec{spec}, fastOpts()); err == nil {
		t.Fatal("no error")
	}
	if n := count(t, pool, `select count(*) from raw.orders where _source_url like $1`, good.URL+"%"); n != 7 {
		t.Errorf("%d rows of the first run left, want all 7", n)
	}
}

// writeOrders writes records as orders.json into a fresh directory.
func writeOrders(t *testing.T, dir string, recs []map[string]any) {
	t.Helper()
	b, err := json.Marshal(recs)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "orders.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	// fixtureapi reloads on a new modification time; make sure it differs.
	later := time.Now().Add(time.Duration(len(recs)) * time.Second)
	os.Chtimes(filepath.Join(dir, "orders.json"), later, later)
}

func TestHTTPIncremental(t *testing.T) {
	t.Parallel()
	pool := testPool(t)
	ctx := testCtx(t)
	dir := t.TempDir()
	rec := func(id int, status, updated string) map[string]any {
		return map[string]any{"order_id": id, "customer_id": 1, "status": status, "updated_at": updated, "address": map[string]any{"country": "DE"}}
	}
	writeOrders(t, dir, []map[string]any{
		rec(1, "placed", "2024-01-01T10:00:00Z"),
		rec(2, "placed", "2024-01-02T10:00:00+05:00"), // the maximum is compared as a time, not text
		rec(3, "placed", "2024-01-02T06:00:00Z"),
		rec(5, "cancelled", "2024-01-02T05:00:00Z"),
		rec(5, "placed", "2024-01-01T05:00:00Z"), // an older version, later in the feed
	})
	api := newAPI(t, dir, fixtureapi.Faults{})
	spec := httpSpec(t, "orders", api.URL+"/orders", map[string]any{
		"primary_key": "order_id", "columns": ordersCols,
		"incremental": map[string]any{"field": "updated_at", "param": "updated_since"},
	})
	rep, err := Run(ctx, pool, []Spec{spec}, fastOpts())
	if err != nil {
		t.Fatal(err)
	}
	if tr := rep.Tables[0]; tr.Rows != 4 || tr.Watermark != "2024-01-02T06:00:00Z" {
		t.Errorf("first run: rows %d watermark %q, want 4 and 2024-01-02T06:00:00Z", tr.Rows, tr.Watermark)
	}
	var status string
	if err := pool.QueryRow(ctx, `select status from raw.orders where order_id = 5`).Scan(&status); err != nil || status != "cancelled" {
		t.Errorf("order 5 status %q (%v), want cancelled (the newest version)", status, err)
	}
	for _, q := range api.seen() {
		if strings.Contains(q, "updated_since") {
			t.Errorf("first run sent a watermark: %s", q)
		}
	}

	// Order 2 changes, order 4 is new; 1 and 3 are untouched.
	writeOrders(t, dir, []map[string]any{
		rec(1, "placed", "2024-01-01T10:00:00Z"),
		rec(2, "shipped", "2024-01-05T00:00:00Z"),
		rec(3, "placed", "2024-01-02T06:00:00Z"),
		rec(4, "placed", "2024-01-04T00:00:00Z"),
		rec(5, "cancelled", "2024-01-02T05:00:00Z"),
	})
	before := len(api.seen())
	rep, err = Run(ctx, pool, []Spec{spec}, fastOpts())
	if err != nil {
		t.Fatal(err)
	}
	if tr := rep.Tables[0]; tr.Rows != 2 || tr.Watermark != "2024-01-05T00:00:00Z" || tr.Status != StatusLoaded {
		t.Errorf("second run: %+v", tr)
	}
	for _, q := range api.seen()[before:] {
		if !strings.Contains(q, "updated_since=2024-01-02T06%3A00%3A00Z") {
			t.Errorf("second run request without the watermark: %s", q)
		}
	}
	if n := count(t, pool, `select count(*) from raw.orders`); n != 5 {
		t.Errorf("%d rows, want 5", n)
	}
	if err := pool.QueryRow(ctx, `select status from raw.orders where order_id = 2`).Scan(&status); err != nil || status != "shipped" {
		t.Errorf("order 2 status %q (%v), want shipped (upserted)", status, err)
	}

	// Nothing newer: nothing fetched beyond one page, nothing written.
	rep, err = Run(ctx, pool, []Spec{spec}, fastOpts())
	if err != nil {
		t.Fatal(err)
	}
	if tr := rep.Tables[0]; tr.Rows != 0 || tr.Status != StatusUpToDate || tr.Watermark != "2024-01-05T00:00:00Z" {
		t.Errorf("third run: %+v", tr)
	}
}

func TestHTTPBadValue(t *testing.T) {
	t.Parallel()
	pool := testPool(t)
	ctx := testCtx(t)
	dir := t.TempDir()
	writeOrders(t, dir, []map[string]any{
		{"order_id": 1, "updated_at": "2024-01-01T00:00:00Z"},
		{"order_id": 2, "updated_at": "2024-01-01T00:00:00Z"},
		{"order_id": "two-hundred", "updated_at": "2024-01-01T00:00:00Z"},
	})
	api := newAPI(t, dir, fixtureapi.Faults{})
	spec := httpSpec(t, "orders", api.URL+"/orders", map[string]any{"columns": map[string]any{"order_id": "bigint"}})
	_, err := Run(ctx, pool, []Spec{spec}, fastOpts())
	want := "GET " + api.URL + `/orders?page=2&per_page=2 (page 2): record 1: field order_id: expected a bigint value for column order_id, found "two-hundred"`
	if err == nil || !strings.HasSuffix(err.Error(), want) {
		t.Errorf("got  %v\nwant %s", err, want)
	}
}

func TestHTTPPaginationStyles(t *testing.T) {
	t.Parallel()
	recs := make([]map[string]any, 5)
	for i := range recs {
		recs[i] = map[string]any{"id": i + 1}
	}
	pageOf := func(from, n int) []map[string]any {
		from = min(from, len(recs))
		return recs[from:min(from+n, len(recs))]
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/offset", func(w http.ResponseWriter, r *http.Request) {
		var off, lim int
		json.Unmarshal([]byte(r.URL.Query().Get("offset")), &off)
		json.Unmarshal([]byte(r.URL.Query().Get("limit")), &lim)
		json.NewEncoder(w).Encode(map[string]any{"items": pageOf(off, lim)})
	})
	mux.HandleFunc("/cursor", func(w http.ResponseWriter, r *http.Request) {
		var from int
		json.Unmarshal([]byte(r.URL.Query().Get("after")), &from)
		body := map[string]any{"result": map[string]any{"rows": pageOf(from, 2)}, "meta": map[string]any{"next": nil}}
		if from+2 < len(recs) {
			body["meta"] = map[string]any{"next": from + 2}
		}
		json.NewEncoder(w).Encode(body)
	})
	mux.HandleFunc("/link", func(w http.ResponseWriter, r *http.Request) {
		var from int
		json.Unmarshal([]byte(r.URL.Query().Get("p")), &from)
		if from+2 < len(recs) {
			w.Header().Set("Link", `</link?p=`+itoa(from+2)+`>; rel="next"`)
		}
		json.NewEncoder(w).Encode(pageOf(from, 2))
	})
	mux.HandleFunc("/single", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(recs)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	tests := []struct {
		name     string
		load     map[string]any
		requests int
	}{
		{"offset", map[string]any{"url": srv.URL + "/offset", "records_path": "items",
			"pagination": map[string]any{"type": "offset", "limit": 2}}, 3},
		{"cursor", map[string]any{"url": srv.URL + "/cursor", "records_path": "result.rows",
			"pagination": map[string]any{"type": "cursor", "cursor_param": "after", "cursor_path": "meta.next"}}, 3},
		{"link", map[string]any{"url": srv.URL + "/link", "pagination": map[string]any{"type": "link"}}, 3},
		{"single", map[string]any{"url": srv.URL + "/single"}, 1},
	}
	pool := testPool(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := testCtx(t)
			tc.load["format"] = "http"
			spec, err := ParseSpec(Decl{Source: "raw", Table: tc.name}, tc.load)
			if err != nil {
				t.Fatal(err)
			}
			rep, err := Run(ctx, pool, []Spec{spec}, fastOpts())
			if err != nil {
				t.Fatal(err)
			}
			if tr := rep.Tables[0]; tr.Rows != 5 || tr.Requests != tc.requests {
				t.Errorf("rows %d requests %d, want 5 and %d", tr.Rows, tr.Requests, tc.requests)
			}
			if n := count(t, pool, `select count(distinct id) from raw.`+ident(tc.name)); n != 5 {
				t.Errorf("%d distinct ids, want 5", n)
			}
		})
	}
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

// TestSecretsNeverLeak drives failures that carry the URL or headers into
// errors, and checks the token is in none of: error text, report JSON,
// _source_url, the ledger.
func TestSecretsNeverLeak(t *testing.T) {
	t.Parallel()
	pool := testPool(t)
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ok":
			json.NewEncoder(w).Encode([]map[string]any{{"id": 1, "seen": r.URL.Query().Get("api_key") != ""}})
		default:
			// A careless API that echoes the request back in its error.
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte("bad request " + r.URL.String() + " auth=" + r.Header.Get("Authorization") + " key=" + r.Header.Get("X-Api-Key")))
		}
	}))
	defer echo.Close()
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	closed := "http://" + ln.Addr().String()
	ln.Close()

	tests := []struct {
		name string
		load map[string]any
		fail bool
	}{
		{"bearer echoed", map[string]any{"url": echo.URL + "/echo", "auth": map[string]any{"type": "bearer", "token_env": "TEST_API_TOKEN"}}, true},
		{"query echoed", map[string]any{"url": echo.URL + "/echo", "auth": map[string]any{"type": "query", "param": "api_key", "token_env": "TEST_API_TOKEN"}}, true},
		{"header echoed", map[string]any{"url": echo.URL + "/echo", "headers": map[string]any{"X-Api-Key": testToken}}, true},
		{"query transport error", map[string]any{"url": closed + "/x", "retries": 0, "auth": map[string]any{"type": "query", "param": "api_key", "token_env": "TEST_API_TOKEN"}}, true},
		{"query ok", map[string]any{"url": echo.URL + "/ok", "auth": map[string]any{"type": "query", "param": "api_key", "token_env": "TEST_API_TOKEN"}}, false},
		{"fixture api wrong token", nil, true},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := testCtx(t)
			opts := fastOpts()
			var spec Spec
			if tc.load == nil {
				api := newAPI(t, "testdata/api", fixtureapi.Faults{})
				spec = httpSpec(t, "orders", api.URL+"/orders", nil)
				opts.Lookup = env(map[string]string{"TEST_API_TOKEN": testToken + "-wrong"})
			} else {
				tc.load["format"] = "http"
				var err error
				spec, err = ParseSpec(Decl{Source: "raw", Table: "t" + itoa(i)}, tc.load)
				if err != nil {
					t.Fatal(err)
				}
			}
			rep, err := Run(ctx, pool, []Spec{spec}, opts)
			if (err != nil) != tc.fail {
				t.Fatalf("error %v, want failure %v", err, tc.fail)
			}
			js, _ := json.Marshal(rep)
			var sum strings.Builder
			rep.WriteSummary(&sum)
			texts := map[string]string{"report json": string(js), "summary": sum.String()}
			if err != nil {
				texts["error"] = err.Error()
				for e := err; e != nil; e = errors.Unwrap(e) {
					texts["unwrapped error"] += e.Error()
				}
			}
			if !tc.fail {
				var urls string
				pool.QueryRow(ctx, `select string_agg(_source_url, ' ') from raw.`+ident(spec.Identifier)).Scan(&urls)
				texts["_source_url"] = urls
				if !strings.Contains(urls, "/ok") {
					t.Errorf("_source_url %q", urls)
				}
			}
			var ledger string
			pool.QueryRow(ctx, `select coalesce(string_agg(source, ' '), '') from raw._gdbt_load_ledger`).Scan(&ledger)
			texts["ledger"] = ledger
			for where, s := range texts {
				if strings.Contains(s, "3f9a7c1e") {
					t.Errorf("token leaked into %s: %s", where, s)
				}
			}
			if tc.fail && !strings.Contains(err.Error(), "GET ") {
				t.Errorf("error does not name the request: %v", err)
			}
		})
	}
}

func TestRunReportAndCancel(t *testing.T) {
	t.Parallel()
	pool := testPool(t)
	api := newAPI(t, "testdata/api", fixtureapi.Faults{})
	specs := []Spec{
		csvSpec(t, "items", map[string]any{"path": "csv/good.csv"}),
		httpSpec(t, "orders", api.URL+"/orders", map[string]any{"primary_key": "order_id"}),
		csvSpec(t, "bad", map[string]any{"path": "csv/bad57_fields.csv"}),
	}
	rep, err := Run(testCtx(t), pool, specs, fastOpts())
	var le *LoadError
	if !errors.As(err, &le) || le.Source != "raw.bad" {
		t.Fatalf("got %v", err)
	}
	if rep.Failed != 1 || rep.Rows != 17 || len(rep.Tables) != 3 || rep.Tables[0].Status != StatusLoaded || rep.Tables[2].Status != StatusError {
		t.Errorf("report %+v", rep)
	}
	var sum strings.Builder
	if err := rep.WriteSummary(&sum); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"raw.items", "api.orders", "1 failed", "csv/bad57_fields.csv:57:20: expected 3 fields, found 4"} {
		if !strings.Contains(sum.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, sum.String())
		}
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rep, err = Run(ctx, pool, specs, fastOpts())
	if !errors.Is(err, context.Canceled) || rep.Failed != 3 {
		t.Errorf("cancelled: %v, %d failed", err, rep.Failed)
	}
}

var _ = pgx.ErrNoRows

func httptestServer(h http.Handler) *httptest.Server { return httptest.NewServer(h) }
