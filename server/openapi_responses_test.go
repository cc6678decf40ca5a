package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wensou/wensou/index"
	"github.com/wensou/wensou/index/article"
	"github.com/wensou/wensou/index/store"
	"github.com/wensou/wensou/search"
)

// storageFault is a backend whose disk refuses writes for the reason
// kind (index.ErrDiskFull, index.ErrReadOnly), as a store's does.
func storageFault(kind error) *fakeBackend {
	fault := &index.StorageError{Path: "data/index.bleve/gen-000001", Kind: kind, Free: 1 << 20, Need: 64 << 10, Reserve: 3 << 19}
	return &fakeBackend{
		get: func(_ context.Context, id string) (article.Article, error) {
			return article.Article{ID: id, Title: "x"}, nil
		},
		put:    func(context.Context, []article.Article) error { return fault },
		delete: func(context.Context, ...string) error { return fault },
		health: func() index.Health { return index.Health{Problem: fault, FreeBytes: fault.Free} },
	}
}

// TestOpenAPI_Responses sends requests through the engine, covering every
// documented status of every operation, and checks each answer against
// the document: its status is documented for the operation, its content
// type and body match the documented ones, and required headers are
// there.
func TestOpenAPI_Responses(t *testing.T) {
	t.Parallel()
	d := loadOpenAPI(t)
	ops := operations(d)

	internal := errors.New("disk on fire")
	realSrv, _ := newTestServer(t, Options{})
	servers := map[string]*Server{
		"real":  realSrv,
		"none":  newFakeServer(t, Options{}, nil),
		"off":   newFakeServer(t, Options{AdminKey: "-"}, &fakeBackend{}),
		"small": newFakeServer(t, Options{MaxBodyBytes: 32}, &fakeBackend{}),
		"slow": newFakeServer(t, Options{SearchTimeout: time.Millisecond}, &fakeBackend{
			search: func(ctx context.Context, _ search.Request) (*search.Result, error) {
				<-ctx.Done()
				return nil, ctx.Err()
			},
		}),
		"broken": newFakeServer(t, Options{}, &fakeBackend{
			search: func(context.Context, search.Request) (*search.Result, error) { return nil, internal },
			get: func(_ context.Context, id string) (article.Article, error) {
				if id == "exists" {
					return article.Article{ID: id, Title: "x"}, nil
				}
				return article.Article{}, internal
			},
			put:    func(context.Context, []article.Article) error { return internal },
			delete: func(context.Context, ...string) error { return internal },
		}),
		"rebuildFails": newFakeServer(t, Options{}, &failingRebuilder{err: internal}),
		// A cluster of several shards, one of which did not answer, and a
		// query no article holds every word of.
		"partial": newFakeServer(t, Options{}, &fakeBackend{
			search: func(context.Context, search.Request) (*search.Result, error) {
				return &search.Result{Query: "q", Page: 1, Size: 10, Hits: []search.Hit{},
					Facets:  search.Facets{Author: []search.Bucket{}, Year: []search.Bucket{}, Month: []search.Bucket{}},
					Partial: true, Incomplete: true, Shards: &search.ShardCount{Total: 3, Failed: 1}}, nil
			},
		}),
		"node": newFakeServer(t, Options{}, &fakeNode{}),
		"pending": newFakeServer(t, Options{}, &fakeNode{pending: true, fakeBackend: fakeBackend{
			get: func(_ context.Context, id string) (article.Article, error) {
				return article.Article{ID: id, Title: "x"}, nil
			},
		}}),
		"noQuorum":   newFakeServer(t, Options{}, &fakeNode{noQuorum: true}),
		"nodeBroken": newFakeServer(t, Options{}, &fakeNode{cluster: func(context.Context) (any, error) { return nil, internal }, snapshotErr: internal}),
		"nodeOpen":   newFakeServer(t, Options{AdminKey: "-"}, &fakeNode{}),
		"nodeBusy":   newFakeServer(t, Options{}, &fakeNode{}),
		"catchingUp": newFakeServer(t, Options{}, &fakeNode{catchingUp: true}),
		"full":       newFakeServer(t, Options{}, storageFault(index.ErrDiskFull)),
		"readOnly":   newFakeServer(t, Options{}, storageFault(index.ErrReadOnly)),
		"gone": newFakeServer(t, Options{}, &fakeBackend{
			count: func() (uint64, error) { return 0, &index.StorageError{Path: "ix", Kind: index.ErrGone} },
			health: func() index.Health {
				return index.Health{Problem: &index.StorageError{Path: "ix", Kind: index.ErrGone}}
			},
		}),
		"suggestFails": newFakeServer(t, Options{}, &fakeSuggester{suggest: func(context.Context, string, int) ([]index.Suggestion, error) {
			return nil, internal
		}}),
		"suggestSlow": newFakeServer(t, Options{SearchTimeout: time.Millisecond}, &fakeSuggester{suggest: func(ctx context.Context, _ string, _ int) ([]index.Suggestion, error) {
			<-ctx.Done()
			return nil, ctx.Err()
		}}),
	}
	// Rebuilds need a persistent store: "store" has no configured
	// sources, "files" has testdata and a file with a rejected record and
	// a warning.
	storeSrv, st := newStoreServer(t, Options{}, 0)
	bad := filepath.Join(t.TempDir(), "bad.jsonl")
	if err := os.WriteFile(bad, []byte("{\"id\":\"b1\",\"title\":\"日期不明\",\"date\":\"去年\"}\n{\"title\":\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	filesSrv, _ := newStoreServer(t, Options{Sources: []string{filepath.Join("testdata", "articles.jsonl"), bad}}, 0)
	servers["store"], servers["files"] = storeSrv, filesSrv
	servers["nodeBusy"].snapshotting.Store(true) // another node is copying
	loadSegmenter(t)

	const (
		jsonType   = "application/json"
		ndjsonType = "application/x-ndjson"
	)
	tests := []struct {
		op          string // "METHOD /path" as documented
		srv         string
		method      string // "" for the op's
		target      string
		contentType string
		body        string
		key         string // Authorization: Bearer key; "" for none
		wantStatus  int
	}{
		{op: "GET /api/search", srv: "real", target: "/api/search?q=职业教育&size=2", wantStatus: 200},
		{op: "GET /api/search", srv: "real", target: "/api/search?author=李明华&author=王雪&tag=教育&from=2020&to=2025-12-31&sort=newest&page=1&size=100", wantStatus: 200},
		{op: "GET /api/search", srv: "real", target: "/api/search?q=script", wantStatus: 200},
		{op: "GET /api/search", srv: "partial", target: "/api/search?q=q&complete=false", wantStatus: 200},
		{op: "GET /api/search", srv: "real", target: "/api/search?q=q&complete=maybe", wantStatus: 400},
		{op: "GET /api/search", srv: "real", target: "/api/search?q=&filter=" + url.QueryEscape("author = 李明华 AND date >= 2022"), wantStatus: 200},
		{op: "GET /api/search", srv: "real", target: "/api/search?q=&filter=" + url.QueryEscape("title = x"), wantStatus: 400},
		{op: "GET /api/search", srv: "real", target: "/api/search?q=bakrey", wantStatus: 200},
		{op: "GET /api/search", srv: "real", target: "/api/search?q=bakrey&typos=false", wantStatus: 200},
		{op: "GET /api/search", srv: "real", target: "/api/search?size=101", wantStatus: 400},
		{op: "GET /api/search", srv: "real", target: "/api/search?q=a*", wantStatus: 400},
		{op: "GET /api/search", srv: "node", target: "/api/search?q=x&wait_for=t7", wantStatus: 200},
		{op: "GET /api/search", srv: "node", target: "/api/search?q=x&wait_for=nonsense", wantStatus: 400},
		{op: "GET /api/search", srv: "real", target: "/api/search?q=x&wait_for=t7", wantStatus: 400},
		{op: "GET /api/search", srv: "broken", target: "/api/search?q=x", wantStatus: 500},
		{op: "GET /api/search", srv: "none", target: "/api/search?q=x", wantStatus: 503},
		{op: "GET /api/search", srv: "slow", target: "/api/search?q=x", wantStatus: 503},

		{op: "GET /api/suggest", srv: "real", target: "/api/suggest?q=职业", wantStatus: 200},
		{op: "GET /api/suggest", srv: "real", target: "/api/suggest?q=Oil%20pri&size=3", wantStatus: 200},
		{op: "GET /api/suggest", srv: "real", target: "/api/suggest?q=", wantStatus: 200},
		{op: "GET /api/suggest", srv: "real", target: "/api/suggest", wantStatus: 400},
		{op: "GET /api/suggest", srv: "real", target: "/api/suggest?q=x&size=21", wantStatus: 400},
		{op: "GET /api/suggest", srv: "suggestFails", target: "/api/suggest?q=x", wantStatus: 500},
		{op: "GET /api/suggest", srv: "none", target: "/api/suggest?q=x", wantStatus: 503},
		{op: "GET /api/suggest", srv: "suggestSlow", target: "/api/suggest?q=x", wantStatus: 503},

		{op: "GET /api/articles/{id}", srv: "real", target: "/api/articles/law", wantStatus: 200},
		{op: "GET /api/articles/{id}", srv: "real", target: "/api/articles/tang", wantStatus: 200},
		{op: "GET /api/articles/{id}", srv: "real", target: "/api/articles/nope", wantStatus: 404},
		{op: "GET /api/articles/{id}", srv: "real", target: "/api/articles/" + strings.Repeat("x", 5000), wantStatus: 400},
		{op: "GET /api/articles/{id}", srv: "broken", target: "/api/articles/x", wantStatus: 500},
		{op: "GET /api/articles/{id}", srv: "none", target: "/api/articles/x", wantStatus: 503},

		{op: "POST /api/articles", srv: "real", target: "/api/articles", contentType: jsonType, key: testAdminKey,
			body: `{"id":"z1","title":"Zebra","author":"Ann","date":"2024-01-02","tags":["a"]}`, wantStatus: 201},
		{op: "POST /api/articles", srv: "real", target: "/api/articles", contentType: jsonType, key: testAdminKey,
			body: `[{"id":"z2","title":"Zebra"},{"id":"z3","body":"Giraffe","authors":["A","B"],"date":1700000000}]`, wantStatus: 201},
		{op: "POST /api/articles", srv: "real", target: "/api/articles", contentType: ndjsonType, key: testAdminKey,
			body: "{\"id\":\"z4\",\"title\":\"Zebra\",\"date\":\"去年\"}\n{\"title\":\n", wantStatus: 200},
		{op: "POST /api/articles", srv: "real", target: "/api/articles", contentType: jsonType, key: testAdminKey, body: "", wantStatus: 400},
		{op: "POST /api/articles", srv: "real", target: "/api/articles", contentType: jsonType, key: testAdminKey, body: `{"title":`, wantStatus: 400},
		{op: "POST /api/articles", srv: "real", target: "/api/articles", contentType: jsonType, body: `{"title":"x"}`, wantStatus: 401},
		{op: "POST /api/articles", srv: "real", target: "/api/articles", contentType: jsonType, key: "wrong", body: `{"title":"x"}`, wantStatus: 403},
		{op: "POST /api/articles", srv: "off", target: "/api/articles", contentType: jsonType, key: testAdminKey, body: `{"title":"x"}`, wantStatus: 403},
		{op: "POST /api/articles", srv: "small", target: "/api/articles", contentType: jsonType, key: testAdminKey,
			body: `{"title":"` + strings.Repeat("x", 64) + `"}`, wantStatus: 413},
		{op: "POST /api/articles", srv: "real", target: "/api/articles", contentType: "text/xml", key: testAdminKey,
			body: `<article><title>Zebra</title></article>`, wantStatus: 415},
		{op: "POST /api/articles", srv: "broken", target: "/api/articles", contentType: jsonType, key: testAdminKey, body: `{"title":"x"}`, wantStatus: 500},
		{op: "POST /api/articles", srv: "none", target: "/api/articles", contentType: jsonType, key: testAdminKey, body: `{"title":"x"}`, wantStatus: 503},
		{op: "POST /api/articles", srv: "full", target: "/api/articles", contentType: jsonType, key: testAdminKey, body: `{"title":"x"}`, wantStatus: 507},
		{op: "POST /api/articles", srv: "readOnly", target: "/api/articles", contentType: jsonType, key: testAdminKey, body: `{"title":"x"}`, wantStatus: 503},
		{op: "POST /api/articles", srv: "pending", target: "/api/articles", contentType: jsonType, key: testAdminKey, body: `{"id":"c1","title":"x"}`, wantStatus: 202},
		{op: "POST /api/articles", srv: "noQuorum", target: "/api/articles", contentType: jsonType, key: testAdminKey, body: `{"id":"c1","title":"x"}`, wantStatus: 503},

		{op: "PUT /api/articles/{id}", srv: "real", target: "/api/articles/p1", contentType: jsonType, key: testAdminKey,
			body: `{"title":"Zebra","body":"b","author":"A、B","url":"https://x.example/1","source":"s","tags":"a, b"}`, wantStatus: 201},
		{op: "PUT /api/articles/{id}", srv: "real", target: "/api/articles/law", contentType: jsonType, key: testAdminKey,
			body: `{"id":"law","title":"Law"}`, wantStatus: 200},
		{op: "PUT /api/articles/{id}", srv: "real", target: "/api/articles/law", contentType: jsonType, key: testAdminKey,
			body: `{"id":"other","title":"Law"}`, wantStatus: 400},
		{op: "PUT /api/articles/{id}", srv: "real", target: "/api/articles/law", contentType: jsonType, key: testAdminKey,
			body: `null`, wantStatus: 400},
		{op: "PUT /api/articles/{id}", srv: "real", target: "/api/articles/law", contentType: jsonType, body: `{"title":"x"}`, wantStatus: 401},
		{op: "PUT /api/articles/{id}", srv: "real", target: "/api/articles/law", contentType: jsonType, key: "wrong", body: `{"title":"x"}`, wantStatus: 403},
		{op: "PUT /api/articles/{id}", srv: "off", target: "/api/articles/law", contentType: jsonType, key: testAdminKey, body: `{"title":"x"}`, wantStatus: 403},
		{op: "PUT /api/articles/{id}", srv: "small", target: "/api/articles/law", contentType: jsonType, key: testAdminKey,
			body: `{"title":"` + strings.Repeat("x", 64) + `"}`, wantStatus: 413},
		{op: "PUT /api/articles/{id}", srv: "real", target: "/api/articles/law", contentType: ndjsonType, key: testAdminKey,
			body: `{"title":"x"}`, wantStatus: 415},
		{op: "PUT /api/articles/{id}", srv: "broken", target: "/api/articles/law", contentType: jsonType, key: testAdminKey, body: `{"title":"x"}`, wantStatus: 500},
		{op: "PUT /api/articles/{id}", srv: "none", target: "/api/articles/law", contentType: jsonType, key: testAdminKey, body: `{"title":"x"}`, wantStatus: 503},
		{op: "PUT /api/articles/{id}", srv: "full", target: "/api/articles/law", contentType: jsonType, key: testAdminKey, body: `{"title":"x"}`, wantStatus: 507},
		{op: "PUT /api/articles/{id}", srv: "pending", target: "/api/articles/c1", contentType: jsonType, key: testAdminKey, body: `{"title":"x"}`, wantStatus: 202},

		{op: "DELETE /api/articles/{id}", srv: "real", target: "/api/articles/edu1", key: testAdminKey, wantStatus: 204},
		{op: "DELETE /api/articles/{id}", srv: "real", target: "/api/articles/edu1", key: testAdminKey, wantStatus: 404},
		{op: "DELETE /api/articles/{id}", srv: "real", target: "/api/articles/a%01b", key: testAdminKey, wantStatus: 400},
		{op: "DELETE /api/articles/{id}", srv: "real", target: "/api/articles/edu2", wantStatus: 401},
		{op: "DELETE /api/articles/{id}", srv: "real", target: "/api/articles/edu2", key: "wrong", wantStatus: 403},
		{op: "DELETE /api/articles/{id}", srv: "off", target: "/api/articles/edu2", key: testAdminKey, wantStatus: 403},
		{op: "DELETE /api/articles/{id}", srv: "broken", target: "/api/articles/exists", key: testAdminKey, wantStatus: 500},
		{op: "DELETE /api/articles/{id}", srv: "none", target: "/api/articles/edu2", key: testAdminKey, wantStatus: 503},
		{op: "DELETE /api/articles/{id}", srv: "full", target: "/api/articles/exists", key: testAdminKey, wantStatus: 507},
		{op: "DELETE /api/articles/{id}", srv: "pending", target: "/api/articles/c1", key: testAdminKey, wantStatus: 202},

		{op: "GET /api/cluster", srv: "real", target: "/api/cluster", wantStatus: 200},
		{op: "GET /api/cluster", srv: "node", target: "/api/cluster", wantStatus: 200},
		{op: "GET /api/cluster", srv: "nodeBroken", target: "/api/cluster", wantStatus: 500},
		{op: "GET /api/cluster", srv: "none", target: "/api/cluster", wantStatus: 503},

		{op: "GET /api/cluster/snapshot", srv: "node", target: "/api/cluster/snapshot", key: testAdminKey, wantStatus: 200},
		{op: "GET /api/cluster/snapshot", srv: "nodeOpen", target: "/api/cluster/snapshot", wantStatus: 200},
		{op: "GET /api/cluster/snapshot", srv: "node", target: "/api/cluster/snapshot", wantStatus: 401},
		{op: "GET /api/cluster/snapshot", srv: "node", target: "/api/cluster/snapshot?shard=one", key: testAdminKey, wantStatus: 400},
		{op: "GET /api/cluster/snapshot", srv: "node", target: "/api/cluster/snapshot?shard=2", key: testAdminKey, wantStatus: 404},
		{op: "GET /api/cluster/snapshot", srv: "node", target: "/api/cluster/snapshot", key: "wrong", wantStatus: 403},
		{op: "GET /api/cluster/snapshot", srv: "nodeBroken", target: "/api/cluster/snapshot", key: testAdminKey, wantStatus: 500},
		{op: "GET /api/cluster/snapshot", srv: "real", target: "/api/cluster/snapshot", key: testAdminKey, wantStatus: 501},
		{op: "GET /api/cluster/snapshot", srv: "nodeBusy", target: "/api/cluster/snapshot", key: testAdminKey, wantStatus: 503},
		{op: "GET /api/cluster/snapshot", srv: "none", target: "/api/cluster/snapshot", key: testAdminKey, wantStatus: 503},

		{op: "GET /api/analyze", srv: "none", target: "/api/analyze?text=中华人民共和国&mode=query", wantStatus: 200},
		{op: "GET /api/analyze", srv: "none", target: "/api/analyze?text=Oil%20prices", wantStatus: 200},
		{op: "GET /api/analyze", srv: "none", target: "/api/analyze", wantStatus: 400},
		{op: "GET /api/analyze", srv: "none", target: "/api/analyze?text=x&mode=fast", wantStatus: 400},

		// 202 and 409 from POST, and 200 from GET, come from the rebuilds below.
		{op: "POST /api/admin/reindex", srv: "store", target: "/api/admin/reindex", contentType: jsonType, key: testAdminKey,
			body: `{"path":"/etc"}`, wantStatus: 400},
		{op: "POST /api/admin/reindex", srv: "store", target: "/api/admin/reindex", contentType: jsonType, key: testAdminKey,
			body: `{"source":"/etc/passwd"}`, wantStatus: 400},
		{op: "POST /api/admin/reindex", srv: "store", target: "/api/admin/reindex", contentType: jsonType, key: testAdminKey,
			body: `{"source":"files"}`, wantStatus: 400},
		{op: "POST /api/admin/reindex", srv: "store", target: "/api/admin/reindex", wantStatus: 401},
		{op: "POST /api/admin/reindex", srv: "store", target: "/api/admin/reindex", key: "wrong", wantStatus: 403},
		{op: "POST /api/admin/reindex", srv: "off", target: "/api/admin/reindex", key: testAdminKey, wantStatus: 403},
		{op: "POST /api/admin/reindex", srv: "small", target: "/api/admin/reindex", contentType: jsonType, key: testAdminKey,
			body: `{"source":"stored"}` + strings.Repeat(" ", 64), wantStatus: 413},
		{op: "POST /api/admin/reindex", srv: "rebuildFails", target: "/api/admin/reindex", key: testAdminKey, wantStatus: 500},
		{op: "POST /api/admin/reindex", srv: "real", target: "/api/admin/reindex", key: testAdminKey, wantStatus: 501},
		{op: "POST /api/admin/reindex", srv: "none", target: "/api/admin/reindex", key: testAdminKey, wantStatus: 503},
		{op: "GET /api/admin/reindex", srv: "store", target: "/api/admin/reindex", wantStatus: 401},
		{op: "GET /api/admin/reindex", srv: "store", target: "/api/admin/reindex", key: "wrong", wantStatus: 403},
		{op: "GET /api/admin/reindex", srv: "off", target: "/api/admin/reindex", key: testAdminKey, wantStatus: 403},
		{op: "GET /api/admin/reindex", srv: "real", target: "/api/admin/reindex", key: testAdminKey, wantStatus: 501},
		{op: "GET /api/admin/reindex", srv: "none", target: "/api/admin/reindex", key: testAdminKey, wantStatus: 503},

		{op: "GET /api/openapi.json", srv: "none", target: "/api/openapi.json", wantStatus: 200},
		{op: "GET /healthz", srv: "real", target: "/healthz", wantStatus: 200},
		{op: "GET /healthz", srv: "none", target: "/healthz", wantStatus: 503},
		{op: "GET /healthz", srv: "full", target: "/healthz", wantStatus: 200},
		{op: "GET /healthz", srv: "gone", target: "/healthz", wantStatus: 503},
		{op: "GET /healthz", srv: "node", target: "/healthz", wantStatus: 200},
		{op: "GET /healthz", srv: "catchingUp", target: "/healthz", wantStatus: 503},
		{op: "GET /metrics", srv: "real", target: "/metrics", wantStatus: 200},
	}
	// Statuses documented but not produced here, and why.
	untested := map[string]string{
		"GET /api/analyze 500":       "the analyzer fails only when it cannot be built",
		"GET /api/analyze 503":       "the segmenter is process-wide, and loaded (TestClassify covers zh.ErrNotLoaded)",
		"GET /api/admin/reindex 500": "the status is read from memory and cannot fail; only a panic (the recovery middleware) answers 500",
	}

	covered := map[string]bool{}
	// check sends req, which carries body as contentType, to srv and
	// checks the answer against the document's operation op.
	check := func(t *testing.T, op string, srv *Server, req *http.Request, contentType, body string, wantStatus int) *httptest.ResponseRecorder {
		t.Helper()
		rec := do(t, srv, req)
		if rec.Code != wantStatus {
			t.Fatalf("status = %d, want %d; body %s", rec.Code, wantStatus, rec.Body)
		}
		o, ok := ops[op]
		if !ok {
			t.Fatalf("%s is not documented", op)
		}
		covered[op+" "+strconv.Itoa(rec.Code)] = true
		r, ok := o["responses"].(doc)[strconv.Itoa(rec.Code)].(doc)
		if !ok {
			t.Fatalf("%s answered %d, which is not documented", op, rec.Code)
		}
		checkResponse(t, d, deref(t, d, r), rec)

		// What a request that worked sent is what the document says to send.
		// (A 200 from POST reports records it rejected.)
		partial := op == "POST /api/articles" && rec.Code == http.StatusOK
		rb, ok := o["requestBody"].(doc)
		switch {
		case !ok || rec.Code >= 300 || partial:
		case body == "":
			if deref(t, d, rb)["required"] == true {
				t.Errorf("the request worked without a body, which the document requires")
			}
		default:
			media, ok := deref(t, d, rb)["content"].(doc)[contentType].(doc)
			if !ok {
				t.Fatalf("request content type %q is not documented", contentType)
			}
			var sent any = body
			if contentType == jsonType {
				sent = decodeAny(t, []byte(body))
			}
			for _, e := range checkMediaValue(t, d, contentType, media["schema"].(doc), sent) {
				t.Errorf("request body: %s", e)
			}
		}
		return rec
	}
	for _, tt := range tests {
		method, _, _ := strings.Cut(tt.op, " ")
		name := fmt.Sprintf("%s %s %d", method, tt.target, tt.wantStatus)
		t.Run(name, func(t *testing.T) {
			req := newRequest(method, tt.target, tt.body)
			if tt.contentType != "" {
				req.Header.Set("Content-Type", tt.contentType)
			}
			if tt.key != "" {
				req.Header.Set("Authorization", "Bearer "+tt.key)
			}
			check(t, tt.op, servers[tt.srv], req, tt.contentType, tt.body, tt.wantStatus)
		})
	}

	// Rebuilds on real stores: one held after its first batch, to see its
	// progress and a conflict; then rebuilds started through the API.
	t.Run("rebuilds", func(t *testing.T) {
		const target = "/api/admin/reindex"
		post := func(t *testing.T, srv *Server, body string, wantStatus int) reindexStatus {
			t.Helper()
			contentType := ""
			if body != "" {
				contentType = jsonType
			}
			rec := check(t, "POST "+target, srv, adminReq(http.MethodPost, target, body), contentType, body, wantStatus)
			var s reindexStatus
			if wantStatus == http.StatusAccepted {
				if err := json.Unmarshal(rec.Body.Bytes(), &s); err != nil {
					t.Fatal(err)
				}
			}
			return s
		}
		status := func(t *testing.T, srv *Server) reindexStatus {
			t.Helper()
			rec := check(t, "GET "+target, srv, adminReq(http.MethodGet, target, ""), "", "", http.StatusOK)
			var s reindexStatus
			if err := json.Unmarshal(rec.Body.Bytes(), &s); err != nil {
				t.Fatal(err)
			}
			return s
		}
		// finished polls the status, checking every answer, until no
		// rebuild runs.
		finished := func(t *testing.T, srv *Server) reindexStatus {
			t.Helper()
			deadline := time.Now().Add(60 * time.Second)
			for {
				s := status(t, srv)
				if s.Running == nil {
					if s.Last == nil || s.Last.Err != "" || s.Last.Running || s.Last.Finished.IsZero() {
						t.Fatalf("no rebuild running, and the last is %+v", s.Last)
					}
					return s
				}
				if time.Now().After(deadline) {
					t.Fatalf("rebuild not done after 60s: %+v", s.Running)
				}
				time.Sleep(20 * time.Millisecond)
			}
		}

		held, release := make(chan struct{}), make(chan struct{})
		var holdOnce, releaseOnce sync.Once
		unblock := func() { releaseOnce.Do(func() { close(release) }) }
		defer unblock()
		done := make(chan error, 1)
		go func() {
			_, err := st.Rebuild(context.Background(), nil, store.RebuildOptions{OnProgress: func(store.Progress) {
				holdOnce.Do(func() {
					close(held)
					<-release
				})
			}})
			done <- err
		}()
		select {
		case <-held:
		case err := <-done:
			t.Fatalf("the rebuild ended before its first progress: %v", err)
		}
		if s := status(t, storeSrv); s.Running == nil || !s.Running.Running || s.Running.Source != "stored" || s.Running.Done == 0 {
			t.Errorf("status during a rebuild: running = %+v", s.Running)
		}
		post(t, storeSrv, "", http.StatusConflict)
		post(t, storeSrv, `{"source":"stored"}`, http.StatusConflict)
		unblock()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		finished(t, storeSrv)

		// Without configured sources, from the stored articles.
		if s := post(t, storeSrv, "", http.StatusAccepted); s.Running == nil || s.Running.Source != "stored" || s.Last != nil || len(s.Sources) != 0 {
			t.Errorf("202 = %+v", s)
		}
		if s := finished(t, storeSrv); s.Last.Source != "stored" || s.Last.Done != 13 {
			t.Errorf("last = %+v", s.Last)
		}
		// With them, from the files by default.
		if s := post(t, filesSrv, "", http.StatusAccepted); s.Running == nil || s.Running.Source != "files" || len(s.Sources) != 2 {
			t.Errorf("202 = %+v", s)
		}
		if s := finished(t, filesSrv); s.Last.Source != "files" || s.Last.Done != 14 || s.Last.Rejected != 1 || len(s.Last.Errors) != 1 ||
			s.Last.Warned != 1 || s.Last.Read == 0 || s.Last.Size == 0 {
			t.Errorf("last = %+v", s.Last)
		}
		post(t, filesSrv, `{"source":"stored"}`, http.StatusAccepted)
		if s := finished(t, filesSrv); s.Last.Source != "stored" || s.Last.Done != 14 {
			t.Errorf("last = %+v", s.Last)
		}
	})

	for _, key := range slices.Sorted(maps.Keys(ops)) {
		for status := range ops[key]["responses"].(doc) {
			k := key + " " + status
			if !covered[k] && untested[k] == "" {
				t.Errorf("%s is documented but no request here produced it", k)
			}
		}
	}

	// Unknown paths and wrong methods answer the shared responses.
	for _, tt := range []struct {
		method, target, response string
		status                   int
	}{
		{http.MethodGet, "/api/nope", "NotFound", http.StatusNotFound},
		{http.MethodPost, "/api/search", "MethodNotAllowed", http.StatusMethodNotAllowed},
		{http.MethodPatch, "/api/articles/law", "MethodNotAllowed", http.StatusMethodNotAllowed},
		{http.MethodDelete, "/healthz", "MethodNotAllowed", http.StatusMethodNotAllowed},
	} {
		t.Run(tt.method+" "+tt.target, func(t *testing.T) {
			rec := do(t, realSrv, newRequest(tt.method, tt.target, ""))
			if rec.Code != tt.status {
				t.Fatalf("status = %d, want %d", rec.Code, tt.status)
			}
			r, err := resolve(d, "#/components/responses/"+tt.response)
			if err != nil {
				t.Fatal(err)
			}
			checkResponse(t, d, r, rec)
		})
	}
}

// failingRebuilder is a backend whose rebuilds fail to start with err.
type failingRebuilder struct {
	fakeBackend
	err error
}

var _ Rebuilder = (*failingRebuilder)(nil)

func (f *failingRebuilder) StartRebuild(context.Context, []string, store.RebuildOptions) (store.Progress, error) {
	return store.Progress{}, f.err
}

func (f *failingRebuilder) Status() (running, last *store.Progress) { return nil, nil }

// checkResponse checks an answer against a documented response: required
// headers, content type, and body.
func checkResponse(t *testing.T, d doc, resp doc, rec *httptest.ResponseRecorder) {
	t.Helper()
	headers, _ := resp["headers"].(doc)
	for name, h := range headers {
		if deref(t, d, h.(doc))["required"] == true && rec.Header().Get(name) == "" {
			t.Errorf("no %s header", name)
		}
	}
	content, _ := resp["content"].(doc)
	if len(content) == 0 {
		if rec.Body.Len() != 0 {
			t.Errorf("body %q where none is documented", rec.Body)
		}
		return
	}
	ct := rec.Header().Get("Content-Type")
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		t.Fatalf("Content-Type %q: %v", ct, err)
	}
	media, ok := content[mt].(doc)
	if !ok {
		t.Fatalf("Content-Type %q is not documented (%v)", ct, slices.Collect(maps.Keys(content)))
	}
	var body any = rec.Body.String()
	if mt == "application/json" {
		body = decodeAny(t, rec.Body.Bytes())
	}
	for _, e := range validate(d, media["schema"].(doc), body, "$") {
		t.Errorf("body: %s", e)
	}
}
