package server

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/wensou/wensou/index"
	"github.com/wensou/wensou/index/store"
	"github.com/wensou/wensou/search"
)

func init() { gin.SetMode(gin.TestMode) }

// testAdminKey is the admin key of servers made by newTestServer.
const testAdminKey = "test-admin-key"

// newTestServer returns a server over a fresh in-memory index holding
// testdata/articles.jsonl (13 articles, one with <script> in its text).
// opts.AdminKey defaults to testAdminKey; pass opts with AdminKey "-" for
// a server with writes disabled.
func newTestServer(t testing.TB, opts Options) (*Server, *index.Index) {
	t.Helper()
	switch opts.AdminKey {
	case "":
		opts.AdminKey = testAdminKey
	case "-":
		opts.AdminKey = ""
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	ix, err := index.Open(t.Context(), index.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := ix.Close(); err != nil {
			t.Error(err)
		}
	})
	st, err := index.Ingest(t.Context(), ix, []string{filepath.Join("testdata", "articles.jsonl")}, index.IngestOptions{Lanes: 1})
	if err != nil || st.Rejected > 0 {
		t.Fatalf("index test articles: %+v, %v", st, err)
	}
	srv, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	srv.SetBackend(indexBackend{Index: ix, Searcher: search.New(ix, search.Options{})})
	return srv, ix
}

// indexBackend serves one index, as the command serves a store's live
// index: the index reads and writes, the searcher searches.
type indexBackend struct {
	*index.Index
	*search.Searcher
}

var _ Backend = indexBackend{}

// storeBackend serves a store, as the command does.
type storeBackend struct {
	*store.Store
	*search.Searcher
}

var (
	_ Backend   = storeBackend{}
	_ Rebuilder = storeBackend{}
	_ healther  = storeBackend{}
)

func newStoreBackend(st *store.Store) storeBackend {
	return storeBackend{Store: st, Searcher: search.New(st, search.Options{})}
}

// do sends a request through the server's real gin engine.
func do(t testing.TB, srv *Server, req *http.Request) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, req)
	return rec
}
