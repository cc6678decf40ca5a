package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
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
func rssAnonKB() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		if v, ok := bytes.CutPrefix(sc.Bytes(), []byte("RssAnon:")); ok {
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
