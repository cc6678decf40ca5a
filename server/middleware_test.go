package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/google/go-cmp/cmp"

	"github.com/wensou/wensou/index"
	"github.com/wensou/wensou/index/article"
	"github.com/wensou/wensou/index/zh"
	"github.com/wensou/wensou/search"
)

func TestClassify(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err        error
		wantStatus int
		wantCode   string
	}{
		{&search.QueryError{Query: "a*", Reason: "r"}, http.StatusBadRequest, "bad_query"},
		{fmt.Errorf("%w: size", search.ErrBadRequest), http.StatusBadRequest, "bad_request"},
		{fmt.Errorf("%w: page", errBadParam), http.StatusBadRequest, "bad_request"},
		{errIDMismatch, http.StatusBadRequest, "bad_request"},
		{fmt.Errorf("%w: eof", article.ErrInvalidJSON), http.StatusBadRequest, "bad_article"},
		{&article.FieldError{Field: "title", Reason: "r"}, http.StatusBadRequest, "bad_article"},
		{&article.SizeError{What: "body"}, http.StatusBadRequest, "bad_article"},
		{article.ErrNoContent, http.StatusBadRequest, "bad_article"},
		{errNoKey, http.StatusUnauthorized, "unauthorized"},
		{errWrongKey, http.StatusForbidden, "forbidden"},
		{errWritesDisabled, http.StatusForbidden, "writes_disabled"},
		{fmt.Errorf("load article %q: %w", "x", index.ErrNotFound), http.StatusNotFound, "not_found"},
		{errNoRoute, http.StatusNotFound, "not_found"},
		{errNoMethod, http.StatusMethodNotAllowed, "method_not_allowed"},
		{&http.MaxBytesError{Limit: 1}, http.StatusRequestEntityTooLarge, "too_large"},
		{fmt.Errorf("read body: %w", &http.MaxBytesError{Limit: 1}), http.StatusRequestEntityTooLarge, "too_large"},
		{fmt.Errorf("%w: article x takes 9 bytes", ErrWriteTooLarge), http.StatusRequestEntityTooLarge, "too_large"},
		{fmt.Errorf("%w (append: no quorum)", ErrNoQuorum), http.StatusServiceUnavailable, "no_quorum"},
		{&Pending{Token: "S0:1"}, http.StatusInternalServerError, "internal"}, // answered by the handlers, never classified
		{errUnavailable, http.StatusServiceUnavailable, "unavailable"},
		{fmt.Errorf("search: %w", index.ErrClosed), http.StatusServiceUnavailable, "unavailable"},
		{fmt.Errorf("analyze: %w", zh.ErrNotLoaded), http.StatusServiceUnavailable, "unavailable"},
		{fmt.Errorf("%w: %w", errTimeout, context.DeadlineExceeded), http.StatusServiceUnavailable, "timeout"},
		{fmt.Errorf("collect: %w", context.DeadlineExceeded), http.StatusServiceUnavailable, "timeout"},
		{context.Canceled, statusClientClosed, "canceled"},
		{errors.New("disk on fire"), http.StatusInternalServerError, "internal"},
	}
	for _, tt := range tests {
		k := classify(tt.err)
		if k.status != tt.wantStatus || k.code != tt.wantCode {
			t.Errorf("classify(%v) = %d %s, want %d %s", tt.err, k.status, k.code, tt.wantStatus, tt.wantCode)
		}
	}
}

// TestServer_admin unit-tests the admin middleware on a bare context.
func TestServer_admin(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		key     string // the server's
		header  string // Authorization
		wantErr error  // nil: let through
	}{
		{"right key", "k3y", "Bearer k3y", nil},
		{"scheme in any case", "k3y", "bearer k3y", nil},
		{"spaces around the key", "k3y", "Bearer  k3y ", nil},
		{"no header", "k3y", "", errNoKey},
		{"no key", "k3y", "Bearer ", errNoKey},
		{"other scheme", "k3y", "Basic azN5Og==", errNoKey},
		{"key alone", "k3y", "k3y", errNoKey},
		{"wrong key", "k3y", "Bearer k3", errWrongKey},
		{"longer key", "k3y", "Bearer k3yy", errWrongKey},
		{"writes disabled", "", "Bearer k3y", errWritesDisabled},
		{"writes disabled, no header", "", "", errWritesDisabled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := &Server{opts: Options{AdminKey: tt.key}}
			c, _ := gin.CreateTestContext(httptest.NewRecorder())
			c.Request = httptest.NewRequest(http.MethodDelete, "/api/articles/x", nil)
			if tt.header != "" {
				c.Request.Header.Set("Authorization", tt.header)
			}
			srv.admin(c)
			var got error
			if len(c.Errors) > 0 {
				got = c.Errors[0].Err
			}
			if got != tt.wantErr || c.IsAborted() != (tt.wantErr != nil) {
				t.Errorf("admin(%q) = %v, aborted %v; want %v", tt.header, got, c.IsAborted(), tt.wantErr)
			}
		})
	}
}

func TestAuth(t *testing.T) {
	t.Parallel()
	writes := []struct {
		name       string
		req        func() *http.Request
		wantStatus int // with the right key
	}{
		{"post", func() *http.Request {
			return newRequest(http.MethodPost, "/api/articles", `{"id":"z1","title":"Zebra"}`)
		}, http.StatusCreated},
		{"put", func() *http.Request { return newRequest(http.MethodPut, "/api/articles/z1", `{"title":"Zebra"}`) }, http.StatusCreated},
		{"delete", func() *http.Request { return newRequest(http.MethodDelete, "/api/articles/law", "") }, http.StatusNoContent},
	}
	cases := []struct {
		name     string
		adminKey string // "-": writes disabled
		header   string
		wantCode string // "" for success
		wantMsg  string
	}{
		{name: "right key", header: "Bearer " + testAdminKey},
		{name: "no header", wantCode: "unauthorized",
			wantMsg: `this request needs the admin key: send it as "Authorization: Bearer KEY"`},
		{name: "basic auth", header: "Basic dXNlcjpwYXNz", wantCode: "unauthorized",
			wantMsg: `this request needs the admin key: send it as "Authorization: Bearer KEY"`},
		{name: "wrong key", header: "Bearer not-the-key", wantCode: "forbidden", wantMsg: "the admin key is wrong"},
		{name: "writes disabled", adminKey: "-", header: "Bearer " + testAdminKey, wantCode: "writes_disabled",
			wantMsg: "writes are disabled: start wensou serve with --admin-key KEY or WENSOU_ADMIN_KEY=KEY to allow them"},
		{name: "writes disabled, no header", adminKey: "-", wantCode: "writes_disabled",
			wantMsg: "writes are disabled: start wensou serve with --admin-key KEY or WENSOU_ADMIN_KEY=KEY to allow them"},
	}
	wantStatus := map[string]int{"unauthorized": http.StatusUnauthorized, "forbidden": http.StatusForbidden, "writes_disabled": http.StatusForbidden}
	for _, w := range writes {
		for _, tt := range cases {
			t.Run(w.name+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				srv, _ := newTestServer(t, Options{AdminKey: tt.adminKey})
				req := w.req()
				if tt.header != "" {
					req.Header.Set("Authorization", tt.header)
				}
				rec := do(t, srv, req)
				if tt.wantCode == "" {
					if rec.Code != w.wantStatus {
						t.Fatalf("status = %d, want %d; body %s", rec.Code, w.wantStatus, rec.Body)
					}
					return
				}
				got := wantError(t, rec, wantStatus[tt.wantCode], tt.wantCode)
				if got.Message != tt.wantMsg {
					t.Errorf("message = %q, want %q", got.Message, tt.wantMsg)
				}
				wantAuthenticate := ""
				if tt.wantCode == "unauthorized" {
					wantAuthenticate = `Bearer realm="wensou"`
				}
				if got := rec.Header().Get("WWW-Authenticate"); got != wantAuthenticate {
					t.Errorf("WWW-Authenticate = %q, want %q", got, wantAuthenticate)
				}
				// Refused writes change nothing.
				searchable(t, srv, "zebra", "z1", true)
				searchable(t, srv, "职业教育法", "law", false)
			})
		}
	}

	t.Run("reads are public", func(t *testing.T) {
		t.Parallel()
		srv, _ := newTestServer(t, Options{AdminKey: "-"})
		for _, target := range []string{"/api/search?q=x", "/api/articles/law", "/api/analyze?text=x", "/api/openapi.json", "/healthz", "/metrics"} {
			if rec := do(t, srv, newRequest(http.MethodGet, target, "")); rec.Code != http.StatusOK {
				t.Errorf("GET %s = %d, want 200", target, rec.Code)
			}
		}
	})
}

func TestRequestID(t *testing.T) {
	t.Parallel()
	srv := newFakeServer(t, Options{}, &fakeBackend{})
	generated := regexp.MustCompile(`^[0-9a-f]{16}$`)
	tests := []struct {
		name   string
		header string // "" sends none
		kept   bool
	}{
		{"plain", "abc-123_XYZ.9", true},
		{"64 characters", strings.Repeat("a", 64), true},
		{"uuid", "3f1c2b9e-0d4a-4c8e-9f7b-2a6d5e8c1b0f", true},
		{"none", "", false},
		{"65 characters", strings.Repeat("a", 65), false},
		{"space", "two words", false},
		{"tab", "a\tb", false},
		{"non-ASCII", "请求", false},
		{"newline escape attempt", "x\r\nSet-Cookie: a=b", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req := newRequest(http.MethodGet, "/api/search", "")
			if tt.header != "" {
				req.Header["X-Request-Id"] = []string{tt.header}
			}
			got := do(t, srv, req).Header().Get("X-Request-ID")
			switch {
			case tt.kept && got != tt.header:
				t.Errorf("X-Request-ID = %q, want %q kept", got, tt.header)
			case !tt.kept && !generated.MatchString(got):
				t.Errorf("X-Request-ID = %q, want a new 16-hex-digit id", got)
			}
		})
	}

	// Every answer has one, errors included, and new ones differ.
	a := do(t, srv, newRequest(http.MethodGet, "/api/nope", "")).Header().Get("X-Request-ID")
	b := do(t, srv, newRequest(http.MethodGet, "/api/nope", "")).Header().Get("X-Request-ID")
	if !generated.MatchString(a) || a == b {
		t.Errorf("ids of two 404s = %q, %q; want two different new ids", a, b)
	}
}

// accessLines returns the access log's records.
func accessLines(t testing.TB, buf *logBuffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, r := range buf.records(t) {
		if r["msg"] == "request" {
			out = append(out, r)
		}
	}
	return out
}

func TestAccessLog(t *testing.T) {
	t.Parallel()
	log, buf := newLogger()
	srv, _ := newTestServer(t, Options{Logger: log})
	type line struct {
		Method, Path, Route, Level, Query, RequestID string
		Status                                       int
	}
	reqs := []struct {
		req  *http.Request
		want *line // nil: not logged
	}{
		{newRequest(http.MethodGet, "/api/search?q=oil&size=2", ""),
			&line{Method: "GET", Path: "/api/search", Route: "/api/search", Status: 200, Level: "INFO", Query: "q=oil&size=2", RequestID: "r1"}},
		{newRequest(http.MethodGet, "/api/search?size=500", ""),
			&line{Method: "GET", Path: "/api/search", Route: "/api/search", Status: 400, Level: "WARN", Query: "size=500", RequestID: "r2"}},
		{newRequest(http.MethodGet, "/api/nope", ""),
			&line{Method: "GET", Path: "/api/nope", Route: "", Status: 404, Level: "WARN", RequestID: "r3"}},
		{withHeader(newRequest(http.MethodDelete, "/api/articles/law", ""), "Authorization", "Bearer wrong-secret-value"),
			&line{Method: "DELETE", Path: "/api/articles/law", Route: "/api/articles/:id", Status: 403, Level: "WARN", RequestID: "r4"}},
		{authed(newRequest(http.MethodDelete, "/api/articles/law", "")),
			&line{Method: "DELETE", Path: "/api/articles/law", Route: "/api/articles/:id", Status: 204, Level: "INFO", RequestID: "r5"}},
		{newRequest(http.MethodGet, "/healthz", ""), nil},
		{newRequest(http.MethodGet, "/metrics", ""), nil},
	}
	var want []line
	for i, r := range reqs {
		r.req.Header.Set("X-Request-ID", "r"+strconv.Itoa(i+1))
		do(t, srv, r.req)
		if r.want != nil {
			want = append(want, *r.want)
		}
	}
	// A 5xx is logged at error level.
	srv.SetBackend(nil)
	do(t, srv, withHeader(newRequest(http.MethodGet, "/api/search", ""), "X-Request-ID", "r8"))
	want = append(want, line{Method: "GET", Path: "/api/search", Route: "/api/search", Status: 503, Level: "ERROR", RequestID: "r8"})

	var got []line
	for _, r := range accessLines(t, buf) {
		got = append(got, line{
			Method: fmt.Sprint(r["method"]), Path: fmt.Sprint(r["path"]), Route: fmt.Sprint(r["route"]),
			Level: fmt.Sprint(r["level"]), Query: fmt.Sprint(r["query"]), RequestID: fmt.Sprint(r["request_id"]),
			Status: int(r["status"].(float64)),
		})
		for _, k := range []string{"took_ms", "bytes", "client"} {
			if _, ok := r[k]; !ok {
				t.Errorf("access log line %v has no %s", r, k)
			}
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("access log (-want +got):\n%s", diff)
	}
	for _, secret := range []string{testAdminKey, "wrong-secret-value", "Bearer", "Authorization"} {
		if strings.Contains(buf.String(), secret) {
			t.Errorf("the log holds %q:\n%s", secret, buf)
		}
	}
}

func TestRecovery(t *testing.T) {
	t.Parallel()
	log, buf := newLogger()
	b := &fakeBackend{search: func(context.Context, search.Request) (*search.Result, error) {
		panic("boom: nil map in the collector")
	}}
	srv := newFakeServer(t, Options{Logger: log}, b)
	rec := do(t, srv, withHeader(newRequest(http.MethodGet, "/api/search?q=x", ""), "X-Request-ID", "panic-1"))
	got := wantError(t, rec, http.StatusInternalServerError, "internal")
	if want := "internal error; the server log has the details (request id panic-1)"; got.Message != want {
		t.Errorf("message = %q, want %q", got.Message, want)
	}
	if strings.Contains(rec.Body.String(), "boom") {
		t.Errorf("body %s gives the panic away", rec.Body)
	}

	var panics int
	for _, r := range buf.records(t) {
		if r["msg"] != "panic" {
			continue
		}
		panics++
		stack := fmt.Sprint(r["stack"])
		if r["panic"] != "boom: nil map in the collector" || r["request_id"] != "panic-1" || r["level"] != "ERROR" ||
			!strings.Contains(stack, "(*fakeBackend).Search") {
			t.Errorf("panic record = %v, want the panic, request id and a stack through the backend", r)
		}
	}
	if panics != 1 {
		t.Errorf("%d panic records, want 1:\n%s", panics, buf)
	}
	// The request is in the access log and the metrics all the same.
	lines := accessLines(t, buf)
	if len(lines) != 1 || lines[0]["status"] != float64(500) || lines[0]["level"] != "ERROR" {
		t.Errorf("access log = %v, want one error line with status 500", lines)
	}
	m := scrape(t, srv)
	if v := m[`wensou_http_requests_total{method="GET",route="/api/search",status="500"}`]; v != 1 {
		t.Errorf("requests with status 500 = %v, want 1", v)
	}

	// The server goes on serving.
	b.search = nil
	searchOK(t, srv, "q=x")
}

func TestCORS(t *testing.T) {
	t.Parallel()
	const app = "https://app.example"
	tests := []struct {
		name        string
		origins     []string
		method      string
		target      string
		origin      string
		preflight   string // Access-Control-Request-Method
		wantStatus  int
		wantAllowed bool // Access-Control-Allow-Origin is the origin
	}{
		{"off by default", nil, http.MethodGet, "/api/search", app, "", http.StatusOK, false},
		{"off by default, preflight", nil, http.MethodOptions, "/api/articles", app, http.MethodPost, http.StatusMethodNotAllowed, false},
		{"allowed origin", []string{app}, http.MethodGet, "/api/search", app, "", http.StatusOK, true},
		{"allowed origin, error", []string{app}, http.MethodGet, "/api/nope", app, "", http.StatusNotFound, true},
		{"allowed origin, preflight", []string{app}, http.MethodOptions, "/api/articles", app, http.MethodPost, http.StatusNoContent, true},
		{"allowed origin, preflight for a path with an id", []string{app}, http.MethodOptions, "/api/articles/law", app, http.MethodDelete, http.StatusNoContent, true},
		{"other origin", []string{app}, http.MethodGet, "/api/search", "https://evil.example", "", http.StatusOK, false},
		{"other origin, preflight", []string{app}, http.MethodOptions, "/api/articles", "https://evil.example", http.MethodPost, http.StatusMethodNotAllowed, false},
		{"no origin", []string{app}, http.MethodGet, "/api/search", "", "", http.StatusOK, false},
		{"any origin", []string{"*"}, http.MethodGet, "/api/search", "https://elsewhere.example", "", http.StatusOK, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newFakeServer(t, Options{CORSOrigins: tt.origins}, &fakeBackend{})
			req := newRequest(tt.method, tt.target, "")
			if tt.origin != "" {
				req.Header.Set("Origin", tt.origin)
			}
			if tt.preflight != "" {
				req.Header.Set("Access-Control-Request-Method", tt.preflight)
				req.Header.Set("Access-Control-Request-Headers", "authorization, content-type")
			}
			rec := do(t, srv, req)
			if rec.Code != tt.wantStatus {
				t.Fatalf("status = %d, want %d; body %s", rec.Code, tt.wantStatus, rec.Body)
			}
			h := rec.Header()
			acao := h.Get("Access-Control-Allow-Origin")
			if !tt.wantAllowed {
				if acao != "" || h.Get("Access-Control-Allow-Methods") != "" {
					t.Errorf("Access-Control-Allow-Origin = %q, Allow-Methods = %q; want neither", acao, h.Get("Access-Control-Allow-Methods"))
				}
				return
			}
			if acao != tt.origin {
				t.Errorf("Access-Control-Allow-Origin = %q, want %q", acao, tt.origin)
			}
			if h.Get("Vary") != "Origin" {
				t.Errorf("Vary = %q, want Origin", h.Get("Vary"))
			}
			if tt.preflight == "" {
				if got := h.Get("Access-Control-Expose-Headers"); got != "X-Request-ID" {
					t.Errorf("Access-Control-Expose-Headers = %q, want X-Request-ID", got)
				}
				return
			}
			if rec.Body.Len() != 0 {
				t.Errorf("preflight body = %q, want none", rec.Body)
			}
			methods := strings.Split(h.Get("Access-Control-Allow-Methods"), ", ")
			headers := strings.Split(strings.ToLower(h.Get("Access-Control-Allow-Headers")), ", ")
			if !slices.Contains(methods, tt.preflight) || !slices.Contains(headers, "authorization") || !slices.Contains(headers, "content-type") {
				t.Errorf("Allow-Methods %q, Allow-Headers %q; want %s and authorization, content-type", methods, headers, tt.preflight)
			}
			if h.Get("Access-Control-Max-Age") == "" {
				t.Error("no Access-Control-Max-Age")
			}
		})
	}
}

// scrape reads /metrics into a map from series (name{labels}, labels in
// the exposition's order) to value.
func scrape(t testing.TB, srv *Server) map[string]float64 {
	t.Helper()
	rec := do(t, srv, newRequest(http.MethodGet, "/metrics", ""))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /metrics = %d", rec.Code)
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("Content-Type = %q, want text/plain", ct)
	}
	out := map[string]float64{}
	for line := range strings.Lines(rec.Body.String()) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("metrics line %q: %v", line, err)
		}
		out[line[:i]] = v
	}
	return out
}

func TestMetrics(t *testing.T) {
	t.Parallel()
	srv, _ := newTestServer(t, Options{})
	for _, r := range []*http.Request{
		newRequest(http.MethodGet, "/api/search?q=oil", ""),
		newRequest(http.MethodGet, "/api/search?q=loaf", ""),
		newRequest(http.MethodGet, "/api/search?size=500", ""),
		newRequest(http.MethodGet, "/api/articles/nope", ""),
		newRequest(http.MethodGet, "/api/articles/law", ""),
		newRequest(http.MethodGet, "/api/nope", ""),
		newRequest(http.MethodPost, "/api/search", ""),
		authed(newRequest(http.MethodPost, "/api/articles", `{"id":"z1","title":"Zebra"}`)),
	} {
		do(t, srv, r)
	}
	got := scrape(t, srv)
	want := map[string]float64{
		`wensou_http_requests_total{method="GET",route="/api/search",status="200"}`:                 2,
		`wensou_http_requests_total{method="GET",route="/api/search",status="400"}`:                 1,
		`wensou_http_requests_total{method="GET",route="/api/articles/:id",status="404"}`:           1,
		`wensou_http_requests_total{method="GET",route="/api/articles/:id",status="200"}`:           1,
		`wensou_http_requests_total{method="GET",route="unmatched",status="404"}`:                   1,
		`wensou_http_requests_total{method="POST",route="unmatched",status="405"}`:                  1,
		`wensou_http_requests_total{method="POST",route="/api/articles",status="201"}`:              1,
		`wensou_http_request_duration_seconds_count{method="GET",route="/api/search",status="200"}`: 2,
		`wensou_index_documents`: 14, // 13 and the one posted
	}
	for series, v := range want {
		if got[series] != v {
			t.Errorf("%s = %v, want %v", series, got[series], v)
		}
	}
	for series := range got {
		if strings.Contains(series, "/api/articles/nope") || strings.Contains(series, "/api/articles/law") {
			t.Errorf("series %s is by path, not route", series)
		}
	}

	fresh, _ := newTestServer(t, Options{})
	if got := scrape(t, fresh)["wensou_index_documents"]; got != 13 {
		t.Errorf("wensou_index_documents = %v, want 13", got)
	}
	if got := scrape(t, newFakeServer(t, Options{}, nil))["wensou_index_documents"]; got != 0 {
		t.Errorf("wensou_index_documents with no index = %v, want 0", got)
	}
}

func TestNotFoundAndMethodNotAllowed(t *testing.T) {
	t.Parallel()
	srv := newFakeServer(t, Options{}, &fakeBackend{})
	tests := []struct {
		method, target string
		wantStatus     int
		wantAllow      []string
	}{
		{http.MethodGet, "/api/nope", http.StatusNotFound, nil},
		{http.MethodPost, "/api/nope", http.StatusNotFound, nil},
		{http.MethodGet, "/api", http.StatusNotFound, nil},
		{http.MethodGet, "/api/articles/law/extra", http.StatusNotFound, nil},
		{http.MethodPost, "/api/search", http.StatusMethodNotAllowed, []string{"GET"}},
		{http.MethodGet, "/api/articles", http.StatusMethodNotAllowed, []string{"POST"}},
		{http.MethodPatch, "/api/articles/law", http.StatusMethodNotAllowed, []string{"DELETE", "GET", "PUT"}},
		{http.MethodPost, "/api/articles/law", http.StatusMethodNotAllowed, []string{"DELETE", "GET", "PUT"}},
		{http.MethodDelete, "/api/analyze", http.StatusMethodNotAllowed, []string{"GET"}},
		{http.MethodPut, "/api/openapi.json", http.StatusMethodNotAllowed, []string{"GET"}},
		{http.MethodPost, "/healthz", http.StatusMethodNotAllowed, []string{"GET"}},
		{http.MethodPost, "/metrics", http.StatusMethodNotAllowed, []string{"GET"}},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.target, func(t *testing.T) {
			t.Parallel()
			rec := do(t, srv, newRequest(tt.method, tt.target, ""))
			if tt.wantStatus == http.StatusNotFound {
				if got := wantError(t, rec, http.StatusNotFound, "not_found"); got.Message != "no such page or API route" {
					t.Errorf("message = %q", got.Message)
				}
				return
			}
			if got := wantError(t, rec, http.StatusMethodNotAllowed, "method_not_allowed"); got.Message != "method not allowed on this route" {
				t.Errorf("message = %q", got.Message)
			}
			allow := strings.Split(rec.Header().Get("Allow"), ", ")
			slices.Sort(allow)
			if diff := cmp.Diff(tt.wantAllow, allow); diff != "" {
				t.Errorf("Allow (-want +got):\n%s", diff)
			}
		})
	}
}

func TestHealthz(t *testing.T) {
	t.Parallel()
	type health struct {
		Status    string  `json:"status"`
		Documents *uint64 `json:"documents"`
	}
	thirteen := uint64(13)
	broken := &fakeBackend{count: func() (uint64, error) { return 0, index.ErrClosed }}
	tests := []struct {
		name       string
		srv        func(t *testing.T) *Server
		wantStatus int
		want       health
	}{
		{"serving", func(t *testing.T) *Server { srv, _ := newTestServer(t, Options{}); return srv }, http.StatusOK, health{"ok", &thirteen}},
		{"no index", func(t *testing.T) *Server { return newFakeServer(t, Options{}, nil) }, http.StatusServiceUnavailable, health{Status: "starting"}},
		{"index closed", func(t *testing.T) *Server { return newFakeServer(t, Options{}, broken) }, http.StatusServiceUnavailable, health{Status: "starting"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := decodeJSON[health](t, do(t, tt.srv(t), newRequest(http.MethodGet, "/healthz", "")), tt.wantStatus)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("healthz (-want +got):\n%s", diff)
			}
		})
	}
}
