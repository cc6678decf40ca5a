package server

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/wensou/wensou/search"
)

// Tests of GET /api/search: results, parameters, facets, cursors, safe
// highlighting and timeouts.

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
		{"size too big for an int", url.Values{"size": {"99999999999999999999"}}, "bad_request", `size must be a whole number, not "99999999999999999999"`},
		{"page with a space", url.Values{"page": {" 2"}}, "bad_request", `page must be a whole number, not " 2"`},
		{"page and size not numbers", url.Values{"page": {"two"}, "size": {"ten"}}, "bad_request", `page must be a whole number, not "two"`},
		{"after not a cursor", url.Values{"after": {"nope"}}, "bad_request", "after is not a cursor from this API"},
		{"after with page", url.Values{"after": {"nope"}, "page": {"2"}}, "bad_request", "after and page cannot be used together"},
		{"bad query", url.Values{"q": {"a*"}}, "bad_query", "a* needs at least 2 letters or 1 Chinese character before the *"},
		{"query too long", url.Values{"q": {strings.Repeat("字", 1001)}}, "bad_query", "query is 1001 characters long, the limit is 1000"},
		{"typos not a boolean", url.Values{"typos": {"maybe"}}, "bad_request", `typos must be true or false, not "maybe"`},
		{"filter on a field that is not filterable", url.Values{"filter": {"title = x"}}, "bad_request", "filter: attribute `title` is not filterable; the filterable attributes are `author`, `tags`, `date`"},
		{"filter that cannot be read", url.Values{"filter": {"author ="}}, "bad_request", "filter: Was expecting a value but instead got nothing.\n9:9 "},
		{"filter with an operator a field has not", url.Values{"filter": {"author > 李"}}, "bad_request", "filter: `>` cannot be used on `author`: authors are compared with =, !=, IN and NOT IN"},
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

// TestAPI_SearchFilter: a filter expression keeps the articles it holds
// for, with the query, and the facets count them.
func TestAPI_SearchFilter(t *testing.T) {
	t.Parallel()
	srv, _ := newTestServer(t, Options{})
	res := searchOK(t, srv, "q=&size=100&filter="+url.QueryEscape("author = 李明华 AND date >= 2022"))
	if res.Total == 0 || res.Total != uint64(len(res.Hits)) {
		t.Fatalf("%d hits of %d", len(res.Hits), res.Total)
	}
	for _, h := range res.Hits {
		if !slices.Contains(h.Author, "李明华") || h.Date < "2022" {
			t.Errorf("hit %s by %v on %s", h.ID, h.Author, h.Date)
		}
	}
	if len(res.Facets.Author) == 0 || res.Facets.Author[0] != (search.Bucket{Value: "李明华", Count: int(res.Total)}) {
		t.Errorf("author facet %v, want 李明华 first with %d", res.Facets.Author, res.Total)
	}
	all := searchOK(t, srv, "q=&size=100")
	not := searchOK(t, srv, "q=&size=100&filter="+url.QueryEscape("NOT (author = 李明华 AND date >= 2022)"))
	if not.Total+res.Total != all.Total {
		t.Errorf("NOT the filter: %d, the filter %d, all %d", not.Total, res.Total, all.Total)
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

// TestAPI_SearchTypos: a misspelt word is corrected and the answer says
// so; typos=false searches the words as typed.
func TestAPI_SearchTypos(t *testing.T) {
	t.Parallel()
	srv, _ := newTestServer(t, Options{})
	res := decodeJSON[search.Result](t, do(t, srv, newRequest(http.MethodGet, "/api/search?q=bakrey", "")), http.StatusOK)
	if res.Total == 0 || res.Corrected["bakrey"] != "bakery" {
		t.Errorf("search bakrey: total %d, corrected %v; want hits and bakrey corrected to bakery", res.Total, res.Corrected)
	}
	res = decodeJSON[search.Result](t, do(t, srv, newRequest(http.MethodGet, "/api/search?q=bakrey&typos=false", "")), http.StatusOK)
	if res.Total != 0 || res.Corrected != nil {
		t.Errorf("search bakrey with typos=false: total %d, corrected %v; want none", res.Total, res.Corrected)
	}
}
