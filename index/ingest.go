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

// Writer takes the writes of [Ingest], [Sync] and [WriteAll]: an [*Index]
// applies them itself; a store of index generations also journals them
// while it rebuilds, so that they reach the new generation too. A Writer
// must be safe for concurrent use: the lanes of an ingest write at once.
type Writer interface {
	// Put adds or replaces articles; they are durable and searchable
	// when it returns.
	Put(ctx context.Context, arts []article.Article) error
	// Delete removes articles by id.
	Delete(ctx context.Context, ids ...string) error
	// With calls fn with the index that writes go to now, to read it;
	// it stays open until fn returns.
	With(fn func(*Index) error) error
}

var _ Writer = (*Index)(nil)

// DefaultBatchSize is the number of articles an ingest writes in one
// batch unless told otherwise. Measured on the Reuters and Tang files
// (2 cores, runs alternating): 1,000 gave 4.85-5.34 MB/s, 1,200
// 5.43-5.70 MB/s, 1,500 and 1,800 no more than 1,200 and 100-250 MB more
// memory; each batch waits until it is durable, and fewer batches wait
// less.
const DefaultBatchSize = 1200

// IngestOptions configures [Ingest], [Sync] and [WriteAll]. The zero value
// means defaults.
type IngestOptions struct {
	// Article configures reading (time zone, body size limit).
	Article article.Options
	// BatchSize is the most articles per index batch; default
	// [DefaultBatchSize].
	BatchSize int
	// BatchBytes caps a batch's text size; default 8 MiB.
	BatchBytes int
	// Lanes is the number of batches indexed at once; default 2.
	Lanes int
	// OnRecord, when set, sees every record read, rejected ones included,
	// before it is indexed. It runs on the reading goroutine.
	OnRecord func(article.Record)
	// OnBatch, when set, is called after each batch is indexed with the
	// totals so far. It runs on an indexing goroutine, one call at a time.
	OnBatch func(IngestStats)
	// Filter, when set, decides which articles are written: an accepted
	// article for which it returns false is read and counted but not
	// indexed. It runs on the reading goroutine, after OnRecord, and must
	// not modify the article.
	Filter func(*article.Article) bool

	// written, when set, is called with each batch once it is indexed,
	// one call at a time, on an indexing goroutine. [Sync] counts
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

// Ingest reads articles from paths (files or directories) and writes
// them to w in batches, replacing articles with the same id. Reading runs
// ahead of indexing by one batch. When ctx is cancelled it stops between
// batches: every batch is written whole or not at all, and the index
// stays consistent. It returns the counts, and ctx's error when
// cancelled; a batch the index refuses (a full disk) stops it with that
// batch's error, the batches before it written.
func Ingest(ctx context.Context, w Writer, paths []string, opts IngestOptions) (IngestStats, error) {
	var read, rejected, warned int
	st, err := writeLanes(ctx, w, opts, func(ctx context.Context, add func(article.Article) error) error {
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
			return add(r.Article)
		})
		if err != nil && !errors.Is(err, context.Canceled) {
			return fmt.Errorf("read articles: %w", err)
		}
		return err
	})
	st.Read, st.Rejected, st.Warned = read, rejected, warned
	return st, err
}

// WriteAll writes the articles src yields to w in batches, over lanes as
// [Ingest] does: a rebuild copies the articles stored in one index into
// another with it. src calls yield for each article and stops when yield
// returns an error. Only opts' batch, lane and OnBatch settings apply.
func WriteAll(ctx context.Context, w Writer, src func(ctx context.Context, yield func(article.Article) error) error, opts IngestOptions) (IngestStats, error) {
	st, err := writeLanes(ctx, w, opts, src)
	st.Read = st.Indexed
	return st, err
}

// writeLanes runs read on a goroutine of its own and writes the articles
// it adds to w in batches. Articles are spread over lanes by id, so two
// versions of one article always go through the same lane, in order;
// lanes write concurrently, one building its segment while another is
// analysed.
func writeLanes(ctx context.Context, w Writer, opts IngestOptions, read func(ctx context.Context, add func(article.Article) error) error) (IngestStats, error) {
	if opts.BatchSize <= 0 {
		opts.BatchSize = DefaultBatchSize
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
	queues := make([]chan batch, lanes)
	for i := range queues {
		queues[i] = make(chan batch, 1)
	}
	readErr := make(chan error, 1)
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
		err := read(ctx, func(a article.Article) error {
			l := Lane(a.ID, lanes)
			cur[l].arts = append(cur[l].arts, a)
			cur[l].bytes += int64(len(a.Title) + len(a.Body))
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
		writeErr error
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
				err := w.Put(ctx, b.arts)
				mu.Lock()
				if err != nil {
					if writeErr == nil {
						writeErr = err
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
	st.Elapsed = time.Since(start)
	switch {
	case writeErr != nil:
		return st, writeErr
	case err != nil && !errors.Is(err, context.Canceled):
		return st, err
	}
	return st, ctx.Err()
}

// Lane picks the lane of an article id among n: ingests spread articles
// over lanes with it, and a store orders concurrent writes of one id
// with it.
func Lane(id string, n int) int {
	h := fnv.New32a()
	h.Write([]byte(id))
	return int(h.Sum32() % uint32(n))
}
