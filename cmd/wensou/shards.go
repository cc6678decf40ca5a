package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/wensou/wensou/index"
	"github.com/wensou/wensou/index/article"
	"github.com/wensou/wensou/index/replica"
	"github.com/wensou/wensou/index/store"
	"github.com/wensou/wensou/search"
	"github.com/wensou/wensou/search/remote"
	"github.com/wensou/wensou/server"
)

// A cluster of several shards (serve --cluster --shards N): articles are
// spread over N logs (streams WENSOU_S0 to WENSOU_S<N-1>) by the hash of
// their ids, and each node holds some of the shards (--hold-shards), each
// in its own store under the index directory (shard-0, shard-1, ...)
// applied from its own log. A write goes to the logs of its articles'
// shards. A search fans out to every shard (search.Fanout): a shard the
// node holds is searched in place, another is asked over NATS, on the
// subject wensou.shard.<k> in the queue group of its holders (package
// remote), so that one of them answers (any: reads spread over them) and
// a node that is down is simply not asked.

// heldShard is a shard this node holds: its store, the replica applying
// its log to it, and the searcher over it.
type heldShard struct {
	k   int
	st  *store.Store
	rep *replica.Replica
	s   *search.Searcher
	sub *nats.Subscription
	// copied is the snapshot the shard started from, if it copied one.
	copied *copiedInfo
}

// shardedNode is a node of a cluster of several shards.
type shardedNode struct {
	*clusterNode // the log voter, the connection, the members
	logs         []*replica.Log
	held         []*heldShard // in shard order
	byShard      map[int]*heldShard
	fan          *search.Fanout
	maxLag       uint64
	stopAll      context.CancelFunc
	wg           sync.WaitGroup
	// peers asks the holders of the shards it does not hold.
	peers *remote.Client
	log   *slog.Logger

	// rebuilding is held while a rebuild of every held shard runs.
	rebuilding sync.Mutex
	chain      atomic.Bool // set while it does
}

// shardDir is where a node keeps shard k's store.
func shardDir(dir string, k int) string { return filepath.Join(dir, "shard-"+strconv.Itoa(k)) }

// parseHeld reads --hold-shards: a comma-separated list of shards, or
// "all".
func parseHeld(s string, n int) ([]int, error) {
	if s == "" || s == "all" {
		all := make([]int, n)
		for k := range all {
			all[k] = k
		}
		return all, nil
	}
	var out []int
	for _, f := range splitList(s) {
		k, err := strconv.Atoi(f)
		if err != nil || k < 0 || k >= n {
			return nil, usagef("--hold-shards %q: %q is not a shard of 0 to %d", s, f, n-1)
		}
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	if len(out) == 0 {
		return nil, usagef("--hold-shards %q: a node holds at least one shard", s)
	}
	slices.Sort(out)
	return out, nil
}

// startShardedNode starts a node of a cluster of f.shards shards: it
// opens the stores of the shards it holds with open, joins the log (as a
// voter, when embedded), and follows the logs of its shards.
func startShardedNode(ctx context.Context, f clusterFlags, dir string, open func(dir string, log *slog.Logger) (*store.Store, error), sopts search.Options, log *slog.Logger) (*shardedNode, error) {
	held, err := parseHeld(f.hold, f.shards)
	if err != nil {
		return nil, err
	}
	cn, err := connectCluster(ctx, f, dir, log)
	if err != nil {
		return nil, err
	}
	n := &shardedNode{clusterNode: cn, byShard: map[int]*heldShard{}, maxLag: f.maxLag, log: log,
		peers: &remote.Client{NC: cn.nc, Timeout: shardTimeout}}
	fail := func(err error) (*shardedNode, error) {
		n.close()
		return nil, err
	}
	octx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	for k := range f.shards {
		l, err := replica.OpenLog(octx, cn.nc, replica.LogConfig{Shard: k, Replicas: f.replicas})
		if err != nil {
			return fail(err)
		}
		n.logs = append(n.logs, l)
	}
	rctx, stop := context.WithCancel(context.WithoutCancel(ctx))
	n.stopAll = stop
	for _, k := range held {
		st, err := open(shardDir(dir, k), log.With("shard", k))
		if err != nil {
			return fail(fmt.Errorf("shard %d: %w", k, err))
		}
		h := &heldShard{k: k, st: st, s: search.New(st, sopts)}
		n.held = append(n.held, h)
		n.byShard[k] = h
		if h.copied, err = n.joinShard(ctx, st, n.logs[k], k, log); err != nil {
			if ctx.Err() != nil {
				return fail(err)
			}
			log.Warn("no snapshot copied from a peer: replaying the shard's log from its start", "shard", k, "err", err)
		}
		if h.rep, err = replica.New(n.logs[k].JetStream(), st, replica.Config{Shard: k, Logger: log}); err != nil {
			return fail(err)
		}
		n.wg.Go(func() { h.rep.Run(rctx) })
		if h.sub, err = remote.Serve(rctx, cn.nc, k, holder{h: h, n: n}, shardTimeout); err != nil {
			return fail(err)
		}
	}
	n.fan = &search.Fanout{Options: sopts}
	for k := range f.shards {
		if h := n.byShard[k]; h != nil {
			n.fan.Shards = append(n.fan.Shards, holder{h: h, n: n})
		} else {
			n.fan.Shards = append(n.fan.Shards, n.peers.Shard(k, func(req search.Request) (uint64, error) {
				seqs, err := parseTokens(req.WaitFor, f.shards)
				if err != nil {
					return 0, err
				}
				return seqs[k], nil
			}))
		}
	}
	if cn.announce, err = replica.Announce(cn.nc, n.member); err != nil {
		return fail(err)
	}
	log.Info("following the logs", "node", f.node, "shards", f.shards, "held", held, "url", cn.url)
	return n, nil
}

// member is what this node says of itself.
func (n *shardedNode) member() replica.Member {
	m := replica.Member{Node: n.flags.node, URL: n.url, Voter: n.srv != nil, ShardCount: len(n.logs)}
	for _, h := range n.held {
		s := replica.ShardState{Shard: h.k, Applied: h.rep.Applied(), Lag: h.rep.Lag()}
		s.CatchingUp = s.Lag > n.maxLag
		m.Applied += s.Applied
		m.Lag = max(m.Lag, s.Lag)
		m.CatchingUp = m.CatchingUp || s.CatchingUp
		m.Shards = append(m.Shards, s)
	}
	return m
}

// shardTimeout bounds a request to a shard's holders: a search's part,
// or a write's wait.
const shardTimeout = 5 * time.Second

// holder is a shard the node holds, searched in place by this node's
// searches and answering the requests of the others.
type holder struct {
	h *heldShard
	n *shardedNode
}

var (
	_ search.Shard  = holder{}
	_ remote.Holder = holder{}
)

func (s holder) Ready() error {
	if lag := s.h.rep.Lag(); lag > s.n.maxLag {
		return fmt.Errorf("node %s is catching up on shard %d (%d entries behind)", s.n.flags.node, s.h.k, lag)
	}
	return nil
}

func (s holder) TermStats(ctx context.Context, req search.Request) (*index.TermStats, error) {
	if err := s.Ready(); err != nil {
		return nil, err
	}
	return s.h.s.TermStats(ctx, req)
}

func (s holder) Search(ctx context.Context, req search.Request) (*search.Result, error) {
	return s.h.s.Search(ctx, req)
}

func (s holder) Get(ctx context.Context, id string) (article.Article, error) {
	return s.h.st.Get(ctx, id)
}

func (s holder) Count() (uint64, error) { return s.h.st.Count() }

func (s holder) Wait(ctx context.Context, seq uint64) error { return s.h.rep.Wait(ctx, seq) }

// close stops taking requests, stops the replicas and closes the stores,
// then the connection and the log voter.
func (n *shardedNode) close() error {
	for _, h := range n.held {
		if h.sub != nil {
			_ = h.sub.Unsubscribe()
		}
	}
	if n.stopAll != nil {
		n.stopAll()
		n.wg.Wait()
	}
	n.clusterNode.close()
	var errs []error
	for _, h := range n.held {
		if err := h.st.Close(); err != nil {
			errs = append(errs, fmt.Errorf("shard %d: %w", h.k, err))
		}
	}
	return errors.Join(errs...)
}

// Tokens of a cluster of several shards name a sequence in each shard's
// log that a write went to: "S0:5121,S2:77".
func tokens(seqs map[int]uint64) string {
	ks := slices.Sorted(maps.Keys(seqs))
	parts := make([]string, len(ks))
	for i, k := range ks {
		parts[i] = "S" + strconv.Itoa(k) + ":" + strconv.FormatUint(seqs[k], 10)
	}
	return strings.Join(parts, ",")
}

// parseTokens reads a wait_for token ("" for none) into the sequence to
// wait for in each of n shards' logs (0 for none).
func parseTokens(tok string, n int) ([]uint64, error) {
	out := make([]uint64, n)
	if tok == "" {
		return out, nil
	}
	for _, p := range strings.Split(tok, ",") {
		ks, seqs, ok := strings.Cut(strings.TrimPrefix(p, "S"), ":")
		k, kerr := strconv.Atoi(ks)
		seq, serr := strconv.ParseUint(seqs, 10, 64)
		if !strings.HasPrefix(p, "S") || !ok || kerr != nil || serr != nil || seq == 0 || k < 0 || k >= n {
			return nil, fmt.Errorf("%w: %q is not a token of a write (S<SHARD>:SEQUENCE, comma-separated, shards 0 to %d)", server.ErrBadToken, tok, n-1)
		}
		out[k] = max(out[k], seq)
	}
	return out, nil
}

// shardedBackend is a node's backend in a cluster of several shards:
// searches fan out, reads of one article go to its shard, writes to its
// shard's log. What needs one index (the page's analysis, suggestions)
// uses the first shard the node holds.
type shardedBackend struct {
	backend
	node *shardedNode
}

var (
	_ server.Backend         = shardedBackend{}
	_ server.Waiter          = shardedBackend{}
	_ server.Clusterer       = shardedBackend{}
	_ server.ClusterStatuser = shardedBackend{}
	_ server.Rebuilder       = shardedBackend{}
	_ server.Snapshotter     = shardedBackend{}
)

// Snapshot streams a copy of the index of a shard the node holds.
func (b shardedBackend) Snapshot(ctx context.Context, shard int, start func() io.Writer) error {
	h := b.node.byShard[shard]
	if h == nil {
		return fmt.Errorf("%w: node %s holds shards %v, not %d", server.ErrNoShard, b.node.flags.node, b.node.heldShards(), shard)
	}
	return snapshotStore(ctx, b.node.dir, h.st, start)
}

func (n *shardedNode) heldShards() []int {
	out := make([]int, len(n.held))
	for i, h := range n.held {
		out[i] = h.k
	}
	return out
}

func (b shardedBackend) Search(ctx context.Context, req search.Request) (*search.Result, error) {
	res, err := b.node.fan.Search(ctx, req)
	if errors.Is(err, search.ErrIncomplete) {
		return nil, fmt.Errorf("%w: %w", server.ErrIncomplete, err)
	}
	return res, err
}

func (b shardedBackend) Get(ctx context.Context, id string) (article.Article, error) {
	k := replica.ShardOf(id, len(b.node.logs))
	if h := b.node.byShard[k]; h != nil {
		return h.st.Get(ctx, id)
	}
	a, err := b.node.peers.Get(ctx, k, id)
	if err != nil {
		return article.Article{}, fmt.Errorf("shard %d: %w", k, err)
	}
	return a, nil
}

// Count sums the counts of the shards that answer within a moment: a
// shard no node holds fails searches' completeness, not this node.
func (b shardedBackend) Count() (uint64, error) {
	var total uint64
	for k := range b.node.logs {
		if h := b.node.byShard[k]; h != nil {
			n, err := h.st.Count()
			if err != nil {
				return 0, fmt.Errorf("shard %d: %w", k, err)
			}
			total += n
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	var mu sync.Mutex
	var wg sync.WaitGroup
	for k := range b.node.logs {
		if b.node.byShard[k] == nil {
			wg.Go(func() {
				if n, err := b.node.peers.Count(ctx, k); err == nil {
					mu.Lock()
					total += n
					mu.Unlock()
				}
			})
		}
	}
	wg.Wait()
	return total, nil
}

func (b shardedBackend) Put(ctx context.Context, arts []article.Article) error {
	return b.write(ctx, putOps(arts))
}

func (b shardedBackend) Delete(ctx context.Context, ids ...string) error {
	return b.write(ctx, deleteOps(ids))
}

// write appends ops to the logs of their shards, each part under the
// request's write id and its shard ("ID/S2"), then waits, within
// --write-wait, until a holder of each shard has applied its part.
func (b shardedBackend) write(ctx context.Context, ops []index.LogOp) error {
	id := server.WriteID(ctx)
	if id == "" {
		return errors.New("a cluster write without a write id")
	}
	n := b.node
	byShard := map[int][]index.LogOp{}
	for _, op := range ops {
		oid := op.Delete
		if op.Article != nil {
			oid = op.Article.ID
		}
		k := replica.ShardOf(oid, len(n.logs))
		byShard[k] = append(byShard[k], op)
	}
	actx, cancel := context.WithTimeout(ctx, n.flags.writeLimit)
	defer cancel()
	seqs := map[int]uint64{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	errs := make([]error, len(n.logs))
	for k, part := range byShard {
		wg.Go(func() {
			seq, _, err := n.logs[k].Append(actx, id+"/S"+strconv.Itoa(k), part)
			mu.Lock()
			seqs[k], errs[k] = seq, err
			mu.Unlock()
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return appendError(err)
	}
	wctx, cancel := context.WithTimeout(ctx, n.flags.writeWait)
	defer cancel()
	pending := false
	for k, seq := range seqs {
		wg.Go(func() {
			var err error
			if h := n.byShard[k]; h != nil {
				err = h.rep.Wait(wctx, seq)
			} else {
				err = n.peers.Wait(wctx, k, seq)
			}
			if err != nil {
				mu.Lock()
				pending = true
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if pending {
		return &server.Pending{Token: tokens(seqs)}
	}
	return nil
}

// WaitFor waits for the shards this node holds; the search passes the
// token's sequences of the others to their holders (remoteShard).
func (b shardedBackend) WaitFor(ctx context.Context, tok string) error {
	seqs, err := parseTokens(tok, len(b.node.logs))
	if err != nil {
		return err
	}
	for k, seq := range seqs {
		if h := b.node.byShard[k]; h != nil && seq > 0 {
			if err := h.rep.Wait(ctx, seq); err != nil {
				return err
			}
		}
	}
	return nil
}

func (b shardedBackend) ClusterStatus() server.ClusterStatus {
	m := b.node.member()
	return server.ClusterStatus{Node: m.Node, Applied: m.Applied, Lag: m.Lag, CatchingUp: m.CatchingUp}
}

// shardInfo is one shard in GET /api/cluster's answer.
type shardInfo struct {
	Shard int     `json:"shard"`
	Log   logInfo `json:"log"`
	// Held: this node holds the shard; Applied and Lag are then its own.
	Held    bool   `json:"held"`
	Applied uint64 `json:"applied,omitempty"`
	Lag     uint64 `json:"lag,omitempty"`
	// Holders are the nodes that answered and hold the shard; fewer than
	// two is a shard one failure away from missing.
	Holders []string `json:"holders"`
	// CopiedFrom is the snapshot this node's copy started from, if any.
	CopiedFrom *copiedInfo `json:"copied_from,omitempty"`
}

// shardedInfo is GET /api/cluster's answer on a node of several shards.
type shardedInfo struct {
	Mode    string           `json:"mode"`
	Node    string           `json:"node"`
	Shards  int              `json:"shards"`
	Held    []int            `json:"held"`
	Voter   bool             `json:"voter"`
	URL     string           `json:"url"`
	Members []replica.Member `json:"members"`
	Shard   []shardInfo      `json:"shard"`
}

func (b shardedBackend) Cluster(ctx context.Context) (any, error) {
	n := b.node
	info := shardedInfo{Mode: "cluster", Node: n.flags.node, Shards: len(n.logs), Voter: n.srv != nil, URL: n.url}
	members, err := replica.Members(ctx, n.nc, 200*time.Millisecond)
	if err != nil {
		return nil, err
	}
	info.Members = members
	for k, l := range n.logs {
		si := shardInfo{Shard: k, Log: logInfo{Stream: l.Stream(), Replicas: n.flags.replicas}, Holders: []string{}}
		sctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		st, err := l.State(sctx)
		cancel()
		if err != nil {
			si.Log.Error = err.Error()
		}
		si.Log.LastSeq, si.Log.Leader = st.LastSeq, st.Leader
		if h := n.byShard[k]; h != nil {
			si.Held, si.Applied, si.CopiedFrom = true, h.rep.Applied(), h.copied
			info.Held = append(info.Held, k)
			if si.Log.LastSeq > si.Applied {
				si.Lag = si.Log.LastSeq - si.Applied
			}
		}
		for _, m := range members {
			if slices.ContainsFunc(m.Shards, func(s replica.ShardState) bool { return s.Shard == k }) {
				si.Holders = append(si.Holders, m.Node)
			}
		}
		info.Shard = append(info.Shard, si)
	}
	return info, nil
}

// StartRebuild rebuilds every shard the node holds from the articles it
// stores, one shard after the other: each builder tails its shard's log
// from where it began, as a single node's does, and switches alone.
func (b shardedBackend) StartRebuild(ctx context.Context, paths []string, opts store.RebuildOptions) (store.Progress, error) {
	if len(paths) > 0 {
		return store.Progress{}, fmt.Errorf("%w: a cluster node rebuilds from the articles it stores, not from files", search.ErrBadRequest)
	}
	n := b.node
	if !n.rebuilding.TryLock() {
		return store.Progress{}, store.ErrRebuildRunning
	}
	first, err := n.held[0].st.StartRebuild(ctx, nil, opts)
	if err != nil {
		n.rebuilding.Unlock()
		return first, err
	}
	n.chain.Store(true)
	go func() {
		defer n.rebuilding.Unlock()
		defer n.chain.Store(false)
		for i, h := range n.held {
			if i == 0 {
				for running, _ := h.st.Status(); running != nil; running, _ = h.st.Status() {
					time.Sleep(50 * time.Millisecond)
				}
				if _, last := h.st.Status(); last != nil && last.Err != "" {
					return
				}
				continue
			}
			if _, err := h.st.Rebuild(ctx, nil, opts); err != nil {
				n.log.Error("rebuild of a shard failed; the next shards are not rebuilt", "shard", h.k, "err", err)
				return
			}
		}
	}()
	return first, nil
}

// Status is the rebuild of the held shard a rebuild of all is at. Between
// two shards' rebuilds, the last one finished stands for the running one.
func (b shardedBackend) Status() (running, last *store.Progress) {
	for _, h := range b.node.held {
		if r, l := h.st.Status(); r != nil {
			return r, l
		}
	}
	var latest *store.Progress
	for _, h := range b.node.held {
		if _, l := h.st.Status(); l != nil && (latest == nil || l.Finished.After(latest.Finished)) {
			latest = l
		}
	}
	if b.node.chain.Load() && latest != nil {
		r := *latest
		r.Running, r.Finished = true, time.Time{}
		return &r, nil
	}
	return nil, latest
}
