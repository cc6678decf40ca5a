package faults

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Words that say what went wrong, in an error message.
var (
	diskFullRE = regexp.MustCompile(`(?i)\b(disk|device|storage|file ?system)\b.*\bfull\b|no space left on device`)
	readOnlyRE = regexp.MustCompile(`(?i)read-only|read only`)
)

// buildSamples builds an index of the sample articles at dir with wensou
// index.
func buildSamples(t *testing.T, dir string) {
	t.Helper()
	if r := runWensou(t, 2*time.Minute, "index", "--index", dir, samplesDir()); r.code != 0 {
		t.Fatalf("wensou index --index %s of the samples: %v", dir, r)
	}
}

// searchQueries are searches a server answers while something is wrong
// with its disk.
var searchQueries = []string{"职业教育", "oil price", "market", "高温 健康", `"night train"`, "新能源 汽车", "茶叶 OR tea", "title:city", "infla*", "bike"}

// searchAll runs every search query (and reads the article id, when
// given) and returns the answers that were not 200.
func searchAll(srv *server, id string) (n int, bad []string) {
	for _, q := range searchQueries {
		n++
		if _, r := srv.search(q); r.err != nil || r.status != http.StatusOK {
			bad = append(bad, fmt.Sprintf("search %q: %s", q, r.statusCode()))
		}
	}
	if id != "" {
		n++
		if r := srv.get("/api/articles/" + id); r.err != nil || r.status != http.StatusOK {
			bad = append(bad, fmt.Sprintf("GET %s: %s", id, r.statusCode()))
		}
	}
	return n, bad
}

// wantError checks that r is the JSON error with this status and code
// and a message matching msgRE.
func wantError(t *testing.T, what string, r reply, status int, code string, msgRE *regexp.Regexp) {
	t.Helper()
	got, msg := r.errorCode()
	check(t, what, r.statusCode(), fmt.Sprintf("%d %s", status, code), r.err == nil && r.status == status && got == code)
	if msgRE != nil {
		check(t, what+": message", clip(msg, 80), "matches "+msgRE.String(), msgRE.MatchString(msg))
	}
}

// writeUntil posts a with retries until it is acknowledged or timeout
// passes, and returns the last answer and how long it took.
func writeUntil(srv *server, a article, timeout time.Duration) (reply, time.Duration) {
	start := time.Now()
	var r reply
	poll(timeout, func() bool {
		r = srv.post(a)
		return len(r.acked([]article{a})) == 1
	})
	return r, time.Since(start)
}

// fillDisk appends to a ballast file in dir until the file system is
// full, and returns the bytes it added. Called again, it takes what the
// server has freed meanwhile (by merging segments), so that the disk stays
// full.
func fillDisk(t *testing.T, dir string) int64 {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(dir, "ballast"), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if errors.Is(err, syscall.ENOSPC) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := make([]byte, 64<<10)
	var n int64
	for {
		m, err := f.Write(chunk)
		n += int64(m)
		if errors.Is(err, syscall.ENOSPC) {
			return n
		}
		if err != nil {
			t.Fatalf("fill %s: %v", dir, err)
		}
	}
}

// freeBytes is the space left on the file system of dir.
func freeBytes(dir string) int64 {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return -1
	}
	return int64(st.Bavail) * st.Bsize
}

// TestDisk_Full fills the disk under a running server: refused writes
// must say so (507), searches and reads go on, health and metrics tell,
// writes come back when space does, and nothing acknowledged is lost,
// even by a kill -9 while the disk is full.
func TestDisk_Full(t *testing.T) {
	needFaults(t)
	// The command line writes to a disk of its own: the server's merges
	// free space on theirs now and then, which would let it succeed.
	mnt, cliMnt := mountTmpfs(t, 30), mountTmpfs(t, 10)
	rng := rand.New(rand.NewPCG(seedFromEnv(t), 3))
	dir, cliDir := filepath.Join(mnt, "index"), filepath.Join(cliMnt, "cli-index")
	buildSamples(t, dir)
	buildSamples(t, cliDir)
	more := filepath.Join(t.TempDir(), "more.jsonl")
	var moreArts []article
	for i := range 200 {
		moreArts = append(moreArts, article{ID: fmt.Sprintf("more-%d", i), Title: body(rng, 5), Body: body(rng, 300)})
	}
	writeJSONL(t, more, moreArts)
	srv := startServer(t, dir)

	status, h := srv.healthz()
	check(t, "healthz before the disk fills", fmt.Sprintf("%d %s", status, h), "200 ok", status == http.StatusOK && h == "ok")
	check(t, "wensou_storage_writable before", srv.gaugeText("wensou_storage_writable"), "1", srv.gaugeText("wensou_storage_writable") == "1")

	var (
		acked []article
		seq   int
	)
	newArticle := func(words int) article {
		seq++
		tok := token("full", seq)
		return article{ID: fmt.Sprintf("full-%d", seq), Title: "full disk " + tok, Body: tok + " " + body(rng, words), token: tok}
	}
	// post writes arts and keeps those acknowledged.
	post := func(arts ...article) reply {
		r := srv.post(arts...)
		for _, a := range arts {
			if slices.Contains(r.acked(arts), a.ID) {
				acked = append(acked, a)
			}
		}
		return r
	}

	// Write until a write is refused.
	var refused reply
	for deadline := time.Now().Add(2 * time.Minute); ; {
		if time.Now().After(deadline) {
			t.Fatalf("the 30 MB disk never filled: %d articles acknowledged", len(acked))
		}
		arts := []article{newArticle(4000), newArticle(4000), newArticle(4000), newArticle(4000)}
		if r := post(arts...); len(r.acked(arts)) != len(arts) {
			if r.err != nil {
				t.Fatalf("write on the filling disk: got %v, want an answer; log:\n%s", r.err, tail(srv.log(), 20))
			}
			refused = r
			break
		}
	}
	note(t, "articles acknowledged until full", len(acked))
	wantError(t, "the refused write", refused, http.StatusInsufficientStorage, "insufficient_storage", diskFullRE)

	// While full. The ballast takes the space left, and what the server
	// frees meanwhile (merging segments), so the disk stays full.
	t.Logf("ballast bytes that still fit: %d", fillDisk(t, mnt))
	n, bad := searchAll(srv, acked[0].ID)
	check(t, "searches and reads while full", fmt.Sprintf("%d, %d not 200 %v", n, len(bad), bad), fmt.Sprintf("%d, 0 not 200", n), len(bad) == 0)
	// Health reads the disk when asked: fill it again right before, as
	// merges that end meanwhile free space (and then writes would work).
	var gauge string
	poll(10*time.Second, func() bool {
		fillDisk(t, mnt)
		status, h = srv.healthz()
		gauge = srv.gaugeText("wensou_storage_writable")
		return status == http.StatusOK && h == "degraded" && gauge == "0"
	})
	check(t, "healthz while full", fmt.Sprintf("%d %s", status, h), "200 degraded", status == http.StatusOK && h == "degraded")
	check(t, "wensou_storage_writable while full", gauge, "0", gauge == "0")
	fillDisk(t, cliMnt)
	cli := runWensou(t, 2*time.Minute, "index", "--index", cliDir, more)
	t.Logf("wensou index --index %s on the full disk: %v", cliDir, cli)
	last := tail(strings.TrimSpace(cli.stderr), 1)
	if _, p, ok := strings.Cut(cli.stderr, "panic: "); ok {
		last, _, _ = strings.Cut("panic: "+p, "\n")
	}
	check(t, "wensou index on the full disk", fmt.Sprintf("exit %d: %s", cli.code, clip(last, 60)), "exit ≠ 0, says the disk is full",
		cli.code != 0 && diskFullRE.MatchString(cli.stderr+cli.stdout))
	after := runWensou(t, time.Minute, "search", "--index", cliDir, "职业教育")
	check(t, "wensou search after the refused index", fmt.Sprintf("exit %d: %s", after.code, clip(firstLine(after.stdout), 40)), "exit 0: 6 results",
		after.code == 0 && strings.HasPrefix(after.stdout, "6 results"))
	// A merge ending between the fill and the write may free enough for
	// it (and then it is rightly acknowledged): fill again until refused.
	var (
		full reply
		free int64
	)
	poll(10*time.Second, func() bool {
		fillDisk(t, mnt)
		free = freeBytes(mnt)
		full = post(newArticle(50))
		return full.status == http.StatusInsufficientStorage
	})
	wantError(t, fmt.Sprintf("a write while full (%d bytes free)", free), full, http.StatusInsufficientStorage, "insufficient_storage", nil)

	// Free space: writes work again, without a restart.
	if err := mount("-o", "remount,size=60m", mnt); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	var r reply
	poll(15*time.Second, func() bool {
		a := newArticle(50)
		r = post(a)
		return len(r.acked([]article{a})) == 1
	})
	check(t, "a write after space is freed", fmt.Sprintf("%s after %s", r.statusCode(), time.Since(start).Round(10*time.Millisecond)),
		"201", r.status == http.StatusCreated)
	poll(10*time.Second, func() bool { _, h = srv.healthz(); return h == "ok" })
	status, h = srv.healthz()
	check(t, "healthz after space is freed", fmt.Sprintf("%d %s", status, h), "200 ok", status == http.StatusOK && h == "ok")
	checkServer(t, srv)

	// Full again, and kill -9 right after a write: everything acknowledged
	// is there after a restart (with space again).
	fillDisk(t, mnt)
	r = post(newArticle(50))
	t.Logf("a write while full again: %s", r.statusCode())
	srv.kill()
	if err := mount("-o", "remount,size=100m", mnt); err != nil {
		t.Fatal(err)
	}
	srv2 := srv.restart(t)
	lost, unsearchable := verifyAcked(t, srv2, acked, true)
	check(t, "acknowledged: lost, not searchable after kill -9", fmt.Sprintf("%d, %d of %d", lost, unsearchable, len(acked)),
		fmt.Sprintf("0, 0 of %d", len(acked)), lost == 0 && unsearchable == 0)
	checkServer(t, srv2)
}

// TestDisk_ReadOnly makes the disk read-only under a running server:
// searches go on, writes answer 503 read_only, health tells, and writes
// come back when the disk is writable again.
func TestDisk_ReadOnly(t *testing.T) {
	needFaults(t)
	mnt := mountTmpfs(t, 64)
	dir := filepath.Join(mnt, "index")
	buildSamples(t, dir)
	srv := startServer(t, dir)
	a := article{ID: "ro-before", Title: "written before " + token("ro", 1), Body: "read-only test " + token("ro", 1)}
	if r := srv.post(a); len(r.acked([]article{a})) != 1 {
		t.Fatalf("write before the disk is read-only: got %v, want 201", r)
	}

	how, undo := makeReadOnly(t, mnt)
	note(t, "read-only by", how)
	n1, bad1 := searchAll(srv, a.ID)
	b := article{ID: "ro-during", Title: "written during " + token("ro", 2), Body: "read-only " + token("ro", 2)}
	wantError(t, "POST while read-only", srv.post(b), http.StatusServiceUnavailable, "read_only", readOnlyRE)
	wantError(t, "PUT while read-only", srv.do(http.MethodPut, "/api/articles/"+a.ID, []byte(`{"title":"changed","body":"changed"}`), authJSON...),
		http.StatusServiceUnavailable, "read_only", nil)
	wantError(t, "DELETE while read-only", srv.do(http.MethodDelete, "/api/articles/"+a.ID, nil, authJSON...),
		http.StatusServiceUnavailable, "read_only", nil)
	n2, bad2 := searchAll(srv, a.ID)
	bad := append(bad1, bad2...)
	check(t, "searches and reads while read-only", fmt.Sprintf("%d, %d not 200 %v", n1+n2, len(bad), bad), fmt.Sprintf("%d, 0 not 200", n1+n2), len(bad) == 0)
	status, h := srv.healthz()
	check(t, "healthz while read-only", fmt.Sprintf("%d %s", status, h), "200 degraded", status == http.StatusOK && h == "degraded")
	checkServer(t, srv)

	if err := undo(); err != nil {
		t.Fatal(err)
	}
	r, took := writeUntil(srv, b, 15*time.Second)
	check(t, "a write after mount -o remount,rw", fmt.Sprintf("%s after %s", r.statusCode(), took.Round(10*time.Millisecond)),
		"201", r.status == http.StatusCreated)
	res, sr := srv.search(b.Title)
	check(t, "the write is searchable", sr.statusCode(), "200 with "+b.ID, sr.status == http.StatusOK && res.has(b.ID))
}

// TestDisk_ReadOnlyAtStart serves an index from a file system that is
// read-only when the server starts (a read-only volume or snapshot):
// searches work, writes answer 503 read_only, and once the file system is
// writable again writes work without a restart.
func TestDisk_ReadOnlyAtStart(t *testing.T) {
	needFaults(t)
	mnt := mountTmpfs(t, 64)
	dir := filepath.Join(mnt, "index")
	buildSamples(t, dir)
	if err := mount("-o", "remount,ro", mnt); err != nil {
		t.Fatal(err) // nothing holds files open: a plain remount works
	}
	r := runWensou(t, time.Minute, "search", "--index", dir, "--json", "职业教育")
	check(t, "wensou search on the read-only disk", fmt.Sprintf("exit %d", r.code), "exit 0", r.code == 0)
	srv := startServer(t, dir)
	n, bad := searchAll(srv, "")
	check(t, "searches on the read-only disk", fmt.Sprintf("%d, %d not 200 %v", n, len(bad), bad), fmt.Sprintf("%d, 0 not 200", n), len(bad) == 0)
	b := article{ID: "ro-start", Title: "written after " + token("rostart", 1), Body: "read-only at start " + token("rostart", 1)}
	wantError(t, "POST on the read-only disk", srv.post(b), http.StatusServiceUnavailable, "read_only", readOnlyRE)
	status, h := srv.healthz()
	check(t, "healthz on the read-only disk", fmt.Sprintf("%d %s", status, h), "200 degraded", status == http.StatusOK && h == "degraded")

	if err := mount("-o", "remount,rw", mnt); err != nil {
		t.Fatal(err)
	}
	w, took := writeUntil(srv, b, 15*time.Second)
	check(t, "a write after mount -o remount,rw", fmt.Sprintf("%s after %s", w.statusCode(), took.Round(10*time.Millisecond)),
		"201", w.status == http.StatusCreated)
	res, sr := srv.search(b.Title)
	check(t, "the write is searchable", sr.statusCode(), "200 with "+b.ID, sr.status == http.StatusOK && res.has(b.ID))
	checkServer(t, srv)
}

// TestIndex_Gone deletes the index files under a running server: searches
// answer 200, or 503 with a code, never 500 or a panic, and writes answer
// 503 index_gone.
func TestIndex_Gone(t *testing.T) {
	needFaults(t)
	dir := filepath.Join(t.TempDir(), "index")
	buildSamples(t, dir)
	srv := startServer(t, dir)
	a := article{ID: "gone-before", Title: "written before " + token("gone"), Body: "index gone " + token("gone")}
	if r := srv.post(a); len(r.acked([]article{a})) != 1 {
		t.Fatalf("write before the index is deleted: got %v, want 201", r)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries { // rm -rf DIR/*
		// The server may write a file into a directory being removed
		// (its persister, after the write): rm -rf again, as one would.
		var err error
		for range 20 {
			if err = os.RemoveAll(filepath.Join(dir, e.Name())); err == nil {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		if err != nil {
			t.Fatal(err)
		}
	}

	// Watch for 3 s: the server notices the loss in its own time.
	searches, writes := map[string]int{}, map[string]int{}
	var badSearches, badWrites int
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for i, end := 0, time.Now().Add(3*time.Second); time.Now().Before(end); i++ {
		<-tick.C
		_, r := srv.search(searchQueries[i%len(searchQueries)])
		code, _ := r.errorCode()
		searches[r.statusCode()]++
		if r.err != nil || (r.status != http.StatusOK && (r.status != http.StatusServiceUnavailable || code == "" || code == "internal")) {
			badSearches++
		}
		w := article{ID: fmt.Sprintf("gone-%d", i), Title: "after", Body: "after"}
		r = srv.post(w)
		code, _ = r.errorCode()
		writes[r.statusCode()]++
		if r.status != http.StatusServiceUnavailable || code != "index_gone" {
			badWrites++
		}
	}
	check(t, "searches (200, or 503 with a code)", tally(searches), "no other answer", badSearches == 0)
	check(t, "writes", tally(writes), "all 503 index_gone", badWrites == 0)
	checkServer(t, srv)
}

// tally formats counts of answers, as "200 ×40, 503 unavailable ×3".
func tally(m map[string]int) string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s ×%d", k, m[k]))
	}
	return strings.Join(parts, ", ")
}

// checkServer checks that the server still runs and that its log has no
// panic and no 500 answer, and logs the first panic when there is one.
func checkServer(t *testing.T, srv *server) {
	t.Helper()
	got := fmt.Sprintf("%s, %d panics, %d 500s", srv.state(), srv.panics(), count500(srv.log()))
	if !check(t, "server: running, panics, 500s in its log", got, "running, 0 panics, 0 500s", got == "running, 0 panics, 0 500s") && srv.panics() > 0 {
		t.Logf("first panic: %s", srv.firstPanic())
	}
}
