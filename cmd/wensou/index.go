package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/wensou/wensou/index"
	"github.com/wensou/wensou/index/article"
	"github.com/wensou/wensou/index/store"
)

func runIndex(ctx context.Context, args []string, env envFunc, stdout, stderr io.Writer) (err error) {
	fs := flag.NewFlagSet("index", flag.ContinueOnError)
	var c commonFlags
	c.register(fs)
	batch := fs.Int("batch", 1000, "articles per index batch")
	maxBody := fs.Int("max-body", 2<<20, "reject articles whose body is longer than this many bytes")
	quiet := fs.Bool("quiet", false, "no progress display")
	doSync := fs.Bool("sync", false, "make the index match PATHs: write new and changed articles only, delete those gone from files within PATHs")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), `Usage: wensou index [flags] PATH...
       wensou index --sync [flags] PATH...

Indexes articles from files and directories (%s).
An article already in the index (same id) is replaced.

With --sync, only new and changed articles (other content, or moved to
another file) are written, and indexed articles that came from a file
within PATHs but are no longer in it are deleted. Nothing is deleted when
a PATH cannot be read or the run is interrupted; a file with rejected
records keeps its indexed articles; articles added through the API are
never deleted.

Flags:
`, strings.Join(article.Formats(), " "))
		fs.PrintDefaults()
	}
	paths, err := parseFlags(fs, args, env, stderr)
	if err != nil {
		return err
	}
	if len(paths) == 0 {
		return usagef("index needs at least one PATH (try: wensou index %s)", defaultSamplesDir)
	}
	if *batch < 1 {
		return usagef("--batch must be 1 or more, not %d", *batch)
	}
	if *maxBody < 1 {
		return usagef("--max-body must be 1 or more, not %d", *maxBody)
	}
	loc, err := c.location()
	if err != nil {
		return err
	}
	analysis, err := c.analysis()
	if err != nil {
		return err
	}
	st, err := store.Open(ctx, c.index, store.Options{Create: true, Analysis: analysis, Location: loc})
	if err != nil {
		return err
	}
	defer func() {
		if cerr := st.Close(); cerr != nil && err == nil {
			err = cerr
		}
	}()
	if st.AnalysisStale() {
		fmt.Fprintf(stderr, "note: %s was built with another dictionary or other stop words than --dict %q has; new articles are analysed as the rest of the index until \"wensou reindex --index %s\"\n", c.index, c.dict, c.index)
	}
	// Writes go straight to the live generation: no rebuild can run
	// meanwhile, as the store holds it.
	return st.With(func(ix *index.Index) error {
		return indexInto(ctx, ix, paths, *doSync, ingestConfig{
			loc: loc, batch: *batch, maxBody: *maxBody,
			progress: !*quiet && isTerminal(stderr),
		}, stdout, stderr)
	})
}

// indexInto indexes or (doSync) syncs paths into ix.
func indexInto(ctx context.Context, ix *index.Index, paths []string, doSync bool, cfg ingestConfig, stdout, stderr io.Writer) error {
	var rejected int
	var ierr error
	if doSync {
		// As ingest does: rejected records and warnings on stderr as they
		// come, progress on a terminal, a summary line at the end.
		total := store.InputSize(paths)
		prog := newProgress(stderr, total, cfg.progress)
		st, err := ix.Sync(ctx, paths, index.IngestOptions{
			Article:   article.Options{Location: cfg.loc, MaxBodyBytes: cfg.maxBody},
			BatchSize: cfg.batch,
			OnRecord:  reportRecords(prog, stderr),
			OnBatch:   func(st index.IngestStats) { prog.indexed(st.Indexed) },
		})
		prog.clear()
		for _, k := range st.Kept {
			fmt.Fprintf(stderr, "%s: warning: kept %s indexed articles not read from it, as it has rejected records\n", k.File, fmtCount(k.Articles))
		}
		status := "synced"
		if err != nil && !errors.Is(err, index.ErrUnreadable) {
			status = "stopped after syncing"
		}
		n := st.Added + st.Updated + st.Unchanged
		secs, mb := st.Elapsed.Seconds(), float64(total)/1e6
		fmt.Fprintf(stdout, "%s %s articles: added %s, updated %s, deleted %s, unchanged %s, rejected %s, warned %s in %.1fs: %.0f docs/s, %.2f MB/s (%.1f MB read), peak memory %d MB\n",
			status, fmtCount(n), fmtCount(st.Added), fmtCount(st.Updated), fmtCount(st.Deleted), fmtCount(st.Unchanged),
			fmtCount(st.Rejected), fmtCount(st.Warned), secs,
			float64(n)/max(secs, 1e-9), mb/max(secs, 1e-9), mb, peakRSSMB())
		rejected, ierr = st.Rejected, err
	} else {
		st, err := ingest(ctx, ix, paths, cfg, stdout, stderr)
		rejected, ierr = st.Rejected, err
	}
	if ierr != nil {
		return ierr
	}
	if rejected > 0 {
		return errRejected
	}
	return nil
}

type ingestConfig struct {
	loc      *time.Location
	batch    int
	maxBody  int
	progress bool
}

// ingest indexes paths into ix, reporting each rejected record and
// warning on stderr as file:line: reason, progress on a terminal, and a
// summary line at the end.
func ingest(ctx context.Context, ix *index.Index, paths []string, cfg ingestConfig, stdout, stderr io.Writer) (index.IngestStats, error) {
	total := store.InputSize(paths)
	prog := newProgress(stderr, total, cfg.progress)
	opts := index.IngestOptions{
		Article:   article.Options{Location: cfg.loc, MaxBodyBytes: cfg.maxBody},
		BatchSize: cfg.batch,
		OnRecord:  reportRecords(prog, stderr),
		OnBatch:   func(st index.IngestStats) { prog.indexed(st.Indexed) },
	}
	st, err := ix.Ingest(ctx, paths, opts)
	prog.clear()
	secs := st.Elapsed.Seconds()
	mb := float64(total) / 1e6
	status := "indexed"
	if err != nil {
		status = "stopped after indexing"
	}
	fmt.Fprintf(stdout, "%s %s articles, rejected %s, warned %s in %.1fs: %.0f docs/s, %.2f MB/s (%.1f MB read), peak memory %d MB\n",
		status, fmtCount(st.Indexed), fmtCount(st.Rejected), fmtCount(st.Warned), secs,
		float64(st.Indexed)/max(secs, 1e-9), mb/max(secs, 1e-9), mb, peakRSSMB())
	return st, err
}

// reportRecords returns an [index.IngestOptions.OnRecord] that moves the
// progress display (by bytes read) and reports each rejected record and
// warning on stderr as file:line: reason.
func reportRecords(prog *progress, stderr io.Writer) func(article.Record) {
	var doneFiles, curSize int64
	var curFile string
	return func(r article.Record) {
		if r.File != curFile {
			doneFiles += curSize
			curFile, curSize = r.File, fileSize(r.File)
		}
		prog.read(doneFiles + min(r.Offset, curSize))
		if p := r.Problem(); p != "" {
			prog.clear()
			fmt.Fprintln(stderr, p)
		}
		for _, w := range r.WarningLines() {
			prog.clear()
			fmt.Fprintln(stderr, w)
		}
	}
}

func fileSize(path string) int64 {
	info, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return info.Size()
}

// peakRSSMB returns the process's peak resident memory in MB.
func peakRSSMB() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Maxrss / 1024 // kilobytes on Linux
}
