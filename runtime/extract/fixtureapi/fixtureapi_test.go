package fixtureapi

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func newServer(t *testing.T, cfg Config) *Server {
	t.Helper()
	dir := t.TempDir()
	var recs []map[string]any
	for i := 1; i <= 5; i++ {
		recs = append(recs, map[string]any{"id": i, "updated_at": time.Date(2024, 1, i, 0, 0, 0, 0, time.UTC).Format(time.RFC3339)})
	}
	b, _ := json.Marshal(recs)
	os.WriteFile(filepath.Join(dir, "things.json"), b, 0o644)
	cfg.DataDir = dir
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

type page struct {
	Data     []struct{ ID int } `json:"data"`
	Page     int                `json:"page"`
	PerPage  int                `json:"per_page"`
	Total    int                `json:"total"`
	NextPage *int               `json:"next_page"`
}

func get(t *testing.T, s *Server, target, token string) (*httptest.ResponseRecorder, page) {
	t.Helper()
	req := httptest.NewRequest("GET", "http://api.test"+target, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	w := httptest.NewRecorder()
	s.ServeHTTP(w, req)
	var p page
	if w.Code == 200 {
		if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil {
			t.Fatalf("%s: %v: %s", target, err, w.Body)
		}
	}
	return w, p
}

func TestPaging(t *testing.T) {
	s := newServer(t, Config{Token: "tk", PageSize: 2})
	tests := []struct {
		target   string
		ids      string
		total    int
		next     string
		linkNext bool
	}{
		{"/things", "1,2", 5, "2", true},
		{"/things?page=3", "5", 5, "null", false},
		{"/things?page=9", "", 5, "null", false},
		{"/things?per_page=10", "1,2,3,4,5", 5, "null", false},
		{"/things?updated_since=2024-01-03T00:00:00Z", "4,5", 2, "null", false},
		{"/things?updated_since=2024-01-02T12:00:00%2B12:00&per_page=1", "3", 3, "2", true}, // = 2024-01-02T00:00Z, strictly after
	}
	for _, tc := range tests {
		w, p := get(t, s, tc.target, "tk")
		if w.Code != 200 {
			t.Fatalf("%s: %d %s", tc.target, w.Code, w.Body)
		}
		var ids []string
		for _, d := range p.Data {
			ids = append(ids, strconv.Itoa(d.ID))
		}
		next := "null"
		if p.NextPage != nil {
			next = strconv.Itoa(*p.NextPage)
		}
		if got := strings.Join(ids, ","); got != tc.ids || p.Total != tc.total || next != tc.next {
			t.Errorf("%s: ids %q total %d next %s; want %q %d %s", tc.target, got, p.Total, next, tc.ids, tc.total, tc.next)
		}
		link := w.Header().Get("Link")
		if strings.Contains(link, `rel="next"`) != tc.linkNext || !strings.Contains(link, `rel="last"`) {
			t.Errorf("%s: Link %q", tc.target, link)
		}
		if tc.linkNext && strings.Contains(tc.target, "updated_since") && !strings.Contains(link, "updated_since=") {
			t.Errorf("%s: next link drops updated_since: %s", tc.target, link)
		}
	}
}

func TestAuthAndErrors(t *testing.T) {
	s := newServer(t, Config{Token: "tk"})
	tests := []struct {
		target, token string
		code          int
	}{
		{"/things", "", 401},
		{"/things", "nope", 401},
		{"/things", "tk", 200},
		{"/nothing", "tk", 404},
		{"/../etc/passwd", "tk", 404},
		{"/things?page=0", "tk", 400},
		{"/things?per_page=5000", "tk", 400},
		{"/things?updated_since=yesterday", "tk", 400},
	}
	for _, tc := range tests {
		if w, _ := get(t, s, tc.target, tc.token); w.Code != tc.code {
			t.Errorf("%s with %q: %d, want %d (%s)", tc.target, tc.token, w.Code, tc.code, w.Body)
		}
	}
	if s.Requests() != 1 {
		t.Errorf("%d valid authorized requests counted, want 1", s.Requests())
	}
}

func TestFaults(t *testing.T) {
	s := newServer(t, Config{PageSize: 2, Faults: Faults{Fail500: 2, Throttle429: 1, RetryAfter: 3 * time.Second, MalformedPage: 2}})
	want := []int{500, 500, 429, 200}
	for i, code := range want {
		w, _ := get(t, s, "/things", "")
		if w.Code != code {
			t.Fatalf("request %d: %d, want %d", i+1, w.Code, code)
		}
		if code == 429 && w.Header().Get("Retry-After") != "3" {
			t.Errorf("Retry-After %q, want 3", w.Header().Get("Retry-After"))
		}
	}
	req := httptest.NewRequest("GET", "/things?page=2", nil)
	w := httptest.NewRecorder()
	s.ServeHTTP(w, req)
	if w.Code != 200 || json.Valid(w.Body.Bytes()) {
		t.Errorf("page 2 first time: %d valid=%v, want malformed", w.Code, json.Valid(w.Body.Bytes()))
	}
	if _, p := get(t, s, "/things?page=2", ""); len(p.Data) != 2 {
		t.Errorf("page 2 second time: %+v", p)
	}

	d := newServer(t, Config{Faults: Faults{Throttle429: 1, RetryAfter: 2 * time.Second, RetryAfterDate: true}})
	w, _ = get(t, d, "/things", "")
	at, err := http.ParseTime(w.Header().Get("Retry-After"))
	if err != nil || time.Until(at) < 2*time.Second-time.Millisecond*10 {
		t.Errorf("Retry-After date %q (%v) is less than 2s away", w.Header().Get("Retry-After"), err)
	}
}

func TestRateLimit(t *testing.T) {
	s := newServer(t, Config{RateLimit: 2})
	codes := map[int]int{}
	for i := 0; i < 5; i++ {
		w, _ := get(t, s, "/things", "")
		codes[w.Code]++
		if w.Code == 429 {
			if ra, err := strconv.Atoi(w.Header().Get("Retry-After")); err != nil || ra < 1 {
				t.Errorf("Retry-After %q", w.Header().Get("Retry-After"))
			}
		}
	}
	if codes[200] != 2 || codes[429] != 3 {
		t.Errorf("codes %v, want 2×200 (burst) and 3×429", codes)
	}
}
