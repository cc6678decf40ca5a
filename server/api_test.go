package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/wensou/wensou/index"
	"github.com/wensou/wensou/index/article"
	"github.com/wensou/wensou/index/zh"
	"github.com/wensou/wensou/search"
)

// fakeBackend is a [Backend] whose methods call its function fields; a
// nil field answers as an empty index would.
type fakeBackend struct {
	search func(ctx context.Context, req search.Request) (*search.Result, error)
	get    func(ctx context.Context, id string) (article.Article, error)
	put    func(ctx context.Context, arts []article.Article) error
	delete func(ctx context.Context, ids ...string) error
	count  func() (uint64, error)
}

var _ Backend = (*fakeBackend)(nil)

func (f *fakeBackend) Search(ctx context.Context, req search.Request) (*search.Result, error) {
	if f.search != nil {
		return f.search(ctx, req)
	}
	return &search.Result{Query: req.Query, Page: req.Page, Size: req.Size, Hits: []search.Hit{},
		Facets: search.Facets{Author: []search.Bucket{}, Year: []search.Bucket{}, Month: []search.Bucket{}}}, nil
}

func (f *fakeBackend) Get(ctx context.Context, id string) (article.Article, error) {
	if f.get != nil {
		return f.get(ctx, id)
	}
	return article.Article{}, fmt.Errorf("load article %q: %w", id, index.ErrNotFound)
}

func (f *fakeBackend) Put(ctx context.Context, arts []article.Article) error {
	if f.put != nil {
		return f.put(ctx, arts)
	}
	return nil
}

func (f *fakeBackend) Delete(ctx context.Context, ids ...string) error {
	if f.delete != nil {
		return f.delete(ctx, ids...)
	}
	return nil
}

func (f *fakeBackend) Count() (uint64, error) {
	if f.count != nil {
		return f.count()
	}
	return 0, nil
}

// newFakeServer returns a server over b (none when b is nil). As with
// newTestServer, opts.AdminKey defaults to testAdminKey and "-" disables
// writes.
func newFakeServer(t testing.TB, opts Options, b Backend) *Server {
	t.Helper()
	switch opts.AdminKey {
	case "":
		opts.AdminKey = testAdminKey
	case "-":
		opts.AdminKey = ""
	}
	srv, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	if b != nil {
		srv.SetBackend(b)
	}
	return srv
}

// logBuffer collects a JSON slog handler's output; it is safe for
// concurrent use.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// records decodes the log, one map per line.
func (b *logBuffer) records(t testing.TB) []map[string]any {
	t.Helper()
	var out []map[string]any
	for line := range strings.Lines(b.String()) {
		var r map[string]any
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		out = append(out, r)
	}
	return out
}

// newLogger returns a debug-level JSON logger writing to a buffer.
func newLogger() (*slog.Logger, *logBuffer) {
	buf := &logBuffer{}
	return slog.New(slog.NewJSONHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug})), buf
}

// loadSegmenter loads the process-wide segmenter, as index.Open does.
func loadSegmenter(t testing.TB) {
	t.Helper()
	if _, err := zh.Load(zh.Options{}); err != nil {
		t.Fatal(err)
	}
}

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

// searchOK runs GET /api/search?query and decodes the result.
func searchOK(t testing.TB, srv *Server, query string) search.Result {
	t.Helper()
	return decodeJSON[search.Result](t, do(t, srv, newRequest(http.MethodGet, "/api/search?"+query, "")), http.StatusOK)
}

func hitIDs(res search.Result) []string {
	ids := []string{}
	for _, h := range res.Hits {
		ids = append(ids, h.ID)
	}
	return ids
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

func TestAPI_Search(t *testing.T) {
	t.Parallel()
	srv, _ := newTestServer(t, Options{})
	tests := []struct {
		name      string
		query     url.Values
		wantIDs   []string // in order
		anyOrder  bool     // compare wantIDs as a set
		wantTotal uint64
		wantPage  int
		wantSize  int
		wantNext  bool
	}{
		{
			name:    "everything",
			query:   url.Values{"size": {"100"}},
			wantIDs: []string{"bread", "edu1", "edu2", "edu3", "edu4", "edu5", "expo", "group", "law", "lvm", "oil", "tang", "xss"}, anyOrder: true,
			wantTotal: 13, wantPage: 1, wantSize: 100,
		},
		{
			name:      "default page size",
			query:     url.Values{"sort": {"oldest"}},
			wantIDs:   []string{"edu1", "edu2", "oil", "law", "expo", "lvm", "edu3", "group", "xss", "bread"},
			wantTotal: 13, wantPage: 1, wantSize: 10, wantNext: true,
		},
		{
			name:    "query",
			query:   url.Values{"q": {"职业教育"}, "size": {"100"}},
			wantIDs: []string{"law", "group", "expo", "edu1", "edu2", "edu3", "edu4", "edu5"}, anyOrder: true,
			wantTotal: 8, wantPage: 1, wantSize: 100,
		},
		{
			name:    "english query",
			query:   url.Values{"q": {"oil prices"}},
			wantIDs: []string{"oil"}, wantTotal: 1, wantPage: 1, wantSize: 10,
		},
		{
			name:    "one author",
			query:   url.Values{"author": {"李明华"}},
			wantIDs: []string{"law", "group", "edu4"}, anyOrder: true,
			wantTotal: 3, wantPage: 1, wantSize: 10,
		},
		{
			name:      "repeated author is any of them",
			query:     url.Values{"author": {"赵静", "王雪"}, "sort": {"newest"}},
			wantIDs:   []string{"edu5", "group", "edu3", "expo", "edu2", "edu1"},
			wantTotal: 6, wantPage: 1, wantSize: 10,
		},
		{
			name:    "unknown author",
			query:   url.Values{"author": {"nobody"}},
			wantIDs: []string{}, wantTotal: 0, wantPage: 1, wantSize: 10,
		},
		{
			name:    "from and to are inclusive",
			query:   url.Values{"from": {"2022-05-01"}, "to": {"2022-09-23"}, "sort": {"oldest"}},
			wantIDs: []string{"law", "expo"}, wantTotal: 2, wantPage: 1, wantSize: 10,
		},
		{
			name:    "one day",
			query:   url.Values{"from": {"2024-01-05"}, "to": {"2024-01-05"}},
			wantIDs: []string{"xss"}, wantTotal: 1, wantPage: 1, wantSize: 10,
		},
		{
			name:    "to a month",
			query:   url.Values{"to": {"2021-12"}, "sort": {"oldest"}},
			wantIDs: []string{"edu1", "edu2"}, wantTotal: 2, wantPage: 1, wantSize: 10,
		},
		{
			name:    "from a year",
			query:   url.Values{"from": {"2025"}},
			wantIDs: []string{"edu5"}, wantTotal: 1, wantPage: 1, wantSize: 10,
		},
		{
			name:    "chinese date",
			query:   url.Values{"from": {"2024年10月12日"}, "to": {"2024年10月12日"}},
			wantIDs: []string{"edu4"}, wantTotal: 1, wantPage: 1, wantSize: 10,
		},
		{
			name:    "tag",
			query:   url.Values{"tag": {"economy"}, "sort": {"newest"}},
			wantIDs: []string{"bread", "oil"}, wantTotal: 2, wantPage: 1, wantSize: 10,
		},
		{
			name:    "repeated tag is all of them",
			query:   url.Values{"tag": {"economy", "energy"}},
			wantIDs: []string{"oil"}, wantTotal: 1, wantPage: 1, wantSize: 10,
		},
		{
			name:    "tag ignores case",
			query:   url.Values{"tag": {"linux"}},
			wantIDs: []string{"lvm"}, wantTotal: 1, wantPage: 1, wantSize: 10,
		},
		{
			name:    "query, author and sort",
			query:   url.Values{"q": {"职业教育"}, "author": {"王雪"}, "sort": {"newest"}},
			wantIDs: []string{"edu5", "edu3", "expo"}, wantTotal: 3, wantPage: 1, wantSize: 10,
		},
		{
			name:    "newest",
			query:   url.Values{"sort": {"newest"}, "size": {"3"}},
			wantIDs: []string{"edu5", "edu4", "bread"}, wantTotal: 13, wantPage: 1, wantSize: 3, wantNext: true,
		},
		{
			name:    "oldest",
			query:   url.Values{"sort": {"oldest"}, "size": {"3"}},
			wantIDs: []string{"edu1", "edu2", "oil"}, wantTotal: 13, wantPage: 1, wantSize: 3, wantNext: true,
		},
		{
			name:    "undated last when newest",
			query:   url.Values{"sort": {"newest"}, "size": {"3"}, "page": {"5"}},
			wantIDs: []string{"tang"}, wantTotal: 13, wantPage: 5, wantSize: 3,
		},
		{
			name:    "undated last when oldest",
			query:   url.Values{"sort": {"oldest"}, "size": {"3"}, "page": {"5"}},
			wantIDs: []string{"tang"}, wantTotal: 13, wantPage: 5, wantSize: 3,
		},
		{
			name:    "second page",
			query:   url.Values{"sort": {"oldest"}, "size": {"5"}, "page": {"2"}},
			wantIDs: []string{"lvm", "edu3", "group", "xss", "bread"}, wantTotal: 13, wantPage: 2, wantSize: 5, wantNext: true,
		},
		{
			name:    "page past the end",
			query:   url.Values{"page": {"9"}, "size": {"5"}},
			wantIDs: []string{}, wantTotal: 13, wantPage: 9, wantSize: 5,
		},
		{
			name:    "page 0 and size 0 mean defaults",
			query:   url.Values{"page": {"0"}, "size": {"0"}, "q": {"loaf"}},
			wantIDs: []string{"bread"}, wantTotal: 1, wantPage: 1, wantSize: 10,
		},
		{
			name:    "size 100 is allowed",
			query:   url.Values{"size": {"100"}, "q": {"loaf"}},
			wantIDs: []string{"bread"}, wantTotal: 1, wantPage: 1, wantSize: 100,
		},
		{
			name:    "no match",
			query:   url.Values{"q": {"zebra"}},
			wantIDs: []string{}, wantTotal: 0, wantPage: 1, wantSize: 10,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := searchOK(t, srv, tt.query.Encode())
			got := hitIDs(res)
			want := tt.wantIDs
			if tt.anyOrder {
				got, want = sorted(got), sorted(want)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("search(%s) ids (-want +got):\n%s", tt.query.Encode(), diff)
			}
			if res.Total != tt.wantTotal || res.Page != tt.wantPage || res.Size != tt.wantSize {
				t.Errorf("search(%s) total, page, size = %d, %d, %d, want %d, %d, %d",
					tt.query.Encode(), res.Total, res.Page, res.Size, tt.wantTotal, tt.wantPage, tt.wantSize)
			}
			if (res.Next != "") != tt.wantNext {
				t.Errorf("search(%s) next = %q, want one: %v", tt.query.Encode(), res.Next, tt.wantNext)
			}
			if res.Query != tt.query.Get("q") {
				t.Errorf("search(%s) query = %q, want %q", tt.query.Encode(), res.Query, tt.query.Get("q"))
			}
		})
	}
}

func TestAPI_SearchHit(t *testing.T) {
	t.Parallel()
	srv, _ := newTestServer(t, Options{})
	res := searchOK(t, srv, "q=职业教育法")
	if len(res.Hits) == 0 || res.Hits[0].ID != "law" {
		t.Fatalf("hits = %v, want law first", hitIDs(res))
	}
	h := res.Hits[0]
	if h.Score <= 0 {
		t.Errorf("score = %v, want > 0", h.Score)
	}
	h.Score = 0
	want := search.Hit{
		ID: "law", Title: "新修订的职业教育法施行", Author: []string{"李明华"}, Date: "2022-05-01",
		URL: "https://news.example.com/2022/05/law",
		Highlight: search.Highlight{
			Title: "新修订的<mark>职业教育法</mark>施行",
			// The body is one fragment (it is short); 职业 alone matches too.
			Body: []string{"5月1日，新修订的《中华人民共和国<mark>职业教育法</mark>》正式施行。<mark>职业</mark>教育是与普通教育具有同等重要地位的教育类型。"},
		},
	}
	if diff := cmp.Diff(want, h); diff != "" {
		t.Errorf("hit (-want +got):\n%s", diff)
	}
}

func TestAPI_SearchBadParams(t *testing.T) {
	t.Parallel()
	srv, _ := newTestServer(t, Options{})
	tests := []struct {
		name     string
		query    url.Values
		wantCode string
		wantMsg  string
	}{
		{"page not a number", url.Values{"page": {"two"}}, "bad_request", `page must be a whole number, not "two"`},
		{"size not a number", url.Values{"size": {"ten"}}, "bad_request", `size must be a whole number, not "ten"`},
		{"page negative", url.Values{"page": {"-1"}}, "bad_request", "page must be 1 or more"},
		{"size over 100", url.Values{"size": {"101"}}, "bad_request", "size must be between 1 and 100"},
		{"size negative", url.Values{"size": {"-5"}}, "bad_request", "size must be between 1 and 100"},
		{"sort unknown", url.Values{"sort": {"x"}}, "bad_request", `sort must be relevance, newest or oldest, not "x"`},
		{"from not a date", url.Values{"from": {"notadate"}}, "bad_request", `from: date "notadate": unparseable date "notadate"`},
		{"to not a date", url.Values{"to": {"2023-02-30"}}, "bad_request", `to: date "2023-02-30": unparseable date "2023-02-30": day 30 out of range for February 2023`},
		{"to before from", url.Values{"from": {"2024-01-01"}, "to": {"2023-01-01"}}, "bad_request", "the to date is before the from date"},
		{"past the window", url.Values{"page": {"101"}, "size": {"100"}}, "bad_request",
			"page 101 of size 100 goes past result 10000; narrow the search or page with the after cursor"},
		{"page past the window", url.Values{"page": {"10001"}}, "bad_request",
			"page 10001 goes past result 10000; narrow the search or page with the after cursor"},
		{"page that would overflow", url.Values{"page": {"4611686018427387904"}, "size": {"4"}}, "bad_request",
			"page 4611686018427387904 goes past result 10000; narrow the search or page with the after cursor"},
		{"page too big for an int", url.Values{"page": {"99999999999999999999"}}, "bad_request", `page must be a whole number, not "99999999999999999999"`},
		{"after not a cursor", url.Values{"after": {"nope"}}, "bad_request", "after is not a cursor from this API"},
		{"after with page", url.Values{"after": {"nope"}, "page": {"2"}}, "bad_request", "after and page cannot be used together"},
		{"bad query", url.Values{"q": {"a*"}}, "bad_query", "a* needs at least 2 letters or 1 Chinese character before the *"},
		{"query too long", url.Values{"q": {strings.Repeat("字", 1001)}}, "bad_query", "query is 1001 characters long, the limit is 1000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := do(t, srv, newRequest(http.MethodGet, "/api/search?"+tt.query.Encode(), ""))
			got := wantError(t, rec, http.StatusBadRequest, tt.wantCode)
			if got.Message != tt.wantMsg {
				t.Errorf("search(%s) message = %q, want %q", tt.query.Encode(), got.Message, tt.wantMsg)
			}
		})
	}
}

func TestAPI_SearchFacets(t *testing.T) {
	t.Parallel()
	srv, _ := newTestServer(t, Options{})
	all := searchOK(t, srv, "q=职业教育")
	wantAuthors := []search.Bucket{{Value: "李明华", Count: 3}, {Value: "王雪", Count: 3}, {Value: "赵静", Count: 3}}
	if diff := cmp.Diff(wantAuthors, all.Facets.Author); diff != "" {
		t.Fatalf("author facet without filters (-want +got):\n%s", diff)
	}

	tests := []struct {
		name       string
		query      string
		wantTotal  uint64
		wantFacets search.Facets
	}{
		{
			name:      "author filter keeps the other authors",
			query:     "q=职业教育&author=王雪",
			wantTotal: 3,
			wantFacets: search.Facets{
				Author: wantAuthors, // as if no author were selected
				Year:   []search.Bucket{{Value: "2025", Count: 1}, {Value: "2023", Count: 1}, {Value: "2022", Count: 1}},
				Month:  []search.Bucket{{Value: "2025-06", Count: 1}, {Value: "2023-03", Count: 1}, {Value: "2022-09", Count: 1}},
			},
		},
		{
			name:      "date filter keeps the other years",
			query:     "q=职业教育&from=2023-01-01&to=2023-12-31",
			wantTotal: 2,
			wantFacets: search.Facets{
				Author: []search.Bucket{{Value: "李明华", Count: 1}, {Value: "王雪", Count: 1}, {Value: "赵静", Count: 1}},
				Year:   all.Facets.Year, // as if no dates were selected
				Month:  all.Facets.Month,
			},
		},
		{
			name:      "author and date filters",
			query:     "q=职业教育&author=赵静&from=2021&to=2021",
			wantTotal: 2,
			wantFacets: search.Facets{
				Author: []search.Bucket{{Value: "赵静", Count: 2}},
				Year:   []search.Bucket{{Value: "2023", Count: 1}, {Value: "2021", Count: 2}},
				Month:  []search.Bucket{{Value: "2023-06", Count: 1}, {Value: "2021-11", Count: 1}, {Value: "2021-05", Count: 1}},
			},
		},
		{
			name:      "tag filter applies to every facet",
			query:     "tag=economy",
			wantTotal: 2,
			wantFacets: search.Facets{
				Author: []search.Bucket{{Value: "Michael Brown", Count: 1}, {Value: "Sarah Lin", Count: 1}},
				Year:   []search.Bucket{{Value: "2024", Count: 1}, {Value: "2022", Count: 1}},
				Month:  []search.Bucket{{Value: "2024-08", Count: 1}, {Value: "2022-03", Count: 1}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := searchOK(t, srv, tt.query)
			if res.Total != tt.wantTotal {
				t.Errorf("search(%s) total = %d, want %d", tt.query, res.Total, tt.wantTotal)
			}
			if diff := cmp.Diff(tt.wantFacets, res.Facets); diff != "" {
				t.Errorf("search(%s) facets (-want +got):\n%s", tt.query, diff)
			}
		})
	}

	// The total with an author selected is that author's count in the
	// unfiltered author facet.
	for _, b := range all.Facets.Author {
		res := searchOK(t, srv, url.Values{"q": {"职业教育"}, "author": {b.Value}}.Encode())
		if res.Total != uint64(b.Count) {
			t.Errorf("search(author=%s) total = %d, want the facet's %d", b.Value, res.Total, b.Count)
		}
	}
}

func TestAPI_SearchCursor(t *testing.T) {
	t.Parallel()
	srv, _ := newTestServer(t, Options{})
	for _, base := range []url.Values{
		{"q": {"职业教育"}},
		{"sort": {"newest"}},
		{"sort": {"oldest"}},
		{"sort": {"relevance"}},
		{"q": {"职业教育"}, "author": {"赵静", "王雪"}, "sort": {"oldest"}},
	} {
		t.Run(base.Encode(), func(t *testing.T) {
			t.Parallel()
			q := merge(base, url.Values{"size": {"100"}})
			want := hitIDs(searchOK(t, srv, q.Encode()))

			var got []string
			q = merge(base, url.Values{"size": {"3"}})
			for pages := 0; ; pages++ {
				if pages > len(want) {
					t.Fatalf("the cursor walk does not end: %v", got)
				}
				res := searchOK(t, srv, q.Encode())
				got = append(got, hitIDs(res)...)
				if res.Next == "" {
					break
				}
				if len(res.Hits) != 3 {
					t.Errorf("search(%s) gave %d hits and a next cursor", q.Encode(), len(res.Hits))
				}
				q.Set("after", res.Next)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("ids walking next (-one big page +cursor walk):\n%s", diff)
			}
		})
	}

	t.Run("cursor for another sort", func(t *testing.T) {
		t.Parallel()
		res := searchOK(t, srv, "sort=newest&size=2")
		rec := do(t, srv, newRequest(http.MethodGet, "/api/search?sort=oldest&after="+res.Next, ""))
		if got := wantError(t, rec, http.StatusBadRequest, "bad_request"); got.Message != "after is a cursor for another sort order" {
			t.Errorf("message = %q", got.Message)
		}
	})
}

// merge merges url.Values, later ones winning.
func merge(vs ...url.Values) url.Values {
	out := url.Values{}
	for _, v := range vs {
		for k, s := range v {
			out[k] = slices.Clone(s)
		}
	}
	return out
}

// parseHighlight reads highlight HTML: escaped text with <mark> around
// words as the only markup. It returns the unescaped text and the marked
// words, or an error saying what else it found.
func parseHighlight(s string) (text string, marked []string, err error) {
	var b, m strings.Builder
	in := false
	for i := 0; i < len(s); {
		switch c := s[i]; {
		case strings.HasPrefix(s[i:], "<mark>") && !in:
			in = true
			i += len("<mark>")
		case strings.HasPrefix(s[i:], "</mark>") && in:
			in = false
			marked = append(marked, m.String())
			m.Reset()
			i += len("</mark>")
		case c == '<' || c == '>' || c == '"' || c == '\'':
			return "", nil, fmt.Errorf("raw %q at %d in %q", c, i, s)
		case c == '&':
			end := strings.IndexByte(s[i:], ';')
			if end < 0 {
				return "", nil, fmt.Errorf("raw & at %d in %q", i, s)
			}
			ent := s[i : i+end+1]
			switch ent {
			case "&lt;", "&gt;", "&amp;", "&#39;", "&#34;", "&quot;":
			default:
				return "", nil, fmt.Errorf("entity %q in %q", ent, s)
			}
			b.WriteString(html.UnescapeString(ent))
			if in {
				m.WriteString(html.UnescapeString(ent))
			}
			i += len(ent)
		default:
			b.WriteByte(c)
			if in {
				m.WriteByte(c)
			}
			i++
		}
	}
	if in {
		return "", nil, fmt.Errorf("unclosed <mark> in %q", s)
	}
	return b.String(), marked, nil
}

func TestParseHighlight(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{"<b>x</b>", "<mark>x", "x</mark>", "<mark><mark>x</mark></mark>", "a > b", "&nbsp;", "a & b", `say "hi"`, "<script>"} {
		if _, _, err := parseHighlight(bad); err == nil {
			t.Errorf("parseHighlight(%q) = nil error, want one", bad)
		}
	}
	text, marked, err := parseHighlight("a &lt;<mark>b</mark>&gt; &amp; <mark>c&#39;d</mark>")
	if err != nil || text != "a <b> & c'd" || !slices.Equal(marked, []string{"b", "c'd"}) {
		t.Errorf("parseHighlight = %q, %q, %v", text, marked, err)
	}
}

func TestAPI_SearchHighlightIsSafe(t *testing.T) {
	t.Parallel()
	srv, ix := newTestServer(t, Options{})
	xss, err := ix.Get(t.Context(), "xss")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		query      string
		wantMarked []string // case-insensitively, each marked word is one of these
	}{
		{"script", []string{"script"}},
		{"attacker", []string{"attacker"}},
		{"escaping output", []string{"escaping", "output"}},
		{"alert", []string{"alert"}},
		{"tag:security", nil}, // nothing in the text matches: the start of the body
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			t.Parallel()
			res := searchOK(t, srv, url.Values{"q": {tt.query}}.Encode())
			i := slices.IndexFunc(res.Hits, func(h search.Hit) bool { return h.ID == "xss" })
			if i < 0 {
				t.Fatalf("search(%q) = %v, want xss among them", tt.query, hitIDs(res))
			}
			h := res.Hits[i]
			if h.Title != xss.Title {
				t.Errorf("title = %q, want the stored %q", h.Title, xss.Title)
			}
			if len(h.Highlight.Body) == 0 || len(h.Highlight.Body) > 3 {
				t.Errorf("%d body fragments, want 1 to 3", len(h.Highlight.Body))
			}
			frags := append([]string{h.Highlight.Title}, h.Highlight.Body...)
			var allMarked []string
			for j, f := range frags {
				if strings.Contains(strings.ToLower(f), "<script") {
					t.Errorf("fragment %q holds <script", f)
				}
				text, marked, err := parseHighlight(f)
				if err != nil {
					t.Errorf("fragment %d: %v", j, err)
					continue
				}
				src := xss.Body
				if j == 0 {
					src = xss.Title
					if text != xss.Title {
						t.Errorf("title highlight is %q, want the whole title %q", text, xss.Title)
					}
				}
				if !strings.Contains(src, strings.Trim(text, "…")) {
					t.Errorf("fragment %q is not from the article's text", text)
				}
				if j > 0 && tt.wantMarked != nil && len(marked) == 0 {
					t.Errorf("body fragment %q has no matched word", f)
				}
				allMarked = append(allMarked, marked...)
			}
			for _, m := range allMarked {
				if !slices.Contains(tt.wantMarked, strings.ToLower(m)) {
					t.Errorf("marked %q, want only %q", m, tt.wantMarked)
				}
			}
			if tt.wantMarked == nil {
				if len(allMarked) > 0 {
					t.Errorf("marked %q, want nothing", allMarked)
				}
				if text, _, _ := parseHighlight(h.Highlight.Body[0]); !strings.HasPrefix(xss.Body, strings.TrimRight(text, "…")) {
					t.Errorf("body fragment %q, want the start of the body", text)
				}
			}
		})
	}
}

func TestAPI_GetArticle(t *testing.T) {
	t.Parallel()
	srv, _ := newTestServer(t, Options{})
	tests := []struct {
		id       string
		want     *articleJSON
		wantCode string
		wantMsg  string
	}{
		{id: "law", want: &articleJSON{
			ID: "law", Title: "新修订的职业教育法施行",
			Body:   "5月1日，新修订的《中华人民共和国职业教育法》正式施行。职业教育是与普通教育具有同等重要地位的教育类型。",
			Author: []string{"李明华"}, Date: "2022-05-01T00:00:00+08:00", URL: "https://news.example.com/2022/05/law",
			Tags: []string{"教育", "法律"},
		}},
		{id: "tang", want: &articleJSON{ID: "tang", Title: "靜夜思", Body: "床前明月光，疑是地上霜。舉頭望明月，低頭思故鄉。", Author: []string{"李白"}}},
		{id: "group", want: &articleJSON{
			ID: "group", Title: "许昌职业教育集团成立", Body: "许昌职业教育集团在许昌职业技术学院揭牌成立。三十余所院校与百家企业抱团育人。",
			Author: []string{"赵静", "李明华"}, Date: "2023-06-18T00:00:00+08:00", Tags: []string{"教育"},
		}},
		{id: "nope", wantCode: "not_found", wantMsg: `load article "nope": article not found`},
		{id: "%E4%B8%8D%E5%AD%98%E5%9C%A8", wantCode: "not_found", wantMsg: `load article "不存在": article not found`},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			t.Parallel()
			rec := do(t, srv, newRequest(http.MethodGet, "/api/articles/"+tt.id, ""))
			if tt.want == nil {
				if got := wantError(t, rec, http.StatusNotFound, tt.wantCode); got.Message != tt.wantMsg {
					t.Errorf("message = %q, want %q", got.Message, tt.wantMsg)
				}
				return
			}
			got := decodeJSON[articleJSON](t, rec, http.StatusOK)
			if diff := cmp.Diff(*tt.want, got); diff != "" {
				t.Errorf("GET /api/articles/%s (-want +got):\n%s", tt.id, diff)
			}
		})
	}
}

// searchable checks that a search for query finds id (or, with absent,
// does not).
func searchable(t testing.TB, srv *Server, query, id string, absent bool) {
	t.Helper()
	res := searchOK(t, srv, url.Values{"q": {query}, "size": {"100"}}.Encode())
	if found := slices.Contains(hitIDs(res), id); found == absent {
		t.Errorf("search(%q) = %v; want %s found: %v", query, hitIDs(res), id, !absent)
	}
}

func TestAPI_PostArticles(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		contentType string
		body        string
		wantStatus  int
		want        writeResult
		wantCode    string // for an error
		wantMsg     string
		wantFound   map[string]string // query -> id found right after
	}{
		{
			name:        "one object",
			contentType: "application/json",
			body:        `{"id":"z1","title":"Zebra crossing","body":"A zebra walks across.","author":"Ann Lee","date":"2024-02-03"}`,
			wantStatus:  http.StatusCreated,
			want:        writeResult{Indexed: 1, IDs: []string{"z1"}, Rejected: []rejection{}, Warnings: []string{}},
			wantFound:   map[string]string{"zebra": "z1"},
		},
		{
			name:        "array",
			contentType: "application/json; charset=utf-8",
			body:        `[{"id":"z1","title":"Zebra crossing","body":"A zebra walks."},{"id":"z2","title":"斑马线","body":"斑马过马路。"}]`,
			wantStatus:  http.StatusCreated,
			want:        writeResult{Indexed: 2, IDs: []string{"z1", "z2"}, Rejected: []rejection{}, Warnings: []string{}},
			wantFound:   map[string]string{"zebra": "z1", "斑马": "z2"},
		},
		{
			name:        "array with a bad element",
			contentType: "application/json",
			body:        `[{"id":"z1","title":"Zebra"}, 42, {"id":"z3","title":"Giraffe"}]`,
			wantStatus:  http.StatusOK,
			want: writeResult{Indexed: 2, IDs: []string{"z1", "z3"}, Warnings: []string{}, Errors: true,
				Rejected: []rejection{{Line: 2, Error: "not a JSON object (got number)"}}},
			wantFound: map[string]string{"zebra": "z1", "giraffe": "z3"},
		},
		{
			name:        "json lines with a bad line",
			contentType: "application/x-ndjson",
			body: `{"id":"z1","title":"Zebra crossing"}` + "\n" +
				`{"id":"z2","title":` + "\n" +
				"\n" +
				`{"id":"z4","title":"Giraffe","body":"tall","date":"去年秋天"}` + "\n" +
				`{"id":"z5","title":7}` + "\n",
			wantStatus: http.StatusOK,
			want: writeResult{Indexed: 2, IDs: []string{"z1", "z4"}, Errors: true,
				Rejected: []rejection{
					{Line: 2, Error: "invalid JSON: unexpected end of JSON input"},
					{Line: 5, Error: `field "title": want a string, got number`},
				},
				Warnings: []string{`line 4: unparseable date "去年秋天"`}},
			wantFound: map[string]string{"zebra": "z1", "giraffe": "z4"},
		},
		{
			name:        "json lines detected without the content type",
			contentType: "text/plain",
			body:        `{"id":"z1","title":"Zebra"}` + "\r\n" + `{"id":"z2","title":"Giraffe"}`,
			wantStatus:  http.StatusCreated,
			want:        writeResult{Indexed: 2, IDs: []string{"z1", "z2"}, Rejected: []rejection{}, Warnings: []string{}},
			wantFound:   map[string]string{"zebra": "z1", "giraffe": "z2"},
		},
		{
			name:        "replaces an article",
			contentType: "application/json",
			body:        `{"id":"law","title":"Zebra law","body":"Replaced."}`,
			wantStatus:  http.StatusCreated,
			want:        writeResult{Indexed: 1, IDs: []string{"law"}, Rejected: []rejection{}, Warnings: []string{}},
			wantFound:   map[string]string{"zebra": "law"},
		},
		{name: "empty body", contentType: "application/json", body: "", wantStatus: http.StatusBadRequest,
			wantCode: "bad_request", wantMsg: "the body is empty; send an article as JSON, or JSON Lines"},
		{name: "blank body", contentType: "application/json", body: " \n\t", wantStatus: http.StatusBadRequest,
			wantCode: "bad_request", wantMsg: "the body is empty; send an article as JSON, or JSON Lines"},
		{name: "empty array", contentType: "application/json", body: "[]", wantStatus: http.StatusBadRequest,
			wantCode: "bad_request", wantMsg: "no articles in the body"},
		{name: "invalid JSON", contentType: "application/json", body: `{"title":`, wantStatus: http.StatusBadRequest,
			wantCode: "bad_article", wantMsg: "no article could be read: line 1: invalid JSON: unexpected end of JSON input"},
		{name: "every line bad", contentType: "application/x-ndjson", body: "{\n}x\n", wantStatus: http.StatusBadRequest,
			wantCode: "bad_article", wantMsg: "no article could be read: line 1: invalid JSON: unexpected end of JSON input"},
		{name: "not an object", contentType: "application/json", body: `"zebra"`, wantStatus: http.StatusBadRequest,
			wantCode: "bad_article", wantMsg: "not a JSON object (got string)"},
		{name: "wrong field type", contentType: "application/json", body: `{"title":["a"]}`, wantStatus: http.StatusBadRequest,
			wantCode: "bad_article", wantMsg: `field "title": want a string, got array`},
		{name: "no content", contentType: "application/json", body: `{"id":"z1"}`, wantStatus: http.StatusBadRequest,
			wantCode: "bad_article", wantMsg: "no title and no body"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, _ := newTestServer(t, Options{})
			req := authed(newRequest(http.MethodPost, "/api/articles", tt.body))
			req.Header.Set("Content-Type", tt.contentType)
			rec := do(t, srv, req)
			if tt.wantCode != "" {
				if got := wantError(t, rec, tt.wantStatus, tt.wantCode); got.Message != tt.wantMsg {
					t.Errorf("message = %q, want %q", got.Message, tt.wantMsg)
				}
				return
			}
			got := decodeJSON[writeResult](t, rec, tt.wantStatus)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("POST /api/articles (-want +got):\n%s", diff)
			}
			for q, id := range tt.wantFound {
				searchable(t, srv, q, id, false)
			}
		})
	}
}

func TestAPI_BodyLimit(t *testing.T) {
	t.Parallel()
	const limit = 64
	big := `{"id":"z1","title":"Zebra","body":"` + strings.Repeat("z", 100) + `"}`
	small := `{"id":"z1","title":"Zebra"}`
	tests := []struct {
		name       string
		method     string
		target     string
		body       string
		chunked    bool // no Content-Length: the limit is met while reading
		wantStatus int
	}{
		{"post under the limit", http.MethodPost, "/api/articles", small, false, http.StatusCreated},
		{"post over the limit", http.MethodPost, "/api/articles", big, false, http.StatusRequestEntityTooLarge},
		{"post over the limit, chunked", http.MethodPost, "/api/articles", big, true, http.StatusRequestEntityTooLarge},
		{"put under the limit", http.MethodPut, "/api/articles/z1", small, false, http.StatusCreated},
		{"put over the limit", http.MethodPut, "/api/articles/z1", big, false, http.StatusRequestEntityTooLarge},
		{"put over the limit, chunked", http.MethodPut, "/api/articles/z1", big, true, http.StatusRequestEntityTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, _ := newTestServer(t, Options{MaxBodyBytes: limit})
			req := authed(newRequest(tt.method, tt.target, tt.body))
			req.Header.Set("Content-Type", "application/json")
			if tt.chunked {
				req.ContentLength = -1
			}
			rec := do(t, srv, req)
			if tt.wantStatus != http.StatusRequestEntityTooLarge {
				if rec.Code != tt.wantStatus {
					t.Fatalf("status = %d, want %d; body %s", rec.Code, tt.wantStatus, rec.Body)
				}
				return
			}
			got := wantError(t, rec, http.StatusRequestEntityTooLarge, "too_large")
			if want := "the request body is larger than the limit of 64 bytes"; got.Message != want {
				t.Errorf("message = %q, want %q", got.Message, want)
			}
			searchable(t, srv, "zebra", "z1", true)
		})
	}
}

func TestAPI_PutArticle(t *testing.T) {
	t.Parallel()
	srv, _ := newTestServer(t, Options{})
	put := func(id, body string) *httptest.ResponseRecorder {
		t.Helper()
		req := authed(newRequest(http.MethodPut, "/api/articles/"+id, body))
		req.Header.Set("Content-Type", "application/json")
		return do(t, srv, req)
	}

	// Create, then replace.
	rec := put("z1", `{"title":"Zebra crossing","body":"A zebra walks.","author":"Ann Lee、Bo Chen","date":"2024-02-03","tags":"Animals, 斑马"}`)
	want := articleJSON{ID: "z1", Title: "Zebra crossing", Body: "A zebra walks.", Author: []string{"Ann Lee", "Bo Chen"},
		Date: "2024-02-03T00:00:00+08:00", Tags: []string{"Animals", "斑马"}}
	if diff := cmp.Diff(want, decodeJSON[articleJSON](t, rec, http.StatusCreated)); diff != "" {
		t.Errorf("PUT create (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, decodeJSON[articleJSON](t, do(t, srv, newRequest(http.MethodGet, "/api/articles/z1", "")), http.StatusOK)); diff != "" {
		t.Errorf("GET after PUT (-want +got):\n%s", diff)
	}
	searchable(t, srv, "zebra", "z1", false)

	rec = put("z1", `{"id":"z1","title":"Giraffe crossing","body":"A giraffe walks."}`)
	want = articleJSON{ID: "z1", Title: "Giraffe crossing", Body: "A giraffe walks.", Author: []string{}}
	if diff := cmp.Diff(want, decodeJSON[articleJSON](t, rec, http.StatusOK)); diff != "" {
		t.Errorf("PUT replace (-want +got):\n%s", diff)
	}
	searchable(t, srv, "giraffe", "z1", false)
	searchable(t, srv, "zebra", "z1", true)

	// A numeric id in the body is read as its text.
	rec = put("12345678901", `{"id":12345678901,"title":"Numbered"}`)
	if got := decodeJSON[articleJSON](t, rec, http.StatusCreated); got.ID != "12345678901" {
		t.Errorf("PUT numeric id = %q", got.ID)
	}

	bad := []struct {
		name, id, body string
		wantCode       string
		wantMsg        string
	}{
		{"id mismatch", "z1", `{"id":"other","title":"x"}`, "bad_request",
			`the article's id differs from the id in the URL: "other" in the body, "z1" in the URL`},
		{"numeric id mismatch", "z1", `{"id":7,"title":"x"}`, "bad_request",
			`the article's id differs from the id in the URL: "7" in the body, "z1" in the URL`},
		{"empty body", "z1", "", "bad_article", "invalid JSON: unexpected end of JSON input"},
		{"invalid JSON", "z1", `{"title":"x"`, "bad_article", "invalid JSON: unexpected end of JSON input"},
		{"null", "z1", "null", "bad_article", "not a JSON object (got null)"},
		{"array", "z1", `[{"title":"x"}]`, "bad_article", "not a JSON object (got array)"},
		{"no content", "z1", `{"author":"Ann"}`, "bad_article", "no title and no body"},
		{"wrong field type", "z1", `{"title":"x","date":true}`, "bad_article", ""},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			got := wantError(t, put(tt.id, tt.body), http.StatusBadRequest, tt.wantCode)
			if tt.wantMsg != "" && got.Message != tt.wantMsg {
				t.Errorf("message = %q, want %q", got.Message, tt.wantMsg)
			}
		})
	}
	// None of the bad writes touched the article.
	searchable(t, srv, "giraffe", "z1", false)
}

func TestAPI_DeleteArticle(t *testing.T) {
	t.Parallel()
	srv, _ := newTestServer(t, Options{})
	searchable(t, srv, "职业教育法", "law", false)
	before := searchOK(t, srv, "").Total

	rec := do(t, srv, authed(newRequest(http.MethodDelete, "/api/articles/law", "")))
	if rec.Code != http.StatusNoContent || rec.Body.Len() != 0 {
		t.Fatalf("DELETE = %d %q, want 204 and no body", rec.Code, rec.Body)
	}
	searchable(t, srv, "职业教育法", "law", true)
	if after := searchOK(t, srv, "").Total; after != before-1 {
		t.Errorf("total after delete = %d, want %d", after, before-1)
	}
	wantError(t, do(t, srv, newRequest(http.MethodGet, "/api/articles/law", "")), http.StatusNotFound, "not_found")
	got := wantError(t, do(t, srv, authed(newRequest(http.MethodDelete, "/api/articles/law", ""))), http.StatusNotFound, "not_found")
	if want := `load article "law": article not found`; got.Message != want {
		t.Errorf("second DELETE message = %q, want %q", got.Message, want)
	}
}

func TestAPI_Analyze(t *testing.T) {
	t.Parallel()
	srv := newFakeServer(t, Options{}, nil) // needs no index, only the segmenter
	loadSegmenter(t)
	type token struct {
		Term     string `json:"term"`
		Text     string `json:"text"`
		Start    int    `json:"start"`
		End      int    `json:"end"`
		Position int    `json:"position"`
	}
	type analysis struct {
		Text   string  `json:"text"`
		Mode   string  `json:"mode"`
		Tokens []token `json:"tokens"`
	}
	const prc = "中华人民共和国"
	indexTokens := []token{
		{"中华人民共和国", "中华人民共和国", 0, 21, 1},
		{"中华", "中华", 0, 6, 1},
		{"人民共和国", "人民共和国", 6, 21, 3},
		{"人民", "人民", 6, 12, 3},
		{"共和国", "共和国", 12, 21, 5},
		{"共和", "共和", 12, 18, 5},
	}
	tests := []struct {
		name     string
		query    url.Values
		want     analysis
		wantCode string
		wantMsg  string
	}{
		{name: "index mode", query: url.Values{"text": {prc}, "mode": {"index"}},
			want: analysis{Text: prc, Mode: "index", Tokens: indexTokens}},
		{name: "index mode by default", query: url.Values{"text": {prc}},
			want: analysis{Text: prc, Mode: "index", Tokens: indexTokens}},
		{name: "query mode", query: url.Values{"text": {prc}, "mode": {"query"}},
			want: analysis{Text: prc, Mode: "query", Tokens: []token{{"中华人民共和国", "中华人民共和国", 0, 21, 1}}}},
		{name: "english", query: url.Values{"text": {"Oil Prices"}, "mode": {"query"}},
			want: analysis{Text: "Oil Prices", Mode: "query", Tokens: []token{{"oil", "Oil", 0, 3, 1}, {"price", "Prices", 4, 10, 2}}}},
		{name: "missing text", query: url.Values{"mode": {"index"}}, wantCode: "bad_request", wantMsg: "text is required"},
		{name: "bad mode", query: url.Values{"text": {prc}, "mode": {"fast"}}, wantCode: "bad_request", wantMsg: `mode must be index or query, not "fast"`},
		{name: "text too long", query: url.Values{"text": {strings.Repeat("字", 10001)}}, wantCode: "bad_request",
			wantMsg: "text is 10001 characters long, the limit is 10000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := do(t, srv, newRequest(http.MethodGet, "/api/analyze?"+tt.query.Encode(), ""))
			if tt.wantCode != "" {
				if got := wantError(t, rec, http.StatusBadRequest, tt.wantCode); got.Message != tt.wantMsg {
					t.Errorf("message = %q, want %q", got.Message, tt.wantMsg)
				}
				return
			}
			if diff := cmp.Diff(tt.want, decodeJSON[analysis](t, rec, http.StatusOK)); diff != "" {
				t.Errorf("analyze(%s) (-want +got):\n%s", tt.query.Encode(), diff)
			}
		})
	}
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

func TestAPI_SearchTimeout(t *testing.T) {
	t.Parallel()
	waits := &fakeBackend{search: func(ctx context.Context, _ search.Request) (*search.Result, error) {
		<-ctx.Done()
		return nil, fmt.Errorf("collect: %w", ctx.Err())
	}}
	tests := []struct {
		name string
		srv  func(t *testing.T) *Server
	}{
		{"real index", func(t *testing.T) *Server {
			srv, _ := newTestServer(t, Options{SearchTimeout: time.Nanosecond})
			return srv
		}},
		{"backend that waits for its context", func(t *testing.T) *Server {
			return newFakeServer(t, Options{SearchTimeout: 20 * time.Millisecond}, waits)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := do(t, tt.srv(t), newRequest(http.MethodGet, "/api/search?q=职业教育", ""))
			got := wantError(t, rec, http.StatusServiceUnavailable, "timeout")
			if want := "the search took too long; try a narrower query"; got.Message != want {
				t.Errorf("message = %q, want %q", got.Message, want)
			}
			if ra := rec.Header().Get("Retry-After"); ra == "" {
				t.Error("no Retry-After")
			}
		})
	}
}
