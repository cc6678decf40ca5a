package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wensou/wensou/index"
	"github.com/wensou/wensou/index/article"
	"github.com/wensou/wensou/index/zh"
	"github.com/wensou/wensou/search"
)

// synthetic returns n articles with ids prefix-0..n-1 that all contain
// 职业教育 and "market".
func synthetic(prefix string, n int) []article.Article {
	words := []string{"石油价格", "人工智能", "乡村振兴", "新能源汽车", "芯片产业", "oil prices", "central bank", "semiconductor"}
	arts := make([]article.Article, n)
	for i := range arts {
		w := words[i%len(words)]
		arts[i] = article.Article{
			ID:      fmt.Sprintf("%s-%d", prefix, i),
			Title:   fmt.Sprintf("第%d篇：职业教育与%s", i, w),
			Body:    fmt.Sprintf("本文讨论职业教育和%s的关系。The market for %s grew in quarter %d. 记者从会上获悉，相关部门将继续推进。", w, w, i%4+1),
			Authors: []string{fmt.Sprintf("作者%d", i%7)},
			Date:    time.Date(2020+i%4, time.Month(i%12+1), i%28+1, 8, 0, 0, 0, time.UTC),
		}
	}
	return arts
}

func openStore(t *testing.T, dir string, opts Options) *Store {
	t.Helper()
	st, err := Open(context.Background(), dir, opts)
	if err != nil {
		t.Fatalf("Open(%s): %v", dir, err)
	}
	t.Cleanup(func() {
		if err := st.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return st
}

func mustPut(t *testing.T, st *Store, arts []article.Article) {
	t.Helper()
	for len(arts) > 0 {
		n := min(len(arts), 500)
		if err := st.Put(context.Background(), arts[:n]); err != nil {
			t.Fatalf("Put: %v", err)
		}
		arts = arts[n:]
	}
}

func total(t *testing.T, st *Store, q string) int {
	t.Helper()
	res, err := search.New(st, search.Options{}).Search(context.Background(), search.Request{Query: q})
	if err != nil {
		t.Fatalf("Search(%q): %v", q, err)
	}
	return int(res.Total)
}

func entries(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

func TestOpen_CreateAndReopen(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ix")
	if _, err := Open(context.Background(), dir, Options{}); !errors.Is(err, index.ErrNotExist) {
		t.Fatalf("Open of nothing: err = %v, want ErrNotExist", err)
	}
	st, err := Open(context.Background(), dir, Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	mustPut(t, st, synthetic("a", 10))
	if got := st.Generation(); got != "gen-000001" {
		t.Errorf("Generation = %q", got)
	}
	// A second opener in the same process is refused: the generation is
	// locked (flocks conflict across file descriptors).
	if _, err := Open(context.Background(), dir, Options{}); !errors.Is(err, index.ErrLocked) {
		t.Errorf("second Open: err = %v, want ErrLocked", err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	st = openStore(t, dir, Options{})
	if n, _ := st.Count(); n != 10 {
		t.Errorf("Count after reopen = %d, want 10", n)
	}
}

func TestOpen_LegacyLayout(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "index_meta.json"), []byte(`{}`), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Open(context.Background(), dir, Options{})
	if !errors.Is(err, ErrLegacyLayout) {
		t.Fatalf("err = %v, want ErrLegacyLayout", err)
	}
}

func TestRebuild_FromStoredKeepsArticles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ix")
	st := openStore(t, dir, Options{Create: true})
	mustPut(t, st, synthetic("a", 300))
	before := total(t, st, "职业教育")
	p, err := st.Rebuild(context.Background(), nil, RebuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Source != "stored" || p.Done != 300 || p.Generation != "gen-000002" || p.Running {
		t.Errorf("progress = %+v", p)
	}
	if got := st.Generation(); got != "gen-000002" {
		t.Errorf("live generation = %q, want gen-000002", got)
	}
	if got := total(t, st, "职业教育"); got != before {
		t.Errorf("total after rebuild = %d, want %d", got, before)
	}
	a, err := st.Get(context.Background(), "a-7")
	if err != nil || a.Title != synthetic("a", 8)[7].Title || a.Date.IsZero() {
		t.Errorf("Get after rebuild = %+v, %v", a, err)
	}
	// The old generation is gone once nobody uses it.
	waitFor(t, func() bool { return !slices.Contains(entries(t, dir), "gen-000001") })
	_, last := st.Status()
	if last == nil || last.Generation != "gen-000002" || last.Err != "" {
		t.Errorf("last status = %+v", last)
	}
}

func TestRebuild_FromFilesIsExactlyTheFiles(t *testing.T) {
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "ix")
	st := openStore(t, dir, Options{Create: true})
	mustPut(t, st, synthetic("old", 20))
	file := filepath.Join(tmp, "new.jsonl")
	var lines []byte
	for _, a := range synthetic("new", 5) {
		raw, _ := json.Marshal(map[string]any{"id": a.ID, "title": a.Title, "body": a.Body})
		lines = append(append(lines, raw...), '\n')
	}
	lines = append(lines, []byte("{not json\n")...)
	if err := os.WriteFile(file, lines, 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := st.Rebuild(context.Background(), []string{file}, RebuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Done != 5 || p.Rejected != 1 || len(p.Errors) != 1 || p.Source != "files" {
		t.Errorf("progress = %+v", p)
	}
	if n, _ := st.Count(); n != 5 {
		t.Errorf("Count = %d, want 5", n)
	}
	if _, err := st.Get(context.Background(), "old-1"); !errors.Is(err, index.ErrNotFound) {
		t.Errorf("old article after rebuild from files: err = %v", err)
	}
}

// TestRebuild_ConcurrentSearchesAndWrites rebuilds while searchers and a
// writer hammer the store: no search fails or comes back empty, and every
// acknowledged write is in the new generation.
func TestRebuild_ConcurrentSearchesAndWrites(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ix")
	st := openStore(t, dir, Options{Create: true})
	mustPut(t, st, synthetic("a", 1500))
	want := total(t, st, "职业教育")

	ctx, cancel := context.WithCancel(context.Background())
	var searches, failed, empty atomic.Int64
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				res, err := search.New(st, search.Options{}).Search(context.Background(), search.Request{Query: "职业教育", Authors: []string{"作者3"}})
				searches.Add(1)
				switch {
				case err != nil:
					failed.Add(1)
					t.Errorf("search: %v", err)
				case res.Total == 0 || len(res.Hits) == 0:
					empty.Add(1)
				}
			}
		}()
	}
	var written []string
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ctx.Err() == nil; i++ {
			a := synthetic("w", i+1)[i]
			if err := st.Put(context.Background(), []article.Article{a}); err != nil {
				t.Errorf("put during rebuild: %v", err)
				return
			}
			written = append(written, a.ID)
			if i%5 == 4 { // deletes too: one of the base articles
				id := fmt.Sprintf("a-%d", i)
				if err := st.Delete(context.Background(), id); err != nil {
					t.Errorf("delete during rebuild: %v", err)
					return
				}
				written = append(written, "-"+id)
			}
		}
	}()
	for range 2 {
		if _, err := st.Rebuild(context.Background(), nil, RebuildOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	cancel()
	wg.Wait()
	t.Logf("%d searches during 2 rebuilds, %d writes", searches.Load(), len(written))
	if failed.Load() != 0 || empty.Load() != 0 {
		t.Errorf("searches: %d failed, %d empty of %d", failed.Load(), empty.Load(), searches.Load())
	}
	if searches.Load() == 0 || len(written) == 0 {
		t.Fatalf("nothing ran during the rebuild: %d searches, %d writes", searches.Load(), len(written))
	}
	if got := st.Generation(); got != "gen-000003" {
		t.Errorf("generation = %q, want gen-000003", got)
	}
	for _, id := range written {
		if del, ok := cutDash(id); ok {
			if _, err := st.Get(context.Background(), del); !errors.Is(err, index.ErrNotFound) {
				t.Errorf("deleted %s during the rebuild, and it is back: %v", del, err)
			}
			continue
		}
		if _, err := st.Get(context.Background(), id); err != nil {
			t.Errorf("wrote %s during the rebuild, lost: %v", id, err)
		}
	}
	if got := total(t, st, "职业教育"); got < want {
		t.Errorf("total after = %d, before = %d", got, want)
	}
}

func cutDash(s string) (string, bool) {
	if len(s) > 0 && s[0] == '-' {
		return s[1:], true
	}
	return s, false
}

// TestRebuild_OtherProcess is wensou reindex beside wensou serve: a second
// store on the same directory (its flocks conflict with the first's as
// another process's would) rebuilds from files while the first serves and
// takes writes; the first follows CURRENT to the new generation and
// carries the writes made meanwhile.
func TestRebuild_OtherProcess(t *testing.T) {
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "ix")
	serving := openStore(t, dir, Options{Create: true, Watch: true, WatchInterval: 20 * time.Millisecond})
	mustPut(t, serving, synthetic("a", 50))

	file := filepath.Join(tmp, "articles.jsonl")
	var lines []byte
	for _, a := range synthetic("f", 2000) {
		raw, _ := json.Marshal(map[string]any{"id": a.ID, "title": a.Title, "body": a.Body, "author": a.Authors})
		lines = append(append(lines, raw...), '\n')
	}
	if err := os.WriteFile(file, lines, 0o644); err != nil {
		t.Fatal(err)
	}

	rebuilder := openStore(t, dir, Options{AllowBusy: true})
	if _, err := rebuilder.Rebuild(context.Background(), nil, RebuildOptions{}); err == nil {
		t.Error("rebuild from stored articles held by another process: no error")
	}
	done := make(chan error, 1)
	var p Progress
	go func() {
		var err error
		p, err = rebuilder.Rebuild(context.Background(), []string{file}, RebuildOptions{Ingest: index.IngestOptions{BatchSize: 100}})
		done <- err
	}()
	var ids []string
	for i := 0; ; i++ {
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
			if len(ids) == 0 {
				t.Fatal("no write happened during the rebuild")
			}
			waitFor(t, func() bool { return serving.Generation() == p.Generation })
			for _, id := range ids {
				if _, err := serving.Get(context.Background(), id); err != nil {
					t.Errorf("write %s made during the rebuild: %v", id, err)
				}
			}
			if _, err := serving.Get(context.Background(), "f-1999"); err != nil {
				t.Errorf("article from the files: %v", err)
			}
			if _, err := serving.Get(context.Background(), "a-3"); !errors.Is(err, index.ErrNotFound) {
				t.Errorf("article written before the rebuild from files: err = %v, want not found", err)
			}
			t.Logf("%d writes during the rebuild, %d carried by the rebuild's replay", len(ids), p.Journaled)
			// The serving store shows the other process's rebuild.
			if running, last := serving.Status(); running != nil || last == nil || last.Generation != p.Generation || last.Done != 2000 {
				t.Errorf("serving store's status: running %+v, last %+v", running, last)
			}
			return
		default:
		}
		a := synthetic("w", i+1)[i]
		if err := serving.Put(context.Background(), []article.Article{a}); err != nil {
			t.Fatalf("put: %v", err)
		}
		ids = append(ids, a.ID)
	}
}

// TestRebuild_IngestDuringRebuildFromFiles is wensou index in one process
// while wensou reindex PATH... runs in another: the rebuild leaves the
// live index free, the index command writes through its own store, and
// what it wrote (an ingest, a delete) is in the new generation, though
// its process ended before the switch.
func TestRebuild_IngestDuringRebuildFromFiles(t *testing.T) {
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "ix")
	first, err := Open(context.Background(), dir, Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	mustPut(t, first, synthetic("old", 20))
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}

	writeJSONL := func(name string, arts []article.Article) string {
		var lines []byte
		for _, a := range arts {
			raw, _ := json.Marshal(map[string]any{"id": a.ID, "title": a.Title, "body": a.Body, "author": a.Authors})
			lines = append(append(lines, raw...), '\n')
		}
		path := filepath.Join(tmp, name)
		if err := os.WriteFile(path, lines, 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	files := writeJSONL("files.jsonl", synthetic("f", 3000))
	extra := writeJSONL("x.jsonl", synthetic("x", 1))

	rebuilder := openStore(t, dir, Options{SkipLive: true, AllowBusy: true})
	started := make(chan struct{})
	var once sync.Once
	done := make(chan error, 1)
	var p Progress
	go func() {
		var err error
		p, err = rebuilder.Rebuild(context.Background(), []string{files}, RebuildOptions{
			Ingest:     index.IngestOptions{BatchSize: 100, Lanes: 1},
			OnProgress: func(Progress) { once.Do(func() { close(started) }) },
		})
		done <- err
	}()
	<-started

	// wensou index x.jsonl, then a deletion through the same path.
	writer, err := Open(context.Background(), dir, Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	st, err := index.Ingest(context.Background(), writer, []string{extra}, index.IngestOptions{})
	if err != nil || st.Indexed != 1 {
		t.Fatalf("ingest during the rebuild: %+v, %v", st, err)
	}
	if err := writer.Delete(context.Background(), "f-7"); err != nil {
		t.Fatal(err)
	}
	if err := writer.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		t.Fatalf("the rebuild ended before the writes: %v; make it longer", err)
	default:
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	after := openStore(t, dir, Options{})
	if after.Generation() != p.Generation {
		t.Fatalf("live generation %s, want the rebuilt %s", after.Generation(), p.Generation)
	}
	if _, err := after.Get(context.Background(), "x-0"); err != nil {
		t.Errorf("article indexed during the rebuild: %v", err)
	}
	if _, err := after.Get(context.Background(), "f-7"); !errors.Is(err, index.ErrNotFound) {
		t.Errorf("article deleted during the rebuild: err = %v, want not found", err)
	}
	if n, _ := after.Count(); n != 3000 {
		t.Errorf("%d articles after the rebuild, want 3000 (the files, one more, one deleted)", n)
	}
}

func TestStatus_DeadProcess(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ix")
	st := openStore(t, dir, Options{Create: true})
	raw, _ := json.Marshal(Progress{Running: true, Source: "files", Generation: "gen-000002", Started: time.Now(), Done: 10})
	if err := os.WriteFile(filepath.Join(dir, progressFile), raw, 0o644); err != nil {
		t.Fatal(err)
	}
	running, last := st.Status()
	if running != nil || last == nil || last.Running || last.Err == "" || last.Done != 10 {
		t.Errorf("status after a killed rebuild: running %+v, last %+v", running, last)
	}
}

func TestRebuild_OneAtATime(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ix")
	st := openStore(t, dir, Options{Create: true})
	mustPut(t, st, synthetic("a", 2000))
	if _, err := st.StartRebuild(context.Background(), nil, RebuildOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.StartRebuild(context.Background(), nil, RebuildOptions{}); !errors.Is(err, ErrRebuildRunning) {
		t.Errorf("second rebuild: err = %v, want ErrRebuildRunning", err)
	}
	other := openStore(t, dir, Options{AllowBusy: true})
	if _, err := other.Rebuild(context.Background(), nil, RebuildOptions{}); !errors.Is(err, ErrRebuildRunning) && !isDone(st) {
		t.Errorf("rebuild from another store: err = %v, want ErrRebuildRunning", err)
	}
	waitFor(t, func() bool { return isDone(st) })
}

func isDone(st *Store) bool {
	running, last := st.Status()
	return running == nil && last != nil
}

func TestRebuild_CancelLeavesLive(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ix")
	st := openStore(t, dir, Options{Create: true})
	mustPut(t, st, synthetic("a", 3000))
	ctx, cancel := context.WithCancel(context.Background())
	_, err := st.Rebuild(ctx, nil, RebuildOptions{Ingest: index.IngestOptions{BatchSize: 100}, OnProgress: func(p Progress) {
		if p.Done >= 500 {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if got := st.Generation(); got != "gen-000001" {
		t.Errorf("live generation = %q", got)
	}
	if n, _ := st.Count(); n != 3000 {
		t.Errorf("Count = %d", n)
	}
	if got := entries(t, dir); slices.Contains(got, "gen-000002") {
		t.Errorf("partial generation left: %v", got)
	}
}

// TestOpen_CleansUpAndReplays sets up what a killed rebuild leaves (a
// directory and journal nobody holds) and a switch whose journal was not
// all applied; Open removes the first and applies the second.
func TestOpen_CleansUpAndReplays(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ix")
	st, err := Open(context.Background(), dir, Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	mustPut(t, st, synthetic("a", 5))
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	// A killed rebuild's leftovers.
	if err := os.MkdirAll(filepath.Join(dir, "gen-000003", "store"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"gen-000003.lock", "gen-000003.journal"} {
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// The live generation's journal holds a write past the replay mark.
	e := entry{Op: "put", Articles: []journaledDoc{toJournal(synthetic("late", 1)[0])}}
	if err := appendJournal(filepath.Join(dir, "gen-000001.journal"), entry{Op: "delete", IDs: []string{"a-0"}}); err != nil {
		t.Fatal(err)
	}
	info, _ := os.Stat(filepath.Join(dir, "gen-000001.journal"))
	if err := appendJournal(filepath.Join(dir, "gen-000001.journal"), e); err != nil {
		t.Fatal(err)
	}
	if err := writeCurrent(dir, pointer{Generation: "gen-000001", Replayed: info.Size()}); err != nil {
		t.Fatal(err)
	}

	st = openStore(t, dir, Options{})
	if _, err := st.Get(context.Background(), "late-0"); err != nil {
		t.Errorf("journaled write past the mark not applied: %v", err)
	}
	if _, err := st.Get(context.Background(), "a-0"); err != nil {
		t.Errorf("journaled write before the mark applied again: %v", err)
	}
	got := entries(t, dir)
	for _, name := range []string{"gen-000003", "gen-000003.journal", "gen-000001.journal"} {
		if slices.Contains(got, name) {
			t.Errorf("%s left after Open: %v", name, got)
		}
	}
}

func TestAnalysisChange(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ix")
	st, err := Open(context.Background(), dir, Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	mustPut(t, st, []article.Article{{ID: "x", Title: "许昌职业技术学院招生", Body: "许昌职业技术学院今年招生"}})
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	withDict := zh.Options{UserWords: "许昌职业技术学院 100000 nt\n"}
	st = openStore(t, dir, Options{Analysis: withDict})
	if !st.AnalysisStale() {
		t.Error("AnalysisStale = false after a dictionary change")
	}
	if _, err := st.Rebuild(context.Background(), nil, RebuildOptions{}); err != nil {
		t.Fatal(err)
	}
	if st.AnalysisStale() {
		t.Error("AnalysisStale = true after the rebuild")
	}
	seg, err := st.Segmenter()
	if err != nil {
		t.Fatal(err)
	}
	toks, err := seg.Tokens(zh.Accurate, "许昌职业技术学院")
	if err != nil || len(toks) != 1 {
		t.Errorf("query tokens after the rebuild = %v, %v; want one word", toks, err)
	}
	if got := total(t, st, "许昌职业技术学院"); got != 1 {
		t.Errorf("total = %d, want 1", got)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 10s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestLock_WhileProbed: a lock nobody holds is taken even while other
// processes probe it with held (a probe holds a shared lock for an instant).
func TestLock_WhileProbed(t *testing.T) {
	path := filepath.Join(t.TempDir(), "probed.lock")
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				case <-time.After(100 * time.Microsecond):
					held(path)
				}
			}
		}()
	}
	defer func() { close(stop); wg.Wait() }()
	for i := range 300 {
		f, err := lock(path)
		if err != nil {
			t.Fatalf("attempt %d: %v", i, err)
		}
		if i == 0 {
			if f2, err := lock(path); !errors.Is(err, errHeld) {
				unlock(f2)
				t.Fatalf("second lock: err = %v, want errHeld", err)
			}
		}
		unlock(f)
	}
}
