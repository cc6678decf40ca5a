package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wensou/wensou/index"
	"github.com/wensou/wensou/index/article"
	"github.com/wensou/wensou/index/zh"
)

// Errors returned by this package, besides those of package index.
var (
	// ErrUnavailable means the store has no live index it can serve,
	// for instance because another process holds the new generation.
	ErrUnavailable = errors.New("the index is not available; try again shortly")
	// ErrRebuildRunning means a rebuild is already running.
	ErrRebuildRunning = errors.New("a rebuild is already running")
	// ErrLegacyLayout means the directory holds an index written before
	// stores existed.
	ErrLegacyLayout = errors.New("index directory is in an old layout")
)

// Options configures [Open].
type Options struct {
	// Create makes Open create an empty store when none exists.
	Create bool
	// Init makes Open prepare a store directory without a live
	// generation when none exists: the first [Store.Rebuild] makes it, so
	// a first build that fails leaves no index to mistake for a whole one.
	Init bool
	// Analysis is the dictionary and stop words new generations are
	// built with. The live one keeps its own until a rebuild.
	Analysis zh.Options
	// Location is the time zone of dates; default Asia/Shanghai.
	Location *time.Location
	// DiskReserve is the free space writes leave for merges and
	// journals; see [index.Options.DiskReserve].
	DiskReserve int64
	// Watch makes the store follow CURRENT: when another process (wensou
	// reindex) switches generations, this one switches too, within
	// WatchInterval (default 500 ms).
	Watch         bool
	WatchInterval time.Duration
	// AllowBusy opens the store even when another process has the live
	// generation open; the store can then only rebuild from files.
	AllowBusy bool
	// SkipLive does not open the live generation at all, as if another
	// process had it: for a rebuild from files, which leaves the live
	// index free for a server to open meanwhile.
	SkipLive bool
	// AllowIncompatible opens a live generation built by another analyzer
	// version or schema, for rebuilding from its stored articles.
	AllowIncompatible bool
	// Logger; default slog.Default().
	Logger *slog.Logger
}

// Store is an open store directory. It is safe for concurrent use.
type Store struct {
	dir  string
	opts Options
	log  *slog.Logger

	// wmu is held for reading by writes and for writing by generation
	// switches; order serializes the writes of one article.
	wmu   sync.RWMutex
	order writeOrder
	jmu   sync.Mutex // serializes journal appends
	cur   atomic.Pointer[generation]
	// busy: another process has the live generation open (AllowBusy).
	busy bool

	rebuild rebuildState

	stop chan struct{}
	wg   sync.WaitGroup
	// watchErr is the watcher's last error, logged when it changes.
	watchErr string
}

// generation is an open index. Readers hold mu for reading while they
// use it; retiring it takes mu for writing, so it is closed only after
// the last of them is done.
type generation struct {
	name   string
	ix     *index.Index
	lockF  *os.File
	mu     sync.RWMutex
	closed bool
}

// Open opens (or with opts.Create, creates) the store at dir, removes what
// failed or killed rebuilds left behind, and opens the live generation.
func Open(ctx context.Context, dir string, opts Options) (*Store, error) {
	if opts.Location == nil {
		opts.Location = article.DefaultLocation()
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.WatchInterval <= 0 {
		opts.WatchInterval = 500 * time.Millisecond
	}
	st := &Store{dir: dir, opts: opts, log: opts.Logger.With("index", dir), stop: make(chan struct{})}
	if _, err := os.Stat(filepath.Join(dir, "index_meta.json")); err == nil {
		return nil, fmt.Errorf("%s: %w (a single bleve index, from wensou before generations): remove it and rebuild with \"rm -r %s && wensou index --index %s PATH...\"",
			dir, ErrLegacyLayout, dir, dir)
	}
	p, err := readCurrent(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		switch {
		case opts.Create:
			if err := st.create(ctx); err != nil {
				return nil, err
			}
		case opts.Init:
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return nil, fmt.Errorf("create index directory: %w", err)
			}
		default:
			return nil, fmt.Errorf("open index %s: %w", dir, index.ErrNotExist)
		}
	case err != nil:
		return nil, fmt.Errorf("open index %s: %w", dir, err)
	case opts.SkipLive:
		st.busy = true
	default:
		g, err := st.openGen(ctx, p)
		switch {
		case errors.Is(err, index.ErrLocked) && opts.AllowBusy:
			st.busy = true
		case err != nil:
			return nil, err
		default:
			st.cur.Store(g)
		}
	}
	if err := st.cleanup(); err != nil {
		st.log.Warn("clean up old generations", "err", err)
	}
	if opts.Watch {
		st.wg.Add(1)
		go st.watch()
	}
	return st, nil
}

// create makes a new store with an empty first generation.
func (st *Store) create(ctx context.Context) error {
	if err := os.MkdirAll(st.dir, 0o755); err != nil {
		return fmt.Errorf("create index directory: %w", err)
	}
	n, lockF, err := st.claimGen()
	if err != nil {
		return err
	}
	name := genName(n)
	ix, err := index.Open(ctx, st.indexOptions(name, true))
	if err != nil {
		unlock(lockF)
		return err
	}
	if err := writeCurrent(st.dir, pointer{Generation: name}); err != nil {
		ix.Close()
		unlock(lockF)
		return err
	}
	st.cur.Store(&generation{name: name, ix: ix, lockF: lockF})
	return nil
}

func (st *Store) indexOptions(name string, create bool) index.Options {
	return index.Options{Path: filepath.Join(st.dir, name), Create: create, Analysis: st.opts.Analysis,
		Location: st.opts.Location, Logger: st.opts.Logger, AllowIncompatible: st.opts.AllowIncompatible,
		DiskReserve: st.opts.DiskReserve}
}

// openGen opens the generation p names and applies the rest of its
// journal.
func (st *Store) openGen(ctx context.Context, p pointer) (*generation, error) {
	lockF, err := lock(filepath.Join(st.dir, p.Generation+lockSuffix))
	if errors.Is(err, errHeld) {
		return nil, fmt.Errorf("open index %s: %w", st.dir, index.ErrLocked)
	}
	if err != nil {
		return nil, err
	}
	ix, err := index.Open(ctx, st.indexOptions(p.Generation, false))
	if err != nil {
		unlock(lockF)
		if ce, ok := errors.AsType[*index.CompatError](err); ok {
			ce.Path = st.dir
			ce.RebuildCommand = "wensou reindex --index " + st.dir
		}
		return nil, err
	}
	journal := filepath.Join(st.dir, p.Generation+journalSufix)
	_, n, err := replay(ctx, ix, journal, p.Replayed)
	if _, serr := os.Stat(journal); err == nil && serr == nil {
		// (Only when there is one: on a read-only file system, removing
		// a file that is not there fails too.)
		err = os.Remove(journal)
	}
	if err != nil {
		ix.Close()
		unlock(lockF)
		return nil, fmt.Errorf("apply the journal of %s: %w", p.Generation, err)
	}
	if n > 0 {
		st.log.Info("applied writes made during the rebuild", "generation", p.Generation, "writes", n)
	}
	return &generation{name: p.Generation, ix: ix, lockF: lockF}, nil
}

// claimGen reserves the next generation number by creating and locking
// its lock file.
func (st *Store) claimGen() (int, *os.File, error) {
	gens, err := generations(st.dir)
	if err != nil {
		return 0, nil, fmt.Errorf("list generations: %w", err)
	}
	n := 1
	if len(gens) > 0 {
		n = gens[len(gens)-1] + 1
	}
	if p, err := readCurrent(st.dir); err == nil {
		if c, _ := genNumber(p.Generation); c >= n {
			n = c + 1
		}
	}
	for ; ; n++ {
		f, err := lock(filepath.Join(st.dir, genName(n)+lockSuffix))
		if errors.Is(err, errHeld) {
			continue
		}
		if err != nil {
			return 0, nil, err
		}
		if _, err := os.Stat(filepath.Join(st.dir, genName(n))); err == nil {
			unlock(f) // a leftover directory: cleanup removes it
			continue
		}
		return n, f, nil
	}
}

// cleanup removes generations other than the live one that nobody holds:
// what failed or killed rebuilds left, and old generations a serving
// process has let go.
func (st *Store) cleanup() error {
	if held(filepath.Join(st.dir, rebuildLock)) {
		return nil // the rebuild's generation may be between its lock and CURRENT
	}
	p, err := readCurrent(st.dir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	live, _ := genNumber(p.Generation)
	gens, err := generations(st.dir)
	if err != nil {
		return err
	}
	var errs []error
	for _, n := range gens {
		if n == live {
			continue
		}
		removed, err := removeGen(st.dir, n)
		if err != nil {
			errs = append(errs, err)
		} else if removed {
			st.log.Info("removed old generation", "generation", genName(n))
		}
	}
	return errors.Join(errs...)
}

// acquire returns the live generation, held for reading: the caller must
// call g.mu.RUnlock.
func (st *Store) acquire() (*generation, error) {
	for {
		g := st.cur.Load()
		if g == nil {
			return nil, ErrUnavailable
		}
		g.mu.RLock()
		if !g.closed {
			return g, nil
		}
		g.mu.RUnlock() // retired meanwhile: the next Load sees its successor
	}
}

// With calls fn with the live index, which stays open until fn returns:
// searches read it so. Writes go through the store ([Store.Put],
// [Store.Delete], or [index.Ingest] and [index.Sync] with the store as
// their [index.Writer]), never through the index it lends.
func (st *Store) With(fn func(*index.Index) error) error {
	g, err := st.acquire()
	if err != nil {
		return err
	}
	defer g.mu.RUnlock()
	return fn(g.ix)
}

var _ index.Writer = (*Store)(nil)

// Get returns a stored article.
func (st *Store) Get(ctx context.Context, id string) (article.Article, error) {
	g, err := st.acquire()
	if err != nil {
		return article.Article{}, err
	}
	defer g.mu.RUnlock()
	return g.ix.Get(ctx, id)
}

// Count returns the number of articles in the live generation.
func (st *Store) Count() (uint64, error) {
	g, err := st.acquire()
	if err != nil {
		return 0, err
	}
	defer g.mu.RUnlock()
	return g.ix.Count()
}

// Generation names the live generation ("" when there is none).
func (st *Store) Generation() string {
	if g := st.cur.Load(); g != nil {
		return g.name
	}
	return ""
}

// AnalysisStale reports whether the live generation was built with
// another dictionary or other stop words than [Options.Analysis].
func (st *Store) AnalysisStale() bool {
	g, err := st.acquire()
	if err != nil {
		return false
	}
	defer g.mu.RUnlock()
	return g.ix.AnalysisStale()
}

// Segmenter returns the segmenter of the live generation.
func (st *Store) Segmenter() (*zh.Segmenter, error) {
	g, err := st.acquire()
	if err != nil {
		return nil, err
	}
	defer g.mu.RUnlock()
	return g.ix.Segmenter(), nil
}

// Put adds or replaces articles; they are durable and searchable when it
// returns, and in the new index of a rebuild running meanwhile.
func (st *Store) Put(ctx context.Context, arts []article.Article) error {
	if len(arts) == 0 {
		return nil
	}
	e := entry{Op: "put", Articles: make([]journaledDoc, len(arts))}
	for i := range arts {
		e.Articles[i] = toJournal(arts[i])
	}
	return st.write(ctx, e, func(ix *index.Index) error { return ix.Put(ctx, arts) })
}

// Delete removes articles by id, in the live index and in the new index
// of a rebuild running meanwhile.
func (st *Store) Delete(ctx context.Context, ids ...string) error {
	if len(ids) == 0 {
		return nil
	}
	return st.write(ctx, entry{Op: "delete", IDs: ids}, func(ix *index.Index) error { return ix.Delete(ctx, ids...) })
}

// ApplyLog applies a cluster's log entries up to seq (see
// [index.Index.ApplyLog]) to the live generation, and to the new one of
// a rebuild running meanwhile, as every write.
func (st *Store) ApplyLog(ctx context.Context, seq uint64, ops []index.LogOp) error {
	return st.write(ctx, logEntry(seq, ops), func(ix *index.Index) error { return ix.ApplyLog(ctx, seq, ops) })
}

// Applied returns the last log sequence the live generation applied.
func (st *Store) Applied() (uint64, error) {
	g, err := st.acquire()
	if err != nil {
		return 0, err
	}
	defer g.mu.RUnlock()
	return g.ix.Applied()
}

// write applies a write to the live generation, then records it in the
// journal of the rebuild running, if one is. Every write to the store
// comes here: the API's, and the batches of wensou index and its --sync.
//
// The order matters. The write goes to the index before the journal is
// looked for, so a rebuild that starts after the look began after the
// write and reads it from the live index. A rebuild that finishes between
// the write and the look has already written CURRENT: then the write is
// applied again, to the generation it switched to. Writes of one article
// are serialized (order), so the journal has them in the order the live
// index got them; writes of other articles run at once, as the lanes of
// an ingest do.
func (st *Store) write(ctx context.Context, e entry, apply func(*index.Index) error) error {
	defer st.order.lock(e)()
	for {
		if err := st.followCurrent(ctx); err != nil {
			return err
		}
		done, err := st.writeLive(e, apply)
		if done || err != nil {
			return err
		}
	}
}

// writeLive applies a write to the live generation and journals it. It
// reports done=false when CURRENT names another generation afterwards: a
// rebuild switched meanwhile, and the write must go to its generation.
func (st *Store) writeLive(e entry, apply func(*index.Index) error) (bool, error) {
	st.wmu.RLock()
	defer st.wmu.RUnlock()
	g := st.cur.Load()
	if g == nil {
		return true, ErrUnavailable
	}
	if _, ok := st.rebuildTarget(g.name); ok {
		// Check that the journal fits before the index changes.
		if err := index.CheckDisk(st.dir, 2*e.size(), st.opts.DiskReserve); err != nil {
			return true, err
		}
	}
	if err := apply(g.ix); err != nil {
		return true, err
	}
	if target, ok := st.rebuildTarget(g.name); ok {
		st.jmu.Lock()
		defer st.jmu.Unlock()
		return true, appendJournal(filepath.Join(st.dir, target+journalSufix), e)
	}
	p, err := readCurrent(st.dir)
	if err != nil {
		return true, st.currentError(err)
	}
	return p.Generation == g.name, nil
}

// followCurrent switches to the generation CURRENT names, if it is not
// the one open.
func (st *Store) followCurrent(ctx context.Context) error {
	if p, err := readCurrent(st.dir); err == nil {
		if g := st.cur.Load(); g != nil && g.name == p.Generation && !st.busy {
			return nil
		}
	}
	st.wmu.Lock()
	defer st.wmu.Unlock()
	return st.follow(ctx)
}

// currentError explains a failure to read CURRENT.
func (st *Store) currentError(err error) error {
	if errors.Is(err, os.ErrNotExist) && st.cur.Load() != nil {
		// The live generation is open, but the directory lost its files.
		return &index.StorageError{Path: st.dir, Kind: index.ErrGone, Err: err}
	}
	return fmt.Errorf("read %s: %w", currentFile, err)
}

// writeLanes is how many groups of article ids the store orders writes
// in: as many as an ingest's default lanes, so that each lane's batches
// hold one group and lanes do not wait for each other.
const writeLanes = 2

// writeOrder serializes writes that share an article's group.
type writeOrder struct {
	mu [writeLanes]sync.Mutex
}

// lock takes the groups of e's articles, in order, and returns the
// function that releases them.
func (o *writeOrder) lock(e entry) func() {
	var groups [writeLanes]bool
	for _, id := range e.ids() {
		groups[index.Lane(id, writeLanes)] = true
	}
	for i, g := range groups {
		if g {
			o.mu[i].Lock()
		}
	}
	return func() {
		for i, g := range groups {
			if g {
				o.mu[i].Unlock()
			}
		}
	}
}

// Health says whether the store can take writes: its live index's
// health, or why there is none.
func (st *Store) Health() index.Health {
	g, err := st.acquire()
	if err != nil {
		return index.Health{Problem: err, FreeBytes: -1}
	}
	defer g.mu.RUnlock()
	h := g.ix.Health()
	if h.Problem == nil {
		if _, err := os.Stat(filepath.Join(st.dir, currentFile)); err != nil {
			h.Problem = st.currentError(err)
		}
	}
	return h
}

// rebuildTarget returns the generation being built beside live, if any:
// the one named in the lock file of a rebuild that holds it.
func (st *Store) rebuildTarget(live string) (string, bool) {
	path := filepath.Join(st.dir, rebuildLock)
	if !held(path) {
		return "", false
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return "", false
	}
	name := strings.TrimSpace(string(raw))
	n, ok := genNumber(name)
	liveN, _ := genNumber(live)
	if !ok || n <= liveN {
		// The rebuild has not named its generation yet (or the name is
		// a killed one's): it has read nothing yet either.
		return "", false
	}
	return name, true
}

// follow switches to the generation CURRENT names when it is not the one
// open. The caller holds wmu.
func (st *Store) follow(ctx context.Context) error {
	if st.busy {
		return ErrUnavailable
	}
	p, err := readCurrent(st.dir)
	if errors.Is(err, os.ErrNotExist) && st.cur.Load() == nil {
		return ErrUnavailable // a first build has not finished yet
	}
	if err != nil {
		return st.currentError(err)
	}
	old := st.cur.Load()
	if old != nil && old.name == p.Generation {
		return nil
	}
	g, err := st.openGen(ctx, p)
	if err != nil {
		return fmt.Errorf("%w: switch to %s: %w", ErrUnavailable, p.Generation, err)
	}
	// Build the facet columns before the first search needs them.
	g.ix.Warm()
	st.cur.Store(g)
	n, _ := g.ix.Count()
	st.log.Info("switched to new generation", "generation", g.name, "articles", n)
	if old != nil {
		st.wg.Add(1)
		go func() {
			defer st.wg.Done()
			st.retire(old)
			if err := st.cleanup(); err != nil {
				st.log.Warn("clean up old generations", "err", err)
			}
		}()
	}
	return nil
}

// retire closes g once the searches using it are done.
func (st *Store) retire(g *generation) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return
	}
	g.closed = true
	if err := g.ix.Close(); err != nil {
		st.log.Error("close old generation", "generation", g.name, "err", err)
	}
	unlock(g.lockF)
}

// watch follows CURRENT until Close.
func (st *Store) watch() {
	defer st.wg.Done()
	t := time.NewTicker(st.opts.WatchInterval)
	defer t.Stop()
	for {
		select {
		case <-st.stop:
			return
		case <-t.C:
		}
		// Without the write lock while CURRENT is unchanged: writes of
		// the two lanes would otherwise queue behind each tick.
		err := st.followCurrent(context.Background())
		// Log a failure once, not every interval: the index files
		// removed, say, fail the same way until a restart.
		msg := ""
		if err != nil && !st.busy {
			msg = err.Error()
		}
		if msg != st.watchErr {
			if msg != "" {
				st.log.Warn("follow the live generation", "err", err)
			} else {
				st.log.Info("following the live generation again")
			}
			st.watchErr = msg
		}
	}
}

// Close waits for a running rebuild to stop (cancel its context first),
// then closes the live generation.
func (st *Store) Close() error {
	close(st.stop)
	st.rebuild.wait()
	st.wg.Wait()
	st.wmu.Lock()
	defer st.wmu.Unlock()
	g := st.cur.Swap(nil)
	if g == nil {
		return nil
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.closed = true
	err := g.ix.Close()
	unlock(g.lockF)
	return err
}
