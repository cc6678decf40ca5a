package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"runtime/debug"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"
)

// Memory as the index commands report it. The peak resident memory
// (getrusage's maxrss) counts the pages of the index's files that the
// process has mapped and read, which the OS page cache holds and can drop;
// a large build reads gigabytes of segments that way while merging. So
// the commands also watch the process's own memory (RssAnon: heap,
// stacks, buffers) and report its peak beside.

// anonPeak is the largest RssAnon seen by watchMemory, in kB; watching
// is set while it samples.
var (
	anonPeak atomic.Int64
	watching atomic.Bool
)

// watchMemory samples the process's own resident memory until ctx is
// done. Where /proc/self/status cannot be read it does nothing.
func watchMemory(ctx context.Context) {
	if rssAnonKB() < 0 || !watching.CompareAndSwap(false, true) {
		return
	}
	go func() {
		defer watching.Store(false)
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			sampleMemory()
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
}

func sampleMemory() {
	kb := rssAnonKB()
	for {
		old := anonPeak.Load()
		if kb <= old || anonPeak.CompareAndSwap(old, kb) {
			return
		}
	}
}

// rssAnonKB reads RssAnon from /proc/self/status: -1 where it cannot.
func rssAnonKB() int64 { return procKB("/proc/self/status", "RssAnon:") }

// procKB reads the "key N kB" line of a /proc file: -1 where it cannot.
func procKB(path, key string) int64 {
	b, err := os.ReadFile(path)
	if err != nil {
		return -1
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		if v, ok := bytes.CutPrefix(sc.Bytes(), []byte(key)); ok {
			n, err := strconv.ParseInt(string(bytes.TrimSuffix(bytes.TrimSpace(v), []byte(" kB"))), 10, 64)
			if err != nil {
				return -1
			}
			return n
		}
	}
	return -1
}

// peakMemory describes the peak memory so far: the peak resident memory
// in MB, and the peak of the process's own when it was watched.
func peakMemory() string {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return "unknown"
	}
	s := fmt.Sprintf("%d MB", ru.Maxrss/1024) // kilobytes on Linux
	if watching.Load() {
		sampleMemory()
		s += fmt.Sprintf(" (own %d MB)", anonPeak.Load()/1024)
	}
	return s
}

// Garbage collection while indexing. Analysing and building segments
// allocate gigabytes that live for one batch: at Go's default (collect
// when the heap has doubled since the last collection) a tenth of an
// index run went to collecting. The index commands let the heap triple
// instead (GOGC=200), within a soft limit that makes collections come
// sooner as the heap nears it: the smaller of 1.25 GiB (about what a
// build of a million articles needs at the default) and half the
// machine's memory. GOGC and GOMEMLIMIT in the environment win.
const indexingGCPercent = 200

// tuneGC sets the collector for indexing and returns what undoes it.
func tuneGC() (restore func()) {
	percent, limit := -2, int64(-1) // unchanged
	if _, ok := os.LookupEnv("GOGC"); !ok {
		percent = debug.SetGCPercent(indexingGCPercent)
	}
	if _, ok := os.LookupEnv("GOMEMLIMIT"); !ok {
		limit = debug.SetMemoryLimit(indexingMemoryLimit(memTotalKB()))
	}
	return func() {
		if percent != -2 {
			debug.SetGCPercent(percent)
		}
		if limit >= 0 {
			debug.SetMemoryLimit(limit)
		}
	}
}

// indexingMemoryLimit is the soft memory limit while indexing, for a
// machine with totalKB of memory (-1 when unknown).
func indexingMemoryLimit(totalKB int64) int64 {
	limit := int64(5) << 28 // 1.25 GiB
	if totalKB > 0 {
		limit = min(limit, totalKB<<10/2)
	}
	return limit
}

// memTotalKB reads MemTotal from /proc/meminfo: -1 where it cannot.
func memTotalKB() int64 { return procKB("/proc/meminfo", "MemTotal:") }
