package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/wensou/wensou/index"
	"github.com/wensou/wensou/index/article"
	"github.com/wensou/wensou/index/store"
)

func runReindex(ctx context.Context, args []string, env envFunc, stdout, stderr io.Writer) (err error) {
	fs := flag.NewFlagSet("reindex", flag.ContinueOnError)
	var c commonFlags
	c.register(fs)
	batch := fs.Int("batch", index.DefaultBatchSize, "articles per index batch")
	maxBody := fs.Int("max-body", 2<<20, "reject articles whose body is longer than this many bytes")
	cluster := fs.String("cluster", "", "URL of a cluster node's API: rebuild every node of its cluster, one at a time, each from the articles it stores (no PATHs)")
	adminKey := fs.String("admin-key", "", "with --cluster: the nodes' admin key")
	var report reporterOptions
	report.register(fs)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), `Usage: wensou reindex [flags] [PATH...]

Builds a complete new index beside the live one, then switches to it and
removes the old one. With PATHs the new index holds exactly the articles
in those files (%s); with none it re-reads the articles stored in the
live index, so that a new analyzer, dictionary or stop-word list applies
to them. Searches keep being answered meanwhile, and a running wensou
serve switches to the new index by itself. Writes made through the API
during the rebuild are carried over.

With --cluster URL it rebuilds every node of the cluster that the node at
URL belongs to, one at a time through their APIs, each from the articles
it stores; the next starts once the last is done and caught up with the
log, so the others answer searches meanwhile.

The first rejected records and warnings are printed as they come (none
with --quiet), and at the end their count by reason; --errors FILE gets
every one.

Flags:
`, strings.Join(article.Formats(), " "))
		fs.PrintDefaults()
	}
	paths, err := parseFlags(fs, args, env, stderr)
	if err != nil {
		return err
	}
	if *cluster != "" {
		if len(paths) > 0 {
			return usagef("--cluster rebuilds the nodes from the articles they store: it takes no PATHs")
		}
		if !strings.HasPrefix(*cluster, "http://") && !strings.HasPrefix(*cluster, "https://") {
			return usagef("--cluster %q: give the URL of a node's API, http://HOST:PORT", *cluster)
		}
		return reindexCluster(ctx, strings.TrimRight(*cluster, "/"), *adminKey, stdout)
	}
	if *maxBody < 1 {
		return usagef("--max-body must be 1 or more, not %d", *maxBody)
	}
	if *batch < 1 {
		return usagef("--batch must be 1 or more, not %d", *batch)
	}
	loc, err := c.location()
	if err != nil {
		return err
	}
	analysis, err := c.analysis()
	if err != nil {
		return err
	}
	// The errors file first: a mistake in --errors leaves the index
	// untouched.
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
	st, err := store.Open(ctx, c.index, store.Options{
		Create: len(paths) > 0, Analysis: analysis, Location: loc, DiskReserve: c.reserve.bytes,
		// A running server keeps the live index open: rebuilding from
		// files works beside it. Reading the stored articles of an index
		// from an older wensou is what a rebuild is for.
		AllowBusy: true, AllowIncompatible: true,
		// From files, the live index is not needed: leave it free for a
		// server to open meanwhile.
		SkipLive: len(paths) > 0,
	})
	if errors.Is(err, index.ErrNotExist) {
		return fmt.Errorf("%w: build one with \"wensou index --index %s PATH...\" or \"wensou reindex --index %s PATH...\"", err, c.index, c.index)
	}
	if err != nil {
		return err
	}
	opts := store.RebuildOptions{
		Ingest: index.IngestOptions{
			Article:   article.Options{Location: loc, MaxBodyBytes: *maxBody},
			BatchSize: *batch,
			OnRecord:  rep.record,
		},
		OnProgress: func(p store.Progress) {
			if p.Source == "stored" {
				rep.prog.readDocs(p.Done, p.Total)
			}
			rep.prog.indexed(p.Done)
		},
	}
	p, rerr := st.Rebuild(ctx, paths, opts)
	rep.summary()
	if cerr := st.Close(); cerr != nil && rerr == nil {
		rerr = cerr
	}
	if rerr != nil {
		if errors.Is(rerr, store.ErrRebuildRunning) {
			return fmt.Errorf("%s: %w", c.index, rerr)
		}
		return fmt.Errorf("rebuild stopped; the live index is unchanged: %w", rerr)
	}
	mb := float64(total) / 1e6
	fmt.Fprintf(stdout, "rebuilt %s from %s: %s articles, rejected %s, warned %s, %d writes carried over, in %.1fs: %.0f docs/s",
		p.Generation, p.Source, fmtCount(p.Done), fmtCount(p.Rejected), fmtCount(p.Warned), p.Journaled,
		p.Elapsed, float64(p.Done)/max(p.Elapsed, 1e-9))
	if mb > 0 {
		fmt.Fprintf(stdout, ", %.2f MB/s (%.1f MB read)", mb/max(p.Elapsed, 1e-9), mb)
	}
	fmt.Fprintf(stdout, ", peak memory %s; now live\n", peakMemory())
	if p.Rejected > 0 {
		return errRejected
	}
	return nil
}
