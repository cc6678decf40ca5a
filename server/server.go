package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/wensou/wensou/index"
	"github.com/wensou/wensou/index/article"
	"github.com/wensou/wensou/search"
)

// Backend is what the server serves: searches, and articles to read and
// write. The command wires one from a [store.Store] and a
// [search.Searcher]; a backend that is also a [Rebuilder] can rebuild
// online, one with a Health method reports its storage in /healthz and
// /metrics, and one with a Segmenter method analyses /api/analyze with
// the index's own dictionary.
type Backend interface {
	Search(ctx context.Context, req search.Request) (*search.Result, error)
	// Get returns an article, or an error matching [index.ErrNotFound].
	Get(ctx context.Context, id string) (article.Article, error)
	// Put adds or replaces articles; they are durable and searchable
	// when it returns.
	Put(ctx context.Context, arts []article.Article) error
	// Delete removes articles by id.
	Delete(ctx context.Context, ids ...string) error
	Count() (uint64, error)
}

// healther is a backend that says whether its storage takes writes.
type healther interface {
	Health() index.Health
}

// Options configures a [Server]. The zero value means defaults.
type Options struct {
	// AdminKey is the bearer token that writes need; with none, writes
	// are refused.
	AdminKey string
	// CORSOrigins are the origins allowed to call the API from a browser
	// ("*" for any); none means CORS is off.
	CORSOrigins []string
	// TrustedProxies are the proxies whose X-Forwarded-For is believed;
	// none means the client address is the connection's.
	TrustedProxies []string
	// MaxBodyBytes caps a request body; default 16 MiB.
	MaxBodyBytes int64
	// SearchTimeout caps one search; default 10 s.
	SearchTimeout time.Duration
	// Location is the time zone of dates in requests; default Asia/Shanghai.
	Location *time.Location
	// Logger receives the access log and errors; default slog.Default().
	Logger *slog.Logger
	// Sources are the files and directories POST /api/admin/reindex
	// rebuilds from; none means the articles stored in the index.
	Sources []string
	// Context bounds background work (rebuilds); default Background.
	Context context.Context
	// MeiliIndex is the name of the one index of the Meilisearch-
	// compatible API under /meili; default "articles".
	MeiliIndex string
}

// Server is wensou's HTTP service: the JSON API under /api, the search
// page at /, health and metrics. It is safe for concurrent use.
type Server struct {
	opts    Options
	log     *slog.Logger
	engine  *gin.Engine
	backend atomic.Pointer[Backend]
	metrics *metrics
	web     *web
	// background is the context of rebuilds started by requests.
	background context.Context
	// started is when the server was made: the Meilisearch API's index
	// times.
	started time.Time
	// snapshotting: a cluster snapshot is being given.
	snapshotting atomic.Bool
}

// New builds a server. It answers 503 until [Server.SetBackend] gives it
// something to serve.
func New(opts Options) (*Server, error) {
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = 16 << 20
	}
	if opts.SearchTimeout <= 0 {
		opts.SearchTimeout = 10 * time.Second
	}
	if opts.Location == nil {
		opts.Location = article.DefaultLocation()
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Context == nil {
		opts.Context = context.Background()
	}
	if opts.MeiliIndex == "" {
		opts.MeiliIndex = "articles"
	}
	s := &Server{opts: opts, log: opts.Logger, background: opts.Context, started: time.Now()}
	s.metrics = newMetrics(s.count, s.health, s.clusterStatus)
	w, err := newWeb()
	if err != nil {
		return nil, err
	}
	s.web = w
	e := gin.New()
	if err := e.SetTrustedProxies(opts.TrustedProxies); err != nil {
		return nil, fmt.Errorf("trusted proxies: %w", err)
	}
	e.HandleMethodNotAllowed = true
	s.engine = e
	s.routes()
	return s, nil
}

// SetBackend makes the server serve b (nil: answer 503 again).
func (s *Server) SetBackend(b Backend) {
	if b == nil {
		s.backend.Store(nil)
		return
	}
	s.backend.Store(&b)
}

// errUnavailable means there is no index to serve yet.
var errUnavailable = errors.New("the index is not available yet; try again shortly")

func (s *Server) current() (Backend, error) {
	b := s.backend.Load()
	if b == nil {
		return nil, errUnavailable
	}
	return *b, nil
}

func (s *Server) count() (uint64, bool) {
	b, err := s.current()
	if err != nil {
		return 0, false
	}
	n, err := b.Count()
	return n, err == nil
}

// health returns the backend's storage health, and whether it has one.
func (s *Server) health() (index.Health, bool) {
	none := index.Health{FreeBytes: -1}
	b, err := s.current()
	if err != nil {
		return none, false
	}
	h, ok := b.(healther)
	if !ok {
		return none, false
	}
	return h.Health(), true
}

// clusterStatus is the backend's place in its cluster's log; false for
// a standalone backend.
func (s *Server) clusterStatus() (ClusterStatus, bool) {
	b, err := s.current()
	if err != nil {
		return ClusterStatus{}, false
	}
	cs, ok := b.(ClusterStatuser)
	if !ok {
		return ClusterStatus{}, false
	}
	return cs.ClusterStatus(), true
}

// Handler returns the HTTP handler.
func (s *Server) Handler() http.Handler { return s.engine }
