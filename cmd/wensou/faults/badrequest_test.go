package faults

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestAPI_BadRequests sends a running server malformed, hostile and
// mistaken requests and checks the status and error code of each answer:
// never a 500, never a panic.
func TestAPI_BadRequests(t *testing.T) {
	needFaults(t)
	const maxBody = 64 << 10
	srv := startServer(t, t.TempDir()+"/index", "--max-body", fmt.Sprint(maxBody))

	auth := []string{"Authorization", "Bearer " + adminKey}
	jsonAuth := append([]string{"Content-Type", "application/json"}, auth...)
	big, err := json.Marshal(article{ID: "big", Title: "big", Body: strings.Repeat("word ", maxBody/5+100)})
	if err != nil {
		t.Fatal(err)
	}
	nested := func(n int) string { return strings.Repeat("(", n) + "oil" + strings.Repeat(")", n) }
	longID := strings.Repeat("a", 5000)

	tests := []struct {
		name       string
		method     string
		path       string // raw: sent as written
		header     []string
		body       string
		chunked    bool // no Content-Length: the server learns the size by reading
		wantStatus int
		wantCode   string // "" for a success
	}{
		{"malformed JSON", "POST", "/api/articles", jsonAuth, `{"title":`, false, 400, "bad_article"},
		{"invalid UTF-8 in a JSON string", "POST", "/api/articles", jsonAuth, "{\"title\":\"a\xff\xfeb\",\"body\":\"x\"}", false, 400, "bad_article"},
		{"NUL bytes in the body", "POST", "/api/articles", jsonAuth, "{\"title\":\"a\x00b\",\"body\":\"x\x00\"}", false, 400, "bad_article"},
		{"body over --max-body", "POST", "/api/articles", jsonAuth, string(big), false, 413, "too_large"},
		{"body over --max-body, chunked", "POST", "/api/articles", jsonAuth, string(big), true, 413, "too_large"},
		{"PUT body over --max-body", "PUT", "/api/articles/big", jsonAuth, string(big), false, 413, "too_large"},
		{"empty body", "POST", "/api/articles", jsonAuth, "", false, 400, "bad_request"},
		{"empty JSON array", "POST", "/api/articles", jsonAuth, `[]`, false, 400, "bad_request"},
		{"JSON null", "POST", "/api/articles", jsonAuth, `null`, false, 400, "bad_article"},
		{"JSON array of non-objects", "POST", "/api/articles", jsonAuth, `[1,"two",null,[3]]`, false, 400, "bad_article"},
		{"article with no title and no body", "POST", "/api/articles", jsonAuth, `{"id":"empty","author":"Ann"}`, false, 400, "bad_article"},
		{"Content-Type text/xml", "POST", "/api/articles", append([]string{"Content-Type", "text/xml"}, auth...), `<article><title>x</title></article>`, false, 415, "unsupported_media_type"},
		{"no admin key", "POST", "/api/articles", []string{"Content-Type", "application/json"}, `{"title":"x","body":"y"}`, false, 401, "unauthorized"},
		{"Basic instead of Bearer", "POST", "/api/articles", []string{"Content-Type", "application/json", "Authorization", "Basic " + adminKey}, `{"title":"x","body":"y"}`, false, 401, "unauthorized"},
		{"wrong admin key", "POST", "/api/articles", []string{"Content-Type", "application/json", "Authorization", "Bearer not-the-key"}, `{"title":"x","body":"y"}`, false, 403, "forbidden"},
		{"DELETE without the key", "DELETE", "/api/articles/zh-vocational-law", nil, "", false, 401, "unauthorized"},
		{"PUT whose body id differs from the URL", "PUT", "/api/articles/put-a", jsonAuth, `{"id":"put-b","title":"x","body":"y"}`, false, 400, "bad_request"},
		{"PUT of a JSON array", "PUT", "/api/articles/put-a", jsonAuth, `[{"title":"x"}]`, false, 400, "bad_article"},
		{"DELETE of an unknown id", "DELETE", "/api/articles/no-such-article-here", auth, "", false, 404, "not_found"},
		{"GET of an unknown id", "GET", "/api/articles/no-such-article-here", nil, "", false, 404, "not_found"},
		{"id ..%2F..%2Fetc%2Fpasswd", "GET", "/api/articles/..%2F..%2Fetc%2Fpasswd", nil, "", false, 404, "not_found"},
		{"id ../../etc/passwd", "GET", "/api/articles/../../etc/passwd", nil, "", false, 404, "not_found"},
		{"id %00 (a control character)", "GET", "/api/articles/%00", nil, "", false, 400, "bad_request"},
		{"id of 5,000 characters", "GET", "/api/articles/" + longID, nil, "", false, 400, "bad_request"},
		{"PUT with an id of 5,000 characters", "PUT", "/api/articles/" + longID, jsonAuth, `{"title":"x","body":"y"}`, false, 400, "bad_request"},
		{"unknown route", "GET", "/api/nope", nil, "", false, 404, "not_found"},
		{"wrong method PATCH", "PATCH", "/api/search?q=oil", nil, "", false, 405, "method_not_allowed"},
		{"wrong method DELETE on search", "DELETE", "/api/search?q=oil", auth, "", false, 405, "method_not_allowed"},
		{"bad from date", "GET", "/api/search?q=oil&from=notadate", nil, "", false, 400, "bad_request"},
		{"bad to date (30 February)", "GET", "/api/search?q=oil&to=2023-02-30", nil, "", false, 400, "bad_request"},
		{"to before from", "GET", "/api/search?q=oil&from=2024-01-01&to=2023-01-01", nil, "", false, 400, "bad_request"},
		{"unbalanced quote in q", "GET", "/api/search?q=%22oil+price", nil, "", false, 200, ""},
		{"unbalanced parenthesis in q", "GET", "/api/search?q=%28oil+OR+price", nil, "", false, 200, ""},
		// 5,000 levels are 10,003 characters: refused by the query length
		// limit before any parsing.
		{"5,000 nested parentheses in q", "GET", "/api/search?q=" + nested(5000), nil, "", false, 400, "bad_query"},
		// The deepest nesting under the length limit reaches the parser.
		{"498 nested parentheses in q", "GET", "/api/search?q=" + nested(498), nil, "", false, 200, ""},
		{"query over 1,000 characters", "GET", "/api/search?q=" + strings.Repeat("oil+", 300), nil, "", false, 400, "bad_query"},
		{"prefix too short", "GET", "/api/search?q=a*", nil, "", false, 400, "bad_query"},
		{"page past the window", "GET", "/api/search?q=oil&page=101&size=100", nil, "", false, 400, "bad_request"},
		{"garbage after cursor", "GET", "/api/search?q=oil&after=garbage", nil, "", false, 400, "bad_request"},
		{"after with page", "GET", "/api/search?q=oil&after=garbage&page=2", nil, "", false, 400, "bad_request"},
		// size=0 means the default size (10), as an absent size does.
		{"size=0", "GET", "/api/search?q=oil&size=0", nil, "", false, 200, ""},
		{"size=101", "GET", "/api/search?q=oil&size=101", nil, "", false, 400, "bad_request"},
		{"page=-1", "GET", "/api/search?q=oil&page=-1", nil, "", false, 400, "bad_request"},
		{"page=two", "GET", "/api/search?q=oil&page=two", nil, "", false, 400, "bad_request"},
		{"unknown sort", "GET", "/api/search?q=oil&sort=sideways", nil, "", false, 400, "bad_request"},
		{"analyze without text", "GET", "/api/analyze", nil, "", false, 400, "bad_request"},
		{"analyze with an unknown mode", "GET", "/api/analyze?text=oil&mode=fast", nil, "", false, 400, "bad_request"},
		{"reindex from an unknown source", "POST", "/api/admin/reindex", jsonAuth, `{"source":"/etc"}`, false, 400, "bad_request"},
	}
	type miss struct{ name, got, want string }
	var failed []miss
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body io.Reader
			if tt.body != "" {
				body = strings.NewReader(tt.body)
				if tt.chunked {
					body = io.MultiReader(body) // of unknown length: sent chunked
				}
			}
			req, err := http.NewRequest(tt.method, srv.url+tt.path, body)
			if err != nil {
				t.Fatal(err)
			}
			for i := 0; i+1 < len(tt.header); i += 2 {
				req.Header.Set(tt.header[i], tt.header[i+1])
			}
			want := strings.TrimSpace(fmt.Sprintf("%d %s", tt.wantStatus, tt.wantCode))
			r := send(srv.client, req)
			if r.err != nil {
				failed = append(failed, miss{tt.name, r.statusCode(), want})
				t.Fatalf("%s %s: got %v, want %d %s", tt.method, clip(tt.path, 60), r.err, tt.wantStatus, tt.wantCode)
			}
			code, msg := r.errorCode()
			ok := r.status == tt.wantStatus && code == tt.wantCode
			switch {
			case tt.wantCode == "" && !json.Valid(r.body):
				ok = false
				t.Errorf("body is not JSON: %s", clip(string(r.body), 200))
			case tt.wantCode != "" && msg == "":
				ok = false
				t.Errorf("error answer without a message: %s", clip(string(r.body), 200))
			case tt.wantCode != "" && !strings.HasPrefix(r.header.Get("Content-Type"), "application/json"):
				ok = false
				t.Errorf("Content-Type = %q, want application/json", r.header.Get("Content-Type"))
			}
			if !ok {
				failed = append(failed, miss{tt.name, r.statusCode(), want})
				t.Errorf("%s %s: got %d %q (%s), want %d %q", tt.method, clip(tt.path, 60), r.status, code, clip(msg, 120), tt.wantStatus, tt.wantCode)
				return
			}
			t.Logf("%s %s: %d %s %s", tt.method, clip(tt.path, 60), r.status, code, clip(msg, 120))
		})
	}
	check(t, "kinds of bad request answered as expected", fmt.Sprintf("%d of %d", len(tests)-len(failed), len(tests)),
		fmt.Sprintf("%d of %d", len(tests), len(tests)), len(failed) == 0)
	for _, m := range failed {
		results.add(row{test: testName(t), what: "  " + m.name, got: m.got, want: m.want, failed: true})
	}
	checkServer(t, srv)
}

// count500 counts the access-log lines of 500 answers (internal errors;
// 503 and 507 are answers the suite expects).
func count500(log string) int {
	n := 0
	for line := range strings.SplitSeq(log, "\n") {
		if strings.Contains(line, "msg=request ") && strings.Contains(line, " status=500 ") {
			n++
		}
	}
	return n
}
