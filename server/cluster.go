package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/gin-gonic/gin"
)

// A backend may be a node of a cluster (wensou serve --cluster): its
// writes go through a replicated log, and it says so with the optional
// interfaces below. A standalone backend has none of them.

// ErrNoQuorum is what a cluster backend's write fails with when its log
// cannot take it: too few of the log's voters are reachable. Answered
// 503; searches go on.
var ErrNoQuorum = errors.New("the cluster cannot take writes now: too few of its log voters are reachable; retry with the same Idempotency-Key, searches go on meanwhile")

// ErrWriteTooLarge is what a cluster backend's write fails with when an
// article is larger than its log's entries hold. Answered 413.
var ErrWriteTooLarge = errors.New("the write is too large for the cluster's log")

// ErrIncomplete is what a search over shards that asked for complete
// results (complete=true) fails with when shards did not answer.
// Answered 503.
var ErrIncomplete = errors.New("the search cannot be complete: shards of the index did not answer; retry, or search without complete=true for the others' results")

// ErrBadToken is what [Waiter.WaitFor] wraps for a wait_for token it
// cannot read.
var ErrBadToken = errors.New("bad wait_for token")

// Pending is what a cluster backend's write returns when the log holds
// it (a quorum acknowledged it) but the node's index had not applied it
// within the node's wait: answered 202 Accepted with Token, which a
// search passes as wait_for to see the write.
type Pending struct {
	Token string
}

func (p *Pending) Error() string {
	return "the write is stored and not yet searchable on this node; search with wait_for=" + p.Token
}

// Waiter is a backend whose writes may be pending: WaitFor returns once
// what token stands for is searchable on this node, or ctx is done. A
// token it cannot read gives an error wrapping [ErrBadToken].
type Waiter interface {
	WaitFor(ctx context.Context, token string) error
}

// Clusterer is a backend that is a node of a cluster: Cluster describes
// the cluster as GET /api/cluster answers it.
type Clusterer interface {
	Cluster(ctx context.Context) (any, error)
}

// ClusterStatuser is a cluster node that says, cheaply and from what it
// holds, how far it has applied the log: for /healthz and /metrics.
type ClusterStatuser interface {
	ClusterStatus() ClusterStatus
}

// Snapshotter is a cluster node that gives a copy of its index to a
// node that joins (GET /api/cluster/snapshot). Snapshot copies the index
// as it stands, with the log sequence it has applied, and writes it to
// the writer start returns; start is called once, when the copy exists,
// so that a failure before it is answered as an error. A failure after
// it leaves the stream without its end, which the reader detects.
type Snapshotter interface {
	// Snapshot copies the index of shard (0 in a cluster of one shard), or
	// fails with an error wrapping [ErrNoShard].
	Snapshot(ctx context.Context, shard int, start func() io.Writer) error
}

// ErrNoShard is what a node fails with when asked for a shard it does
// not hold. Answered 404.
var ErrNoShard = errors.New("this node does not hold the shard")

var (
	errNotCluster   = errors.New("this server is no cluster node")
	errSnapshotBusy = errors.New("this node is giving a snapshot already; retry shortly, or copy from another node")
)

// ClusterStatus is a node's place in its cluster's log.
type ClusterStatus struct {
	Node    string `json:"node"`
	Applied uint64 `json:"applied"`
	// Lag is the entries of the log the node has still to apply.
	Lag uint64 `json:"lag"`
	// CatchingUp: the lag is past the node's threshold; /healthz then
	// answers 503 so that a load balancer sends searches elsewhere.
	CatchingUp bool `json:"catching_up"`
}

// writeIDKey holds a write's message id in its context.
type writeIDKey struct{}

// WriteID returns the id of the write whose request ctx belongs to: the
// client's Idempotency-Key, or else the request's id. A cluster backend
// stores a write once per id, so that a client retrying a write whose
// answer it lost, with the same key, does not store it twice.
func WriteID(ctx context.Context) string {
	id, _ := ctx.Value(writeIDKey{}).(string)
	return id
}

// maxIdempotencyKey bounds the Idempotency-Key header's length.
const maxIdempotencyKey = 200

// withWriteID puts the write's id in the request's context.
func (s *Server) withWriteID(c *gin.Context) {
	id := c.GetHeader("Idempotency-Key")
	if id == "" {
		id = "req-" + requestIDOf(c)
	} else if len(id) > maxIdempotencyKey {
		c.Error(fmt.Errorf("%w: Idempotency-Key is longer than %d bytes", errBadParam, maxIdempotencyKey))
		c.Abort()
		return
	} else {
		id = "key-" + id
	}
	c.Request = c.Request.WithContext(context.WithValue(c.Request.Context(), writeIDKey{}, id))
	c.Next()
}

// asPending returns the pending write err is, or nil.
func asPending(err error) *Pending {
	p, _ := errors.AsType[*Pending](err)
	return p
}

// waitFor makes a search wait, within its timeout, for the write that
// the request's wait_for token stands for.
func (s *Server) waitFor(c *gin.Context, b Backend) error {
	token := c.Query("wait_for")
	if token == "" {
		return nil
	}
	w, ok := b.(Waiter)
	if !ok {
		return fmt.Errorf("%w: wait_for is for the tokens of a cluster's pending writes, and this server is no cluster node", errBadParam)
	}
	if err := w.WaitFor(c.Request.Context(), token); err != nil {
		if errors.Is(err, ErrBadToken) {
			return fmt.Errorf("%w: %w", errBadParam, err)
		}
		return searchError(c, err)
	}
	return nil
}

func (s *Server) apiCluster(c *gin.Context) {
	b, err := s.current()
	if err != nil {
		c.Error(err)
		return
	}
	cl, ok := b.(Clusterer)
	if !ok {
		c.PureJSON(http.StatusOK, gin.H{"mode": "standalone"})
		return
	}
	info, err := cl.Cluster(c.Request.Context())
	if err != nil {
		c.Error(err)
		return
	}
	c.PureJSON(http.StatusOK, info)
}

// peer guards the routes that other nodes call: with an admin key they
// need it; without one they are open, as searches are (a snapshot holds
// what searches show).
func (s *Server) peer(c *gin.Context) {
	if s.opts.AdminKey == "" {
		c.Next()
		return
	}
	s.admin(c)
}

// apiClusterSnapshot streams a copy of this node's index, one at a time.
func (s *Server) apiClusterSnapshot(c *gin.Context) {
	b, err := s.current()
	if err != nil {
		c.Error(err)
		return
	}
	sn, ok := b.(Snapshotter)
	if !ok {
		c.Error(fmt.Errorf("%w: only cluster nodes give snapshots", errNotCluster))
		return
	}
	shard, err := wholeNumber(c, "shard")
	if err != nil {
		c.Error(err)
		return
	}
	if !s.snapshotting.CompareAndSwap(false, true) {
		c.Error(errSnapshotBusy)
		return
	}
	defer s.snapshotting.Store(false)
	err = sn.Snapshot(c.Request.Context(), shard, func() io.Writer {
		c.Header("Content-Type", "application/x-tar")
		c.Header("Cache-Control", "no-store")
		c.Status(http.StatusOK)
		c.Writer.WriteHeaderNow()
		return c.Writer
	})
	if err != nil {
		c.Error(fmt.Errorf("snapshot: %w", err))
	}
}
