package server

import (
	"encoding/json"
	"net/http"
	"testing"
)

// TestMeili_Basics: the routes a Meilisearch client calls first, and
// errors in Meilisearch's shape, through the real engine.
func TestMeili_Basics(t *testing.T) {
	t.Parallel()
	srv, _ := newTestServer(t, Options{MeiliIndex: "news"})
	tests := []struct {
		path     string
		status   int
		want     map[string]any // fields of the answer
		wantCode string         // the error code, for an error
	}{
		{"/meili/health", http.StatusOK, map[string]any{"status": "available"}, ""},
		{"/meili/version", http.StatusOK, map[string]any{"pkgVersion": meiliVersion}, ""},
		{"/meili/indexes", http.StatusOK, map[string]any{"total": 1.0, "offset": 0.0, "limit": 20.0}, ""},
		{"/meili/indexes/news", http.StatusOK, map[string]any{"uid": "news", "primaryKey": "id"}, ""},
		{"/meili/indexes/news/settings", http.StatusOK, map[string]any{"sortableAttributes": []any{"date"}}, ""},
		{"/meili/indexes/other", http.StatusNotFound, map[string]any{"message": "Index `other` not found.", "type": "invalid_request", "link": "https://docs.meilisearch.com/errors#index_not_found"}, "index_not_found"},
		{"/meili/indexes/other/settings", http.StatusNotFound, nil, "index_not_found"},
		{"/meili/nonesuch", http.StatusNotFound, nil, "not_found"},
	}
	for _, tt := range tests {
		rec := do(t, srv, newRequest(http.MethodGet, tt.path, ""))
		var got map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || rec.Code != tt.status {
			t.Errorf("GET %s: %d %s, want %d", tt.path, rec.Code, rec.Body, tt.status)
			continue
		}
		checkJSONType(t, rec)
		for k, v := range tt.want {
			if b, _ := json.Marshal(got[k]); string(b) != mustJSON(t, v) {
				t.Errorf("GET %s: %s = %s, want %s", tt.path, k, b, mustJSON(t, v))
			}
		}
		if tt.wantCode != "" {
			if got["code"] != tt.wantCode || got["message"] == "" || got["type"] == nil || got["link"] == nil {
				t.Errorf("GET %s: %v, want a Meilisearch error %s", tt.path, got, tt.wantCode)
			}
		}
	}
	// The index list names the index.
	rec := do(t, srv, newRequest(http.MethodGet, "/meili/indexes", ""))
	var list struct {
		Results []meiliIndexInfo `json:"results"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &list); err != nil || len(list.Results) != 1 || list.Results[0].UID != "news" || list.Results[0].CreatedAt == "" {
		t.Errorf("GET /meili/indexes: %s", rec.Body)
	}
	// Elsewhere, wensou's own errors stay as they are.
	rec = do(t, srv, newRequest(http.MethodGet, "/api/nonesuch", ""))
	var own apiError
	if err := json.Unmarshal(rec.Body.Bytes(), &own); err != nil || rec.Code != http.StatusNotFound || own.Error.Code != "not_found" {
		t.Errorf("GET /api/nonesuch: %d %s", rec.Code, rec.Body)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
