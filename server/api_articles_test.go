package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wensou/wensou/index/article"
)

// Tests of the article routes: GET, POST, PUT and DELETE /api/articles.

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
		contentType string // "" for none
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
			contentType: "",
			body:        `{"id":"z1","title":"Zebra"}` + "\r\n" + `{"id":"z2","title":"Giraffe"}`,
			wantStatus:  http.StatusCreated,
			want:        writeResult{Indexed: 2, IDs: []string{"z1", "z2"}, Rejected: []rejection{}, Warnings: []string{}},
			wantFound:   map[string]string{"zebra": "z1", "giraffe": "z2"},
		},
		{
			name:        "json lines by another name",
			contentType: "application/jsonl",
			body:        `{"id":"z1","title":"Zebra"}`,
			wantStatus:  http.StatusCreated,
			want:        writeResult{Indexed: 1, IDs: []string{"z1"}, Rejected: []rejection{}, Warnings: []string{}},
			wantFound:   map[string]string{"zebra": "z1"},
		},
		{
			name:        "a +json type",
			contentType: "application/vnd.wensou+json",
			body:        `{"id":"z1","title":"Zebra"}`,
			wantStatus:  http.StatusCreated,
			want:        writeResult{Indexed: 1, IDs: []string{"z1"}, Rejected: []rejection{}, Warnings: []string{}},
			wantFound:   map[string]string{"zebra": "z1"},
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
			if tt.contentType != "" {
				req.Header.Set("Content-Type", tt.contentType)
			}
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

// TestAPI_ArticlesMediaType checks that the write routes refuse a
// Content-Type they do not read, before touching the index.
func TestAPI_ArticlesMediaType(t *testing.T) {
	t.Parallel()
	const (
		postAccepts = ": send JSON as application/json, or JSON Lines as application/x-ndjson, application/ndjson, application/jsonl, application/x-jsonlines or application/jsonlines"
		putAccepts  = ": send JSON as application/json"
		zebra       = `{"id":"z1","title":"Zebra"}`
	)
	tests := []struct {
		name        string
		method      string
		contentType string // "" for none
		body        string
		wantStatus  int
		wantMsg     string // of a 415
	}{
		{"post xml", http.MethodPost, "text/xml", "<article><title>Zebra</title></article>", http.StatusUnsupportedMediaType,
			`unsupported Content-Type "text/xml"` + postAccepts},
		{"post text", http.MethodPost, "text/plain; charset=utf-8", zebra, http.StatusUnsupportedMediaType,
			`unsupported Content-Type "text/plain"` + postAccepts},
		{"post form", http.MethodPost, "application/x-www-form-urlencoded", "title=Zebra", http.StatusUnsupportedMediaType,
			`unsupported Content-Type "application/x-www-form-urlencoded"` + postAccepts},
		{"post multipart", http.MethodPost, "multipart/form-data; boundary=x", "--x\r\n\r\n" + zebra + "\r\n--x--\r\n", http.StatusUnsupportedMediaType,
			`unsupported Content-Type "multipart/form-data"` + postAccepts},
		{"post type in capitals", http.MethodPost, "Text/XML", "<article/>", http.StatusUnsupportedMediaType,
			`unsupported Content-Type "text/xml"` + postAccepts},
		{"post not a media type", http.MethodPost, "zebra crossing", zebra, http.StatusUnsupportedMediaType,
			`unsupported Content-Type "zebra crossing"` + postAccepts},
		{"post json with a charset", http.MethodPost, "application/json; charset=utf-8", zebra, http.StatusCreated, ""},
		{"post json in capitals", http.MethodPost, "Application/JSON", zebra, http.StatusCreated, ""},
		{"post a +json type", http.MethodPost, "application/vnd.wensou+json", zebra, http.StatusCreated, ""},
		{"post json lines", http.MethodPost, "application/x-ndjson", zebra + "\n", http.StatusCreated, ""},
		{"post without a type", http.MethodPost, "", zebra, http.StatusCreated, ""},

		{"put xml", http.MethodPut, "text/xml", "<article><title>Zebra</title></article>", http.StatusUnsupportedMediaType,
			`unsupported Content-Type "text/xml"` + putAccepts},
		{"put json lines", http.MethodPut, "application/x-ndjson", zebra, http.StatusUnsupportedMediaType,
			`unsupported Content-Type "application/x-ndjson"` + putAccepts},
		{"put form", http.MethodPut, "application/x-www-form-urlencoded", "title=Zebra", http.StatusUnsupportedMediaType,
			`unsupported Content-Type "application/x-www-form-urlencoded"` + putAccepts},
		{"put multipart", http.MethodPut, "multipart/form-data; boundary=x", "--x\r\n\r\n" + zebra + "\r\n--x--\r\n", http.StatusUnsupportedMediaType,
			`unsupported Content-Type "multipart/form-data"` + putAccepts},
		{"put json with a charset", http.MethodPut, "application/json; charset=utf-8", zebra, http.StatusCreated, ""},
		{"put a +json type", http.MethodPut, "application/merge-patch+json", zebra, http.StatusCreated, ""},
		{"put without a type", http.MethodPut, "", zebra, http.StatusCreated, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var indexed []string
			srv := newFakeServer(t, Options{}, &fakeBackend{put: func(_ context.Context, arts []article.Article) error {
				for _, a := range arts {
					indexed = append(indexed, a.ID)
				}
				return nil
			}})
			target := "/api/articles"
			if tt.method == http.MethodPut {
				target += "/z1"
			}
			req := authed(newRequest(tt.method, target, tt.body))
			if tt.contentType != "" {
				req.Header.Set("Content-Type", tt.contentType)
			}
			rec := do(t, srv, req)
			if tt.wantStatus != http.StatusUnsupportedMediaType {
				if rec.Code != tt.wantStatus {
					t.Fatalf("%s %s with Content-Type %q = %d, want %d; body %s", tt.method, target, tt.contentType, rec.Code, tt.wantStatus, rec.Body)
				}
				if diff := cmp.Diff([]string{"z1"}, indexed); diff != "" {
					t.Errorf("indexed ids (-want +got):\n%s", diff)
				}
				return
			}
			got := wantError(t, rec, http.StatusUnsupportedMediaType, "unsupported_media_type")
			if got.Message != tt.wantMsg {
				t.Errorf("%s %s with Content-Type %q: message = %q, want %q", tt.method, target, tt.contentType, got.Message, tt.wantMsg)
			}
			if len(indexed) > 0 {
				t.Errorf("indexed %q, want nothing", indexed)
			}
		})
	}
}

func TestBodyFormatOf(t *testing.T) {
	t.Parallel()
	tests := []struct {
		contentType string
		lines       bool // JSON Lines are accepted
		want        bodyFormat
		wantErr     bool // errMediaType
	}{
		{"", true, sniffedBody, false},
		{" ", false, sniffedBody, false},
		{"application/json", false, jsonBody, false},
		{"application/json; charset=utf-8", true, jsonBody, false},
		{"APPLICATION/JSON", true, jsonBody, false},
		{"application/json; charset", false, jsonBody, false}, // a malformed parameter
		{"application/problem+json", false, jsonBody, false},
		{"application/x-ndjson", true, jsonLinesBody, false},
		{"application/x-ndjson; charset=utf-8", true, jsonLinesBody, false},
		{"application/ndjson", true, jsonLinesBody, false},
		{"application/jsonl", true, jsonLinesBody, false},
		{"application/x-jsonlines", true, jsonLinesBody, false},
		{"application/jsonlines", true, jsonLinesBody, false},
		{"application/x-ndjson", false, 0, true},
		{"application/jsonl", false, 0, true},
		{"text/xml", true, 0, true},
		{"text/plain", true, 0, true},
		{"application/x-www-form-urlencoded", true, 0, true},
		{"multipart/form-data; boundary=x", true, 0, true},
		{"text/vnd.x+json", true, 0, true}, // +json, but not application/
		{"image/svg+xml", true, 0, true},
		{"json", true, 0, true},
		{"/json", true, 0, true},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q lines=%v", tt.contentType, tt.lines), func(t *testing.T) {
			t.Parallel()
			got, err := bodyFormatOf(tt.contentType, tt.lines)
			switch {
			case tt.wantErr && !errors.Is(err, errMediaType):
				t.Errorf("bodyFormatOf(%q, %v) = %v, %v, want errMediaType", tt.contentType, tt.lines, got, err)
			case !tt.wantErr && (err != nil || got != tt.want):
				t.Errorf("bodyFormatOf(%q, %v) = %v, %v, want %v", tt.contentType, tt.lines, got, err, tt.want)
			}
		})
	}
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
