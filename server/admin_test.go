package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wensou/wensou/index"
	"github.com/wensou/wensou/index/article"
	"github.com/wensou/wensou/index/store"
	"github.com/wensou/wensou/search"
)

// newStoreServer returns a server over a store in a temporary directory
// holding testdata/articles.jsonl and n generated articles.
func newStoreServer(t *testing.T, opts Options, n int) (*Server, *store.Store) {
	t.Helper()
	if opts.AdminKey == "" {
		opts.AdminKey = testAdminKey
	}
	opts.Logger = slog.New(slog.DiscardHandler)
	st, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "ix"), store.Options{Init: true, Logger: opts.Logger})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := st.Close(); err != nil {
			t.Error(err)
		}
	})
	if _, err := st.Rebuild(t.Context(), []string{filepath.Join("testdata", "articles.jsonl")}, store.RebuildOptions{}); err != nil {
		t.Fatal(err)
	}
	var arts []article.Article
	for i := range n {
		arts = append(arts, article.Article{ID: fmt.Sprintf("gen-%d", i), Title: fmt.Sprintf("第%d期职业教育周报", i),
			Body: "职业教育和产教融合的新进展。Vocational education news.", Authors: []string{fmt.Sprintf("编辑%d", i%5)},
			Date: time.Date(2021+i%3, 3, 1, 0, 0, 0, 0, time.UTC)})
	}
	if len(arts) > 0 {
		if err := st.Put(t.Context(), arts); err != nil {
			t.Fatal(err)
		}
	}
	srv, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	srv.SetBackend(newStoreBackend(st))
	return srv, st
}

func adminReq(method, target, body string) *http.Request {
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+testAdminKey)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	return req
}

func TestAdminReindex_Errors(t *testing.T) {
	srv, _ := newStoreServer(t, Options{}, 0)
	memSrv, _ := newTestServer(t, Options{})
	tests := []struct {
		name   string
		srv    *Server
		req    *http.Request
		status int
		code   string
	}{
		{"no key", srv, httptest.NewRequest("POST", "/api/admin/reindex", nil), 401, "unauthorized"},
		{"wrong key", srv, func() *http.Request {
			r := httptest.NewRequest("GET", "/api/admin/reindex", nil)
			r.Header.Set("Authorization", "Bearer nope")
			return r
		}(), 403, "forbidden"},
		{"bad body", srv, adminReq("POST", "/api/admin/reindex", `{"path":"/etc"}`), 400, "bad_request"},
		{"bad source", srv, adminReq("POST", "/api/admin/reindex", `{"source":"/etc/passwd"}`), 400, "bad_request"},
		{"files without sources", srv, adminReq("POST", "/api/admin/reindex", `{"source":"files"}`), 400, "no_sources"},
		{"in-memory backend", memSrv, adminReq("POST", "/api/admin/reindex", ``), 501, "not_implemented"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := do(t, tt.srv, tt.req)
			var e apiError
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || rec.Code != tt.status || e.Error.Code != tt.code {
				t.Errorf("status %d %s, want %d %s", rec.Code, rec.Body, tt.status, tt.code)
			}
		})
	}
}

func reindexStatusOf(t *testing.T, srv *Server) reindexStatus {
	t.Helper()
	rec := do(t, srv, adminReq("GET", "/api/admin/reindex", ""))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /api/admin/reindex: %d %s", rec.Code, rec.Body)
	}
	var st reindexStatus
	if err := json.Unmarshal(rec.Body.Bytes(), &st); err != nil {
		t.Fatal(err)
	}
	return st
}

func waitRebuilt(t *testing.T, srv *Server) reindexStatus {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		st := reindexStatusOf(t, srv)
		if st.Running == nil && st.Last != nil {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("rebuild not done after 60s: %+v", st)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestAdminReindex_StartStatusConflict(t *testing.T) {
	srv, st := newStoreServer(t, Options{Sources: []string{filepath.Join("testdata", "articles.jsonl")}}, 1500)
	before := st.Generation()
	rec := do(t, srv, adminReq("POST", "/api/admin/reindex", `{"source":"stored"}`))
	if rec.Code != http.StatusAccepted || rec.Header().Get("Location") != "/api/admin/reindex" {
		t.Fatalf("POST: %d %s", rec.Code, rec.Body)
	}
	rec = do(t, srv, adminReq("POST", "/api/admin/reindex", ``))
	if rec.Code != http.StatusConflict {
		// The first may have finished already on a fast machine.
		if s := reindexStatusOf(t, srv); s.Running != nil || s.Last == nil {
			t.Errorf("second POST during a rebuild: %d %s", rec.Code, rec.Body)
		}
	}
	s := waitRebuilt(t, srv)
	if s.Last.Err != "" || s.Last.Source != "stored" || s.Last.Done != 1513 || s.Last.Total != 1513 || s.Last.Generation == before {
		t.Errorf("last rebuild = %+v", s.Last)
	}
	if st.Generation() == before {
		t.Error("the server did not switch generations")
	}
	// From the configured sources: exactly what they hold.
	rec = do(t, srv, adminReq("POST", "/api/admin/reindex", `{"source":"files"}`))
	if rec.Code != http.StatusAccepted {
		t.Fatalf("POST files: %d %s", rec.Code, rec.Body)
	}
	s = waitRebuilt(t, srv)
	if s.Last.Err != "" || s.Last.Source != "files" || s.Last.Done != 13 || len(s.Sources) != 1 {
		t.Errorf("last rebuild = %+v", s)
	}
	if n, _ := st.Count(); n != 13 {
		t.Errorf("count after rebuild from files = %d, want 13", n)
	}
}

// TestAdminReindex_SearchesNeverFail rebuilds twice through the API while
// clients search over HTTP from several goroutines and one writes: no
// search fails or is empty, and every write is in the final index.
func TestAdminReindex_SearchesNeverFail(t *testing.T) {
	srv, st := newStoreServer(t, Options{}, 1500)
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()

	ctx, cancel := context.WithCancel(context.Background())
	var requests, failed, empty atomic.Int64
	var wg sync.WaitGroup
	queries := []string{"职业教育", "vocational", "编辑", "<script>"}
	for c := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ctx.Err() == nil; i++ {
				q := url.Values{"q": {queries[(c+i)%len(queries)]}}
				if i%3 == 0 {
					q.Add("author", "编辑2")
					q.Set("q", "职业教育")
				}
				resp, err := http.Get(ts.URL + "/api/search?" + q.Encode())
				requests.Add(1)
				if err != nil {
					failed.Add(1)
					continue
				}
				var res search.Result
				err = json.NewDecoder(resp.Body).Decode(&res)
				resp.Body.Close()
				switch {
				case err != nil || resp.StatusCode != http.StatusOK:
					failed.Add(1)
					t.Errorf("search %s: %d %v", q.Encode(), resp.StatusCode, err)
				case res.Total == 0:
					empty.Add(1)
					t.Errorf("search %s: empty", q.Encode())
				}
			}
		}()
	}
	var mu sync.Mutex
	var written []string
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ctx.Err() == nil; i++ {
			id := fmt.Sprintf("during-%d", i)
			body := fmt.Sprintf(`{"id":%q,"title":"重建期间写入的第%d篇","body":"职业教育"}`, id, i)
			req, _ := http.NewRequest("POST", ts.URL+"/api/articles", strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+testAdminKey)
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Errorf("write: %v", err)
				return
			}
			resp.Body.Close()
			if resp.StatusCode/100 != 2 {
				t.Errorf("write %s: %d", id, resp.StatusCode)
				return
			}
			mu.Lock()
			written = append(written, id)
			mu.Unlock()
		}
	}()
	gens := map[string]bool{st.Generation(): true}
	for range 2 {
		rec := do(t, srv, adminReq("POST", "/api/admin/reindex", ""))
		if rec.Code != http.StatusAccepted {
			t.Fatalf("POST: %d %s", rec.Code, rec.Body)
		}
		s := waitRebuilt(t, srv)
		if s.Last.Err != "" {
			t.Fatalf("rebuild failed: %s", s.Last.Err)
		}
		gens[st.Generation()] = true
	}
	cancel()
	wg.Wait()
	t.Logf("%d search requests during 2 rebuilds: %d failed, %d empty; %d writes", requests.Load(), failed.Load(), empty.Load(), len(written))
	if requests.Load() == 0 || len(written) == 0 || len(gens) != 3 {
		t.Fatalf("%d requests, %d writes, generations %v", requests.Load(), len(written), gens)
	}
	for _, id := range written {
		if _, err := st.Get(context.Background(), id); err != nil {
			t.Errorf("write %s lost: %v", id, err)
		}
	}
	if _, err := st.Get(context.Background(), "nope"); !errors.Is(err, index.ErrNotFound) {
		t.Errorf("Get(nope) = %v, want index.ErrNotFound", err)
	}
}
