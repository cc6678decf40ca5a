package index

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"sync"
	"time"

	"github.com/wensou/wensou/index/article"
)

// IngestOptions configures [Index.Ingest]. The zero value means defaults.
type IngestOptions struct {
	// Article configures reading (time zone, body size limit).
	Article article.Options
	// BatchSize is the most articles per index batch; default 1000.
	BatchSize int
	// BatchBytes caps a batch's text size; default 8 MiB.
	BatchBytes int
	// Lanes is the number of batches indexed at once; default 2.
	Lanes int
	// OnRecord, when set, sees every record read, rejected ones included,
	// before it is indexed. It runs on the reading goroutine.
	OnRecord func(article.Record)
	// OnBatch, when set, is called after each batch is indexed with the
	// totals so far. It runs on the indexing goroutine.
	OnBatch func(IngestStats)
	// Filter, when set, decides which articles are written: an accepted
	// article for which it returns false is read and counted but not
	// indexed. It runs on the reading goroutine, after OnRecord, and must
	// not modify the article.
	Filter func(*article.Article) bool

	// written, when set, is called with each batch once it is indexed,
	// one call at a time, on an indexing goroutine. [Index.Sync] counts
	// additions and updates with it.
	written func([]article.Article)
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
		opts.BatchBytes = 8 << 20
	}
	lanes := opts.Lanes
	if lanes <= 0 {
		lanes = 2
	}
	start := time.Now()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	type batch struct {
		arts  []article.Article
		bytes int64
	}
	// Articles are spread over lanes by id, so two versions of one article
	// always go through the same lane, in order; lanes index concurrently,
	// one building its segment while the other analyzes.
	queues := make([]chan batch, lanes)
	for i := range queues {
		queues[i] = make(chan batch, 1)
	}
	readErr := make(chan error, 1)
	var read, rejected, warned int

	go func() {
		defer func() {
			for _, q := range queues {
				close(q)
			}
		}()
		cur := make([]batch, lanes)
		flush := func(l int) error {
			if len(cur[l].arts) == 0 {
				return nil
			}
			select {
			case queues[l] <- cur[l]:
			case <-ctx.Done():
				return ctx.Err()
			}
			cur[l] = batch{}
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
			if opts.Filter != nil && !opts.Filter(&r.Article) {
				return nil
			}
			l := lane(r.Article.ID, lanes)
			cur[l].arts = append(cur[l].arts, r.Article)
			cur[l].bytes += int64(len(r.Article.Title) + len(r.Article.Body))
			if len(cur[l].arts) >= opts.BatchSize || cur[l].bytes >= int64(opts.BatchBytes) {
				return flush(l)
			}
			return nil
		})
		for l := range cur {
			if err != nil {
				break
			}
			err = flush(l)
		}
		readErr <- err
	}()

	var (
		mu       sync.Mutex
		st       IngestStats
		indexErr error
		wg       sync.WaitGroup
	)
	for _, q := range queues {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range q {
				if ctx.Err() != nil {
					continue // drain so the reader can finish
				}
				err := ix.Put(ctx, b.arts)
				mu.Lock()
				if err != nil {
					if indexErr == nil {
						indexErr = err
					}
					cancel()
				} else {
					st.Indexed += len(b.arts)
					st.Bytes += b.bytes
					if opts.written != nil {
						opts.written(b.arts)
					}
					if opts.OnBatch != nil {
						snap := st
						snap.Elapsed = time.Since(start)
						opts.OnBatch(snap)
					}
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
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

// lane picks the lane of an article id.
func lane(id string, lanes int) int {
	h := fnv.New32a()
	h.Write([]byte(id))
	return int(h.Sum32() % uint32(lanes))
}
