package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain lets a test run wensou as a separate process: the test binary
// itself, with WENSOU_TEST_MAIN=1, is wensou.
func TestMain(m *testing.M) {
	if os.Getenv("WENSOU_TEST_MAIN") == "1" {
		os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// wensouProcess returns wensou args as a command for a separate process.
func wensouProcess(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "WENSOU_TEST_MAIN=1")
	return cmd
}

// writeArticles writes n generated articles as JSON Lines and returns the
// file's path.
func writeArticles(t *testing.T, n int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "many.jsonl")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	enc := json.NewEncoder(w)
	for i := range n {
		err := enc.Encode(map[string]any{
			"id":     fmt.Sprintf("many-%d", i),
			"title":  fmt.Sprintf("第%d篇 职业教育与产业发展", i),
			"body":   strings.Repeat(fmt.Sprintf("职业教育的第%d个案例说明产教融合很重要。Markets moved %d points. ", i, i%50), 6),
			"author": fmt.Sprintf("作者%d", i%9),
			"date":   fmt.Sprintf("20%02d-%02d-%02d", 18+i%5, i%12+1, i%28+1),
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestReindex_FromStoredAndFiles(t *testing.T) {
	dir := buildIndex(t, "../../data/articles")
	before := searchJSON(t, dir, "职业教育")
	r := wensou(t, nil, "reindex", "--index", dir)
	if r.code != exitOK || !strings.Contains(r.stdout, "from stored: 45 articles") || !strings.Contains(r.stdout, "now live") {
		t.Fatalf("reindex: %v", r)
	}
	if after := searchJSON(t, dir, "职业教育"); after.Total != before.Total || !slices.Equal(hitIDs(after), hitIDs(before)) {
		t.Errorf("after reindex from stored: %v, before %v", hitIDs(after), hitIDs(before))
	}
	r = wensou(t, nil, "reindex", "--index", dir, "../../data/articles/news.jsonl")
	if r.code != exitOK || !strings.Contains(r.stdout, "from files") {
		t.Fatalf("reindex from a file: %v", r)
	}
	if res := searchJSON(t, dir, "--size", "100", ""); res.Total >= 45 {
		t.Errorf("after reindex from one file: %d articles, want that file's only", res.Total)
	}
	r = wensou(t, nil, "reindex", "--index", filepath.Join(t.TempDir(), "none"))
	if r.code != exitRejected || !strings.Contains(r.stderr, "wensou index --index") {
		t.Errorf("reindex of no index: %v", r)
	}
}

// TestReindex_KilledMidway kills a rebuild running in another process
// with SIGKILL: the live index keeps answering unchanged, and the next
// start removes what the rebuild left.
func TestReindex_KilledMidway(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a large index")
	}
	dir := buildIndex(t, "../../data/articles")
	before := searchJSON(t, dir, "职业教育")
	current, err := os.ReadFile(filepath.Join(dir, "CURRENT"))
	if err != nil {
		t.Fatal(err)
	}
	big := writeArticles(t, 20000)

	cmd := wensouProcess(t, "reindex", "--quiet", "--index", dir, big)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Kill it once the new generation has segments on disk.
	deadline := time.Now().Add(2 * time.Minute)
	for {
		segs, _ := filepath.Glob(filepath.Join(dir, "gen-*", "store", "*.zap"))
		if len(segs) > 0 {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("the rebuild wrote no segment in 2 minutes: %s", out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err = cmd.Wait()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("rebuild was not killed by SIGKILL (it finished first?): %v %s", err, out.String())
	}
	leftovers, _ := filepath.Glob(filepath.Join(dir, "gen-*"))
	if len(leftovers) < 2 {
		t.Fatalf("expected the killed rebuild's generation beside the live one, found %v", leftovers)
	}
	after, err := os.ReadFile(filepath.Join(dir, "CURRENT"))
	if err != nil || string(after) != string(current) {
		t.Fatalf("CURRENT changed by a killed rebuild: %q, was %q (%v)", after, current, err)
	}

	// The next start answers from the live index, unchanged, and cleans up.
	res := searchJSON(t, dir, "职业教育")
	if res.Total != before.Total || !slices.Equal(hitIDs(res), hitIDs(before)) {
		t.Errorf("after the kill: %v, before %v", hitIDs(res), hitIDs(before))
	}
	left, _ := filepath.Glob(filepath.Join(dir, "gen-*"))
	var gens []string
	for _, p := range left {
		if !strings.HasSuffix(p, ".lock") {
			gens = append(gens, filepath.Base(p))
		}
	}
	if len(gens) != 1 {
		t.Errorf("after the next start: %v, want only the live generation", gens)
	}

	// And a rebuild now runs to the end.
	r := wensou(t, nil, "reindex", "--quiet", "--index", dir, "../../data/articles")
	if r.code != exitOK {
		t.Errorf("reindex after the kill: %v", r)
	}
}

// TestSearch_SeparateProcess opens an existing index in a process that has
// loaded no dictionary yet, as every command on the command line does.
func TestSearch_SeparateProcess(t *testing.T) {
	dir := buildIndex(t, "../../data/articles")
	cmd := wensouProcess(t, "search", "--index", dir, "职业教育")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "results for \"职业教育\"") {
		t.Fatalf("wensou search in its own process: %v\n%s", err, out)
	}
}

// TestReindex_IndexMeanwhile runs wensou index in its own process while
// wensou reindex PATH... runs in another: the article it indexed is in the
// index after the rebuild switches generations (it used to be lost).
func TestReindex_IndexMeanwhile(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a large index")
	}
	dir := buildIndex(t, "../../data/articles")
	big := writeArticles(t, 20000)
	extra := filepath.Join(t.TempDir(), "x.jsonl")
	if err := os.WriteFile(extra, []byte(`{"id":"meanwhile","title":"重建期间写入的斑马文章","body":"A zebra article indexed during the rebuild."}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	rebuild := wensouProcess(t, "reindex", "--quiet", "--index", dir, "../../data/articles", big)
	var out strings.Builder
	rebuild.Stdout, rebuild.Stderr = &out, &out
	if err := rebuild.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- rebuild.Wait() }()
	t.Cleanup(func() {
		rebuild.Process.Kill()
		<-done
	})
	// Once the rebuild has read part of its files.
	deadline := time.Now().Add(2 * time.Minute)
	for {
		raw, _ := os.ReadFile(filepath.Join(dir, "rebuild.json"))
		var p struct {
			Running bool `json:"running"`
			Done    int  `json:"done"`
		}
		if json.Unmarshal(raw, &p) == nil && p.Running && p.Done > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the rebuild did not start in 2 minutes: %s", out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}

	index := wensouProcess(t, "index", "--index", dir, extra)
	indexOut, err := index.CombinedOutput()
	if err != nil || !strings.Contains(string(indexOut), "indexed 1 articles") {
		t.Fatalf("wensou index during the rebuild: %v\n%s", err, indexOut)
	}
	select {
	case err := <-done:
		t.Fatalf("the rebuild finished before the index command (%v): make it longer\n%s", err, out.String())
	default:
	}
	if err := <-done; err != nil {
		t.Fatalf("reindex: %v\n%s", err, out.String())
	}
	done <- nil // for the cleanup
	if !strings.Contains(out.String(), "now live") {
		t.Fatalf("reindex did not switch: %s", out.String())
	}
	res := searchJSON(t, dir, "斑马")
	if !slices.Contains(hitIDs(res), "meanwhile") {
		t.Errorf("after the rebuild, search 斑马 = %v, want the article indexed meanwhile", hitIDs(res))
	}
	if res := searchJSON(t, dir, "--size", "1", ""); res.Total != 20000+45+1 {
		t.Errorf("after the rebuild: %d articles, want %d (the files and the one indexed meanwhile)", res.Total, 20000+45+1)
	}
}
