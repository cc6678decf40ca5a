package main

import (
	"context"
	"os"
	"regexp"
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
