package server

import (
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
)

func TestClusterSnapshot(t *testing.T) {
	hold := make(chan struct{})
	node := &fakeNode{snapshotHold: hold}
	srv := newFakeServer(t, Options{}, node)
	get := func() *http.Request {
		return withHeader(newRequest(http.MethodGet, "/api/cluster/snapshot", ""), "Authorization", "Bearer "+testAdminKey)
	}

	// One at a time: a second request while the first streams is busy.
	first := make(chan *httptest.ResponseRecorder)
	go func() { first <- do(t, srv, get()) }()
	for !srv.snapshotting.Load() {
		// (The first request has not reached the backend yet.)
		runtime.Gosched()
	}
	busy := do(t, srv, get())
	if busy.Code != http.StatusServiceUnavailable || busy.Header().Get("Retry-After") == "" {
		t.Errorf("during a snapshot: %d %q, want 503 with Retry-After", busy.Code, busy.Body)
	}
	close(hold)
	rec := <-first
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/x-tar" || rec.Body.String() != fakeSnapshot {
		t.Errorf("snapshot: %d %q %q", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
	}
	// And another may follow.
	if rec := do(t, srv, get()); rec.Code != http.StatusOK || rec.Body.String() != fakeSnapshot {
		t.Errorf("the next snapshot: %d %q", rec.Code, rec.Body)
	}
}

func TestClusterSnapshot_Shard(t *testing.T) {
	srv := newFakeServer(t, Options{}, &fakeNode{})
	get := func(q string) *httptest.ResponseRecorder {
		return do(t, srv, withHeader(newRequest(http.MethodGet, "/api/cluster/snapshot?shard="+q, ""), "Authorization", "Bearer "+testAdminKey))
	}
	tests := []struct {
		shard string
		code  int
	}{
		{"0", http.StatusOK},
		{"2", http.StatusNotFound},
		{"one", http.StatusBadRequest},
	}
	for _, tt := range tests {
		if rec := get(tt.shard); rec.Code != tt.code {
			t.Errorf("shard=%s: %d %q, want %d", tt.shard, rec.Code, rec.Body, tt.code)
		}
	}
}
