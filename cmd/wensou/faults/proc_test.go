package faults

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// adminKey is the admin key of every server the suite starts.
const adminKey = "faults-admin-key"

// dictArgs points a command at the repository's dictionary, wherever it
// runs.
func dictArgs() []string {
	return []string{"--dict", filepath.Join(moduleRoot, "data", "dict")}
}

// samplesDir holds the repository's sample articles.
func samplesDir() string { return filepath.Join(moduleRoot, "data", "articles") }

// wensouCmd returns a command that runs the built wensou with args in a
// scratch directory (so nothing lands in the repository), without the
// WENSOU_* variables of the caller's environment.
func wensouCmd(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(wensouBin, args...)
	cmd.Dir = t.TempDir()
	cmd.Env = []string{}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "WENSOU_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	return cmd
}

// cliArgs is args with the dictionary flag added after the command name.
func cliArgs(args ...string) []string {
	return append(append([]string{args[0]}, dictArgs()...), args[1:]...)
}

// runResult is one finished run of a wensou command.
type runResult struct {
	code           int
	stdout, stderr string
	took           time.Duration
}

func (r runResult) String() string {
	return fmt.Sprintf("exit %d after %.1fs\nstdout:\n%s\nstderr:\n%s", r.code, r.took.Seconds(), tail(r.stdout, 10), tail(r.stderr, 10))
}

// runWensou runs a wensou command to its end (within timeout) and
// returns what it did; args[0] is the command (index, search, ...).
func runWensou(t *testing.T, timeout time.Duration, args ...string) runResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), timeout)
	defer cancel()
	cmd := wensouCmd(t, cliArgs(args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatalf("start wensou %s: %v", args[0], err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-ctx.Done():
		killProcess(cmd)
		<-done
		t.Fatalf("wensou %s took longer than %s; stderr:\n%s", strings.Join(args, " "), timeout, tail(stderr.String(), 20))
	}
	r := runResult{code: exitCode(err), stdout: stdout.String(), stderr: stderr.String(), took: time.Since(start)}
	if r.code < 0 {
		t.Fatalf("wensou %s: %v", args[0], err)
	}
	return r
}

// exitCode is the exit status in err from exec.Cmd.Wait: 0 for nil, -1
// for an error that is not an exit.
func exitCode(err error) int {
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		return ee.ExitCode()
	}
	return -1
}

// background is a wensou command started and not waited for.
type background struct {
	cmd            *exec.Cmd
	stdout, stderr *syncBuffer
	start          time.Time
	done           chan struct{}
	err            error       // of Wait, once done is closed
	ended          atomic.Bool // the test ended it (kill or stop)
}

// startWensou starts a wensou command and kills it in t.Cleanup if it is
// still running then.
func startWensou(t *testing.T, args ...string) *background {
	t.Helper()
	b := &background{stdout: &syncBuffer{}, stderr: &syncBuffer{}, done: make(chan struct{})}
	b.cmd = wensouCmd(t, cliArgs(args...)...)
	b.cmd.Stdout, b.cmd.Stderr = b.stdout, b.stderr
	b.start = time.Now()
	if err := b.cmd.Start(); err != nil {
		t.Fatalf("start wensou %s: %v", args[0], err)
	}
	go func() {
		b.err = b.cmd.Wait()
		close(b.done)
	}()
	t.Cleanup(func() { b.kill() })
	return b
}

// exited reports whether the process has ended.
func (b *background) exited() bool {
	select {
	case <-b.done:
		return true
	default:
		return false
	}
}

// kill sends SIGKILL (when the process still runs) and waits for it.
func (b *background) kill() {
	b.ended.Store(true)
	if !b.exited() {
		killProcess(b.cmd)
	}
	<-b.done
}

// wait waits for the process to end by itself, within timeout, and
// returns what it did.
func (b *background) wait(t *testing.T, timeout time.Duration) runResult {
	t.Helper()
	select {
	case <-b.done:
	case <-time.After(timeout):
		b.kill()
		t.Fatalf("wensou %s did not finish within %s; stderr:\n%s", b.cmd.Args[1], timeout, tail(b.stderr.String(), 20))
	}
	return runResult{code: exitCode(b.err), stdout: b.stdout.String(), stderr: b.stderr.String(), took: time.Since(b.start)}
}

func killProcess(cmd *exec.Cmd) {
	if cmd.Process != nil {
		// ESRCH when it has just ended: nothing to do.
		_ = cmd.Process.Signal(syscall.SIGKILL)
	}
}

// syncBuffer is a bytes.Buffer safe for a process's output goroutine to
// write while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// poll calls cond every 20 ms until it returns true or timeout passes,
// and reports whether it returned true.
func poll(timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// server is a running wensou serve.
type server struct {
	*background
	t      *testing.T
	index  string
	extra  []string
	url    string // http://127.0.0.1:PORT, no trailing slash
	client *http.Client
}

var listeningRE = regexp.MustCompile(`msg=listening addr=(http://[^/\s]+)`)

// startServer starts wensou serve on index (with extra flags) on a port
// of its choosing, waits until /healthz answers 200, and kills it in
// t.Cleanup. When t fails, the cleanup logs the end of the server's log.
func startServer(t *testing.T, index string, extra ...string) *server {
	t.Helper()
	args := append([]string{"serve", "--index", index, "--addr", "127.0.0.1:0", "--admin-key", adminKey,
		"--samples", samplesDir()}, extra...)
	s := &server{background: startWensou(t, args...), t: t, index: index, extra: extra,
		client: &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 16}}}
	t.Cleanup(func() {
		if s.exited() && !s.ended.Load() {
			t.Errorf("wensou serve --index %s ended by itself (%v); end of its log:\n%s", index, s.err, tail(s.log(), 30))
		} else if t.Failed() {
			t.Logf("end of the log of wensou serve --index %s:\n%s", index, tail(s.log(), 15))
		}
		s.keepLog(t)
	})
	if !poll(30*time.Second, func() bool {
		if m := listeningRE.FindStringSubmatch(s.stderr.String()); m != nil {
			s.url = m[1]
			return true
		}
		return s.exited()
	}) || s.url == "" {
		s.kill()
		t.Fatalf("wensou serve did not say where it listens; log:\n%s", tail(s.log(), 20))
	}
	s.waitHealthy(t)
	return s
}

// serverLogs counts the server logs kept in WENSOU_FAULTS_LOGS.
var serverLogs atomic.Int64

// keepLog writes the server's whole log to the directory that
// WENSOU_FAULTS_LOGS names, when it names one.
func (s *server) keepLog(t *testing.T) {
	t.Helper()
	dir := os.Getenv("WENSOU_FAULTS_LOGS")
	if dir == "" {
		return
	}
	name := fmt.Sprintf("%03d-%s.log", serverLogs.Add(1), strings.ReplaceAll(t.Name(), "/", "-"))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Logf("keep the server log: %v", err)
		return
	}
	if err := os.WriteFile(filepath.Join(dir, name), []byte(s.log()), 0o644); err != nil {
		t.Logf("keep the server log: %v", err)
	}
}

// state is "running", or how the server ended.
func (s *server) state() string {
	if !s.exited() {
		return "running"
	}
	return fmt.Sprintf("ended: %v", s.err)
}

// restart starts a new server on the same index with the same flags.
func (s *server) restart(t *testing.T) *server {
	t.Helper()
	return startServer(t, s.index, s.extra...)
}

// waitHealthy polls /healthz until it answers 200.
func (s *server) waitHealthy(t *testing.T) {
	t.Helper()
	if !poll(60*time.Second, func() bool {
		return s.exited() || s.get("/healthz").status == http.StatusOK
	}) || s.exited() {
		t.Fatalf("wensou serve at %s never became healthy; log:\n%s", s.url, tail(s.log(), 20))
	}
}

// log is everything the server wrote.
func (s *server) log() string { return s.stdout.String() + s.stderr.String() }

var panicRE = regexp.MustCompile(`(?m)msg=panic|^panic: |^fatal error: `)

// panics counts the panics in the server's log: recovered (logged by the
// recovery middleware) or fatal.
func (s *server) panics() int { return len(panicRE.FindAllString(s.log(), -1)) }

// firstPanic is the first panic line of the log, shortened.
func (s *server) firstPanic() string {
	loc := panicRE.FindStringIndex(s.log())
	if loc == nil {
		return ""
	}
	line, _, _ := strings.Cut(s.log()[loc[0]:], "\n")
	return clip(line, 300)
}

// reply is an HTTP answer, or the error that stood for one.
type reply struct {
	status int
	body   []byte
	header http.Header
	err    error
}

func (r reply) String() string {
	if r.err != nil {
		return r.err.Error()
	}
	return fmt.Sprintf("%d %s", r.status, clip(string(r.body), 200))
}

// apiError is the JSON error shape, {"error":{"code":…,"message":…}}.
type apiError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// errorCode returns the code and message of a JSON error answer ("" when
// the body is not one).
func (r reply) errorCode() (code, msg string) {
	var e apiError
	if json.Unmarshal(r.body, &e) != nil {
		return "", ""
	}
	return e.Error.Code, e.Error.Message
}

// statusCode is "STATUS code" for the summary, such as "500 internal".
func (r reply) statusCode() string {
	if r.err != nil {
		return "error: " + r.err.Error()
	}
	code, _ := r.errorCode()
	return strings.TrimSpace(fmt.Sprintf("%d %s", r.status, code))
}

// do sends a request to the server; header holds key, value pairs.
func (s *server) do(method, path string, body []byte, header ...string) reply {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, s.url+path, rd)
	if err != nil {
		return reply{err: err}
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return send(s.client, req)
}

func send(c *http.Client, req *http.Request) reply {
	resp, err := c.Do(req)
	if err != nil {
		return reply{err: err}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return reply{status: resp.StatusCode, body: b, header: resp.Header, err: err}
}

func (s *server) get(path string) reply { return s.do(http.MethodGet, path, nil) }

// authJSON are the headers of an authorised JSON write.
var authJSON = []string{"Authorization", "Bearer " + adminKey, "Content-Type", "application/json"}

// post sends articles to POST /api/articles: one as a JSON object, more
// as an array.
func (s *server) post(arts ...article) reply {
	var v any = arts
	if len(arts) == 1 {
		v = arts[0]
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return reply{err: err}
	}
	return s.do(http.MethodPost, "/api/articles", raw, authJSON...)
}

// writeResult is the answer of POST /api/articles.
type writeResult struct {
	Indexed int      `json:"indexed"`
	IDs     []string `json:"ids"`
}

// acked returns the ids of arts that r acknowledges: the answer is 200 or
// 201 and lists them in "ids".
func (r reply) acked(arts []article) []string {
	if r.err != nil || (r.status != http.StatusOK && r.status != http.StatusCreated) {
		return nil
	}
	var res writeResult
	if json.Unmarshal(r.body, &res) != nil {
		return nil
	}
	in := map[string]bool{}
	for _, id := range res.IDs {
		in[id] = true
	}
	var ids []string
	for _, a := range arts {
		if in[a.ID] {
			ids = append(ids, a.ID)
		}
	}
	return ids
}

// searchResult is the part of a search answer (API or search --json) the
// suite reads.
type searchResult struct {
	Total int `json:"total"`
	Hits  []struct {
		ID string `json:"id"`
	} `json:"hits"`
}

func (r searchResult) has(id string) bool {
	for _, h := range r.Hits {
		if h.ID == id {
			return true
		}
	}
	return false
}

// search runs GET /api/search with the query q (and more parameters).
func (s *server) search(q string, params ...string) (searchResult, reply) {
	v := url.Values{"q": {q}}
	for i := 0; i+1 < len(params); i += 2 {
		v.Add(params[i], params[i+1])
	}
	r := s.get("/api/search?" + v.Encode())
	var res searchResult
	if r.err == nil && r.status == http.StatusOK {
		if err := json.Unmarshal(r.body, &res); err != nil {
			r.err = fmt.Errorf("decode search answer: %w", err)
		}
	}
	return res, r
}

// health is the answer of /healthz.
type health struct {
	Status string `json:"status"`
}

// healthz returns the status and the "status" field of /healthz.
func (s *server) healthz() (int, string) {
	r := s.get("/healthz")
	var h health
	if r.err != nil {
		return 0, r.err.Error()
	}
	if err := json.Unmarshal(r.body, &h); err != nil {
		return r.status, "undecodable: " + clip(string(r.body), 80)
	}
	return r.status, h.Status
}

// gauge returns the value of a metric without labels from /metrics.
func (s *server) gauge(name string) (float64, bool) {
	r := s.get("/metrics")
	if r.err != nil || r.status != http.StatusOK {
		return 0, false
	}
	for line := range strings.SplitSeq(string(r.body), "\n") {
		rest, ok := strings.CutPrefix(line, name)
		if !ok || (rest != "" && rest[0] != ' ' && rest[0] != '{') {
			continue
		}
		if i := strings.LastIndexByte(rest, ' '); i >= 0 {
			if v, err := strconv.ParseFloat(strings.TrimSpace(rest[i:]), 64); err == nil {
				return v, true
			}
		}
	}
	return 0, false
}

// gaugeText is a gauge's value for the summary, "absent" when the server
// does not export it.
func (s *server) gaugeText(name string) string {
	v, ok := s.gauge(name)
	if !ok {
		return "absent"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}
