package main

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wensou/wensou/index/replica"
)

func TestParseTokens(t *testing.T) {
	tests := []struct {
		tok  string
		want []uint64
		bad  bool
	}{
		{"", []uint64{0, 0, 0}, false},
		{"S1:7", []uint64{0, 7, 0}, false},
		{"S0:5121,S2:77", []uint64{5121, 0, 77}, false},
		{"S2:3,S2:9", []uint64{0, 0, 9}, false},
		{"S3:1", nil, true},
		{"S1:0", nil, true},
		{"1:5", nil, true},
		{"S1", nil, true},
		{"S1:x", nil, true},
		{"S0:5,", nil, true},
	}
	for _, tt := range tests {
		got, err := parseTokens(tt.tok, 3)
		if (err != nil) != tt.bad || fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("parseTokens(%q) = %v, %v; want %v (error %v)", tt.tok, got, err, tt.want, tt.bad)
		}
	}
	if got := tokens(map[int]uint64{2: 77, 0: 5121}); got != "S0:5121,S2:77" {
		t.Errorf("tokens = %q", got)
	}
}

func TestParseHeld(t *testing.T) {
	tests := []struct {
		in   string
		want string
		bad  bool
	}{
		{"", "[0 1 2]", false},
		{"all", "[0 1 2]", false},
		{"2,0", "[0 2]", false},
		{"1,1", "[1]", false},
		{"3", "", true},
		{"x", "", true},
		{",", "", true},
	}
	for _, tt := range tests {
		got, err := parseHeld(tt.in, 3)
		if (err != nil) != tt.bad || !tt.bad && fmt.Sprint(got) != tt.want {
			t.Errorf("parseHeld(%q) = %v, %v; want %s (error %v)", tt.in, got, err, tt.want, tt.bad)
		}
	}
}

// shardTokens is a wait_for token for every shard's last entry, read
// from a node's GET /api/cluster.
func shardTokens(t *testing.T, base string) string {
	t.Helper()
	code, info := call(t, http.MethodGet, base+"/api/cluster", "", nil)
	if code != http.StatusOK {
		t.Fatalf("GET /api/cluster = %d %v", code, info)
	}
	var parts []string
	for _, s := range info["shard"].([]any) {
		s := s.(map[string]any)
		if last := int64(s["log"].(map[string]any)["last_seq"].(float64)); last > 0 {
			parts = append(parts, fmt.Sprintf("S%d:%d", int(s["shard"].(float64)), last))
		}
	}
	return strings.Join(parts, ",")
}

// TestServe_ClusterShards: three nodes, three shards, each shard held by
// two nodes. After 500 writes through every node, every node answers 20
// searches with the same hits, totals and facets, which are those of all
// the articles; an article is read through any node; a retried write is
// stored once; a new node copies its shard from a peer; a node rebuilds
// its shards; and with no node left holding a shard, searches answer
// partial (or 503 when asked complete).
func TestServe_ClusterShards(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a three-node cluster")
	}
	start := time.Now()
	held := []string{"0,1", "1,2", "2,0"}
	nodes := startClusterServesEach(t, 3, func(i int) []string {
		return []string{"--shards", "3", "--hold-shards", held[i], "--write-timeout", "5s", "--write-wait", "20s"}
	})
	t.Logf("ready after %s", time.Since(start))

	// 500 writes, 4 at a time, through every node.
	authors := []string{"李明华", "赵静", "王雪", "Alice Chen", "陈刚"}
	words := []string{"职业教育", "集群", "分片", "搜索", "新闻", "港口", "能源", "学生"}
	const writes = 500
	var wg sync.WaitGroup
	failed := make(chan string, writes)
	next := make(chan int)
	for w := range 4 {
		wg.Go(func() {
			for i := range next {
				n := nodes[(i+w)%3]
				body := fmt.Sprintf(`{"id":"a%03d","title":"%s第%d篇","body":"%s和%s的报道，经由%s写入。","author":"%s","date":"20%02d-%02d-15"}`,
					i, words[i%len(words)], i, words[(i/3)%len(words)], words[(i/7)%len(words)], n.name, authors[i%len(authors)], 18+i%7, 1+i%12)
				code, out := call(t, http.MethodPost, n.base+"/api/articles", body, nil)
				if code != http.StatusCreated {
					failed <- fmt.Sprintf("write %d via %s: %d %v", i, n.name, code, out)
				}
			}
		})
	}
	for i := range writes {
		next <- i
	}
	close(next)
	wg.Wait()
	close(failed)
	for f := range failed {
		t.Error(f)
	}
	t.Logf("%d writes after %s", writes, time.Since(start))
	// A retried write (same Idempotency-Key) is stored once.
	tok := shardTokens(t, nodes[0].base)
	for range 2 {
		code, out := call(t, http.MethodPut, nodes[1].base+"/api/articles/retried", `{"title":"重试的写入","body":"只存一次。"}`, map[string]string{"Idempotency-Key": "k-7"})
		if code != http.StatusCreated && code != http.StatusOK {
			t.Fatalf("retried write: %d %v", code, out)
		}
	}
	k := replica.ShardOf("retried", 3)
	after := shardTokens(t, nodes[0].base)
	if strings.Count(after, ",") != 2 || tok == after {
		t.Fatalf("tokens before and after the retried write: %q %q", tok, after)
	}
	want := 0
	for _, p := range strings.Split(tok, ",") {
		if strings.HasPrefix(p, fmt.Sprintf("S%d:", k)) {
			fmt.Sscanf(p, fmt.Sprintf("S%d:%%d", k), &want)
		}
	}
	if !strings.Contains(after, fmt.Sprintf("S%d:%d", k, want+1)) {
		t.Errorf("two writes with one Idempotency-Key: shard %d's log went from %q to %q, want one entry more", k, tok, after)
	}

	// Every node answers every search alike, with every shard's share.
	tok = after
	queries := []string{"", "职业教育", "集群", "分片", "搜索", "新闻", "港口", "能源", "学生", "报道",
		"职业教育 集群", "搜索 -新闻", "title:港口", "n1", "写入", "重试", "能源 学生", "分片 搜索 新闻", "不存在", "港口第"}
	for _, q := range queries {
		want := clusterSearch(t, nodes[0].base, q, tok)
		for _, n := range nodes[1:] {
			if got := clusterSearch(t, n.base, q, tok); got != want {
				t.Errorf("%q: %s answers\n%s\nn1\n%s", q, n.name, got, want)
			}
		}
		if strings.Contains(want, `"partial":`) {
			t.Errorf("%q: a partial answer with every shard up: %s", q, want)
		}
	}
	if got := clusterSearch(t, nodes[2].base, "", tok); !strings.Contains(got, fmt.Sprintf(`"total":%d`, writes+1)) || !strings.Contains(got, `"shards":{"failed":0,"total":3}`) {
		t.Errorf("all articles: want %d over 3 shards: %.300s", writes+1, got)
	}
	// The author facet counts every shard's articles exactly.
	code, out := call(t, http.MethodGet, nodes[1].base+"/api/search?q=&wait_for="+url.QueryEscape(tok), "", nil)
	if code != http.StatusOK {
		t.Fatalf("search: %d %v", code, out)
	}
	for _, b := range out["facets"].(map[string]any)["author"].([]any) {
		if b := b.(map[string]any); b["count"].(float64) != writes/float64(len(authors)) {
			t.Errorf("author facet %v, want %d each", b, writes/len(authors))
		}
	}
	// An article is read through a node that does not hold its shard.
	for _, id := range []string{"a000", "a001", "a002", "a003"} {
		k := replica.ShardOf(id, 3)
		for i, n := range nodes {
			if code, out := call(t, http.MethodGet, n.base+"/api/articles/"+id, "", nil); code != http.StatusOK || out["id"] != id {
				t.Errorf("GET %s (shard %d) via n%d: %d %v", id, k, i+1, code, out)
			}
		}
	}
	if code, _ := call(t, http.MethodGet, nodes[0].base+"/api/articles/nonesuch", "", nil); code != http.StatusNotFound {
		t.Errorf("GET a missing article: %d, want 404", code)
	}
	// The search page, on a node that holds two of the three shards.
	resp, err := http.Get(nodes[0].base + "/?q=" + url.QueryEscape("港口"))
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), "<mark>港口</mark>") {
		t.Errorf("the search page: %d\n%.500s", resp.StatusCode, page)
	}
	t.Logf("checked after %s", time.Since(start))

	// A node that joins holding shard 1 copies it from n1 or n2.
	dir := t.TempDir()
	ready, exited := make(chan int, 1), make(chan int, 1)
	n4 := launchServe([]string{"serve", "--addr", "127.0.0.1:0", "--admin-key", "secret",
		"--index", filepath.Join(dir, "n4"), "--cluster", "--node", "n4", "--nats", nodes[0].nats,
		"--shards", "3", "--hold-shards", "1"}, 0, ready, exited)
	n4.name = "n4"
	waitServes(t, []*clusterNodeProc{n4}, ready, exited)
	code, info := call(t, http.MethodGet, n4.base+"/api/cluster", "", nil)
	var copied map[string]any
	for _, s := range info["shard"].([]any) {
		if s := s.(map[string]any); s["shard"] == 1.0 {
			copied, _ = s["copied_from"].(map[string]any)
		}
	}
	if code != http.StatusOK || copied == nil || (copied["node"] != "n1" && copied["node"] != "n2") || copied["bytes"].(float64) <= 0 {
		t.Errorf("n4: GET /api/cluster = %d %v, want shard 1 copied from n1 or n2", code, info)
	}
	for _, q := range queries[:6] {
		if got, want := clusterSearch(t, n4.base, q, tok), clusterSearch(t, nodes[0].base, q, tok); got != want {
			t.Errorf("%q: n4 answers\n%s\nn1\n%s", q, got, want)
		}
	}

	// A node that would not fit is refused: another number of shards,
	// or the name of a running node.
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--node", "n9", "--shards", "2"}, "node n1 of the cluster spreads articles over 3 shards"},
		{[]string{"--node", "n2", "--shards", "3"}, "a running node of the cluster has that name"},
	} {
		var stderr syncBuffer
		args := append([]string{"serve", "--addr", "127.0.0.1:0", "--index", t.TempDir(), "--cluster", "--nats", nodes[0].nats}, tt.args...)
		if code := runWithEnv(t.Context(), args, mapEnv(nil), io.Discard, &stderr); code != exitUsage || !strings.Contains(stderr.String(), tt.want) {
			t.Errorf("%v: exit %d, %s; want %d and %q", tt.args, code, stderr.String(), exitUsage, tt.want)
		}
	}

	// A node rebuilds the shards it holds, one after the other.
	if code, out := call(t, http.MethodPost, nodes[0].base+"/api/admin/reindex", `{"source":"stored"}`, nil); code != http.StatusAccepted {
		t.Fatalf("reindex on n1: %d %v", code, out)
	}
	rebuilt := false
	for i := 0; i < 600 && !rebuilt; i++ {
		time.Sleep(100 * time.Millisecond)
		_, st := call(t, http.MethodGet, nodes[0].base+"/api/admin/reindex", "", nil)
		rebuilt = st["running"] == nil && strings.Count(nodes[0].stderr.String(), `msg="rebuild done"`) >= 2
		if last, _ := st["last"].(map[string]any); last != nil && last["error"] != nil {
			t.Fatalf("reindex on n1: %v", last)
		}
	}
	if !rebuilt {
		_, st := call(t, http.MethodGet, nodes[0].base+"/api/admin/reindex", "", nil)
		t.Errorf("n1 did not rebuild both its shards within 60 s: %v", st)
	}
	if got, want := clusterSearch(t, nodes[0].base, "职业教育", tok), clusterSearch(t, nodes[1].base, "职业教育", tok); got != want {
		t.Errorf("after n1's rebuild it answers\n%s\nn2\n%s", got, want)
	}
	// wensou reindex --cluster rebuilds every node's shards in turn.
	var stdout, errs syncBuffer
	if code := runWithEnv(t.Context(), []string{"reindex", "--cluster", nodes[1].base}, mapEnv(map[string]string{"WENSOU_ADMIN_KEY": "secret"}), &stdout, &errs); code != 0 {
		t.Fatalf("reindex --cluster: exit %d\n%s%s", code, stdout.String(), errs.String())
	}
	if !strings.Contains(stdout.String(), "rebuilt the cluster's 4 nodes") {
		t.Errorf("reindex --cluster printed:\n%s", stdout.String())
	}
	for _, q := range queries[:6] {
		want := clusterSearch(t, nodes[0].base, q, tok)
		for _, n := range append(nodes[1:], n4) {
			if got := clusterSearch(t, n.base, q, tok); got != want {
				t.Errorf("%q after reindex --cluster: %s answers\n%s\nn1\n%s", q, n.name, got, want)
			}
		}
	}

	// No node left holding shard 1: searches answer partial, or 503
	// when asked complete.
	n4.stop(t)
	nodes[0].stop(t)
	nodes[1].stop(t)
	t.Logf("stopped after %s", time.Since(start))
	code, out = call(t, http.MethodGet, nodes[2].base+"/api/search?q=", "", nil)
	shards, _ := out["shards"].(map[string]any)
	if code != http.StatusOK || out["partial"] != true || shards["failed"] != 1.0 || shards["total"] != 3.0 {
		t.Errorf("search without shard 1: %d %v, want partial with 1 of 3 failed", code, out)
	} else if total := out["total"].(float64); total <= 0 || total >= writes {
		t.Errorf("search without shard 1: total %v, want shards 0 and 2's share of %d", total, writes+1)
	}
	code, out = call(t, http.MethodGet, nodes[2].base+"/api/search?q=&complete=true", "", nil)
	if e, _ := out["error"].(map[string]any); code != http.StatusServiceUnavailable || e["code"] != "incomplete" {
		t.Errorf("complete search without shard 1: %d %v, want 503 incomplete", code, out)
	}
	// Two of the three log voters are down too: writes fail, searches
	// went on above.
	code, out = call(t, http.MethodPost, nodes[2].base+"/api/articles", `{"id":"lost","title":"无法写入"}`, nil)
	if e, _ := out["error"].(map[string]any); code != http.StatusServiceUnavailable || e["code"] != "no_quorum" {
		t.Errorf("write without a quorum: %d %v, want 503 no_quorum", code, out)
	}
}
