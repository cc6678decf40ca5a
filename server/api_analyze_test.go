package server

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
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
