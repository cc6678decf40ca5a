package index

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/wensou/wensou/index/article"
)

// Storage faults on a real disk: a small tmpfs, full, read-only, or with
// the index's files removed. Mounting needs root; the tests skip where it
// cannot be done.

// mountTmpfs mounts a tmpfs of size bytes and returns its directory,
// unmounted when the test ends.
func mountTmpfs(t *testing.T, size int64) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("mounting a small tmpfs to fill needs root")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", fmt.Sprintf("size=%d", size), "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here (%v: %s)", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", "-l", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})
	return dir
}

// remount changes the options of the tmpfs at dir (size=..., ro, rw: a
// read-only remount works only while no file on it is open for writing).
func remount(t *testing.T, dir, opts string) {
	t.Helper()
	if out, err := exec.Command("mount", "-o", "remount,"+opts, dir).CombinedOutput(); err != nil {
		t.Fatalf("remount %s %s: %v: %s", dir, opts, err, out)
	}
}

// bulky is an article of about n bytes of text that no other shares.
func bulky(id string, n int) article.Article {
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, "职业教育第%d条 %s market%d ", i, id, i)
	}
	return article.Article{ID: id, Title: "填充 " + id, Body: b.String()}
}

// searchAll counts the documents of ix with a match-all search through a
// Reader, as the search package runs them.
func searchAll(ix *Index) (int, error) {
	r, err := ix.Reader()
	if err != nil {
		return 0, err
	}
	defer r.Close()
	n := 0
	err = r.Match(context.Background(), query.NewMatchAllQuery(), true, func(Doc, float64) { n++ })
	return n, err
}

// fill puts bulky articles until a write fails, and returns the ids
// written and the error.
func fill(t *testing.T, ix *Index, size int) ([]string, error) {
	t.Helper()
	var ok []string
	for i := range 10000 {
		id := fmt.Sprintf("fill-%d", i)
		if err := ix.Put(t.Context(), []article.Article{bulky(id, size)}); err != nil {
			return ok, err
		}
		ok = append(ok, id)
	}
	t.Fatal("the disk never filled up")
	return nil, nil
}

// checkFailedWrite checks that a write that failed left nothing: the
// article is not in the index, and the index answers searches.
func checkFailedWrite(t *testing.T, ix *Index, id string, before int) {
	t.Helper()
	if _, err := ix.Get(t.Context(), id); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get(%q) of the failed write: error = %v, want ErrNotFound", id, err)
	}
	n, err := searchAll(ix)
	if err != nil || n != before {
		t.Errorf("search after the failed write: %d documents, %v; want %d", n, err, before)
	}
}

// fillDisk takes all but free bytes of dir's file system with a file,
// and returns a function that removes it.
func fillDisk(t *testing.T, dir string, free int64) func() {
	t.Helper()
	path := filepath.Join(dir, "filler")
	f, err := os.Create(path) // emptied, so that filling again measures afresh
	if err != nil {
		t.Fatal(err)
	}
	st, err := statDisk(dir)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.Write(make([]byte, max(st.free-free, 0)))
	if err != nil && !errors.Is(err, syscall.ENOSPC) {
		t.Fatal(err)
	}
	f.Close()
	return func() {
		if err := os.Remove(path); err != nil {
			t.Fatal(err)
		}
	}
}

// settle waits until the free space of dir's file system stops
// changing, so that merges are not freeing or taking space meanwhile.
func settle(t *testing.T, dir string) {
	t.Helper()
	last, stable := int64(-1), 0
	for range 200 {
		st, err := statDisk(dir)
		if err != nil {
			t.Fatal(err)
		}
		if st.free == last {
			stable++
		} else {
			last, stable = st.free, 0
		}
		if stable == 10 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Log("the free space did not settle in 4 s")
}

// TestIndex_DiskFillsUp indexes until the disk is full: the write is
// refused before the disk is quite full, keeping the reserve (5% of the
// disk) free, or, when merges took the space meanwhile, where it fails;
// either way it leaves nothing.
func TestIndex_DiskFillsUp(t *testing.T) {
	dir := mountTmpfs(t, 8<<20)
	ix := openTest(t, filepath.Join(dir, "ix"))
	defer func() { closeTest(t, ix) }()

	written, err := fill(t, ix, 64<<10)
	se, ok := errors.AsType[*StorageError](err)
	if !ok || !errors.Is(err, ErrDiskFull) {
		t.Fatalf("Put on a full disk: error = %v, want a StorageError of ErrDiskFull", err)
	}
	if !strings.Contains(err.Error(), "is full") || se.Free < 0 || se.Need <= 0 {
		t.Errorf("error %q (%+v): want it to say the disk is full, with free and needed bytes", err, se)
	}
	t.Logf("%d articles written before the disk filled: %v", len(written), err)
	checkFailedWrite(t, ix, fmt.Sprintf("fill-%d", len(written)), len(written))
}

// TestIndex_DiskFull fills the disk with a file to below the reserve:
// writes are refused before they start, health says why, deletions go
// on, and writes work again once space is freed.
func TestIndex_DiskFull(t *testing.T) {
	dir := mountTmpfs(t, 8<<20)
	path := filepath.Join(dir, "ix")
	ix := openTest(t, path)
	defer func() { closeTest(t, ix) }()
	var written []string
	for i := range 5 {
		id := fmt.Sprintf("fill-%d", i)
		if err := ix.Put(t.Context(), []article.Article{bulky(id, 64<<10)}); err != nil {
			t.Fatal(err)
		}
		written = append(written, id)
	}

	settle(t, dir)
	unfill := fillDisk(t, dir, 200<<10)
	err := ix.Put(t.Context(), []article.Article{sample("late")})
	se, ok := errors.AsType[*StorageError](err)
	if !ok || !errors.Is(err, ErrDiskFull) || se.Reserve <= 0 || se.Free < 0 || se.Need <= 0 {
		t.Fatalf("Put on a full disk: error = %v, want ErrDiskFull before writing, with free, needed and reserved bytes", err)
	}
	if !strings.Contains(err.Error(), "is full") {
		t.Errorf("error %q: want it to say the disk is full", err)
	}
	checkFailedWrite(t, ix, "late", len(written))
	if h := ix.Health(); !errors.Is(h.Problem, ErrDiskFull) || h.FreeBytes < 0 {
		t.Errorf("Health() = %+v, want ErrDiskFull and the free bytes", h)
	}
	// Deletions free space and take little: they may use the reserve.
	if err := ix.Delete(t.Context(), written[0]); err != nil {
		t.Errorf("Delete on a full disk: %v", err)
	}

	unfill()
	if err := ix.Put(t.Context(), []article.Article{sample("after")}); err != nil {
		t.Fatalf("Put after space was freed: %v", err)
	}
	if h := ix.Health(); h.Problem != nil {
		t.Errorf("Health() after space was freed = %+v, want no problem", h)
	}
	closeTest(t, ix)
	ix = openTest(t, path)
	if n, _ := ix.Count(); n != uint64(len(written)) {
		t.Errorf("after reopening: %d articles, want %d (the %d written, one deleted, one more)", n, len(written), len(written))
	}
}

// TestIndex_DiskFullWhilePersisting fills the disk with the space check
// off, so that writes fail where bleve persists them: the failed write
// must leave nothing visible, and searches running meanwhile must neither
// fail nor panic (bleve closes the segment of a batch it failed to
// persist while searches still use it; see durable.go).
func TestIndex_DiskFullWhilePersisting(t *testing.T) {
	dir := mountTmpfs(t, 8<<20)
	path := filepath.Join(dir, "ix")
	ix, err := Open(t.Context(), Options{Path: path, Create: true, DiskReserve: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { closeTest(t, ix) }()

	var searches, failed atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := searchAll(ix); err != nil {
				failed.Add(1)
			}
			searches.Add(1)
		}
	}()
	// Write until three writes have failed: each failure rolls the index
	// back, which frees the space of what was not persisted, so some
	// writes after a failure go through.
	var written []string
	var failures []error
	for i := 0; len(failures) < 3 && i < 1000; i++ {
		id := fmt.Sprintf("fill-%d", i)
		err := ix.Put(t.Context(), []article.Article{bulky(id, 96<<10)})
		if err == nil {
			written = append(written, id)
			continue
		}
		failures = append(failures, err)
		if !errors.Is(err, ErrDiskFull) {
			t.Errorf("Put %s on a full disk: error = %v, want ErrDiskFull", id, err)
		}
		checkFailedWrite(t, ix, id, len(written))
	}
	close(stop)
	wg.Wait()
	if len(failures) < 3 {
		t.Fatalf("the disk never filled up: %d written", len(written))
	}
	t.Logf("%d written, 3 failed (%v); %d searches meanwhile, %d failed", len(written), failures[0], searches.Load(), failed.Load())
	if failed.Load() > 0 {
		t.Errorf("%d of %d searches failed while the disk was full", failed.Load(), searches.Load())
	}

	remount(t, dir, "size=32m")
	if err := ix.Put(t.Context(), []article.Article{bulky("after", 1000)}); err != nil {
		t.Fatalf("Put after space was freed: %v", err)
	}
	closeTest(t, ix)
	ix = openTest(t, path)
	if n, _ := ix.Count(); n != uint64(len(written)+1) {
		t.Errorf("after reopening: %d articles, want the %d written", n, len(written)+1)
	}
	for _, id := range []string{written[0], written[len(written)-1], "after"} {
		if _, err := ix.Get(t.Context(), id); err != nil {
			t.Errorf("Get(%q) after reopening: %v", id, err)
		}
	}
}

// readOnly makes dir read-only for everything opened through its path
// from now on, as a file system remounted read-only is, and returns the
// function that makes it writable again. (A plain remount is refused
// while files are open for writing; a read-only bind mount of dir over
// itself is not.)
func readOnly(t *testing.T, dir string) func() {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("a read-only bind mount needs root")
	}
	if out, err := exec.Command("mount", "--bind", dir, dir).CombinedOutput(); err != nil {
		t.Skipf("cannot bind mount %s here (%v: %s)", dir, err, out)
	}
	// Refused as busy while a file opened through the new mount is open
	// for writing (a merge's segment, say): try again a moment later.
	var err error
	var out []byte
	for range 100 {
		if out, err = exec.Command("mount", "-o", "remount,bind,ro", dir).CombinedOutput(); err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		exec.Command("umount", dir).Run()
		t.Skipf("cannot make the bind mount of %s read-only (%v: %s)", dir, err, out)
	}
	undone := false
	undo := func() {
		if undone {
			return
		}
		undone = true
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	}
	t.Cleanup(undo)
	return undo
}

func TestIndex_ReadOnly(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ix")
	ix := openTest(t, path)
	defer func() { closeTest(t, ix) }()
	if err := ix.Put(t.Context(), []article.Article{sample("a")}); err != nil {
		t.Fatal(err)
	}

	writable := readOnly(t, dir)
	for _, write := range []func() error{
		func() error { return ix.Put(t.Context(), []article.Article{sample("b")}) },
		func() error { return ix.Delete(t.Context(), "a") },
	} {
		err := write()
		if !errors.Is(err, ErrReadOnly) || !strings.Contains(err.Error(), "read-only") {
			t.Fatalf("write on a read-only file system: error = %v, want ErrReadOnly", err)
		}
	}
	checkFailedWrite(t, ix, "b", 1)
	if _, err := ix.Get(t.Context(), "a"); err != nil {
		t.Errorf("Get on a read-only file system: %v", err)
	}
	if h := ix.Health(); !errors.Is(h.Problem, ErrReadOnly) {
		t.Errorf("Health() = %+v, want ErrReadOnly", h)
	}

	writable()
	if err := ix.Put(t.Context(), []article.Article{sample("c")}); err != nil {
		t.Fatalf("Put once writable again: %v", err)
	}
	if n, err := searchAll(ix); n != 2 || err != nil {
		t.Errorf("search: %d, %v; want 2", n, err)
	}
}

func TestIndex_FilesRemoved(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ix")
	ix := openTest(t, path)
	defer func() { closeTest(t, ix) }()
	if err := ix.Put(t.Context(), []article.Article{sample("a"), sample("b")}); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(path); err != nil {
		t.Fatal(err)
	}
	err := ix.Put(t.Context(), []article.Article{sample("c")})
	if !errors.Is(err, ErrGone) || !strings.Contains(err.Error(), "removed") {
		t.Fatalf("Put after the files were removed: error = %v, want ErrGone", err)
	}
	// What is open still answers.
	if n, err := searchAll(ix); n != 2 || err != nil {
		t.Errorf("search after the files were removed: %d, %v; want 2", n, err)
	}
	if _, err := ix.Get(t.Context(), "a"); err != nil {
		t.Errorf("Get after the files were removed: %v", err)
	}
	if h := ix.Health(); !errors.Is(h.Problem, ErrGone) {
		t.Errorf("Health() = %+v, want ErrGone", h)
	}
}

// TestIndex_OpenReadOnly opens an index on a file system that is
// read-only already (a read-only volume): it answers, and takes writes
// again once the file system is writable.
func TestIndex_OpenReadOnly(t *testing.T) {
	dir := mountTmpfs(t, 16<<20)
	path := filepath.Join(dir, "ix")
	ix := openTest(t, path)
	if err := ix.Put(t.Context(), []article.Article{sample("a")}); err != nil {
		t.Fatal(err)
	}
	closeTest(t, ix)
	remount(t, dir, "ro")

	ix = openTest(t, path)
	defer func() { closeTest(t, ix) }()
	if n, err := searchAll(ix); n != 1 || err != nil {
		t.Errorf("search of an index opened read-only: %d, %v; want 1", n, err)
	}
	if err := ix.Put(t.Context(), []article.Article{sample("b")}); !errors.Is(err, ErrReadOnly) {
		t.Errorf("Put on a read-only file system: error = %v, want ErrReadOnly", err)
	}
	remount(t, dir, "rw")
	if err := ix.Put(t.Context(), []article.Article{sample("b")}); err != nil {
		t.Fatalf("Put once writable: %v", err)
	}
	if n, err := searchAll(ix); n != 2 || err != nil {
		t.Errorf("search: %d, %v; want 2", n, err)
	}
}
