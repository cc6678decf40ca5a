package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/wensou/wensou/index/store"
)

// startServe runs "wensou serve" on a free port until the returned stop
// is called, and returns its base URL once the index is ready.
func startServe(t *testing.T, args ...string) (base string, stop func() (int, string)) {
	t.Helper()
	base, _, stop = startServeLog(t, args...)
	return base, stop
}

// startServeLog is startServe, with the server's log so far.
func startServeLog(t *testing.T, args ...string) (base string, log func() string, stop func() (int, string)) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	var stdout, stderr syncBuffer
	ready := make(chan string, 1)
	addrRE := regexp.MustCompile(`msg=listening addr=(http://\S+)`)
	stderr.onWrite = func(all string) {
		if m := addrRE.FindStringSubmatch(all); m != nil && strings.Contains(all, "msg=ready") {
			select {
			case ready <- strings.TrimSuffix(m[1], "/"):
			default:
			}
		}
	}
	done := make(chan int, 1)
	go func() {
		done <- runWithEnv(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...), mapEnv(nil), &stdout, &stderr)
	}()
	select {
	case base = <-ready:
	case code := <-done:
		cancel()
		t.Fatalf("serve exited with %d before it was ready:\n%s", code, stderr.String())
	case <-time.After(60 * time.Second):
		cancel()
		t.Fatalf("serve not ready after 60s:\n%s", stderr.String())
	}
	return base, stderr.String, func() (int, string) {
		cancel()
		select {
		case code := <-done:
			return code, stderr.String()
		case <-time.After(30 * time.Second):
			t.Fatalf("serve did not stop within 30s:\n%s", stderr.String())
			return 0, ""
		}
	}
}

func TestServe(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "idx.bleve")
	base, stop := startServe(t, "--index", dir, "--samples", filepath.Join("..", "..", "data", "articles"), "--admin-key", "secret")

	get := func(path string) (int, map[string]any) {
		t.Helper()
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body map[string]any
		if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
			if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
				t.Fatal(err)
			}
		}
		return resp.StatusCode, body
	}
	if code, body := get("/healthz"); code != http.StatusOK || body["status"] != "ok" {
		t.Fatalf("GET /healthz = %d %v", code, body)
	}
	if code, body := get("/api/search?q=" + url.QueryEscape("职业教育")); code != http.StatusOK || body["total"].(float64) < 1 {
		t.Fatalf("GET /api/search = %d %v", code, body)
	}

	// A write through the API is durable: it is in the index after a
	// clean shutdown.
	req, err := http.NewRequest(http.MethodPost, base+"/api/articles",
		strings.NewReader(`{"id":"api-1","title":"接口写入的文章","body":"通过接口写入，关机后仍在。"}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer secret")
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST /api/articles = %d", resp.StatusCode)
	}

	code, stderr := stop()
	if code != exitOK {
		t.Fatalf("serve exit %d after a signal, want 0:\n%s", code, stderr)
	}
	for _, want := range []string{"msg=listening", "articles=", "startup_ms=", "msg=\"shutting down\"", "msg=stopped"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("serve log lacks %q:\n%s", want, stderr)
		}
	}
	ix, err := store.Open(t.Context(), dir, store.Options{})
	if err != nil {
		t.Fatalf("reopen the index after shutdown: %v", err)
	}
	defer ix.Close()
	if _, err := ix.Get(t.Context(), "api-1"); err != nil {
		t.Errorf("article written through the API is gone after shutdown: %v", err)
	}
}

// TestServe_Pprof: --pprof serves Go's profiles on an address of its
// own, never on the API's.
func TestServe_Pprof(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "idx.bleve")
	base, log, stop := startServeLog(t, "--index", dir, "--samples", filepath.Join("..", "..", "data", "articles"), "--pprof", "127.0.0.1:0")
	defer stop()
	m := regexp.MustCompile(`msg=profiles addr=(http://\S+)`).FindStringSubmatch(log())
	if m == nil {
		t.Fatalf("no profiles address in the log:\n%s", log())
	}
	status := func(u string) int {
		t.Helper()
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := status(m[1] + "goroutine?debug=1"); got != http.StatusOK {
		t.Errorf("GET %sgoroutine = %d, want 200", m[1], got)
	}
	if got := status(base + "/debug/pprof/"); got != http.StatusNotFound {
		t.Errorf("GET /debug/pprof/ on the API's address = %d, want 404", got)
	}
}

func TestServe_UsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"argument", []string{"serve", "extra"}, "serve takes no arguments"},
		{"bad log format", []string{"serve", "--log-format", "xml"}, "--log-format must be text or json"},
		{"bad timeout", []string{"serve", "--search-timeout", "0s"}, "must be positive"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := wensou(t, nil, tt.args...)
			if r.code != exitUsage || !strings.Contains(r.stderr, tt.want) {
				t.Errorf("%v: %v, want exit 2 with %q", tt.args, r, tt.want)
			}
		})
	}
}

func TestLoad(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "idx.bleve")
	base, stop := startServe(t, "--index", dir, "--samples", filepath.Join("..", "..", "data", "articles"))
	defer stop()
	r := wensou(t, nil, "load", "--url", base, "--queries", filepath.Join("..", "..", "data", "queries.txt"),
		"-c", "2", "-d", "1s", "--warmup", "100ms")
	if r.code != exitOK {
		t.Fatalf("load: %v", r)
	}
	for _, want := range []string{"errors 0", "QPS", "p50", "p95", "p99"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("load output lacks %q:\n%s", want, r.stdout)
		}
	}
	if r := wensou(t, nil, "load", "--queries", filepath.Join(t.TempDir(), "missing.txt")); r.code != exitRejected || !strings.Contains(r.stderr, "read queries") {
		t.Errorf("load with a missing query file: %v", r)
	}
}

// TestServe_SynonymsReload: an edited synonym file applies to the running
// server's next searches, and the log says it was reloaded.
func TestServe_SynonymsReload(t *testing.T) {
	dict := t.TempDir()
	synFile := filepath.Join(dict, "test.syn")
	if err := os.WriteFile(synFile, []byte("北大 北京大学\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "idx.bleve")
	base, stop := startServe(t, "--index", dir, "--dict", dict, "--samples", filepath.Join("..", "..", "data", "articles"))
	total := func(q string) float64 {
		t.Helper()
		resp, err := http.Get(base + "/api/search?q=" + url.QueryEscape(q))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
			t.Fatal(err)
		}
		return body["total"].(float64)
	}
	// 职高 is in no sample article: until it is a synonym, it finds none.
	if n := total("职高"); n != 0 {
		t.Fatalf("职高 before it is a synonym: %v hits, want 0", n)
	}
	if err := os.WriteFile(synFile, []byte("北大 北京大学\n职高 职业教育\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(time.Second)
	if err := os.Chtimes(synFile, later, later); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for total("职高") == 0 {
		if time.Now().After(deadline) {
			_, log := stop()
			t.Fatalf("职高 still finds nothing 30 s after the synonym was added:\n%s", log)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if code, log := stop(); code != 0 || !strings.Contains(log, "synonyms reloaded") {
		t.Errorf("serve exited %d; want 0 and the reload in its log:\n%s", code, log)
	}
}
