package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	natsserver "github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"github.com/wensou/wensou/index"
	"github.com/wensou/wensou/index/article"
	"github.com/wensou/wensou/index/replica"
	"github.com/wensou/wensou/index/store"
	"github.com/wensou/wensou/server"
)

// clusterFlags are serve's flags for running as a node of a cluster:
// the log (JetStream, embedded or external) and how writes wait for it.
type clusterFlags struct {
	on          bool
	node        string
	embed       bool
	host        string
	natsPort    int
	clusterPort int
	peers       string
	natsURL     string
	shards      int
	hold        string
	replicas    int
	writeWait   time.Duration
	writeLimit  time.Duration
	maxLag      uint64
	advertise   string

	// Set by serve, not by flags: the admin key a snapshot request to a
	// peer sends, and the address the API listens on.
	adminKey string
	addr     net.Addr
}

func (f *clusterFlags) register(fs *flag.FlagSet) {
	fs.BoolVar(&f.on, "cluster", false, "run as a node of a cluster: writes go through a replicated log (NATS JetStream) that every node applies")
	fs.StringVar(&f.node, "node", "", "this node's name, unique in the cluster (with --cluster)")
	fs.BoolVar(&f.embed, "nats-embed", false, "run a JetStream log voter inside this node (with --cluster)")
	fs.StringVar(&f.host, "nats-host", "127.0.0.1", "address the embedded log voter listens on")
	fs.IntVar(&f.natsPort, "nats-port", 4222, "client port of the embedded log voter (0: any free port)")
	fs.IntVar(&f.clusterPort, "nats-cluster-port", 6222, "port the embedded log voters talk to each other on")
	fs.StringVar(&f.peers, "peers", "", "comma-separated HOST:PORT cluster ports of the other log voters (with --nats-embed)")
	fs.StringVar(&f.natsURL, "nats", "", "URL(s) of a NATS cluster with JetStream that operations run, instead of --nats-embed")
	fs.IntVar(&f.shards, "shards", 1, "shards the articles are spread over by the hash of their ids, each with its own log; every node of the cluster gives the same number")
	fs.StringVar(&f.hold, "hold-shards", "", "comma-separated shards this node holds, of 0 to --shards-1 (default all); hold each shard on at least two nodes")
	fs.IntVar(&f.replicas, "replicas", 3, "log voters that hold each write (JetStream replicas; a write is acknowledged once a majority has it)")
	fs.Uint64Var(&f.maxLag, "max-lag", 1000, "log entries a node may have still to apply and take searches; past it /healthz answers 503 catching_up")
	fs.DurationVar(&f.writeWait, "write-wait", time.Second, "how long a write waits for this node to apply it before answering 202 with a token")
	// Past JetStream's leader election (4-9 s), which the log's retries
	// ride out.
	fs.DurationVar(&f.writeLimit, "write-timeout", 15*time.Second, "how long a write may wait for the log's quorum before it fails with 503 no_quorum")
	fs.StringVar(&f.advertise, "advertise", "", "URL of this node's API as its peers reach it, for the snapshots a joining node copies (default: http:// and --addr, the host name when --addr has no host)")
}

// advertised is the URL of this node's API that its peers are given.
func (f *clusterFlags) advertised() string {
	if f.advertise != "" {
		return strings.TrimRight(f.advertise, "/")
	}
	if f.addr == nil {
		return ""
	}
	host, port, err := net.SplitHostPort(f.addr.String())
	if err != nil {
		return ""
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		if h, err := os.Hostname(); err == nil {
			host = h
		}
	}
	return "http://" + net.JoinHostPort(host, port)
}

// check reports a flag that does not fit the others.
func (f *clusterFlags) check() error {
	if !f.on {
		if f.node != "" || f.embed || f.natsURL != "" || f.peers != "" || f.advertise != "" || f.shards != 1 || f.hold != "" {
			return usagef("--node, --nats-embed, --nats, --peers, --advertise, --shards and --hold-shards need --cluster")
		}
		return nil
	}
	switch {
	case f.node == "":
		return usagef("--cluster needs --node NAME")
	case f.embed == (f.natsURL != ""):
		return usagef("--cluster needs either --nats-embed (a log voter in this node) or --nats URL (a NATS cluster run apart)")
	case f.shards < 1:
		return usagef("--shards must be at least 1")
	case f.hold != "" && f.shards == 1:
		return usagef("--hold-shards is for a cluster of several shards (--shards N): with one, every node holds it")
	case f.replicas < 1:
		return usagef("--replicas must be at least 1")
	case f.writeWait < 0 || f.writeLimit <= 0:
		return usagef("--write-wait must not be negative, --write-timeout must be positive")
	case f.embed && (f.clusterPort <= 0 || f.natsPort < 0):
		return usagef("--nats-cluster-port must be positive, --nats-port not negative")
	case f.advertise != "" && !strings.HasPrefix(f.advertise, "http://") && !strings.HasPrefix(f.advertise, "https://"):
		return usagef("--advertise %q: give the URL of this node's API, http://HOST:PORT", f.advertise)
	}
	_, err := parseHeld(f.hold, f.shards)
	return err
}

// clusterNode is what a node runs besides its server: the log voter
// (when embedded), the connection to the log, and the replica that
// applies it to the store's live index.
type clusterNode struct {
	flags clusterFlags
	dir   string
	st    *store.Store
	srv   *natsserver.Server // nil with --nats
	nc    *nats.Conn
	log   *replica.Log
	rep   *replica.Replica
	// announce answers the members requests of other nodes.
	announce *nats.Subscription
	stop     context.CancelFunc
	done     chan struct{}
	// url is this node's API as its peers reach it (--advertise).
	url string
	// copied is the snapshot this node started from, if it copied one.
	copied *copiedInfo
}

// copiedInfo says where a node's first index came from.
type copiedInfo struct {
	Node    string  `json:"node"`
	URL     string  `json:"url"`
	Applied uint64  `json:"applied"`
	Bytes   int64   `json:"bytes"`
	Seconds float64 `json:"seconds"`
}

// startClusterNode starts the node's part of the cluster for the store
// st of the index at dir. The log voter keeps its files in dir/nats.
func startClusterNode(ctx context.Context, f clusterFlags, dir string, st *store.Store, log *slog.Logger) (*clusterNode, error) {
	n, err := connectCluster(ctx, f, dir, log)
	if err != nil {
		return nil, err
	}
	n.st = st
	// The first voters elect their leaders within seconds of each other.
	octx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if n.log, err = replica.OpenLog(octx, n.nc, replica.LogConfig{Replicas: f.replicas}); err != nil {
		n.close()
		return nil, err
	}
	if err := n.join(ctx, log); err != nil {
		if ctx.Err() != nil {
			n.close()
			return nil, err
		}
		log.Warn("no snapshot copied from a peer: replaying the log from its start", "err", err)
	}
	if n.rep, err = replica.New(n.log.JetStream(), st, replica.Config{Logger: log}); err != nil {
		n.close()
		return nil, err
	}
	rctx, stop := context.WithCancel(context.WithoutCancel(ctx))
	n.stop, n.done = stop, make(chan struct{})
	go func() {
		defer close(n.done)
		n.rep.Run(rctx)
	}()
	if n.announce, err = replica.Announce(n.nc, n.member); err != nil {
		n.close()
		return nil, err
	}
	log.Info("following the log", "node", f.node, "stream", n.log.Stream(), "applied", n.rep.Applied(), "url", n.url)
	return n, nil
}

// connectCluster starts the log voter, when embedded (its files in
// dir/nats), and connects to the log.
func connectCluster(ctx context.Context, f clusterFlags, dir string, log *slog.Logger) (*clusterNode, error) {
	n := &clusterNode{flags: f, dir: dir, url: f.advertised()}
	removeSnapshotDirs(dir, log)
	url := f.natsURL
	if f.embed {
		s, err := replica.StartServer(replica.ServerConfig{
			Name: f.node, Dir: filepath.Join(dir, "nats"), Host: f.host,
			Port: f.natsPort, ClusterPort: f.clusterPort, Peers: splitList(f.peers),
		})
		if err != nil {
			return nil, err
		}
		n.srv, url = s, s.ClientURL()
		log.Info("log voter started", "node", f.node, "client", url, "cluster_port", f.clusterPort, "peers", f.peers)
	}
	nc, err := nats.Connect(url, nats.Name("wensou "+f.node), nats.MaxReconnects(-1), nats.ReconnectWait(250*time.Millisecond))
	if err != nil {
		n.close()
		return nil, fmt.Errorf("connect to the log at %s: %w", url, err)
	}
	n.nc = nc
	if err := n.checkPeers(ctx); err != nil {
		n.close()
		return nil, err
	}
	return n, nil
}

// checkPeers refuses to start a node that would not fit the nodes that
// answer already: one of the same name, or nodes routing articles over
// another number of shards, to whose logs this node's writes would go
// wrong.
func (n *clusterNode) checkPeers(ctx context.Context) error {
	members, err := replica.Members(ctx, n.nc, 300*time.Millisecond)
	if err != nil {
		return err
	}
	for _, m := range members {
		switch {
		case m.Node == n.flags.node:
			return usagef("--node %s: a running node of the cluster has that name (%s); give each node its own", m.Node, m.URL)
		case m.ShardCount != 0 && m.ShardCount != n.flags.shards:
			return usagef("--shards %d: node %s of the cluster spreads articles over %d shards; every node must give the same --shards", n.flags.shards, m.Node, m.ShardCount)
		}
	}
	return nil
}

// member is what this node says of itself to the others.
func (n *clusterNode) member() replica.Member {
	lag := n.rep.Lag()
	return replica.Member{Node: n.flags.node, URL: n.url, Applied: n.rep.Applied(),
		Lag: lag, CatchingUp: lag > n.flags.maxLag, Voter: n.srv != nil, ShardCount: 1}
}

// snapshotPrefix names the directories, in the index directory, where a
// node copies its index for a joining peer.
const snapshotPrefix = "snapshot-"

// removeSnapshotDirs removes what a snapshot given before a crash left.
func removeSnapshotDirs(dir string, log *slog.Logger) {
	left, _ := filepath.Glob(filepath.Join(dir, snapshotPrefix+"*"))
	for _, d := range left {
		if err := os.RemoveAll(d); err != nil {
			log.Warn("remove an old snapshot copy", "dir", d, "err", err)
		}
	}
}

// join copies the index of a caught-up peer when this node starts with
// nothing while the log already holds writes: copying what a peer has
// applied is faster than replaying the whole log, which the replica then
// does only from the copy's sequence on.
func (n *clusterNode) join(ctx context.Context, log *slog.Logger) error {
	copied, err := n.joinShard(ctx, n.st, n.log, 0, log)
	n.copied = copied
	return err
}

// joinShard copies shard k's index from a caught-up peer that holds it
// into st when st is empty and the shard's log l is not; nil when there
// was nothing to copy.
func (n *clusterNode) joinShard(ctx context.Context, st *store.Store, l *replica.Log, k int, log *slog.Logger) (*copiedInfo, error) {
	applied, err := st.Applied()
	if err != nil {
		return nil, err
	}
	count, err := st.Count()
	if err != nil || applied > 0 || count > 0 {
		return nil, err
	}
	sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	state, err := l.State(sctx)
	cancel()
	if err != nil || state.LastSeq == 0 {
		return nil, err
	}
	members, err := replica.Members(ctx, n.nc, 500*time.Millisecond)
	if err != nil {
		return nil, err
	}
	src, ok := replica.SnapshotSource(replica.ShardMembers(members, k), n.flags.node)
	if !ok {
		return nil, fmt.Errorf("none of the %d nodes that answered has a caught-up index of shard %d to copy", len(members), k)
	}
	log.Info("copying a snapshot", "shard", k, "from", src.Node, "url", src.URL, "applied", src.Applied, "log_last_seq", state.LastSeq)
	began := time.Now()
	size, err := copySnapshot(ctx, &nodeClient{key: n.flags.adminKey}, src.URL, k, st)
	if err != nil {
		return nil, fmt.Errorf("copy shard %d's index of %s (%s): %w", k, src.Node, src.URL, err)
	}
	if applied, err = st.Applied(); err != nil {
		return nil, err
	}
	c := &copiedInfo{Node: src.Node, URL: src.URL, Applied: applied, Bytes: size, Seconds: time.Since(began).Seconds()}
	log.Info("copied a snapshot", "shard", k, "from", src.Node, "applied", applied, "bytes", size, "seconds", c.Seconds)
	return c, nil
}

// copySnapshot installs the snapshot of shard k the node at url gives as
// st's live generation, and returns its size.
func copySnapshot(ctx context.Context, c *nodeClient, url string, k int, st *store.Store) (int64, error) {
	resp, err := c.send(ctx, http.MethodGet, url+"/api/cluster/snapshot?shard="+strconv.Itoa(k), "", http.StatusOK)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var size int64
	err = st.Install(ctx, func(dir string) error {
		size, err = replica.ReadSnapshot(resp.Body, dir)
		return err
	})
	return size, err
}

// close stops answering for the node, stops the replica, then the
// connection and the log voter.
func (n *clusterNode) close() {
	if n.announce != nil {
		_ = n.announce.Unsubscribe() // the connection's close drops it too
	}
	if n.stop != nil {
		n.stop()
		<-n.done
	}
	if n.nc != nil {
		n.nc.Close()
	}
	if n.srv != nil {
		n.srv.Shutdown()
		n.srv.WaitForShutdown()
	}
}

// clusterBackend is a node's backend: reads from the local index,
// writes through the log.
type clusterBackend struct {
	backend
	node *clusterNode
}

var (
	_ server.Backend         = clusterBackend{}
	_ server.Waiter          = clusterBackend{}
	_ server.Clusterer       = clusterBackend{}
	_ server.ClusterStatuser = clusterBackend{}
	_ server.Snapshotter     = clusterBackend{}
	// The replica applies the log to the store, journaled during rebuilds.
	_ replica.Target = (*store.Store)(nil)
)

// Snapshot copies the live index beside it and streams the copy.
func (b clusterBackend) Snapshot(ctx context.Context, shard int, start func() io.Writer) error {
	if shard != 0 {
		return fmt.Errorf("%w: a cluster of one shard has shard 0 only, not %d", server.ErrNoShard, shard)
	}
	return snapshotStore(ctx, b.node.dir, b.node.st, start)
}

// snapshotStore copies st's live index into a directory under dir and
// streams the copy.
func snapshotStore(ctx context.Context, dir string, st *store.Store, start func() io.Writer) error {
	tmp, err := os.MkdirTemp(dir, snapshotPrefix)
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	into := filepath.Join(tmp, "index")
	if err := st.With(func(ix *index.Index) error { return ix.CopyTo(ctx, into) }); err != nil {
		return err
	}
	return replica.WriteSnapshot(start(), into)
}

func (b clusterBackend) ClusterStatus() server.ClusterStatus {
	lag := b.node.rep.Lag()
	return server.ClusterStatus{Node: b.node.flags.node, Applied: b.node.rep.Applied(), Lag: lag, CatchingUp: lag > b.node.flags.maxLag}
}

func (b clusterBackend) Put(ctx context.Context, arts []article.Article) error {
	return b.write(ctx, putOps(arts))
}

func (b clusterBackend) Delete(ctx context.Context, ids ...string) error {
	return b.write(ctx, deleteOps(ids))
}

// putOps are the log entries that put arts.
func putOps(arts []article.Article) []index.LogOp {
	ops := make([]index.LogOp, len(arts))
	for i := range arts {
		ops[i].Article = &arts[i]
	}
	return ops
}

// deleteOps are the log entries that delete ids.
func deleteOps(ids []string) []index.LogOp {
	ops := make([]index.LogOp, len(ids))
	for i, id := range ids {
		ops[i].Delete = id
	}
	return ops
}

// appendError is the error a write whose append to the log failed with
// err answers with.
func appendError(err error) error {
	switch {
	case errors.Is(err, replica.ErrUnavailable):
		return fmt.Errorf("%w (%w)", server.ErrNoQuorum, err)
	case errors.Is(err, replica.ErrTooLarge):
		return fmt.Errorf("%w: %w", server.ErrWriteTooLarge, err)
	}
	return err
}

// write appends ops to the log with the request's write id, then waits,
// within --write-wait, until this node has applied them.
func (b clusterBackend) write(ctx context.Context, ops []index.LogOp) error {
	id := server.WriteID(ctx)
	if id == "" {
		return errors.New("a cluster write without a write id")
	}
	actx, cancel := context.WithTimeout(ctx, b.node.flags.writeLimit)
	defer cancel()
	seq, _, err := b.node.log.Append(actx, id, ops)
	if err != nil {
		return appendError(err)
	}
	wctx, cancel := context.WithTimeout(ctx, b.node.flags.writeWait)
	defer cancel()
	if err := b.node.rep.Wait(wctx, seq); err != nil {
		return &server.Pending{Token: token(seq)}
	}
	return nil
}

// A token names a write by its shard and log sequence: "S0:5121".
func token(seq uint64) string { return "S0:" + strconv.FormatUint(seq, 10) }

func parseToken(s string) (uint64, error) {
	rest, ok := strings.CutPrefix(s, "S0:")
	seq, err := strconv.ParseUint(rest, 10, 64)
	if !ok || err != nil || seq == 0 {
		return 0, fmt.Errorf("%w: %q is not a token of a write (S0:SEQUENCE)", server.ErrBadToken, s)
	}
	return seq, nil
}

func (b clusterBackend) WaitFor(ctx context.Context, tok string) error {
	seq, err := parseToken(tok)
	if err != nil {
		return err
	}
	return b.node.rep.Wait(ctx, seq)
}

// clusterInfo is GET /api/cluster's answer on a node.
type clusterInfo struct {
	Mode    string  `json:"mode"`
	Node    string  `json:"node"`
	Shards  int     `json:"shards"`
	Log     logInfo `json:"log"`
	Applied uint64  `json:"applied"`
	Lag     uint64  `json:"lag"`
	Voter   bool    `json:"voter"`
	URL     string  `json:"url"`
	// Members are the nodes that answered within a moment.
	Members []replica.Member `json:"members"`
	// CopiedFrom is the snapshot this node started from, if any.
	CopiedFrom *copiedInfo `json:"copied_from,omitempty"`
}

type logInfo struct {
	Stream   string `json:"stream"`
	Replicas int    `json:"replicas"`
	Leader   string `json:"leader"`
	LastSeq  uint64 `json:"last_seq"`
	Error    string `json:"error,omitempty"`
}

func (b clusterBackend) Cluster(ctx context.Context) (any, error) {
	n := b.node
	info := clusterInfo{Mode: "cluster", Node: n.flags.node, Shards: 1, Voter: n.srv != nil, URL: n.url,
		Log: logInfo{Stream: n.log.Stream(), Replicas: n.flags.replicas}, Applied: n.rep.Applied(), CopiedFrom: n.copied}
	members, err := replica.Members(ctx, n.nc, 200*time.Millisecond)
	if err != nil {
		return nil, err
	}
	info.Members = members
	// The log's state, when it answers: a node without a quorum still
	// says what it has applied.
	sctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	st, err := n.log.State(sctx)
	if err != nil {
		info.Log.Error = err.Error()
	}
	info.Log.LastSeq, info.Log.Leader = st.LastSeq, st.Leader
	if info.Log.LastSeq > info.Applied {
		info.Lag = info.Log.LastSeq - info.Applied
	}
	return info, nil
}
