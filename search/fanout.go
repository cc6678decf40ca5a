package search

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/wensou/wensou/index"
)

// Shard is one shard of a collection that a [Fanout] asks: a local
// index's [*Searcher], or a peer that holds it.
type Shard interface {
	TermStats(ctx context.Context, req Request) (*index.TermStats, error)
	Search(ctx context.Context, req Request) (*Result, error)
}

// ErrIncomplete is what a search over shards that asked for complete
// results (Request.Complete) fails with when a shard did not answer.
var ErrIncomplete = errors.New("shards did not answer")

// Fanout searches a collection spread over shards, in two rounds: each
// shard gives its term statistics of the query, then each searches with
// their sum, and [Merge] combines the answers. A shard that fails either
// round is left out: the answer says so (Result.Incomplete), or the
// search fails with [ErrIncomplete] when the request asks for complete
// results.
type Fanout struct {
	Shards  []Shard
	Options Options
}

// Search runs req over every shard.
func (f *Fanout) Search(ctx context.Context, req Request) (*Result, error) {
	start := time.Now()
	if err := req.Validate(); err != nil {
		return nil, err
	}
	if _, err := Parse(req.Query); err != nil {
		return nil, err // as one index answers it, before asking any shard
	}
	errs := make([]error, len(f.Shards))
	stats := make([]*index.TermStats, len(f.Shards))
	f.each(func(k int, s Shard) {
		stats[k], errs[k] = s.TermStats(ctx, req)
	})
	if err := f.check(ctx, req, errs); err != nil {
		return nil, err
	}
	sreq := ShardRequest(req)
	sreq.Stats = index.MergeTermStats(stats...)
	parts := make([]*Result, len(f.Shards))
	f.each(func(k int, s Shard) {
		if errs[k] == nil {
			parts[k], errs[k] = s.Search(ctx, sreq)
		}
	})
	if err := f.check(ctx, req, errs); err != nil {
		return nil, err
	}
	for k, err := range errs {
		if err != nil {
			parts[k] = nil
		}
	}
	res, err := Merge(req, parts, f.Options)
	if err != nil {
		return nil, err
	}
	res.TookMs = tookMs(start)
	return res, nil
}

// each calls fn for every shard at once and returns when all have.
func (f *Fanout) each(fn func(k int, s Shard)) {
	var wg sync.WaitGroup
	for k, s := range f.Shards {
		wg.Go(func() { fn(k, s) })
	}
	wg.Wait()
}

// check returns the error a round's failures make the search fail with:
// the request's own (every shard reads it alike), the search's context
// ending, or ErrIncomplete when complete results were asked for.
func (f *Fanout) check(ctx context.Context, req Request, errs []error) error {
	var failed []string
	for k, err := range errs {
		if err == nil {
			continue
		}
		var qe *QueryError
		if errors.Is(err, ErrBadRequest) || errors.As(err, &qe) {
			return err
		}
		failed = append(failed, fmt.Sprintf("shard %d: %v", k, err))
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(failed) > 0 && req.Complete {
		return fmt.Errorf("%w: %d of %d (%s)", ErrIncomplete, len(failed), len(f.Shards), strings.Join(failed, "; "))
	}
	return nil
}
