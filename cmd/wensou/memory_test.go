package main

import (
	"context"
	"os"
	"regexp"
	"runtime/debug"
	"testing"
)

func TestPeakMemory(t *testing.T) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skipf("no /proc/self/status here: %v", err)
	}
	if kb := rssAnonKB(); kb <= 0 {
		t.Fatalf("rssAnonKB() = %d, want the process's own memory", kb)
	}
	// (An index command of another test may still be watching.)
	if got := peakMemory(); !watching.Load() && !regexp.MustCompile(`^[0-9]+ MB$`).MatchString(got) {
		t.Errorf("peakMemory() unwatched = %q, want the peak resident memory alone", got)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	watchMemory(ctx)
	if got := peakMemory(); !regexp.MustCompile(`^[0-9]+ MB \(own [1-9][0-9]* MB\)$`).MatchString(got) {
		t.Errorf("peakMemory() watched = %q, want the process's own peak beside", got)
	}
}

func TestIndexingMemoryLimit(t *testing.T) {
	const gib = int64(1) << 30
	for _, tc := range []struct {
		totalKB int64
		want    int64
	}{
		{-1, gib * 5 / 4},       // unknown: the cap
		{24 << 20, gib * 5 / 4}, // 24 GiB: the cap
		{2 << 20, gib},          // 2 GiB: half
		{1 << 20, gib / 2},      // 1 GiB: half
	} {
		if got := indexingMemoryLimit(tc.totalKB); got != tc.want {
			t.Errorf("indexingMemoryLimit(%d kB) = %d, want %d", tc.totalKB, got, tc.want)
		}
	}
	if kb := memTotalKB(); kb <= 0 {
		if _, err := os.Stat("/proc/meminfo"); err == nil {
			t.Errorf("memTotalKB() = %d with /proc/meminfo there", kb)
		}
	}
}

func TestTuneGC(t *testing.T) {
	if _, ok := os.LookupEnv("GOGC"); ok {
		t.Skip("GOGC is set: tuneGC leaves the collector to it")
	}
	if _, ok := os.LookupEnv("GOMEMLIMIT"); ok {
		t.Skip("GOMEMLIMIT is set: tuneGC leaves the limit to it")
	}
	before := debug.SetGCPercent(100)
	debug.SetGCPercent(before)
	limit := debug.SetMemoryLimit(-1)
	restore := tuneGC()
	got := debug.SetGCPercent(-1) // reads it, with -1 as the new value
	debug.SetGCPercent(got)
	if got != indexingGCPercent {
		t.Errorf("GC percent while indexing = %d, want %d", got, indexingGCPercent)
	}
	if l := debug.SetMemoryLimit(-1); l != indexingMemoryLimit(memTotalKB()) {
		t.Errorf("memory limit while indexing = %d, want %d", l, indexingMemoryLimit(memTotalKB()))
	}
	restore()
	if p := debug.SetGCPercent(before); p != before {
		t.Errorf("GC percent after = %d, want %d again", p, before)
	}
	if l := debug.SetMemoryLimit(-1); l != limit {
		t.Errorf("memory limit after = %d, want %d again", l, limit)
	}
}
