package server

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wensou/wensou/index/zh"
	"github.com/wensou/wensou/search"
	"github.com/wensou/wensou/search/synonym"
)

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
		Text     string             `json:"text"`
		Mode     string             `json:"mode"`
		Tokens   []token            `json:"tokens"`
		Synonyms []search.Expansion `json:"synonyms"`
	}
	const prc = "中华人民共和国"
	none := []search.Expansion{}
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
			want: analysis{Text: prc, Mode: "index", Tokens: indexTokens, Synonyms: none}},
		{name: "index mode by default", query: url.Values{"text": {prc}},
			want: analysis{Text: prc, Mode: "index", Tokens: indexTokens, Synonyms: none}},
		{name: "query mode", query: url.Values{"text": {prc}, "mode": {"query"}},
			want: analysis{Text: prc, Mode: "query", Tokens: []token{{"中华人民共和国", "中华人民共和国", 0, 21, 1}}, Synonyms: none}},
		{name: "english", query: url.Values{"text": {"Oil Prices"}, "mode": {"query"}},
			want: analysis{Text: "Oil Prices", Mode: "query", Tokens: []token{{"oil", "Oil", 0, 3, 1}, {"price", "Prices", 4, 10, 2}}, Synonyms: none}},
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

// synBackend serves an index with synonyms, and analyses with the
// index's segmenter, as a store does.
type synBackend struct{ indexBackend }

func (b synBackend) Segmenter() (*zh.Segmenter, error) { return b.Index.Segmenter(), nil }

// TestAPI_Synonyms: the analysis shows what synonyms expand, and a search
// finds the synonym's articles after those of the word typed.
func TestAPI_Synonyms(t *testing.T) {
	t.Parallel()
	srv, ix := newTestServer(t, Options{})
	set, err := synonym.Parse("test.syn", strings.NewReader("职教 职业教育\n"))
	if err != nil {
		t.Fatal(err)
	}
	srv.SetBackend(synBackend{indexBackend{Index: ix, Searcher: search.New(ix, search.Options{Synonyms: search.FixedSynonyms{S: set}})}})

	rec := do(t, srv, newRequest(http.MethodGet, "/api/analyze?"+url.Values{"text": {"职教改革"}, "mode": {"query"}}.Encode(), ""))
	got := decodeJSON[struct {
		Text     string             `json:"text"`
		Mode     string             `json:"mode"`
		Tokens   []zh.Token         `json:"tokens"`
		Synonyms []search.Expansion `json:"synonyms"`
	}](t, rec, http.StatusOK)
	want := []search.Expansion{{Text: "职教", Start: 0, End: 6, Synonyms: []string{"职业教育"}}}
	if diff := cmp.Diff(want, got.Synonyms); diff != "" {
		t.Errorf("analyze synonyms (-want +got):\n%s", diff)
	}

	rec = do(t, srv, newRequest(http.MethodGet, "/api/search?q=%E8%81%8C%E6%95%99", ""))
	res := decodeJSON[search.Result](t, rec, http.StatusOK)
	if res.Total == 0 || !strings.Contains(res.Hits[0].Highlight.Title, "<mark>职业教育</mark>") {
		t.Errorf("search 职教 with the synonym 职业教育: %d hits, first %+v; want the synonym's articles, highlighted", res.Total, res.Hits)
	}
}
