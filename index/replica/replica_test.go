package replica

import (
	"context"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"github.com/wensou/wensou/index"
	"github.com/wensou/wensou/index/article"
)

// freePorts returns n ports free on loopback now.
func freePorts(t *testing.T, n int) []int {
	t.Helper()
	var ports []int
	var ls []net.Listener
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	for _, l := range ls {
		l.Close()
	}
	return ports
}

// node is one wensou node of a test cluster: its log voter, its
// connection, its index and the replica that applies the log to it.
type node struct {
	cfg     ServerConfig
	srv     *server.Server
	nc      *nats.Conn
	log     *Log
	ix      *index.Index
	ixPath  string
	rep     *Replica
	stopRep context.CancelFunc
	repDone chan struct{}
	// announce answers members requests while the node runs.
	announce *nats.Subscription
}

// startCluster starts three voters on loopback, each with routes to the
// other two, and an index and a replica on each.
func startCluster(t *testing.T) []*node {
	t.Helper()
	ports := freePorts(t, 6)
	dir := t.TempDir()
	var nodes []*node
	for i := range 3 {
		var peers []string
		for j := range 3 {
			if j != i {
				peers = append(peers, fmt.Sprintf("127.0.0.1:%d", ports[3+j]))
			}
		}
		n := &node{
			cfg: ServerConfig{
				Name: fmt.Sprintf("n%d", i+1), Dir: filepath.Join(dir, fmt.Sprintf("n%d", i+1), "log"),
				Port: ports[i], ClusterPort: ports[3+i], Peers: peers,
			},
			ixPath: filepath.Join(dir, fmt.Sprintf("n%d", i+1), "index"),
		}
		nodes = append(nodes, n)
	}
	for _, n := range nodes {
		n.startServer(t)
	}
	t.Cleanup(func() {
		for _, n := range nodes {
			n.stopReplica()
		}
		for _, n := range nodes {
			n.stop()
		}
	})
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	for _, n := range nodes {
		var err error
		if n.log, err = OpenLog(ctx, n.nc, LogConfig{Replicas: 3}); err != nil {
			t.Fatalf("%s: %v", n.cfg.Name, err)
		}
		n.ix, err = index.Open(t.Context(), index.Options{Path: n.ixPath, Create: true})
		if err != nil {
			t.Fatal(err)
		}
		n.startReplica(t)
	}
	return nodes
}

func (n *node) startServer(t *testing.T) {
	t.Helper()
	s, err := StartServer(n.cfg)
	if err != nil {
		t.Fatal(err)
	}
	n.srv = s
	if n.nc == nil {
		n.nc, err = nats.Connect(s.ClientURL(), nats.MaxReconnects(-1), nats.ReconnectWait(100*time.Millisecond))
		if err != nil {
			t.Fatal(err)
		}
	}
}

func (n *node) startReplica(t *testing.T) {
	t.Helper()
	rep, err := New(n.log.JetStream(), n.ix, Config{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	n.rep, n.stopRep, n.repDone = rep, cancel, make(chan struct{})
	go func() {
		defer close(n.repDone)
		rep.Run(ctx)
	}()
}

func (n *node) stopReplica() {
	if n.stopRep != nil {
		n.stopRep()
		<-n.repDone
		n.stopRep = nil
	}
}

func (n *node) stop() {
	n.stopReplica()
	if n.ix != nil {
		n.ix.Close()
		n.ix = nil
	}
	if n.nc != nil {
		n.nc.Close()
		n.nc = nil
	}
	if n.srv != nil {
		n.srv.Shutdown()
		n.srv.WaitForShutdown()
		n.srv = nil
	}
}

func testArticle(i int) *article.Article {
	return &article.Article{
		ID:      fmt.Sprintf("a-%03d", i),
		Title:   fmt.Sprintf("职业教育 第%d篇 report %d", i, i),
		Body:    fmt.Sprintf("职业教育和技术培训。Article number %d about trade.", i),
		Authors: []string{fmt.Sprintf("作者%d", i%7)},
		Date:    time.Date(2020+i%5, time.Month(1+i%12), 1+i%28, 8, 0, 0, 0, time.UTC),
	}
}

// ids returns the ids an index holds, sorted.
func ids(t *testing.T, ix *index.Index) []string {
	t.Helper()
	var out []string
	if err := ix.Scan(t.Context(), func(a article.Article) error {
		out = append(out, a.ID)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// TestCluster_ReplicatesThroughLeaderStop: writes through any node are
// applied by every replica in order; a graceful stop of the stream's
// leader loses no acknowledged write; a retried write is stored once; a
// replica restarted resumes from the sequence its index recorded, and a
// voter restarted catches up.
func TestCluster_ReplicatesThroughLeaderStop(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a three-node JetStream cluster")
	}
	start := time.Now()
	nodes := startCluster(t)
	// Idle, the whole test takes about ten seconds; under CI's load
	// (-race, every package at once) it has taken more than sixty. The
	// budget is for a hang, not for speed: each phase's time is logged.
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	phase := func(name string) {
		t.Logf("%6.2fs %s", time.Since(start).Seconds(), name)
	}
	phase("cluster started")

	// Every node answers for itself; a stopped one drops out.
	for _, n := range nodes {
		var err error
		n.announce, err = Announce(n.nc, func() Member {
			return Member{Node: n.cfg.Name, URL: "http://" + n.cfg.Name, Applied: n.rep.Applied(), Voter: true}
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	// (A subscription reaches the other servers of the cluster a moment
	// after its own.)
	members := func(via *node, want ...string) {
		t.Helper()
		var got []string
		var err error
		for range 10 {
			var ms []Member
			ms, err = Members(ctx, via.nc, 300*time.Millisecond)
			got = got[:0]
			for _, m := range ms {
				got = append(got, m.Node)
			}
			if err == nil && slices.Equal(got, want) {
				return
			}
		}
		t.Errorf("members %v (%v), want %v", got, err, want)
	}
	members(nodes[0], "n1", "n2", "n3")

	want := map[string]bool{}
	var last uint64
	write := func(i int, via *node) {
		t.Helper()
		ops := []index.LogOp{{Article: testArticle(i)}}
		if i%10 == 9 {
			ops = append(ops, index.LogOp{Delete: fmt.Sprintf("a-%03d", i-5)})
		}
		seq, dup, err := via.log.Append(ctx, fmt.Sprintf("w-%d", i), ops)
		if err != nil {
			t.Fatalf("write %d via %s: %v", i, via.cfg.Name, err)
		}
		if dup {
			t.Fatalf("write %d via %s: a duplicate", i, via.cfg.Name)
		}
		if seq <= last {
			t.Fatalf("write %d: sequence %d after %d", i, seq, last)
		}
		last = seq
		want[testArticle(i).ID] = true
		if i%10 == 9 {
			delete(want, fmt.Sprintf("a-%03d", i-5))
		}
	}

	live := nodes
	var stopped *node
	for i := range 300 {
		if i == 150 {
			// Stop the stream's leader gracefully; the writes go on
			// through the others.
			st, err := nodes[0].log.State(ctx)
			if err != nil {
				t.Fatal(err)
			}
			leader := st.Leader
			for _, n := range nodes {
				if n.cfg.Name == leader {
					stopped = n
				}
			}
			if stopped == nil {
				t.Fatalf("no node is the leader %q", leader)
			}
			stopped.stopReplica()
			// (Its connection would go on answering through another
			// server; a stopped wensou closes it.)
			if err := stopped.announce.Unsubscribe(); err != nil {
				t.Fatal(err)
			}
			stopped.srv.Shutdown()
			stopped.srv.WaitForShutdown()
			live = slices.DeleteFunc(slices.Clone(nodes), func(n *node) bool { return n == stopped })
			phase("150 writes; the leader " + leader + " stopped")
			var names []string
			for _, n := range live {
				names = append(names, n.cfg.Name)
			}
			members(live[0], names...)
		}
		write(i, live[i%len(live)])
	}
	phase("300 writes")

	// A bulk write larger than an entry goes in several, in order, and
	// is stored once however often it is retried.
	small, err := OpenLog(ctx, live[0].nc, LogConfig{Replicas: 3, MaxEntry: 1500})
	if err != nil {
		t.Fatal(err)
	}
	var bulk []index.LogOp
	for i := 700; i < 720; i++ {
		bulk = append(bulk, index.LogOp{Article: testArticle(i)})
		want[testArticle(i).ID] = true
	}
	bulk = append(bulk, index.LogOp{Delete: "a-700"})
	delete(want, "a-700")
	seq, dup, err := small.Append(ctx, "bulk", bulk)
	if err != nil || dup || seq < last+3 {
		t.Fatalf("bulk write: seq %d (after %d) duplicate %v err %v; want several entries", seq, last, dup, err)
	}
	last = seq
	if again, dup, err := small.Append(ctx, "bulk", bulk); err != nil || !dup || again != seq {
		t.Fatalf("bulk write again: seq %d duplicate %v err %v; want %d, a duplicate", again, dup, err, seq)
	}

	// A write retried with its id is stored once.
	seq, dup, err = live[0].log.Append(ctx, "w-299", []index.LogOp{{Article: testArticle(299)}})
	if err != nil || !dup || seq >= last {
		t.Fatalf("retried write: seq %d duplicate %v err %v; want a duplicate of an earlier entry than %d", seq, dup, err, last)
	}

	wantIDs := make([]string, 0, len(want))
	for id := range want {
		wantIDs = append(wantIDs, id)
	}
	slices.Sort(wantIDs)
	converged := func(ns []*node) {
		t.Helper()
		for _, n := range ns {
			if err := n.rep.Wait(ctx, last); err != nil {
				t.Fatalf("%s: %v", n.cfg.Name, err)
			}
			if got := ids(t, n.ix); !slices.Equal(got, wantIDs) {
				t.Fatalf("%s holds %d articles, want %d", n.cfg.Name, len(got), len(wantIDs))
			}
			if got, err := n.ix.Applied(); err != nil || got != last {
				t.Fatalf("%s: applied %d (%v), want %d", n.cfg.Name, got, err, last)
			}
		}
	}
	phase("bulk and retried writes")
	converged(live)
	phase("the live replicas converged")

	// The stopped voter comes back and its replica catches up from the
	// sequence its index recorded.
	stopped.startServer(t)
	before, err := stopped.ix.Applied()
	if err != nil {
		t.Fatal(err)
	}
	if before >= last {
		t.Fatalf("the stopped node applied %d of %d before it stopped", before, last)
	}
	stopped.startReplica(t)
	converged(nodes)
	phase("the stopped node caught up")

	// A replica restarted on a reopened index resumes where it was.
	n := nodes[1]
	n.stopReplica()
	if err := n.ix.Close(); err != nil {
		t.Fatal(err)
	}
	if n.ix, err = index.Open(t.Context(), index.Options{Path: n.ixPath}); err != nil {
		t.Fatal(err)
	}
	n.startReplica(t)
	if got := n.rep.Applied(); got != last {
		t.Fatalf("reopened replica starts at %d, want %d", got, last)
	}
	for i := 300; i < 320; i++ {
		write(i, nodes[i%3])
	}
	wantIDs = wantIDs[:0]
	for id := range want {
		wantIDs = append(wantIDs, id)
	}
	slices.Sort(wantIDs)
	converged(nodes)
	phase("the reopened replica resumed")

	// Two of three voters down: no quorum, a write fails with
	// ErrUnavailable once its time is up, and the index still answers.
	for _, n := range nodes[1:] {
		n.stopReplica()
		n.srv.Shutdown()
		n.srv.WaitForShutdown()
	}
	wctx, wcancel := context.WithTimeout(ctx, 3*time.Second)
	defer wcancel()
	_, _, err = nodes[0].log.Append(wctx, "w-lost", []index.LogOp{{Article: testArticle(600)}})
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("write without a quorum: %v, want ErrUnavailable", err)
	}
	if got := ids(t, nodes[0].ix); len(got) != len(wantIDs) {
		t.Fatalf("without a quorum the index holds %d articles, want %d", len(got), len(wantIDs))
	}
	phase("no quorum")
}

func TestEntry_RoundTrip(t *testing.T) {
	shanghai := time.FixedZone("CST", 8*3600)
	tests := []struct {
		name string
		ops  []index.LogOp
	}{
		{"an article with a zoned date", []index.LogOp{{Article: &article.Article{ID: "x", Title: "标题", Body: "正文", Authors: []string{"甲", "乙"}, Date: time.Date(2024, 3, 1, 9, 30, 0, 123, shanghai), URL: "https://example.org/x", Tags: []string{"t"}}}}},
		{"an article without a date", []index.LogOp{{Article: &article.Article{ID: "y", Title: "t", Body: "b"}}}},
		{"deletions and a put", []index.LogOp{{Delete: "a"}, {Article: &article.Article{ID: "a", Title: "t", Body: "b"}}, {Delete: "b"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := encodeEntry(tt.ops)
			if err != nil {
				t.Fatal(err)
			}
			got, err := decodeEntry(data)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.ops) {
				t.Fatalf("%d ops, want %d", len(got), len(tt.ops))
			}
			for i := range got {
				w, g := tt.ops[i], got[i]
				if (w.Article == nil) != (g.Article == nil) || w.Delete != g.Delete {
					t.Fatalf("op %d: %+v, want %+v", i, g, w)
				}
				if w.Article == nil {
					continue
				}
				if !g.Article.Date.Equal(w.Article.Date) || g.Article.Date.Format(time.RFC3339Nano) != w.Article.Date.Format(time.RFC3339Nano) {
					t.Errorf("op %d: date %v, want %v", i, g.Article.Date, w.Article.Date)
				}
				a, b := *g.Article, *w.Article
				a.Date, b.Date = time.Time{}, time.Time{}
				if !reflect.DeepEqual(a, b) {
					t.Errorf("op %d: %+v, want %+v", i, a, b)
				}
			}
		})
	}
	if _, err := encodeEntry([]index.LogOp{{}}); err == nil {
		t.Error("an empty op was encoded")
	}
	for _, bad := range []string{`{"ops":[{}]}`, `{"ops":[{"put":{"id":"x","date":"yesterday"}}]}`, `not json`} {
		if _, err := decodeEntry([]byte(bad)); err == nil {
			t.Errorf("%s: decoded", bad)
		}
	}
}

func TestLog_Split(t *testing.T) {
	var ops []index.LogOp
	for i := range 30 {
		ops = append(ops, index.LogOp{Article: testArticle(i)}, index.LogOp{Delete: fmt.Sprintf("a-%03d", i+100)})
	}
	huge := &article.Article{ID: "huge", Title: "t", Body: strings.Repeat("长", 1000)}
	tests := []struct {
		max       int
		ops       []index.LogOp
		wantParts int // 0: more than one
		wantErr   error
	}{
		{1 << 20, ops, 1, nil},
		{2000, ops, 0, nil},
		{2000, []index.LogOp{{Article: huge}}, 0, ErrTooLarge},
	}
	for _, tt := range tests {
		parts, err := (&Log{maxEntry: tt.max}).split(tt.ops)
		if !errors.Is(err, tt.wantErr) {
			t.Fatalf("max %d: %v, want %v", tt.max, err, tt.wantErr)
		}
		if err != nil {
			continue
		}
		if tt.wantParts > 0 && len(parts) != tt.wantParts || tt.wantParts == 0 && len(parts) < 2 {
			t.Errorf("max %d: %d parts, want %d (0: several)", tt.max, len(parts), tt.wantParts)
		}
		// The parts hold the ops, in order, each within the bound.
		var got []index.LogOp
		for _, p := range parts {
			if len(p) > tt.max {
				t.Errorf("max %d: a part of %d bytes", tt.max, len(p))
			}
			ops, err := decodeEntry(p)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, ops...)
		}
		if len(got) != len(tt.ops) {
			t.Fatalf("max %d: %d ops back, want %d", tt.max, len(got), len(tt.ops))
		}
		for i := range got {
			if (got[i].Article == nil) != (tt.ops[i].Article == nil) || got[i].Delete != tt.ops[i].Delete ||
				got[i].Article != nil && got[i].Article.ID != tt.ops[i].Article.ID {
				t.Errorf("max %d: op %d is %+v, want %+v", tt.max, i, got[i], tt.ops[i])
			}
		}
	}
}
