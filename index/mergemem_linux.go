package index

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"sync"
	"syscall"
	"time"

	segment "github.com/blevesearch/scorch_segment_api/v2"
	"golang.org/x/sys/unix"
)

// trimEvery is how often a running merge drops the pages it has read.
const trimEvery = time.Second

// trimWhileMerging drops the mapped pages of the segments that a merge
// reads every trimEvery until the returned function is called, which
// waits for the last drop. The caller holds the segments open until then
// (scorch's merger holds a reference on its snapshot for the whole
// merge), so every mapping dropped is one of theirs.
func trimWhileMerging(segments []segment.Segment) (stop func()) {
	files := fileIDs(sourceFiles(segments))
	if len(files) == 0 {
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(trimEvery)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				_, _ = trimMapped(files)
			}
		}
	})
	return func() {
		close(done)
		wg.Wait()
	}
}

// fileID is a file's device and inode, as /proc/self/maps shows them.
type fileID struct {
	dev string // "major:minor" in hexadecimal
	ino uint64
}

// fileIDs identifies the files at paths; those it cannot stat are left out.
func fileIDs(paths []string) map[fileID]bool {
	ids := make(map[fileID]bool, len(paths))
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			continue
		}
		st, ok := fi.Sys().(*syscall.Stat_t)
		if !ok {
			continue
		}
		dev := uint64(st.Dev)
		ids[fileID{dev: fmt.Sprintf("%02x:%02x", unix.Major(dev), unix.Minor(dev)), ino: st.Ino}] = true
	}
	return ids
}

// trimMapped drops from the process's page tables the pages of its
// shared read-only mappings of files: the pages stay in the page cache,
// and a later read maps them again. It returns how many bytes of mappings
// it trimmed. Only mappings whose permissions are exactly "r--s" are
// touched: for them MADV_DONTNEED loses nothing.
func trimMapped(files map[fileID]bool) (int64, error) {
	maps, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		return 0, fmt.Errorf("trim mapped segments: %w", err)
	}
	var trimmed int64
	for line := range bytes.Lines(maps) {
		// start-end perms offset dev inode path
		f := bytes.Fields(line)
		if len(f) < 6 || string(f[1]) != "r--s" {
			continue
		}
		ino, err := strconv.ParseUint(string(f[4]), 10, 64)
		if err != nil || !files[fileID{dev: string(f[3]), ino: ino}] {
			continue
		}
		start, end, ok := bytes.Cut(f[0], []byte{'-'})
		if !ok {
			continue
		}
		from, err1 := strconv.ParseUint(string(start), 16, 64)
		to, err2 := strconv.ParseUint(string(end), 16, 64)
		if err1 != nil || err2 != nil || to <= from {
			continue
		}
		if _, _, errno := unix.Syscall(unix.SYS_MADVISE, uintptr(from), uintptr(to-from), unix.MADV_DONTNEED); errno != 0 {
			return trimmed, fmt.Errorf("trim mapped segments: madvise: %w", errno)
		}
		trimmed += int64(to - from)
	}
	return trimmed, nil
}
