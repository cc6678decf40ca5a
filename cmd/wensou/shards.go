package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
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
	"github.com/wensou/wensou/server"
)

// A cluster of several shards (serve --cluster --shards N): articles are
// spread over N logs (streams WENSOU_S0 to WENSOU_S<N-1>) by the hash of
// their ids, and each node holds some of the shards (--hold-shards), each
// in its own store under the index directory (shard-0, shard-1, ...)
// applied from its own log. A write goes to the logs of its articles'
// shards. A search fans out to every shard (search.Fanout): a shard the
// node holds is searched in place, another is asked over NATS, on the
// subject wensou.shard.<k> in the queue group of its holders, so that
// one of them answers (any: reads spread over them) and a node that is
// down is simply not asked.

// shardSubject is where the holders of shard k take requests.
func shardSubject(k int) string { return "wensou.shard." + strconv.Itoa(k) }

// shardCall is a request to the holders of a shard.
type shardCall struct {
	Op string `json:"op"` // stats, search, get, wait or count
	// Wait is the sequence of the shard's log the holder applies first:
	// a write token's, for read-your-writes.
	Wait uint64          `json:"wait,omitempty"`
	Req  *search.Request `json:"req,omitempty"`
	ID   string          `json:"id,omitempty"`
}

// shardReply is a holder's answer.
type shardReply struct {
	Stats   *index.TermStats `json:"stats,omitempty"`
	Result  *search.Result   `json:"result,omitempty"`
	Article *article.Article `json:"article,omitempty"`
	Count   uint64           `json:"count,omitempty"`
	Error   string           `json:"error,omitempty"`
	// Kind says what the error is: "bad_request", "query", "not_found"
	// or "" for a failure of the holder.
	Kind string `json:"kind,omitempty"`
}

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
	// call bounds one request to a shard's holders.
	call time.Duration
	log  *slog.Logger

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
	n := &shardedNode{clusterNode: cn, byShard: map[int]*heldShard{}, maxLag: f.maxLag, call: 5 * time.Second, log: log}
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
		if h.sub, err = cn.nc.QueueSubscribe(shardSubject(k), "holders", func(m *nats.Msg) {
			go n.answer(rctx, h, m)
		}); err != nil {
			return fail(fmt.Errorf("take requests for shard %d: %w", k, err))
		}
	}
	if err := cn.nc.Flush(); err != nil {
		return fail(err)
	}
	n.fan = &search.Fanout{Options: sopts}
	for k := range f.shards {
		if h := n.byShard[k]; h != nil {
			n.fan.Shards = append(n.fan.Shards, localShard{h: h, n: n})
		} else {
			n.fan.Shards = append(n.fan.Shards, remoteShard{k: k, n: n})
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
	m := replica.Member{Node: n.flags.node, URL: n.url, Voter: n.srv != nil}
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

// answer answers a request to the holders of h's shard.
func (n *shardedNode) answer(ctx context.Context, h *heldShard, m *nats.Msg) {
	var c shardCall
	var rep shardReply
	err := json.Unmarshal(m.Data, &c)
	ctx, cancel := context.WithTimeout(ctx, n.call)
	defer cancel()
	if err == nil && c.Wait > 0 {
		err = h.rep.Wait(ctx, c.Wait)
	}
	if err == nil && c.Op != "wait" && h.rep.Lag() > n.maxLag {
		err = fmt.Errorf("node %s is catching up on shard %d (%d entries behind)", n.flags.node, h.k, h.rep.Lag())
	}
	if err == nil {
		switch c.Op {
		case "stats":
			rep.Stats, err = h.s.TermStats(ctx, *c.Req)
		case "search":
			rep.Result, err = h.s.Search(ctx, *c.Req)
		case "get":
			var a article.Article
			if a, err = h.st.Get(ctx, c.ID); err == nil {
				rep.Article = &a
			}
		case "count":
			rep.Count, err = h.st.Count()
		case "wait":
		default:
			err = fmt.Errorf("no such request %q", c.Op)
		}
	}
	if err != nil {
		var qe *search.QueryError
		switch {
		case errors.As(err, &qe):
			rep.Kind = "query"
		case errors.Is(err, search.ErrBadRequest):
			rep.Kind = "bad_request"
		case errors.Is(err, index.ErrNotFound):
			rep.Kind = "not_found"
		}
		rep.Error = err.Error()
	}
	raw, err := json.Marshal(rep)
	if err != nil {
		raw, _ = json.Marshal(shardReply{Error: err.Error()})
	}
	_ = m.Respond(raw) // an answer lost is a shard that did not answer
}

// ask sends a request to the holders of shard k; one of them answers.
// Its errors do not name the shard.
func (n *shardedNode) ask(ctx context.Context, k int, c shardCall) (*shardReply, error) {
	raw, err := json.Marshal(c)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, n.call)
	defer cancel()
	m, err := n.nc.RequestWithContext(ctx, shardSubject(k), raw)
	if err != nil {
		if errors.Is(err, nats.ErrNoResponders) {
			return nil, errors.New("no node holding it answers")
		}
		return nil, err
	}
	var rep shardReply
	if err := json.Unmarshal(m.Data, &rep); err != nil {
		return nil, err
	}
	if rep.Error != "" {
		err := errors.New(rep.Error)
		switch rep.Kind {
		case "query", "bad_request":
			err = fmt.Errorf("%w: %w", search.ErrBadRequest, err)
		case "not_found":
			err = fmt.Errorf("%w: %w", index.ErrNotFound, err)
		}
		return nil, err
	}
	return &rep, nil
}

// localShard is a shard the node holds, searched in place.
type localShard struct {
	h *heldShard
	n *shardedNode
}

func (s localShard) ready() error {
	if lag := s.h.rep.Lag(); lag > s.n.maxLag {
		return fmt.Errorf("this node is catching up (%d entries behind)", lag)
	}
	return nil
}

func (s localShard) TermStats(ctx context.Context, req search.Request) (*index.TermStats, error) {
	if err := s.ready(); err != nil {
		return nil, err
	}
	return s.h.s.TermStats(ctx, req)
}

func (s localShard) Search(ctx context.Context, req search.Request) (*search.Result, error) {
	return s.h.s.Search(ctx, req)
}

// remoteShard is a shard the node does not hold, asked of its holders.
type remoteShard struct {
	k int
	n *shardedNode
}

func (s remoteShard) call(ctx context.Context, op string, req search.Request) (*shardReply, error) {
	toks, err := parseTokens(req.WaitFor, len(s.n.logs))
	if err != nil {
		return nil, err
	}
	return s.n.ask(ctx, s.k, shardCall{Op: op, Req: &req, Wait: toks[s.k]})
}

func (s remoteShard) TermStats(ctx context.Context, req search.Request) (*index.TermStats, error) {
	rep, err := s.call(ctx, "stats", req)
	if err != nil {
		return nil, err
	}
	return rep.Stats, nil
}

func (s remoteShard) Search(ctx context.Context, req search.Request) (*search.Result, error) {
	rep, err := s.call(ctx, "search", req)
	if err != nil {
		return nil, err
	}
	if rep.Result == nil {
		return nil, fmt.Errorf("shard %d: an answer without a result", s.k)
	}
	return rep.Result, nil
}

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
	ks := slices.Sorted(func(yield func(int) bool) {
		for k := range seqs {
			if !yield(k) {
				return
			}
		}
	})
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
	rep, err := b.node.ask(ctx, k, shardCall{Op: "get", ID: id})
	if err != nil {
		return article.Article{}, fmt.Errorf("shard %d: %w", k, err)
	}
	if rep.Article == nil {
		return article.Article{}, fmt.Errorf("shard %d: an answer without the article", k)
	}
	return *rep.Article, nil
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
				if rep, err := b.node.ask(ctx, k, shardCall{Op: "count"}); err == nil {
					mu.Lock()
					total += rep.Count
					mu.Unlock()
				}
			})
		}
	}
	wg.Wait()
	return total, nil
}

func (b shardedBackend) Put(ctx context.Context, arts []article.Article) error {
	ops := make([]index.LogOp, len(arts))
	for i := range arts {
		ops[i].Article = &arts[i]
	}
	return b.write(ctx, ops)
}

func (b shardedBackend) Delete(ctx context.Context, ids ...string) error {
	ops := make([]index.LogOp, len(ids))
	for i, id := range ids {
		ops[i].Delete = id
	}
	return b.write(ctx, ops)
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
		switch {
		case errors.Is(err, replica.ErrUnavailable):
			return fmt.Errorf("%w (%w)", server.ErrNoQuorum, err)
		case errors.Is(err, replica.ErrTooLarge):
			return fmt.Errorf("%w: %w", server.ErrWriteTooLarge, err)
		}
		return err
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
				_, err = n.ask(wctx, k, shardCall{Op: "wait", Wait: seq})
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
