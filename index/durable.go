package index

import (
	"errors"
	"log/slog"
	"path/filepath"
	"sync"

	"github.com/blevesearch/bleve/v2/index/scorch"
)

// How a write becomes durable.
//
// Scorch applies a batch in memory (it is searchable at once) and a
// background persister then writes it to disk. In its default, "safe"
// mode Batch waits for the persister; but when persisting fails (a full
// disk, a read-only file system, a removed directory) Batch closes the
// in-memory segment it has already put into the index's snapshot, and
// every later search that meets the segment panics with "assignment to
// entry in nil map" in zapx's invertedIndexCache.insertLOCKED, which the
// close set to nil; a panic in one of bleve's own goroutines then kills
// the process. The place: bleve v2.6.3, index/scorch/scorch.go, Scorch.Batch,
// `_ = newSegment.Close()` when prepareSegment returns an error, which it
// also does when the segment was introduced and only persisting it failed
// (zapx v17.2.5 segment.go, SegmentBase.Close, clears the caches). The
// persister meanwhile retries the failed snapshot in a tight loop, both
// cores busy. Upstream: github.com/blevesearch/bleve, index/scorch
// (Scorch.Batch and persisterLoop); a related report of the persister
// after a failed segment write is blevesearch/bleve#1305.
//
// So indexes are opened with "unsafe_batch", where Batch returns once
// the batch is applied and never closes an introduced segment, and each
// write waits itself for its batch's persisted callback. The persister
// reports a failure through the async error callback instead: then every
// write still waiting is failed, and the index is closed and reopened
// from disk, which drops what was never persisted (so a failed write
// leaves nothing visible) and stops the persister's retry loop. What the
// persister did persist before the close stays: a write whose callback
// came is durable, and it says so.

// asyncErrorCallback is the name of the scorch async error callback
// that routes persister failures to the open index they concern.
const asyncErrorCallback = "wensou"

func init() {
	scorch.RegistryAsyncErrorCallbacks[asyncErrorCallback] = routeAsyncError
}

// openIndexes are the open on-disk indexes by their scorch store path,
// for routeAsyncError.
var openIndexes struct {
	mu sync.Mutex
	m  map[string]*Index
}

func register(ix *Index) {
	openIndexes.mu.Lock()
	defer openIndexes.mu.Unlock()
	if openIndexes.m == nil {
		openIndexes.m = map[string]*Index{}
	}
	openIndexes.m[storePath(ix.path)] = ix
}

func unregister(ix *Index) {
	openIndexes.mu.Lock()
	defer openIndexes.mu.Unlock()
	if openIndexes.m[storePath(ix.path)] == ix {
		delete(openIndexes.m, storePath(ix.path))
	}
}

// storePath is where bleve keeps an index's scorch files.
func storePath(path string) string { return filepath.Join(path, "store") }

// routeAsyncError is scorch's async error callback: path is the scorch
// store directory.
func routeAsyncError(err error, path string) {
	openIndexes.mu.Lock()
	ix := openIndexes.m[filepath.Clean(path)]
	openIndexes.mu.Unlock()
	if ix == nil {
		slog.Warn("index background error", "path", path, "err", err)
		return
	}
	ix.asyncError(err)
}

// asyncError handles a background error of ix's scorch index: a failed
// persist fails the writes waiting for it; others (a merge that could
// not write its segment) are logged, at most once a minute, since scorch
// retries them.
func (ix *Index) asyncError(err error) {
	se, ok := errors.AsType[*scorch.ScorchError](err)
	if ok && se.Source == "persister" && errors.Is(err, scorch.ErrPersist) {
		ix.pend.fail(err)
	}
	ix.logBackground("index background error", err)
}

// pending are the writes waiting for the persister.
type pending struct {
	mu sync.Mutex
	m  map[*waiter]struct{}
}

// waiter is one write waiting to be durable.
type waiter struct {
	epoch uint64 // the open of the index it went to
	once  sync.Once
	done  chan struct{}
	mu    sync.Mutex
	ok    bool  // persisted
	err   error // why not, when done and !ok
}

func (p *pending) add(epoch uint64) *waiter {
	w := &waiter{epoch: epoch, done: make(chan struct{})}
	p.mu.Lock()
	if p.m == nil {
		p.m = map[*waiter]struct{}{}
	}
	p.m[w] = struct{}{}
	p.mu.Unlock()
	return w
}

func (p *pending) remove(w *waiter) {
	p.mu.Lock()
	delete(p.m, w)
	p.mu.Unlock()
}

// fail ends the wait of every write of an epoch (or of any epoch, when
// epoch is 0) with err, unless it was persisted.
func (p *pending) fail(err error) { p.failEpoch(0, err) }

func (p *pending) failEpoch(epoch uint64, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for w := range p.m {
		if epoch == 0 || w.epoch == epoch {
			w.finish(false, err)
		}
	}
}

// persisted is the batch's persisted callback.
func (w *waiter) persisted(error) { w.finish(true, nil) }

// finish records the outcome: a persisted write stays persisted, even
// when a failure is reported afterwards.
func (w *waiter) finish(ok bool, err error) {
	w.mu.Lock()
	if ok {
		w.ok = true
	} else if !w.ok && w.err == nil {
		w.err = err
	}
	w.mu.Unlock()
	w.once.Do(func() { close(w.done) })
}

// outcome returns whether the write was persisted, and the failure.
func (w *waiter) outcome() (bool, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.ok, w.err
}
