package index

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/wensou/wensou/index/article"
)

// IngestOptions configures [Index.Ingest]. The zero value means defaults.
type IngestOptions struct {
	// Article configures reading (time zone, body size limit).
	Article article.Options
	// BatchSize is the number of articles per index batch; default 1000.
	BatchSize int
	// BatchBytes caps a batch's text size; default 16 MiB.
	BatchBytes int
	// OnRecord, when set, sees every record read, rejected ones included,
	// before it is indexed. It runs on the reading goroutine.
	OnRecord func(article.Record)
	// OnBatch, when set, is called after each batch is indexed with the
	// totals so far. It runs on the indexing goroutine.
	OnBatch func(IngestStats)
}

// IngestStats counts what an ingest did.
type IngestStats struct {
	Read     int           // records read, rejected ones included
	Indexed  int           // articles written to the index
	Rejected int           // records rejected
	Warned   int           // articles kept with warnings
	Bytes    int64         // bytes of article text (title and body) indexed
	Elapsed  time.Duration // since the ingest started
}

// Ingest reads articles from paths (files or directories) and indexes
// them in batches, replacing articles with the same id. Reading runs
// ahead of indexing by one batch. When ctx is cancelled it stops between
// batches: every batch is indexed whole or not at all, and the index stays
// consistent. It returns the counts and ctx's error when cancelled.
func (ix *Index) Ingest(ctx context.Context, paths []string, opts IngestOptions) (IngestStats, error) {
	if opts.BatchSize <= 0 {
		opts.BatchSize = 1000
	}
	if opts.BatchBytes <= 0 {
		opts.BatchBytes = 16 << 20
	}
	start := time.Now()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	type batch struct {
		arts  []article.Article
		bytes int64
	}
	batches := make(chan batch, 1)
	var st IngestStats
	readErr := make(chan error, 1)
	var read, rejected, warned int

	go func() {
		defer close(batches)
		cur := batch{}
		size := 0
		flush := func() error {
			if len(cur.arts) == 0 {
				return nil
			}
			select {
			case batches <- cur:
			case <-ctx.Done():
				return ctx.Err()
			}
			cur, size = batch{}, 0
			return nil
		}
		err := article.Walk(ctx, paths, opts.Article, func(r article.Record) error {
			read++
			if opts.OnRecord != nil {
				opts.OnRecord(r)
			}
			if r.Err != nil {
				rejected++
				return nil
			}
			if len(r.Warnings) > 0 {
				warned++
			}
			n := len(r.Article.Title) + len(r.Article.Body)
			cur.arts = append(cur.arts, r.Article)
			cur.bytes += int64(n)
			size += n
			if len(cur.arts) >= opts.BatchSize || size >= opts.BatchBytes {
				return flush()
			}
			return nil
		})
		if err == nil {
			err = flush()
		}
		readErr <- err
	}()

	var indexErr error
	for b := range batches {
		if indexErr != nil {
			continue // drain so the reader can finish
		}
		if err := ctx.Err(); err != nil {
			indexErr = err
			continue
		}
		if err := ix.Put(ctx, b.arts); err != nil {
			indexErr = err
			cancel()
			continue
		}
		st.Indexed += len(b.arts)
		st.Bytes += b.bytes
		if opts.OnBatch != nil {
			snap := st
			snap.Elapsed = time.Since(start)
			opts.OnBatch(snap)
		}
	}
	err := <-readErr
	st.Read, st.Rejected, st.Warned = read, rejected, warned
	st.Elapsed = time.Since(start)
	switch {
	case indexErr != nil:
		return st, indexErr
	case err != nil && !errors.Is(err, context.Canceled):
		return st, fmt.Errorf("read articles: %w", err)
	}
	return st, ctx.Err()
}
