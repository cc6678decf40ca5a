package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// freePorts returns n loopback ports that are free now.
func freePorts(t *testing.T, n int) []int {
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

// clusterNodeProc is one "wensou serve --cluster" running in process.
type clusterNodeProc struct {
	name string
	// nats lists the client URLs of the cluster's log voters.
	nats   string
	base   string
	stderr *syncBuffer
	cancel context.CancelFunc
	done   chan struct{} // closed when the command returned
}

func (p *clusterNodeProc) stop(t *testing.T) {
	t.Helper()
	p.cancel()
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		t.Fatalf("node did not stop within 30s:\n%s", p.stderr.String())
	}
}

// launchServe runs "wensou serve" with args in process; ready gets i
// once it has logged that it is ready, exited gets i when it returns.
func launchServe(args []string, i int, ready, exited chan<- int) *clusterNodeProc {
	addrRE := regexp.MustCompile(`msg=listening addr=(http://\S+)`)
	ctx, cancel := context.WithCancel(context.Background())
	p := &clusterNodeProc{stderr: &syncBuffer{}, cancel: cancel, done: make(chan struct{})}
	signalled := false
	p.stderr.onWrite = func(all string) {
		if m := addrRE.FindStringSubmatch(all); m != nil && strings.Contains(all, "msg=ready") && !signalled {
			signalled = true
			p.base = strings.TrimSuffix(m[1], "/")
			ready <- i
		}
	}
	go func() {
		defer close(p.done)
		runWithEnv(ctx, args, mapEnv(nil), io.Discard, p.stderr)
		exited <- i
	}()
	return p
}

// waitServes waits until every one of procs is ready, within 90 s.
func waitServes(t *testing.T, procs []*clusterNodeProc, ready, exited <-chan int) {
	t.Helper()
	t.Cleanup(func() {
		for _, p := range procs {
			p.cancel()
			select {
			case <-p.done:
			case <-time.After(30 * time.Second):
			}
		}
	})
	deadline := time.After(90 * time.Second)
	failed := func(why string) {
		t.Helper()
		for _, p := range procs {
			t.Logf("%s:\n%s", p.name, p.stderr.String())
		}
		t.Fatal(why)
	}
	for range procs {
		select {
		case <-ready:
		case i := <-exited:
			failed(fmt.Sprintf("%s exited before it was ready", procs[i].name))
		case <-deadline:
			failed("not ready within 90s")
		}
	}
}

// startClusterServes starts n nodes at once (the log needs a quorum
// before any is ready) and returns them once all are ready.
func startClusterServes(t *testing.T, n int, extra ...string) []*clusterNodeProc {
	t.Helper()
	return startClusterServesEach(t, n, func(int) []string { return extra })
}

// startClusterServesEach is startClusterServes with node i's own extra
// flags.
func startClusterServesEach(t *testing.T, n int, extra func(i int) []string) []*clusterNodeProc {
	t.Helper()
	// The API's ports too: one listening on any free port could take a
	// voter's port, freed here, before the voter listens on it.
	ports := freePorts(t, 3*n)
	dir := t.TempDir()
	var procs []*clusterNodeProc
	ready, exited := make(chan int, n), make(chan int, n)
	var clients []string
	for i := range n {
		clients = append(clients, fmt.Sprintf("nats://127.0.0.1:%d", ports[i]))
	}
	for i := range n {
		var peers []string
		for j := range n {
			if j != i {
				peers = append(peers, fmt.Sprintf("127.0.0.1:%d", ports[n+j]))
			}
		}
		args := append([]string{"serve", "--addr", fmt.Sprintf("127.0.0.1:%d", ports[2*n+i]), "--admin-key", "secret",
			"--index", filepath.Join(dir, fmt.Sprintf("n%d", i+1)),
			"--cluster", "--node", fmt.Sprintf("n%d", i+1), "--nats-embed",
			"--nats-port", fmt.Sprint(ports[i]), "--nats-cluster-port", fmt.Sprint(ports[n+i]),
			"--peers", strings.Join(peers, ",")}, extra(i)...)
		p := launchServe(args, i, ready, exited)
		p.name, p.nats = fmt.Sprintf("n%d", i+1), strings.Join(clients, ",")
		procs = append(procs, p)
	}
	waitServes(t, procs, ready, exited)
	return procs
}

// call makes a request and decodes a JSON answer.
func call(t *testing.T, method, u, body string, header map[string]string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer secret")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatalf("%s %s: %d %s", method, u, resp.StatusCode, raw)
		}
	}
	return resp.StatusCode, out
}

// clusterSearch is a search's answer without its timing.
func clusterSearch(t *testing.T, base, q, waitFor string) string {
	t.Helper()
	u := base + "/api/search?size=20&q=" + url.QueryEscape(q)
	if waitFor != "" {
		u += "&wait_for=" + url.QueryEscape(waitFor)
	}
	code, out := call(t, http.MethodGet, u, "", nil)
	if code != http.StatusOK {
		t.Fatalf("search %q on %s: %d %v", q, base, code, out)
	}
	delete(out, "took_ms")
	raw, _ := json.Marshal(out)
	return string(raw)
}

// TestServe_Cluster: three nodes with embedded log voters; a write to
// any node is searchable on every node (wait_for), a retried write with
// its Idempotency-Key is stored once, every node answers the same hits
// and facets, and with two voters down writes answer 503 while searches
// go on.
func TestServe_Cluster(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a three-node cluster")
	}
	start := time.Now()
	// (A write waits long for its node to apply it: the test checks
	// 201s, and a loaded machine must not turn them into 202s.)
	nodes := startClusterServes(t, 3, "--write-timeout", "3s", "--write-wait", "20s")
	t.Logf("ready after %s", time.Since(start))

	lastSeq := func(base string) float64 {
		t.Helper()
		code, info := call(t, http.MethodGet, base+"/api/cluster", "", nil)
		if code != http.StatusOK || info["mode"] != "cluster" {
			t.Fatalf("GET /api/cluster = %d %v", code, info)
		}
		return info["log"].(map[string]any)["last_seq"].(float64)
	}

	// Writes through every node.
	for i, n := range nodes {
		for j := range 5 {
			body := fmt.Sprintf(`{"id":"c%d-%d","title":"职业教育集群第%d篇","body":"经由节点%d写入的文章。","author":"作者%d","date":"202%d-0%d-01"}`, i, j, j, i+1, j%3, j%5, 1+j)
			code, out := call(t, http.MethodPost, n.base+"/api/articles", body, nil)
			if code != http.StatusCreated {
				t.Fatalf("write via node %d: %d %v", i+1, code, out)
			}
		}
	}
	t.Logf("15 writes after %s", time.Since(start))
	// A retried write (same Idempotency-Key) is stored once.
	before := lastSeq(nodes[0].base)
	for range 2 {
		code, out := call(t, http.MethodPut, nodes[1].base+"/api/articles/retried", `{"title":"重试的写入","body":"只存一次。"}`, map[string]string{"Idempotency-Key": "k-42"})
		if code != http.StatusCreated && code != http.StatusOK {
			t.Fatalf("retried write: %d %v", code, out)
		}
	}
	if after := lastSeq(nodes[0].base); after != before+1 {
		t.Errorf("two writes with one Idempotency-Key took log entries %v to %v, want one", before, after)
	}
	if code, _ := call(t, http.MethodDelete, nodes[2].base+"/api/articles/c0-0", "", nil); code != http.StatusNoContent {
		t.Fatalf("delete via node 3: %d", code)
	}

	// Every node, once it has applied the log, answers the same.
	tok := fmt.Sprintf("S0:%d", int64(lastSeq(nodes[0].base)))
	for _, q := range []string{"职业教育", "集群", "写入", "重试"} {
		want := clusterSearch(t, nodes[0].base, q, tok)
		for i, n := range nodes[1:] {
			if got := clusterSearch(t, n.base, q, tok); got != want {
				t.Errorf("%q: node %d answers\n%s\nnode 1\n%s", q, i+2, got, want)
			}
		}
		if q == "职业教育" && !strings.Contains(want, `"total":14`) {
			t.Errorf("%q: want 14 hits (15 written, 1 deleted): %s", q, want)
		}
	}
	if code, out := call(t, http.MethodGet, nodes[1].base+"/api/search?q=x&wait_for=nonsense", "", nil); code != http.StatusBadRequest {
		t.Errorf("a bad wait_for token: %d %v, want 400", code, out)
	}
	for i, n := range nodes {
		code, info := call(t, http.MethodGet, n.base+"/api/cluster", "", nil)
		if code != http.StatusOK || info["lag"].(float64) != 0 || info["node"] != fmt.Sprintf("n%d", i+1) {
			t.Errorf("node %d: GET /api/cluster = %d %v", i+1, code, info)
		}
		code, health := call(t, http.MethodGet, n.base+"/healthz", "", nil)
		cl, _ := health["cluster"].(map[string]any)
		if code != http.StatusOK || cl == nil || cl["catching_up"] != false || cl["applied"] != info["applied"] {
			t.Errorf("node %d: GET /healthz = %d %v", i+1, code, health)
		}
		resp, err := http.Get(n.base + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if want := fmt.Sprintf("wensou_cluster_applied_sequence %v\n", info["applied"]); !strings.Contains(string(raw), want) {
			t.Errorf("node %d: /metrics lacks %q", i+1, want)
		}
	}

	t.Logf("checked after %s", time.Since(start))

	// Nodes that join later, on the voters' log (--nats): n4 copies a
	// caught-up peer's index and replays the log from its sequence; n5,
	// whose admin key the peers refuse, replays the whole log instead.
	// Both then answer as the others do.
	// (One after the other: n4 must not pick n5 to copy from.)
	dir := t.TempDir()
	var joined []*clusterNodeProc
	for i, key := range []string{"secret", "other"} {
		name := fmt.Sprintf("n%d", i+4)
		ready, exited := make(chan int, 1), make(chan int, 1)
		p := launchServe([]string{"serve", "--addr", "127.0.0.1:0", "--admin-key", key,
			"--index", filepath.Join(dir, name), "--cluster", "--node", name, "--nats", nodes[0].nats, "--write-wait", "20s"}, 0, ready, exited)
		p.name = name
		waitServes(t, []*clusterNodeProc{p}, ready, exited)
		joined = append(joined, p)
	}
	t.Logf("two more nodes joined after %s", time.Since(start))
	last := lastSeq(nodes[0].base)
	code, info := call(t, http.MethodGet, joined[0].base+"/api/cluster", "", nil)
	copied, _ := info["copied_from"].(map[string]any)
	if code != http.StatusOK || copied == nil || !strings.HasPrefix(copied["node"].(string), "n") || copied["applied"] != last || copied["bytes"].(float64) <= 0 {
		t.Errorf("n4: GET /api/cluster = %d %v, want a copy from a voter at sequence %v", code, info, last)
	}
	if !strings.Contains(joined[1].stderr.String(), "no snapshot copied from a peer") {
		t.Errorf("n5 copied a snapshot with an admin key its peers refuse:\n%s", joined[1].stderr.String())
	}
	if _, info := call(t, http.MethodGet, joined[1].base+"/api/cluster", "", nil); info["copied_from"] != nil {
		t.Errorf("n5: GET /api/cluster = %v, want no copy", info)
	}
	body := `{"id":"late","title":"职业教育后来的文章","body":"经由后加入的节点写入。"}`
	if code, out := call(t, http.MethodPost, joined[0].base+"/api/articles", body, nil); code != http.StatusCreated {
		t.Fatalf("write via n4: %d %v", code, out)
	}
	tok = fmt.Sprintf("S0:%d", int64(lastSeq(nodes[0].base)))
	for _, q := range []string{"职业教育", "集群", "写入", "重试"} {
		want := clusterSearch(t, nodes[0].base, q, tok)
		for _, n := range joined {
			if got := clusterSearch(t, n.base, q, tok); got != want {
				t.Errorf("%q: %s answers\n%s\nn1\n%s", q, n.name, got, want)
			}
		}
	}
	// Every node lists the five (a new subscription reaches the other
	// servers of the log a moment after its own).
	var names []string
	for range 20 {
		_, info := call(t, http.MethodGet, nodes[2].base+"/api/cluster", "", nil)
		names = names[:0]
		members, _ := info["members"].([]any)
		for _, m := range members {
			names = append(names, m.(map[string]any)["node"].(string))
		}
		if strings.Join(names, ",") == "n1,n2,n3,n4,n5" {
			break
		}
	}
	if strings.Join(names, ",") != "n1,n2,n3,n4,n5" {
		t.Errorf("n3 lists members %v, want n1 to n5", names)
	}
	for _, n := range joined {
		n.stop(t)
	}

	// A node rebuilds its index from its stored articles (a new
	// dictionary, say) while writes go on: the log entries it applies
	// meanwhile reach the new index, which resumes the log where the old
	// one was.
	if code, out := call(t, http.MethodPost, nodes[0].base+"/api/admin/reindex", `{"source":"stored"}`, nil); code != http.StatusAccepted {
		t.Fatalf("reindex on n1: %d %v", code, out)
	}
	for i := range 3 {
		body := fmt.Sprintf(`{"id":"during-%d","title":"职业教育重建时写入","body":"第%d篇。"}`, i, i)
		if code, out := call(t, http.MethodPost, nodes[1].base+"/api/articles", body, nil); code != http.StatusCreated {
			t.Fatalf("write during the rebuild: %d %v", code, out)
		}
	}
	rebuilt := false
	for i := 0; i < 300 && !rebuilt; i++ {
		_, st := call(t, http.MethodGet, nodes[0].base+"/api/admin/reindex", "", nil)
		if rebuilt = st["running"] == nil && st["last"] != nil; rebuilt {
			if last := st["last"].(map[string]any); last["error"] != nil || last["generation"] != "gen-000002" {
				t.Fatalf("reindex on n1: %v", last)
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !rebuilt {
		t.Fatal("n1's rebuild did not end within 30 s")
	}

	// wensou reindex --cluster rebuilds every node in turn, while a
	// write goes through another node during it.
	var stdout syncBuffer
	var errs syncBuffer
	writing := make(chan int, 1)
	go func() { // (no t.Fatal off the test's goroutine)
		req, _ := http.NewRequest(http.MethodPost, nodes[2].base+"/api/articles", strings.NewReader(`{"id":"during-all","title":"职业教育全体重建"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer secret")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			writing <- 0
			return
		}
		resp.Body.Close()
		writing <- resp.StatusCode
	}()
	if code := runWithEnv(t.Context(), []string{"reindex", "--cluster", nodes[1].base}, mapEnv(map[string]string{"WENSOU_ADMIN_KEY": "secret"}), &stdout, &errs); code != 0 {
		t.Fatalf("reindex --cluster: exit %d\n%s%s", code, stdout.String(), errs.String())
	}
	if code := <-writing; code != http.StatusCreated {
		t.Errorf("write during the cluster's rebuild: %d", code)
	}
	t.Logf("reindex --cluster:\n%s", stdout.String())
	for i, want := range []string{"1/3 n1: rebuilt gen-000003", "2/3 n2: rebuilt gen-000002", "3/3 n3: rebuilt gen-000002", "rebuilt the cluster's 3 nodes"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("reindex --cluster printed no %q (line %d):\n%s", want, i+1, stdout.String())
		}
	}
	tok = fmt.Sprintf("S0:%d", int64(lastSeq(nodes[0].base)))
	for _, q := range []string{"职业教育", "重建"} {
		want := clusterSearch(t, nodes[1].base, q, tok)
		for i, n := range []*clusterNodeProc{nodes[0], nodes[2]} {
			if got := clusterSearch(t, n.base, q, tok); got != want {
				t.Errorf("%q after the rebuilds: node %d answers\n%s\nn2\n%s", q, 2*i+1, got, want)
			}
		}
	}
	// Two voters down: writes fail with 503 no_quorum, searches go on.
	nodes[1].stop(t)
	nodes[2].stop(t)
	t.Logf("stopped after %s", time.Since(start))
	code, out := call(t, http.MethodPost, nodes[0].base+"/api/articles", `{"id":"lost","title":"无法写入"}`, nil)
	if code != http.StatusServiceUnavailable || out["error"].(map[string]any)["code"] != "no_quorum" {
		t.Errorf("write without a quorum: %d %v, want 503 no_quorum", code, out)
	}
	if got := clusterSearch(t, nodes[0].base, "职业教育", ""); !strings.Contains(got, `"total":19`) {
		t.Errorf("search without a quorum: %s", got)
	}
}

// TestServe_ClusterUsage: cluster flags that do not fit are refused.
func TestServe_ClusterUsage(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--node", "n1"}, "need --cluster"},
		{[]string{"--cluster"}, "--cluster needs --node"},
		{[]string{"--cluster", "--node", "n1"}, "either --nats-embed"},
		{[]string{"--cluster", "--node", "n1", "--nats-embed", "--nats", "nats://x:4222"}, "either --nats-embed"},
		{[]string{"--cluster", "--node", "n1", "--nats-embed", "--shards", "0"}, "--shards must be at least 1"},
		{[]string{"--cluster", "--node", "n1", "--nats-embed", "--hold-shards", "1"}, "--hold-shards is for a cluster of several shards"},
		{[]string{"--shards", "3"}, "need --cluster"},
		{[]string{"--cluster", "--node", "n1", "--nats-embed", "--shards", "3", "--hold-shards", "3"}, "is not a shard of 0 to 2"},
		{[]string{"--advertise", "http://a:1"}, "need --cluster"},
		{[]string{"--cluster", "--node", "n1", "--nats-embed", "--sources", "a.jsonl"}, "from the log"},
		{[]string{"--cluster", "--node", "n1", "--nats-embed", "--advertise", "a:1"}, "give the URL of this node's API"},
	}
	for _, tt := range tests {
		var stderr syncBuffer
		code := runWithEnv(t.Context(), append([]string{"serve", "--index", t.TempDir()}, tt.args...), mapEnv(nil), io.Discard, &stderr)
		if code != exitUsage || !strings.Contains(stderr.String(), tt.want) {
			t.Errorf("%v: exit %d, %s; want %d and %q", tt.args, code, stderr.String(), exitUsage, tt.want)
		}
	}
}

// TestClusterFlags_Advertised: the URL a node gives its peers.
func TestClusterFlags_Advertised(t *testing.T) {
	host, err := os.Hostname()
	if err != nil {
		t.Skip("no host name:", err)
	}
	tests := []struct {
		advertise, addr, want string
	}{
		{"", "127.0.0.1:8080", "http://127.0.0.1:8080"},
		{"", "[::1]:8080", "http://[::1]:8080"},
		{"", "0.0.0.0:8080", "http://" + net.JoinHostPort(host, "8080")},
		{"", "[::]:8080", "http://" + net.JoinHostPort(host, "8080")},
		{"https://search.example.com/", "0.0.0.0:8080", "https://search.example.com"},
	}
	for _, tt := range tests {
		addr, err := net.ResolveTCPAddr("tcp", tt.addr)
		if err != nil {
			t.Fatal(err)
		}
		f := clusterFlags{advertise: tt.advertise, addr: addr}
		if got := f.advertised(); got != tt.want {
			t.Errorf("--advertise %q on %s: %q, want %q", tt.advertise, tt.addr, got, tt.want)
		}
	}
}

// TestReindex_ClusterRefused: reindex --cluster with what does not fit.
func TestReindex_ClusterRefused(t *testing.T) {
	standalone := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"mode":"standalone"}`)
	}))
	defer standalone.Close()
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--cluster", "http://127.0.0.1:1", "a.jsonl"}, exitUsage, "takes no PATHs"},
		{[]string{"--cluster", "127.0.0.1:1"}, exitUsage, "give the URL of a node's API"},
		{[]string{"--cluster", standalone.URL}, 1, "is no cluster node"},
	}
	for _, tt := range tests {
		var stderr syncBuffer
		code := runWithEnv(t.Context(), append([]string{"reindex"}, tt.args...), mapEnv(nil), io.Discard, &stderr)
		if code != tt.code || !strings.Contains(stderr.String(), tt.want) {
			t.Errorf("%v: exit %d, %s; want %d and %q", tt.args, code, stderr.String(), tt.code, tt.want)
		}
	}
}
