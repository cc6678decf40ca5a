package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
)

// cpuProfile is the --cpuprofile flag of the index commands: a CPU
// profile of the whole run, for go tool pprof, as go test -cpuprofile
// writes one. (wensou serve has --pprof for a running server.)
type cpuProfile struct{ path string }

func (p *cpuProfile) register(fs *flag.FlagSet) {
	fs.StringVar(&p.path, "cpuprofile", "", "write a CPU profile of the run to `FILE`, for go tool pprof")
}

// start starts profiling when the flag is set; stop ends it and closes
// the file.
func (p *cpuProfile) start() (stop func() error, err error) {
	if p.path == "" {
		return func() error { return nil }, nil
	}
	f, err := os.Create(p.path)
	if err != nil {
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("--cpuprofile %s: %w", p.path, err)
	}
	return func() error {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			return fmt.Errorf("--cpuprofile: %w", err)
		}
		return nil
	}, nil
}

// instrument starts what an index command runs under: the CPU profile
// when asked for, the watch of its memory, the collector's setting for
// indexing (tuneGC). stop ends them, with the profile's error.
func instrument(ctx context.Context, prof cpuProfile) (stop func() error, err error) {
	stopProfile, err := prof.start()
	if err != nil {
		return nil, err
	}
	wctx, stopWatch := context.WithCancel(ctx)
	watchMemory(wctx)
	restore := tuneGC()
	return func() error {
		restore()
		stopWatch()
		return stopProfile()
	}, nil
}
