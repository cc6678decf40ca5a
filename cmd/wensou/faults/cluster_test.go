package faults

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// clusterNode is one wensou serve --cluster process and how to start it
// again on the same index and ports.
type clusterNode struct {
	name string
	args []string
	proc *background
	url  string
}

// start starts the node's process; ready waits for it.
func (n *clusterNode) start(t *testing.T) {
	t.Helper()
	n.proc = startWensou(t, n.args...)
	n.url = ""
}

// ready waits until the node says where it listens and answers /healthz
// with 200.
func (n *clusterNode) ready(t *testing.T, within time.Duration) {
	t.Helper()
	client := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	if !poll(within, func() bool {
		if n.proc.exited() {
			return true
		}
		if n.url == "" {
			m := listeningRE.FindStringSubmatch(n.proc.stderr.String())
			if m == nil {
				return false
			}
			n.url = m[1]
		}
		resp, err := client.Get(n.url + "/healthz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}) || n.proc.exited() {
		t.Fatalf("cluster node %s not ready within %s; log:\n%s", n.name, within, tail(n.proc.stderr.String(), 20))
	}
}

// freeLoopbackPorts returns n ports free on loopback now.
func freeLoopbackPorts(t *testing.T, n int) []int {
	t.Helper()
	var ports []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports
}

// startCluster starts three nodes with embedded log voters and waits
// until all three are ready.
func startCluster(t *testing.T) []*clusterNode {
	t.Helper()
	dir := t.TempDir()
	ports := freeLoopbackPorts(t, 9)
	var nodes []*clusterNode
	for i := range 3 {
		var peers []string
		for j := range 3 {
			if j != i {
				peers = append(peers, fmt.Sprintf("127.0.0.1:%d", ports[3+j]))
			}
		}
		n := &clusterNode{name: fmt.Sprintf("n%d", i+1)}
		n.args = []string{"serve", "--index", filepath.Join(dir, n.name), "--addr", fmt.Sprintf("127.0.0.1:%d", ports[6+i]),
			"--admin-key", adminKey, "--cluster", "--node", n.name, "--nats-embed",
			"--nats-port", strconv.Itoa(ports[i]), "--nats-cluster-port", strconv.Itoa(ports[3+i]),
			"--peers", strings.Join(peers, ",")}
		n.start(t)
		nodes = append(nodes, n)
	}
	for _, n := range nodes {
		n.ready(t, 60*time.Second)
	}
	return nodes
}

// clusterView is what GET /api/cluster says.
type clusterView struct {
	Node    string `json:"node"`
	Applied uint64 `json:"applied"`
	Log     struct {
		Leader  string `json:"leader"`
		LastSeq uint64 `json:"last_seq"`
	} `json:"log"`
}

func getJSON(c *http.Client, u string, v any) error {
	resp, err := c.Get(u)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %d", u, resp.StatusCode)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

// TestCluster_Kill9Leader runs three wensou serve --cluster processes
// under 200 writes a second (10 clients) and 20 searches a second, kills the log's
// stream leader with SIGKILL after 5 s and starts it again after 11 s,
// five runs. Writes are retried with their Idempotency-Key, on another
// node, until acknowledged, as a client riding out a leader election
// does. Each run checks that no acknowledged write is lost on any node,
// that the log stored no write twice, that no search of a live node
// failed, the longest write stall, the time the restarted node took to
// catch up, and that every node answers the same facets.
func TestCluster_Kill9Leader(t *testing.T) {
	needFaults(t)
	rounds := roundsFromEnvVar(t, "WENSOU_FAULTS_CLUSTER_ROUNDS")
	var lost, dups, failedSearches int
	var stalls, converge []time.Duration
	for r := range rounds {
		t.Run(fmt.Sprintf("run%d", r+1), func(t *testing.T) {
			res := clusterRun(t, r+1)
			lost += res.lost
			dups += res.dups
			failedSearches += res.failedSearches
			stalls = append(stalls, res.stall)
			converge = append(converge, res.converge)
			if !res.sameFacets {
				t.Errorf("run %d: the nodes' facets differ", r+1)
			}
		})
	}
	checkEq(t, fmt.Sprintf("acknowledged writes lost, %d runs", rounds), lost, 0)
	checkEq(t, "writes stored twice in the log", dups, 0)
	checkEq(t, "failed searches of live nodes", failedSearches, 0)
	longest := slices.Max(stalls)
	check(t, "longest write stall (JetStream elects in 4-9 s)", longest.Round(time.Millisecond), "< 10s", longest < 10*time.Second)
	note(t, "restarted node caught up after its start, per run", fmtDurations(converge))
	note(t, "write stalls, per run", fmtDurations(stalls))
}

func fmtDurations(ds []time.Duration) string {
	var s []string
	for _, d := range ds {
		s = append(s, d.Round(10*time.Millisecond).String())
	}
	return strings.Join(s, " ")
}

type clusterRunResult struct {
	acked, lost, dups, failedSearches int
	stall, converge                   time.Duration
	sameFacets                        bool
}

// every calls fn with 0, 1, 2, … once every d until stop is closed or fn
// returns false.
func every(stop <-chan struct{}, d time.Duration, fn func(k int) bool) {
	tick := time.NewTicker(d)
	defer tick.Stop()
	for k := 0; ; k++ {
		select {
		case <-stop:
			return
		case <-tick.C:
		}
		if !fn(k) {
			return
		}
	}
}

// clusterRun is one run of TestCluster_Kill9Leader.
func clusterRun(t *testing.T, run int) clusterRunResult {
	nodes := startCluster(t)
	// A transport of the run's own: the shared default would keep idle
	// connections to an earlier run's nodes, and a port picked again
	// would reuse one that the old node's death closed (EOF).
	transport := &http.Transport{MaxIdleConnsPerHost: 16}
	defer transport.CloseIdleConnections()
	client := &http.Client{Timeout: 5 * time.Second, Transport: transport}
	runToken := fmt.Sprintf("clusterrun%dx%d", run, time.Now().UnixNano()%100000)

	var (
		mu      sync.Mutex
		dead    = map[int]bool{} // nodes killed and not yet ready again
		acked   = map[string]bool{}
		stall   time.Duration
		written atomic.Int64
		failed  atomic.Int64
		stop    = make(chan struct{})
		wg      sync.WaitGroup
	)
	live := func(i int) (string, bool) {
		mu.Lock()
		defer mu.Unlock()
		n := nodes[i%len(nodes)]
		return n.url, !dead[i%len(nodes)]
	}
	// 10 writers, 20 writes a second each: a write waits for the log's
	// quorum and for its node to apply it (20-40 ms).
	for w := range 10 {
		wg.Go(func() {
			every(stop, 50*time.Millisecond, func(k int) bool {
				id := fmt.Sprintf("w%d-%05d", w, k)
				body := fmt.Sprintf(`{"id":%q,"title":"%s 职业教育 %s","body":"集群写入 %s","author":"作者%d","date":"202%d-0%d-15"}`, id, runToken, id, runToken, k%5, k%4, 1+k%9)
				first := time.Now()
				for attempt := 0; ; attempt++ {
					base, ok := live(w + attempt)
					if !ok {
						continue
					}
					req, _ := http.NewRequest(http.MethodPost, base+"/api/articles", strings.NewReader(body))
					req.Header.Set("Authorization", "Bearer "+adminKey)
					req.Header.Set("Content-Type", "application/json")
					req.Header.Set("Idempotency-Key", id)
					resp, err := client.Do(req)
					if err == nil {
						resp.Body.Close()
						if resp.StatusCode == http.StatusCreated || resp.StatusCode == http.StatusAccepted {
							break
						}
					}
					if time.Since(first) > 30*time.Second {
						t.Errorf("write %s not acknowledged within 30s (last: %v %v)", id, err, resp)
						return false
					}
					time.Sleep(50 * time.Millisecond)
				}
				mu.Lock()
				acked[id] = true
				stall = max(stall, time.Since(first))
				mu.Unlock()
				written.Add(1)
				return true
			})
		})
	}
	// 20 searches a second over the live nodes.
	wg.Go(func() {
		every(stop, 50*time.Millisecond, func(k int) bool {
			base, ok := live(k)
			if !ok {
				return true
			}
			resp, err := client.Get(base + "/api/search?q=" + url.QueryEscape("职业教育"))
			if err == nil {
				resp.Body.Close()
			}
			if err != nil || resp.StatusCode != http.StatusOK {
				failed.Add(1)
				t.Logf("search of %s failed: %v %v", base, err, resp)
			}
			return true
		})
	})

	time.Sleep(5 * time.Second)
	var view clusterView
	if err := getJSON(client, nodes[0].url+"/api/cluster", &view); err != nil {
		close(stop)
		wg.Wait()
		t.Fatalf("cluster state: %v", err)
	}
	victim := slices.IndexFunc(nodes, func(n *clusterNode) bool { return n.name == view.Log.Leader })
	if victim < 0 {
		close(stop)
		wg.Wait()
		t.Fatalf("no node is the stream leader %q", view.Log.Leader)
	}
	mu.Lock()
	dead[victim] = true
	mu.Unlock()
	nodes[victim].proc.kill()
	t.Logf("run %d: killed the stream leader %s after 5s (%d writes acknowledged)", run, nodes[victim].name, written.Load())

	time.Sleep(6 * time.Second)
	// The restarted node has caught up once it has applied what the
	// log held when it started.
	other := nodes[(victim+1)%len(nodes)]
	if err := getJSON(client, other.url+"/api/cluster", &view); err != nil {
		t.Fatalf("cluster state: %v", err)
	}
	behind := view.Log.LastSeq
	nodes[victim].start(t)
	restarted := time.Now()
	var converge time.Duration
	if !poll(60*time.Second, func() bool {
		n := nodes[victim]
		if n.url == "" {
			if m := listeningRE.FindStringSubmatch(n.proc.stderr.String()); m != nil {
				n.url = m[1]
			}
			return false
		}
		var v clusterView
		return getJSON(client, n.url+"/api/cluster", &v) == nil && v.Applied >= behind
	}) {
		t.Fatalf("the restarted node did not apply the %d entries of the log within 60s; log:\n%s", behind, tail(nodes[victim].proc.stderr.String(), 20))
	}
	converge = time.Since(restarted)
	nodes[victim].ready(t, 60*time.Second)
	mu.Lock()
	dead[victim] = false
	mu.Unlock()

	time.Sleep(9 * time.Second)
	close(stop)
	wg.Wait()

	// Every node applies the whole log.
	var last uint64
	if err := getJSON(client, nodes[0].url+"/api/cluster", &view); err != nil {
		t.Fatalf("cluster state: %v", err)
	}
	last = view.Log.LastSeq
	for _, n := range nodes {
		if !poll(60*time.Second, func() bool {
			var v clusterView
			return getJSON(client, n.url+"/api/cluster", &v) == nil && v.Applied >= last
		}) {
			t.Fatalf("node %s did not apply the log up to %d within 60s", n.name, last)
		}
	}

	res := clusterRunResult{acked: len(acked), stall: stall, converge: converge, failedSearches: int(failed.Load()), sameFacets: true}
	// Each write is one log entry: more entries than writes would be a
	// write stored twice.
	if int(last) > len(acked) {
		res.dups = int(last) - len(acked)
	}
	var first string
	for i, n := range nodes {
		var out map[string]any
		if err := getJSON(client, n.url+"/api/search?size=1&q="+url.QueryEscape(runToken), &out); err != nil {
			t.Fatalf("search on %s: %v", n.name, err)
		}
		total := int(out["total"].(float64))
		if total < len(acked) {
			res.lost += len(acked) - total
			t.Errorf("node %s holds %d of the %d acknowledged writes", n.name, total, len(acked))
		}
		facets, _ := json.Marshal(out["facets"])
		if i == 0 {
			first = string(facets)
		} else if string(facets) != first {
			res.sameFacets = false
			t.Errorf("node %s facets %s, node n1 %s", n.name, facets, first)
		}
	}
	t.Logf("run %d: %d writes acknowledged, log at %d, longest stall %s, %s caught up %s after its start, %d failed searches",
		run, len(acked), last, stall.Round(time.Millisecond), nodes[victim].name, converge.Round(time.Millisecond), res.failedSearches)
	for _, n := range nodes {
		n.proc.kill()
	}
	return res
}
