package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/wensou/wensou/index"
)

// suggest runs runSuggest, as "wensou suggest" would (the command
// switch in main.go is not told of it here).
func suggest(t *testing.T, env map[string]string, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	err := runSuggest(t.Context(), args, mapEnv(env), &stdout, &stderr)
	return result{code: exitCode(t.Context(), err, &stderr), stdout: stdout.String(), stderr: stderr.String()}
}

func TestSuggest(t *testing.T) {
	dir := buildIndex(t, samplesDir)
	tests := []struct {
		name       string
		args       []string
		env        map[string]string
		wantCode   int
		wantStdout string
		wantStderr string // a part of it
	}{
		{name: "chinese", args: []string{"--index", dir, "--size", "3", "职业"}, wantStdout: "" +
			"6  phrase  **职业**教育\n" +
			"3  word    **职业**院校\n" +
			"1  word    **职业**技能\n"},
		{name: "traditional, flags after the prefix", args: []string{"--index", dir, "職業", "--size", "3"}, wantStdout: "" +
			"6  phrase  **职业**教育\n" +
			"3  word    **职业**院校\n" +
			"1  word    **职业**技能\n"},
		{name: "titles", args: []string{"--index", dir, "--size", "4", "如何在deb"}, wantStdout: "" +
			"2  word   **如何在deb**ate\n" +
			"2  word   **如何在deb**ian\n" +
			"1  title  **如何在Deb**ian中配置LVM：从新增磁盘到在线扩容逻辑卷  (id zh-debian-lvm)\n"},
		{name: "words of the prefix joined", args: []string{"--index", dir, "--size", "1", "oil", "pri"}, wantStdout: "" +
			"1  word  **oil pri**ce\n"},
		{name: "from the environment", args: []string{"职业"}, env: map[string]string{"WENSOU_INDEX": dir, "WENSOU_SIZE": "1"}, wantStdout: "" +
			"6  phrase  **职业**教育\n"},
		{name: "nothing", args: []string{"--index", dir, "zebra"}, wantStdout: "No suggestions for \"zebra\".\n"},
		{name: "no prefix", args: []string{"--index", dir}, wantCode: exitUsage, wantStderr: "suggest needs a PREFIX"},
		{name: "size 0", args: []string{"--index", dir, "--size", "0", "x"}, wantCode: exitUsage, wantStderr: "--size must be between 1 and 20, not 0"},
		{name: "size 21", args: []string{"--index", dir, "--size", "21", "x"}, wantCode: exitUsage, wantStderr: "--size must be between 1 and 20, not 21"},
		{name: "no index", args: []string{"--index", newIndexDir(t), "--samples", filepath.Join(t.TempDir(), "none"), "x"}, wantCode: exitRejected, wantStderr: "no index at"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := suggest(t, tt.env, tt.args...)
			if r.code != tt.wantCode || !strings.Contains(r.stderr, tt.wantStderr) || (tt.wantStderr == "" && r.stderr != "") {
				t.Fatalf("wensou suggest %q: %v\nwant exit %d, stderr with %q", tt.args, r, tt.wantCode, tt.wantStderr)
			}
			if diff := cmp.Diff(tt.wantStdout, r.stdout); diff != "" {
				t.Errorf("wensou suggest %q stdout (-want +got):\n%s", tt.args, diff)
			}
		})
	}

	t.Run("json", func(t *testing.T) {
		r := suggest(t, nil, "--index", dir, "--json", "--size", "2", "职业")
		if r.code != exitOK || r.stderr != "" {
			t.Fatalf("wensou suggest --json: %v", r)
		}
		dec := json.NewDecoder(strings.NewReader(r.stdout))
		dec.DisallowUnknownFields()
		var got suggestResult
		if err := dec.Decode(&got); err != nil {
			t.Fatalf("decode %q: %v", r.stdout, err)
		}
		want := suggestResult{Query: "职业", Suggestions: []index.Suggestion{
			{Text: "职业教育", Kind: index.SuggestPhrase, Count: 6, Highlight: "<mark>职业</mark>教育"},
			{Text: "职业院校", Kind: index.SuggestWord, Count: 3, Highlight: "<mark>职业</mark>院校"},
		}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("wensou suggest --json (-want +got):\n%s", diff)
		}
		// The counts are what a search for the suggestion finds.
		for _, s := range got.Suggestions {
			if res := searchJSON(t, dir, s.Text); res.Total != s.Count || res.Partial {
				t.Errorf("search %q: %d results (partial %v), suggested with %d", s.Text, res.Total, res.Partial, s.Count)
			}
		}
	})
}

func TestPrintSuggestions(t *testing.T) {
	ss := []index.Suggestion{
		{Text: "What <b> & co", Kind: index.SuggestTitle, Count: 12, Highlight: "<mark>What &lt;b</mark>&gt; &amp; co", ID: "t1"},
		{Text: "whatever", Kind: index.SuggestWord, Count: 3, Highlight: "<mark>what &lt;b</mark>ever"},
	}
	for _, tt := range []struct {
		color bool
		want  string
	}{
		{false, "12  title  **What <b**> & co  (id t1)\n3   word   **what <b**ever\n"},
		{true, "12  title  " + styleMark + "What <b" + styleReset + "> & co  (id t1)\n3   word   " + styleMark + "what <b" + styleReset + "ever\n"},
	} {
		var b bytes.Buffer
		if err := printSuggestions(&b, "what <b", ss, tt.color); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tt.want, b.String()); diff != "" {
			t.Errorf("printSuggestions(color %v) (-want +got):\n%s", tt.color, diff)
		}
	}
}

// typedPrefixes turns queries into what is typed on the way to them: every
// prefix, a character at a time, of each query's text (field names,
// operators and quotes left out), without repeats.
func typedPrefixes(queries []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, q := range queries {
		var words []string
		for _, w := range strings.Fields(q) {
			w = strings.TrimLeft(w, "+-")
			if _, v, ok := strings.Cut(w, ":"); ok {
				w = v
			}
			if w = strings.Trim(w, `"“”`); w != "" && w != "OR" {
				words = append(words, w)
			}
		}
		text := strings.Join(words, " ")
		for i := range text {
			if i == 0 {
				continue
			}
			if p := text[:i]; !seen[p] && !unicode.IsSpace([]rune(p)[utf8.RuneCountInString(p)-1]) {
				seen[p] = true
				out = append(out, p)
			}
		}
		if text != "" && !seen[text] {
			seen[text] = true
			out = append(out, text)
		}
	}
	return out
}

func TestTypedPrefixes(t *testing.T) {
	got := typedPrefixes([]string{"职业 教育", `+author:"Stephen Jukes" +average`, "职业"})
	want := []string{"职", "职业", "职业 教", "职业 教育", "S", "St", "Ste", "Step", "Steph", "Stephe", "Stephen", "Stephen J", "Stephen Ju", "Stephen Juk",
		"Stephen Juke", "Stephen Jukes", "Stephen Jukes a", "Stephen Jukes av", "Stephen Jukes ave", "Stephen Jukes aver", "Stephen Jukes avera",
		"Stephen Jukes averag", "Stephen Jukes average"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("typedPrefixes (-want +got):\n%s", diff)
	}
}

// TestSuggest_Load measures GET /api/suggest of a running server, as the
// search box calls it: WENSOU_SUGGEST_LOAD=http://127.0.0.1:8080 runs it,
// with 4 clients for 20 s after 3 s of warm-up (WENSOU_SUGGEST_LOAD_CLIENTS,
// _SECONDS change them), replaying what is typed on the way to the queries
// of ../shared/bench/queries.txt (WENSOU_SUGGEST_LOAD_QUERIES). With
// WENSOU_SUGGEST_LOAD_ONCE=1 it asks each prefix once instead, without
// warm-up (after the segments' dictionaries are built): every request
// meets caches that know nothing of it.
func TestSuggest_Load(t *testing.T) {
	base := os.Getenv("WENSOU_SUGGEST_LOAD")
	if base == "" {
		t.Skip("set WENSOU_SUGGEST_LOAD to a server's URL to measure it")
	}
	path := os.Getenv("WENSOU_SUGGEST_LOAD_QUERIES")
	if path == "" {
		path = filepath.Join("..", "..", "..", "shared", "bench", "queries.txt")
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	var queries []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if q := strings.TrimSpace(sc.Text()); q != "" {
			queries = append(queries, q)
		}
	}
	f.Close()
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	prefixes := typedPrefixes(queries)
	clients, seconds := 4, 20
	fmt.Sscan(os.Getenv("WENSOU_SUGGEST_LOAD_CLIENTS"), &clients)
	fmt.Sscan(os.Getenv("WENSOU_SUGGEST_LOAD_SECONDS"), &seconds)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}, Timeout: 10 * time.Second}

	once := os.Getenv("WENSOU_SUGGEST_LOAD_ONCE") == "1"
	var next atomic.Int64
	run := func(ctx context.Context, record func(time.Duration, error)) {
		var wg sync.WaitGroup
		for range clients {
			wg.Go(func() {
				for ctx.Err() == nil {
					i := int(next.Add(1) - 1)
					if once && i >= len(prefixes) {
						return
					}
					p := prefixes[i%len(prefixes)]
					start := time.Now()
					err := get(client, base+"/api/suggest?size=8&q="+url.QueryEscape(p))
					if ctx.Err() == nil {
						record(time.Since(start), err)
					}
				}
			})
		}
		wg.Wait()
	}
	if once {
		// The first request has the segments' dictionaries built.
		if err := get(client, base+"/api/suggest?q=z"); err != nil {
			t.Fatal(err)
		}
		time.Sleep(10 * time.Second)
	} else {
		warm, cancel := context.WithTimeout(t.Context(), 3*time.Second)
		run(warm, func(time.Duration, error) {})
		cancel()
	}

	var mu sync.Mutex
	var took []time.Duration
	var errs int
	var firstErr error
	ctx, cancel := context.WithTimeout(t.Context(), time.Duration(seconds)*time.Second)
	defer cancel()
	start := time.Now()
	run(ctx, func(d time.Duration, err error) {
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			errs++
			if firstErr == nil {
				firstErr = err
			}
			return
		}
		took = append(took, d)
	})
	elapsed := time.Since(start)
	slices.Sort(took)
	pct := func(p float64) float64 {
		if len(took) == 0 {
			return 0
		}
		return float64(took[min(len(took)-1, int(p*float64(len(took))))].Microseconds()) / 1000
	}
	t.Logf("%d prefixes from %d queries; %d clients, %.1fs: %d requests, %d errors, %.0f QPS; latency ms: p50 %.2f  p95 %.2f  p99 %.2f  max %.2f",
		len(prefixes), len(queries), clients, elapsed.Seconds(), len(took)+errs, errs, float64(len(took))/elapsed.Seconds(),
		pct(0.50), pct(0.95), pct(0.99), pct(1))
	if errs > 0 {
		t.Errorf("%d errors, the first: %v", errs, firstErr)
	}
}

// get fetches a suggest URL and checks that the answer is a 200 with a
// suggestions list.
func get(client *http.Client, u string) error {
	resp, err := client.Get(u)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s: %s", u, resp.Status, body)
	}
	var res struct {
		Suggestions []json.RawMessage `json:"suggestions"`
	}
	if err := json.Unmarshal(body, &res); err != nil || res.Suggestions == nil {
		return fmt.Errorf("%s: no suggestions list in %.200s (%v)", u, body, err)
	}
	return nil
}
