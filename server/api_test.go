package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/wensou/wensou/index/article"
	"github.com/wensou/wensou/search"
)

// Helpers for requests to the API and its answers, and tests of what
// every route shares.

// newRequest builds a request; an empty body means none.
func newRequest(method, target, body string) *http.Request {
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	return httptest.NewRequest(method, target, r)
}

// withHeader sets a header on r and returns r.
func withHeader(r *http.Request, key, value string) *http.Request {
	r.Header.Set(key, value)
	return r
}

// authed adds the test admin key to r and returns r.
func authed(r *http.Request) *http.Request {
	return withHeader(r, "Authorization", "Bearer "+testAdminKey)
}

// checkJSONType fails unless rec answered application/json.
func checkJSONType(t testing.TB, rec *httptest.ResponseRecorder) {
	t.Helper()
	ct := rec.Header().Get("Content-Type")
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || mt != "application/json" || (params["charset"] != "" && params["charset"] != "utf-8") {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
}

// decodeJSON checks rec's status and content type and decodes its body,
// refusing fields T does not have.
func decodeJSON[T any](t testing.TB, rec *httptest.ResponseRecorder, wantStatus int) T {
	t.Helper()
	var v T
	if rec.Code != wantStatus {
		t.Fatalf("status = %d, want %d; body %s", rec.Code, wantStatus, rec.Body)
	}
	checkJSONType(t, rec)
	dec := json.NewDecoder(bytes.NewReader(rec.Body.Bytes()))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decode %s: %v", rec.Body, err)
	}
	return v
}

// wantError checks that rec is the JSON error with this status and code,
// and returns its body.
func wantError(t testing.TB, rec *httptest.ResponseRecorder, wantStatus int, wantCode string) errorBody {
	t.Helper()
	e := decodeJSON[apiError](t, rec, wantStatus)
	if e.Error.Code != wantCode {
		t.Errorf("error code = %q, want %q (message %q)", e.Error.Code, wantCode, e.Error.Message)
	}
	if e.Error.Message == "" {
		t.Error("error message is empty")
	}
	return e.Error
}

// TestAPI_NoBackend checks the answers of a server with no index yet.
func TestAPI_NoBackend(t *testing.T) {
	t.Parallel()
	srv := newFakeServer(t, Options{}, nil)
	tests := []struct {
		name string
		req  *http.Request
	}{
		{"search", newRequest(http.MethodGet, "/api/search?q=x", "")},
		{"search with bad params", newRequest(http.MethodGet, "/api/search?size=1000", "")},
		{"get", newRequest(http.MethodGet, "/api/articles/law", "")},
		{"post", authed(newRequest(http.MethodPost, "/api/articles", `{"title":"x"}`))},
		{"put", authed(newRequest(http.MethodPut, "/api/articles/x", `{"title":"x"}`))},
		{"delete", authed(newRequest(http.MethodDelete, "/api/articles/law", ""))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := do(t, srv, tt.req)
			got := wantError(t, rec, http.StatusServiceUnavailable, "unavailable")
			if want := "the index is not available yet; try again shortly"; got.Message != want {
				t.Errorf("message = %q, want %q", got.Message, want)
			}
			if ra := rec.Header().Get("Retry-After"); ra != "5" {
				t.Errorf("Retry-After = %q, want 5", ra)
			}
		})
	}

	// What needs no index still works (once the segmenter is loaded).
	loadSegmenter(t)
	for _, target := range []string{"/api/analyze?text=x", "/api/openapi.json"} {
		if rec := do(t, srv, newRequest(http.MethodGet, target, "")); rec.Code != http.StatusOK {
			t.Errorf("GET %s = %d, want 200", target, rec.Code)
		}
	}

	// A backend set later is served, and taken away again.
	srv.SetBackend(&fakeBackend{})
	searchOK(t, srv, "q=x")
	srv.SetBackend(nil)
	wantError(t, do(t, srv, newRequest(http.MethodGet, "/api/search", "")), http.StatusServiceUnavailable, "unavailable")
}

// TestAPI_InternalError checks that a backend's internal error is a 500
// whose details reach the log but not the client.
func TestAPI_InternalError(t *testing.T) {
	t.Parallel()
	secret := errors.New("read /var/lib/wensou/segment-7: input/output error")
	b := &fakeBackend{
		search: func(context.Context, search.Request) (*search.Result, error) { return nil, secret },
		get: func(_ context.Context, id string) (article.Article, error) {
			if id == "exists" {
				return article.Article{ID: id, Title: "x"}, nil
			}
			return article.Article{}, fmt.Errorf("load article %q: %w", id, secret)
		},
		put:    func(context.Context, []article.Article) error { return secret },
		delete: func(context.Context, ...string) error { return secret },
	}
	tests := []struct {
		name string
		req  *http.Request
	}{
		{"search", newRequest(http.MethodGet, "/api/search?q=x", "")},
		{"get", newRequest(http.MethodGet, "/api/articles/broken", "")},
		{"post", authed(newRequest(http.MethodPost, "/api/articles", `{"title":"x"}`))},
		{"put", authed(newRequest(http.MethodPut, "/api/articles/x", `{"title":"x"}`))},
		{"delete", authed(newRequest(http.MethodDelete, "/api/articles/exists", ""))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			log, buf := newLogger()
			srv := newFakeServer(t, Options{Logger: log}, b)
			id := "req-" + strings.ReplaceAll(tt.name, " ", "-")
			rec := do(t, srv, withHeader(tt.req, "X-Request-ID", id))
			got := wantError(t, rec, http.StatusInternalServerError, "internal")
			if want := "internal error; the server log has the details (request id " + id + ")"; got.Message != want {
				t.Errorf("message = %q, want %q", got.Message, want)
			}
			if strings.Contains(rec.Body.String(), "segment-7") {
				t.Errorf("body %s gives the internal error away", rec.Body)
			}
			var logged bool
			for _, r := range buf.records(t) {
				if r["msg"] == "request failed" && r["request_id"] == id && strings.Contains(fmt.Sprint(r["err"]), secret.Error()) {
					logged = true
				}
			}
			if !logged {
				t.Errorf("log has no \"request failed\" record with the error and request id:\n%s", buf)
			}
		})
	}
}
