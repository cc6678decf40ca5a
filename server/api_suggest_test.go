package server

import (
	"context"
	"errors"
	"maps"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wensou/wensou/index"
	"github.com/wensou/wensou/search"
)

// Tests of GET /api/suggest.

// fakeSuggester is a backend whose completions its suggest field gives.
type fakeSuggester struct {
	fakeBackend
	suggest func(ctx context.Context, prefix string, n int) ([]index.Suggestion, error)
}

var _ Suggester = (*fakeSuggester)(nil)

func (f *fakeSuggester) Suggest(ctx context.Context, prefix string, n int) ([]index.Suggestion, error) {
	return f.suggest(ctx, prefix, n)
}

// suggestOK runs GET /api/suggest?query and decodes the result.
func suggestOK(t testing.TB, srv *Server, query string) suggestResult {
	t.Helper()
	return decodeJSON[suggestResult](t, do(t, srv, newRequest(http.MethodGet, "/api/suggest?"+query, "")), http.StatusOK)
}

func TestAPI_Suggest(t *testing.T) {
	t.Parallel()
	srv, _ := newTestServer(t, Options{})
	// 职业教育 is two words for gse: a phrase of the titles, held by 8
	// articles.
	zhiye := []suggestionJSON{
		{Text: "职业教育", Kind: "phrase", Count: 8, Highlight: "<mark>职业</mark>教育"},
		// Titles with as many articles come in byte order.
		{Text: "职业教育助力乡村振兴", Kind: "title", Count: 1, Highlight: "<mark>职业</mark>教育助力乡村振兴", ID: "edu2"},
		{Text: "职业教育国际交流会举行", Kind: "title", Count: 1, Highlight: "<mark>职业</mark>教育国际交流会举行", ID: "edu4"},
	}
	tests := []struct {
		name  string
		query url.Values
		want  []suggestionJSON // the first ones
		size  int              // how many, when want is not all
	}{
		{name: "chinese", query: url.Values{"q": {"职业"}, "size": {"3"}}, want: zhiye},
		{name: "traditional", query: url.Values{"q": {"職業"}, "size": {"3"}}, want: zhiye},
		{name: "default size", query: url.Values{"q": {"职"}}, want: []suggestionJSON{
			{Text: "职业", Kind: "word", Count: 8, Highlight: "<mark>职</mark>业"},
			{Text: "职业教育", Kind: "phrase", Count: 8, Highlight: "<mark>职</mark>业教育"},
		}, size: 7},
		{name: "words typed before the word stay as typed", query: url.Values{"q": {"如何在deb"}}, want: []suggestionJSON{
			{Text: "如何在debian", Kind: "word", Count: 1, Highlight: "<mark>如何在deb</mark>ian"},
			{Text: "如何在Debian中配置LVM", Kind: "title", Count: 1, Highlight: "<mark>如何在Deb</mark>ian中配置LVM", ID: "lvm"},
		}},
		{name: "english", query: url.Values{"q": {"Oil pri"}}, want: []suggestionJSON{
			{Text: "Oil price", Kind: "word", Count: 1, Highlight: "<mark>Oil pri</mark>ce"},
			{Text: "Oil prices climb for a third day", Kind: "title", Count: 1, Highlight: "<mark>Oil pri</mark>ces climb for a third day", ID: "oil"},
		}},
		{name: "escaped", query: url.Values{"q": {"what <scr"}}, want: []suggestionJSON{
			{Text: "what <script", Kind: "word", Count: 1, Highlight: "<mark>what &lt;scr</mark>ipt"},
			{Text: "What <script> tags can do", Kind: "title", Count: 1, Highlight: "<mark>What &lt;scr</mark>ipt&gt; tags can do", ID: "xss"},
		}},
		{name: "nothing", query: url.Values{"q": {"zebra"}}, want: []suggestionJSON{}},
		{name: "empty", query: url.Values{"q": {""}}, want: []suggestionJSON{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := suggestOK(t, srv, tt.query.Encode())
			if res.Query != tt.query.Get("q") {
				t.Errorf("query = %q, want %q", res.Query, tt.query.Get("q"))
			}
			got := res.Suggestions
			if tt.size > 0 {
				if len(got) != tt.size {
					t.Errorf("%d suggestions, want %d: %+v", len(got), tt.size, got)
				}
				got = got[:min(len(got), len(tt.want))]
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("suggest(%s) (-want +got):\n%s", tt.query.Encode(), diff)
			}
		})
	}
}

// TestAPI_Suggest_Writes checks that completions follow writes through
// the API: counts are of live articles.
func TestAPI_Suggest_Writes(t *testing.T) {
	t.Parallel()
	srv, _ := newTestServer(t, Options{})
	count := func(text string) uint64 {
		t.Helper()
		for _, s := range suggestOK(t, srv, "q="+url.QueryEscape("职业")+"&size=20").Suggestions {
			if s.Text == text {
				return s.Count
			}
		}
		return 0
	}
	before := count("职业教育")
	write := func(method, target, body string, status int) {
		t.Helper()
		req := adminReq(method, target, body)
		if rec := do(t, srv, req); rec.Code != status {
			t.Fatalf("%s %s = %d, want %d: %s", method, target, rec.Code, status, rec.Body)
		}
	}
	write(http.MethodPut, "/api/articles/edu1", `{"title":"校园开放日","body":"各院校开放校园。"}`, http.StatusOK)
	if got := count("职业教育"); got != before-1 {
		t.Errorf("after replacing edu1: 职业教育 counted %d, want %d", got, before-1)
	}
	write(http.MethodDelete, "/api/articles/edu2", "", http.StatusNoContent)
	if got := count("职业教育"); got != before-2 {
		t.Errorf("after deleting edu2: 职业教育 counted %d, want %d", got, before-2)
	}
	skills := count("职业技能")
	write(http.MethodPost, "/api/articles", `{"id":"new","title":"职业技能大赛","body":"职业技能大赛开幕。"}`, http.StatusCreated)
	if got := count("职业技能"); got != skills+1 {
		t.Errorf("after adding an article: 职业技能 counted %d, want %d", got, skills+1)
	}
}

// TestAPI_Suggest_Store completes through a store's live index, as the
// command serves it.
func TestAPI_Suggest_Store(t *testing.T) {
	srv, _ := newStoreServer(t, Options{}, 0)
	res := suggestOK(t, srv, "q="+url.QueryEscape("职业"))
	if len(res.Suggestions) == 0 || res.Suggestions[0].Text != "职业教育" {
		t.Errorf("suggestions from a store = %+v, want 职业教育 first", res.Suggestions)
	}
}

func TestAPI_Suggest_Errors(t *testing.T) {
	t.Parallel()
	srv, _ := newTestServer(t, Options{})
	failing := newFakeServer(t, Options{}, &fakeSuggester{suggest: func(context.Context, string, int) ([]index.Suggestion, error) {
		return nil, errors.New("disk on fire")
	}})
	closed := newFakeServer(t, Options{}, &fakeSuggester{suggest: func(context.Context, string, int) ([]index.Suggestion, error) {
		return nil, index.ErrClosed
	}})
	tests := []struct {
		name       string
		srv        *Server
		query      string
		wantStatus int
		wantCode   string
		wantMsg    string
	}{
		{"no q", srv, "size=3", http.StatusBadRequest, "bad_request", "q is required"},
		{"q too long", srv, "q=" + strings.Repeat("字", 1001), http.StatusBadRequest, "bad_request", "q is 1001 characters long, the limit is 1000"},
		{"size 0", srv, "q=x&size=0", http.StatusBadRequest, "bad_request", "size must be between 1 and 20"},
		{"size 21", srv, "q=x&size=21", http.StatusBadRequest, "bad_request", "size must be between 1 and 20"},
		{"size not a number", srv, "q=x&size=two", http.StatusBadRequest, "bad_request", `size must be a whole number, not "two"`},
		{"no index yet", newFakeServer(t, Options{}, nil), "q=x", http.StatusServiceUnavailable, "unavailable", errUnavailable.Error()},
		{"index closed", closed, "q=x", http.StatusServiceUnavailable, "unavailable", errUnavailable.Error()},
		{"internal", failing, "q=x", http.StatusInternalServerError, "internal", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := wantError(t, do(t, tt.srv, newRequest(http.MethodGet, "/api/suggest?"+tt.query, "")), tt.wantStatus, tt.wantCode)
			if tt.wantMsg != "" && got.Message != tt.wantMsg {
				t.Errorf("message = %q, want %q", got.Message, tt.wantMsg)
			}
			if strings.Contains(got.Message, "fire") {
				t.Errorf("message %q shows the internal error", got.Message)
			}
		})
	}
}

// TestAPI_Suggest_NoSuggester: a backend that cannot complete answers no
// suggestions.
func TestAPI_Suggest_NoSuggester(t *testing.T) {
	t.Parallel()
	res := suggestOK(t, newFakeServer(t, Options{}, &fakeBackend{}), "q=x")
	if diff := cmp.Diff(suggestResult{Query: "x", Suggestions: []suggestionJSON{}}, res); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestOpenAPI_Suggest checks the document's suggest operation against the
// code: its limits, and the wire types' fields.
func TestOpenAPI_Suggest(t *testing.T) {
	t.Parallel()
	d := loadOpenAPI(t)
	params := map[string]doc{}
	for _, p := range operations(d)["GET /api/suggest"]["parameters"].([]any) {
		p := deref(t, d, p.(doc))
		params[p["name"].(string)] = p["schema"].(doc)
	}
	for _, l := range []struct {
		name string
		got  any
		want int
	}{
		{"size maximum", params["size"]["maximum"], index.MaxSuggestions},
		{"size default", params["size"]["default"], index.DefaultSuggestions},
		{"q maxLength", params["q"]["maxLength"], search.MaxQueryLength},
		{"suggestions maxItems", schemaOf(t, d, "SuggestResult")["properties"].(doc)["suggestions"].(doc)["maxItems"], index.MaxSuggestions},
	} {
		if l.got != float64(l.want) {
			t.Errorf("%s = %v, want %d", l.name, l.got, l.want)
		}
	}
	kinds := strs(schemaOf(t, d, "Suggestion")["properties"].(doc)["kind"].(doc)["enum"])
	if want := []string{string(index.SuggestWord), string(index.SuggestPhrase), string(index.SuggestTitle)}; !slices.Equal(kinds, want) {
		t.Errorf("kind enum = %v, want %v", kinds, want)
	}
	for _, tt := range []struct {
		schema string
		typ    reflect.Type
	}{
		{"SuggestResult", reflect.TypeFor[suggestResult]()},
		{"Suggestion", reflect.TypeFor[suggestionJSON]()},
	} {
		var fields, required []string
		for i := range tt.typ.NumField() {
			name, opts, _ := strings.Cut(tt.typ.Field(i).Tag.Get("json"), ",")
			fields = append(fields, name)
			if opts != "omitempty" {
				required = append(required, name)
			}
		}
		s := schemaOf(t, d, tt.schema)
		if diff := cmp.Diff(sorted(fields), sorted(slices.Collect(maps.Keys(s["properties"].(doc))))); diff != "" {
			t.Errorf("%s properties (-Go +documented):\n%s", tt.schema, diff)
		}
		if diff := cmp.Diff(sorted(required), sorted(strs(s["required"]))); diff != "" {
			t.Errorf("%s required (-Go +documented):\n%s", tt.schema, diff)
		}
	}
}
