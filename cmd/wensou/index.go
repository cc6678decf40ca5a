package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/wensou/wensou/index"
	"github.com/wensou/wensou/index/article"
	"github.com/wensou/wensou/index/store"
)

func runIndex(ctx context.Context, args []string, env envFunc, stdout, stderr io.Writer) (err error) {
	fs := flag.NewFlagSet("index", flag.ContinueOnError)
	var c commonFlags
	c.register(fs)
	batch := fs.Int("batch", index.DefaultBatchSize, "articles per index batch")
	maxBody := fs.Int("max-body", 2<<20, "reject articles whose body is longer than this many bytes")
	var report reporterOptions
	report.register(fs)
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

Writes made while a rebuild runs (wensou reindex, in this process or
another) are carried into the rebuilt index.

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
	total := article.Size(paths)
	rep, err := report.start(ctx, stderr, total)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := rep.Close(); cerr != nil && err == nil {
			err = cerr
		}
	}()
	st, err := store.Open(ctx, c.index, store.Options{Create: true, Analysis: analysis, Location: loc, DiskReserve: c.reserve.bytes})
	if errors.Is(err, index.ErrLocked) {
		return fmt.Errorf("%w: a wensou serve holds it? write through its API (POST /api/articles) or stop it first", err)
	}
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
	// Writes go through the store, which carries them into the new
	// generation of a rebuild running meanwhile (wensou reindex PATH...).
	cfg := ingestConfig{loc: loc, batch: *batch, maxBody: *maxBody, total: total, rep: rep}
	if *doSync {
		return syncInto(ctx, st, paths, cfg, stdout, stderr)
	}
	return ingestInto(ctx, st, paths, cfg, stdout)
}

// ingestConfig is how index and index --sync read and report.
type ingestConfig struct {
	loc     *time.Location
	batch   int
	maxBody int
	total   int64     // bytes of the input files
	rep     *reporter // and its progress display
}

func (cfg ingestConfig) options() index.IngestOptions {
	return index.IngestOptions{
		Article:   article.Options{Location: cfg.loc, MaxBodyBytes: cfg.maxBody},
		BatchSize: cfg.batch,
		OnRecord:  cfg.rep.record,
		OnBatch:   func(st index.IngestStats) { cfg.rep.prog.indexed(st.Indexed) },
	}
}

// ingestInto indexes paths into w, with progress on a terminal, rejected
// records and warnings reported as file:line: reason, and a summary at
// the end.
func ingestInto(ctx context.Context, w index.Writer, paths []string, cfg ingestConfig, stdout io.Writer) error {
	st, err := index.Ingest(ctx, w, paths, cfg.options())
	cfg.rep.summary()
	secs := st.Elapsed.Seconds()
	mb := float64(cfg.total) / 1e6
	status := "indexed"
	if err != nil {
		status = "stopped after indexing"
	}
	fmt.Fprintf(stdout, "%s %s articles, rejected %s, warned %s in %.1fs: %.0f docs/s, %.2f MB/s (%.1f MB read), peak memory %s\n",
		status, fmtCount(st.Indexed), fmtCount(st.Rejected), fmtCount(st.Warned), secs,
		float64(st.Indexed)/max(secs, 1e-9), mb/max(secs, 1e-9), mb, peakMemory())
	return rejectedOr(err, st.Rejected)
}

// syncInto makes the index that w writes to match paths, reporting as
// ingestInto does.
func syncInto(ctx context.Context, w index.Writer, paths []string, cfg ingestConfig, stdout, stderr io.Writer) error {
	st, err := index.Sync(ctx, w, paths, cfg.options())
	cfg.rep.summary()
	for _, k := range st.Kept {
		fmt.Fprintf(stderr, "%s: warning: kept %s indexed articles not read from it, as it has rejected records\n", k.File, fmtCount(k.Articles))
	}
	status := "synced"
	if err != nil && !errors.Is(err, index.ErrUnreadable) {
		status = "stopped after syncing"
	}
	n := st.Added + st.Updated + st.Unchanged
	secs, mb := st.Elapsed.Seconds(), float64(cfg.total)/1e6
	fmt.Fprintf(stdout, "%s %s articles: added %s, updated %s, deleted %s, unchanged %s, rejected %s, warned %s in %.1fs: %.0f docs/s, %.2f MB/s (%.1f MB read), peak memory %s\n",
		status, fmtCount(n), fmtCount(st.Added), fmtCount(st.Updated), fmtCount(st.Deleted), fmtCount(st.Unchanged),
		fmtCount(st.Rejected), fmtCount(st.Warned), secs,
		float64(n)/max(secs, 1e-9), mb/max(secs, 1e-9), mb, peakMemory())
	return rejectedOr(err, st.Rejected)
}

// rejectedOr is a command's result: err, or errRejected when records
// were rejected.
func rejectedOr(err error, rejected int) error {
	if err == nil && rejected > 0 {
		return errRejected
	}
	return err
}

func fileSize(path string) int64 {
	info, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return info.Size()
}
