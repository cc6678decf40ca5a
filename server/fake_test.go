package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/wensou/wensou/index"
	"github.com/wensou/wensou/index/article"
	"github.com/wensou/wensou/index/zh"
	"github.com/wensou/wensou/search"
)

// Test doubles and fixtures shared by the package's tests: a backend
// whose answers a test chooses, a server over it, a log a test can read,
// and the process-wide segmenter.

// fakeBackend is a [Backend] whose methods call its function fields; a
// nil field answers as an empty index would.
type fakeBackend struct {
	search func(ctx context.Context, req search.Request) (*search.Result, error)
	get    func(ctx context.Context, id string) (article.Article, error)
	put    func(ctx context.Context, arts []article.Article) error
	delete func(ctx context.Context, ids ...string) error
	count  func() (uint64, error)
	health func() index.Health
}

var (
	_ Backend  = (*fakeBackend)(nil)
	_ healther = (*fakeBackend)(nil)
)

// Health reports the health function's answer; without one, storage
// that takes writes.
func (f *fakeBackend) Health() index.Health {
	if f.health != nil {
		return f.health()
	}
	return index.Health{FreeBytes: -1}
}

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

// fakeNode is a fake backend that is a node of a cluster: writes are
// pending when pending is set, wait_for tokens are "t<N>", and Cluster
// answers what cluster returns.
type fakeNode struct {
	fakeBackend
	pending    bool
	noQuorum   bool
	catchingUp bool
	cluster    func(context.Context) (any, error)
	// snapshot fails with snapshotErr before it starts, when set; with
	// snapshotHold it waits for it to close after its first bytes.
	snapshotErr  error
	snapshotHold chan struct{}
}

func (f *fakeNode) ClusterStatus() ClusterStatus {
	st := ClusterStatus{Node: "n1", Applied: 7}
	if f.catchingUp {
		st.Lag, st.CatchingUp = 5000, true
	}
	return st
}

var (
	_ Waiter          = (*fakeNode)(nil)
	_ Clusterer       = (*fakeNode)(nil)
	_ ClusterStatuser = (*fakeNode)(nil)
	_ Snapshotter     = (*fakeNode)(nil)
)

// fakeSnapshot is what fakeNode's snapshots hold.
const fakeSnapshot = "a snapshot of n1"

func (f *fakeNode) Snapshot(ctx context.Context, shard int, start func() io.Writer) error {
	if shard != 0 {
		return fmt.Errorf("%w: shard %d", ErrNoShard, shard)
	}
	if f.snapshotErr != nil {
		return f.snapshotErr
	}
	w := start()
	if _, err := io.WriteString(w, fakeSnapshot[:2]); err != nil {
		return err
	}
	if f.snapshotHold != nil {
		<-f.snapshotHold
	}
	_, err := io.WriteString(w, fakeSnapshot[2:])
	return err
}

func (f *fakeNode) Put(ctx context.Context, arts []article.Article) error {
	switch {
	case f.noQuorum:
		return fmt.Errorf("append: %w", ErrNoQuorum)
	case f.pending:
		return &Pending{Token: "t7"}
	}
	return f.fakeBackend.Put(ctx, arts)
}

func (f *fakeNode) Delete(ctx context.Context, ids ...string) error {
	switch {
	case f.noQuorum:
		return fmt.Errorf("append: %w", ErrNoQuorum)
	case f.pending:
		return &Pending{Token: "t8"}
	}
	return f.fakeBackend.Delete(ctx, ids...)
}

func (f *fakeNode) WaitFor(ctx context.Context, token string) error {
	if !strings.HasPrefix(token, "t") {
		return fmt.Errorf("%w: %q", ErrBadToken, token)
	}
	return nil
}

func (f *fakeNode) Cluster(ctx context.Context) (any, error) {
	if f.cluster != nil {
		return f.cluster(ctx)
	}
	return map[string]any{"mode": "cluster", "node": "n1", "applied": 7, "lag": 0}, nil
}
