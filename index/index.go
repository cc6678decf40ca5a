package index

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	bindex "github.com/blevesearch/bleve_index_api"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/wensou/wensou/index/article"
	"github.com/wensou/wensou/index/pinyin"
	"github.com/wensou/wensou/index/zh"
)

// Errors returned by this package. Match them with [errors.Is].
var (
	// ErrNotFound means no article has the requested id.
	ErrNotFound = errors.New("article not found")
	// ErrIncompatible means the index was built with other analysis rules
	// or another schema and must be rebuilt.
	ErrIncompatible = errors.New("index was built with another analyzer or schema")
	// ErrNotExist means there is no index at the path and Create was not set.
	ErrNotExist = errors.New("no index at this path")
	// ErrLocked means another process has the index open.
	ErrLocked = errors.New("index is in use by another process")
)

// CompatError says how an index differs from what this binary builds.
type CompatError struct {
	Path           string
	Have, Want     Meta
	RebuildCommand string
}

func (e *CompatError) Error() string {
	return fmt.Sprintf("index %s was built with analyzer %s (schema %d), this wensou uses analyzer %s (schema %d): rebuild it (reindex) with %q",
		e.Path, e.Have.Analyzer, e.Have.Schema, e.Want.Analyzer, e.Want.Schema, e.RebuildCommand)
}

func (e *CompatError) Unwrap() error { return ErrIncompatible }

// Meta is what an index records about how it was built.
type Meta struct {
	Schema   int    `json:"schema"`
	Analyzer string `json:"analyzer"`
}

var metaKey = []byte("wensou.meta")

// Options configures [Open]. The zero value opens an in-memory index.
type Options struct {
	// Path is the index directory; "" keeps the index in memory.
	Path string
	// Create makes Open build a new index when none exists at Path.
	Create bool
	// Analysis configures the segmenter (see [zh.Load]).
	Analysis zh.Options
	// Location is the time zone of the year and month facets; default
	// Asia/Shanghai.
	Location *time.Location
	// Logger receives open and close events; default slog.Default().
	Logger *slog.Logger
	// AllowIncompatible opens an index built with another analyzer
	// version or schema instead of failing, for reading its stored
	// articles (a rebuild); [Index.Incompatible] then reports why.
	AllowIncompatible bool
	// DiskReserve is the free space, in bytes, that writes leave on the
	// index's file system for merges: a write that would leave less is
	// refused with [ErrDiskFull] before anything is written. 0 means 5%
	// of the file system, at most 1 GiB; a negative value turns the check
	// off, so that writes fail only when the disk does.
	DiskReserve int64
}

// Index is an open article index. It is safe for concurrent use; the
// caller must Close it.
//
// A write returns once it is durable. When the disk cannot take it (full,
// read-only, or the files removed) it fails with a [*StorageError] and
// leaves nothing of itself in the index, which goes on answering
// searches: see durable.go for how.
type Index struct {
	path    string
	loc     *time.Location
	log     *slog.Logger
	seg     *zh.Segmenter
	cols    *columnCache
	posts   postingsCache // decoded postings of frequent terms (postings.go)
	plocs   postingsCache // and of frequent phrase terms, with their locations
	stale   bool          // built with other dictionary or stop words than asked for
	compat  error         // why the index cannot be written (AllowIncompatible)
	reserve int64         // Options.DiskReserve

	// mu guards the open bleve index: held for reading while it is used,
	// for writing to close it and open it again (a rollback).
	mu       sync.RWMutex
	b        bleve.Index   // nil once closed, or when it could not be opened again
	epoch    uint64        // counts the opens, from 1
	readOnly bool          // opened read-only: its file system was
	broken   *StorageError // why b is nil, when it is not closed

	pend  pending                      // writes waiting for the persister
	fault atomic.Pointer[StorageError] // the last write's failure, until one succeeds

	logMu   sync.Mutex
	lastLog time.Time // of a background error

	// lengths are the average field lengths BM25 is given (bm25.go).
	lengths fieldLengths

	// sugg holds the completion dictionaries of the segments (suggest*.go).
	suggOnce sync.Once
	sugg     *suggester

	// The warmer builds columns for new segments (from writes and merges)
	// ahead of the searches that need them.
	warmNow chan struct{}
	stop    chan struct{}
	wg      sync.WaitGroup
}

// Open opens the index at opts.Path, creating it when opts.Create is set
// and none exists. A new index is built with opts.Analysis and records it;
// an existing one keeps the dictionary and stop words it was built with
// (so its queries and writes stay consistent) and [Index.AnalysisStale]
// says whether they differ from opts.Analysis. An index built with another
// analyzer version or schema is refused ([ErrIncompatible]) unless
// opts.AllowIncompatible is set.
func Open(ctx context.Context, opts Options) (*Index, error) {
	want, err := zh.Load(opts.Analysis)
	if err != nil {
		return nil, err
	}
	loc := opts.Location
	if loc == nil {
		loc = article.DefaultLocation()
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	noteDictCache(log, want)
	path := opts.Path
	if path != "" {
		path = filepath.Clean(path)
	}
	ix := &Index{path: path, loc: loc, log: log.With("index", path), seg: want, reserve: opts.DiskReserve,
		cols: &columnCache{loc: loc}, posts: postingsCache{max: decodedMinBytes, perDoc: decodedBytesPerDoc}, plocs: postingsCache{max: decodedMinBytes, perDoc: phraseBytesPerDoc, locs: true}, epoch: 1, warmNow: make(chan struct{}, 1), stop: make(chan struct{})}

	if path == "" {
		// Scorch without a path keeps everything in memory: tests run the
		// same engine as production (bleve.NewMemOnly would be upsidedown).
		if err := ix.create(opts.Analysis); err != nil {
			return nil, err
		}
		ix.startWarmer()
		return ix, nil
	}

	b, err := bleve.OpenUsing(path, ix.runtime(false))
	if err != nil && !errors.Is(err, bleve.ErrorIndexPathDoesNotExist) {
		if st, serr := statDisk(path); serr == nil && st.readOnly {
			// Served read-only: searches work, writes are refused
			// until the file system is writable again.
			if b, err = bleve.OpenUsing(path, ix.runtime(true)); err == nil {
				ix.readOnly = true
			}
		}
	}
	switch {
	case err == nil:
		ix.b = b
		register(ix)
		if err := ix.adopt(opts); err != nil {
			unregister(ix)
			b.Close()
			return nil, err
		}
		ix.log.Debug("index opened")
		ix.startWarmer()
		return ix, nil
	case errors.Is(err, bleve.ErrorIndexPathDoesNotExist) || errors.Is(err, bleve.ErrorIndexMetaMissing):
		if !opts.Create {
			return nil, fmt.Errorf("open index %s: %w", path, ErrNotExist)
		}
	case errors.Is(err, bolterrors.ErrTimeout):
		return nil, fmt.Errorf("open index %s: %w", path, ErrLocked)
	default:
		return nil, fmt.Errorf("open index %s: %w", path, err)
	}

	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("create index directory: %w", classify(filepath.Dir(path), err))
	}
	if err := ix.create(opts.Analysis); err != nil {
		return nil, err
	}
	ix.log.Debug("index created")
	ix.startWarmer()
	return ix, nil
}

// runtime is the scorch configuration an on-disk index is opened with:
// unsafe batches, whose durability writes wait for themselves
// (durable.go), with persist failures reported to routeAsyncError. It is
// not stored in the index (what bleve.NewUsing gets is), so that other
// programs opening the index get bleve's safe batches.
func (ix *Index) runtime(readOnly bool) map[string]any {
	rt := map[string]any{
		"bolt_timeout":           "3s",
		"unsafe_batch":           true,
		"asyncErrorCallbackName": asyncErrorCallback,
	}
	if readOnly {
		rt["read_only"] = true
	}
	return rt
}

// create builds a new bleve index at ix.path, analysed by ix.seg, records
// how, and opens it.
func (ix *Index) create(analysis zh.Options) error {
	m, err := newMapping(ix.seg.Fingerprint())
	if err != nil {
		return err
	}
	var stored map[string]any
	if ix.path != "" {
		if err := checkDisk(filepath.Dir(ix.path), spaceNeeded(0), ix.reserve); err != nil {
			return fmt.Errorf("create index %s: %w", ix.path, err)
		}
		stored = map[string]any{"bolt_timeout": "3s"}
	}
	b, err := bleve.NewUsing(ix.path, m, scorch.Name, scorch.Name, stored)
	if err != nil {
		return fmt.Errorf("create index %s: %w", ix.path, err)
	}
	// What the index records of itself is written with bleve's safe
	// batches, before the index is opened as it is used.
	err = writeAnalysis(b, analysis)
	if err == nil {
		err = writeMeta(b, Meta{Schema: SchemaVersion, Analyzer: ix.seg.Fingerprint()})
	}
	if err != nil {
		b.Close()
		return err
	}
	if ix.path == "" {
		ix.b = b
		return nil
	}
	if err := b.Close(); err != nil {
		return fmt.Errorf("create index %s: %w", ix.path, err)
	}
	if b, err = bleve.OpenUsing(ix.path, ix.runtime(false)); err != nil {
		return fmt.Errorf("open index %s: %w", ix.path, err)
	}
	ix.b = b
	register(ix)
	return nil
}

// adopt checks an opened index against this binary and loads the
// dictionary and stop words it was built with.
func (ix *Index) adopt(opts Options) error {
	have, err := ix.readMeta()
	if err != nil {
		return err
	}
	want := ix.seg.Fingerprint()
	version, _, _ := strings.Cut(have.Analyzer, "-")
	if have.Schema != SchemaVersion || version != zh.Version {
		ce := &CompatError{Path: opts.Path, Have: have, Want: Meta{Schema: SchemaVersion, Analyzer: want},
			RebuildCommand: "wensou reindex --index DIR"}
		if !opts.AllowIncompatible {
			return ce
		}
		ix.compat = ce
		return nil
	}
	if have.Analyzer == want {
		return nil
	}
	stored, err := ix.readAnalysis()
	if err != nil {
		return err
	}
	seg, err := zh.Load(stored)
	if err != nil {
		return fmt.Errorf("load the dictionary index %s was built with: %w", opts.Path, err)
	}
	if seg.Fingerprint() != have.Analyzer {
		return fmt.Errorf("index %s: its recorded dictionary does not match its fingerprint %s", opts.Path, have.Analyzer)
	}
	ix.seg = seg
	ix.stale = true
	return nil
}

// cacheNoted holds the fingerprints of the dictionaries whose cache
// trouble was logged, so that a process says it once.
var cacheNoted sync.Map

// noteDictCache logs, once a process, that a dictionary built from gse's
// text could not be kept in the cache directory: every start then
// builds it again, a second and a half.
func noteDictCache(log *slog.Logger, s *zh.Segmenter) {
	if err := s.CacheError(); err != nil {
		if _, seen := cacheNoted.LoadOrStore(s.Fingerprint(), true); !seen {
			log.Warn("the built dictionary could not be cached: every start builds it again; set "+zh.CacheDirEnv+" to a writable directory",
				"err", err, "took_ms", s.LoadTime().Milliseconds())
		}
	}
}

// AnalysisStale reports whether the index was built with another
// dictionary or other stop words than [Options.Analysis] asked for. It
// keeps using its own until it is rebuilt.
func (ix *Index) AnalysisStale() bool { return ix.stale }

// Incompatible returns the [CompatError] of an index opened with
// [Options.AllowIncompatible] that this binary cannot write, or nil.
func (ix *Index) Incompatible() error { return ix.compat }

// Segmenter returns the segmenter the index analyses text with; queries
// must be analysed with it too.
func (ix *Index) Segmenter() *zh.Segmenter { return ix.seg }

var analysisKey = []byte("wensou.analysis")

// These run while Open has the index to itself.

func (ix *Index) readAnalysis() (zh.Options, error) {
	var o zh.Options
	raw, err := ix.b.GetInternal(analysisKey)
	if err != nil {
		return o, fmt.Errorf("read index analysis settings: %w", err)
	}
	if len(raw) == 0 {
		return o, nil
	}
	if err := json.Unmarshal(raw, &o); err != nil {
		return o, fmt.Errorf("decode index analysis settings: %w", err)
	}
	return o, nil
}

func writeAnalysis(b bleve.Index, o zh.Options) error {
	raw, err := json.Marshal(o)
	if err != nil {
		return fmt.Errorf("encode index analysis settings: %w", err)
	}
	if err := b.SetInternal(analysisKey, raw); err != nil {
		return fmt.Errorf("write index analysis settings: %w", err)
	}
	return nil
}

func (ix *Index) readMeta() (Meta, error) {
	raw, err := ix.b.GetInternal(metaKey)
	if err != nil {
		return Meta{}, fmt.Errorf("read index metadata: %w", err)
	}
	var m Meta
	if len(raw) == 0 {
		// Not written by wensou, or by a build before metadata existed.
		return Meta{Analyzer: "unknown"}, nil
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		return Meta{}, fmt.Errorf("decode index metadata: %w", err)
	}
	return m, nil
}

func writeMeta(b bleve.Index, m Meta) error {
	raw, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("encode index metadata: %w", err)
	}
	if err := b.SetInternal(metaKey, raw); err != nil {
		return fmt.Errorf("write index metadata: %w", err)
	}
	return nil
}

// Path returns the index directory, "" for an in-memory index.
func (ix *Index) Path() string { return ix.path }

// Location returns the time zone used for year and month facets.
func (ix *Index) Location() *time.Location { return ix.loc }

// Bleve returns the underlying bleve index, for tests that compare with
// bleve's own search. Callers must not write through it.
func (ix *Index) Bleve() bleve.Index {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.b
}

// With calls fn with ix: an Index lends itself, as a store lends its live
// index (search.Source, [Writer]).
func (ix *Index) With(fn func(*Index) error) error { return fn(ix) }

// view calls fn with the open bleve index, which stays open (a rollback
// waits) until fn returns.
func (ix *Index) view(fn func(bleve.Index) error) error {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if ix.b == nil {
		return ix.unavailable()
	}
	return fn(ix.b)
}

// unavailable says why there is no open bleve index. The caller holds mu.
func (ix *Index) unavailable() error {
	if ix.broken != nil {
		return fmt.Errorf("%w: %w", ErrClosed, ix.broken)
	}
	return ErrClosed
}

// startWarmer runs the column warmer until Close.
func (ix *Index) startWarmer() {
	ix.wg.Add(1)
	go func() {
		defer ix.wg.Done()
		tick := time.NewTicker(2 * time.Second)
		defer tick.Stop()
		for {
			select {
			case <-ix.stop:
				return
			case <-ix.warmNow:
			case <-tick.C:
			}
			ix.warm()
		}
	}()
}

// Warm builds the columns of the current segments, which facets and
// sorting read, and forgets those of segments merged away. It runs in the
// background; calling it makes the next searches fast at once.
func (ix *Index) Warm() { ix.warm() }

// warm builds the columns of the current segments and forgets those of
// segments merged away.
func (ix *Index) warm() {
	r, err := ix.Reader()
	if err != nil {
		ix.logBackground("warm columns", err)
		return
	}
	live := map[uint64]bool{}
	for _, ss := range r.snap.Segments() {
		live[ss.Id()] = true
	}
	if n, err := r.Count(); err == nil {
		ix.posts.resize(n)
		ix.plocs.resize(n)
	}
	if err := r.Close(); err != nil {
		ix.log.Warn("warm columns", "err", err)
	}
	ix.cols.prune(r.epoch, live)
	ix.posts.prune(r.epoch, live)
	ix.plocs.prune(r.epoch, live)
}

// changed tells the warmer that the index has new segments.
func (ix *Index) changed() {
	select {
	case ix.warmNow <- struct{}{}:
	default:
	}
}

// Close closes the index. It is safe to call once.
func (ix *Index) Close() error {
	close(ix.stop)
	ix.wg.Wait()
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.path != "" {
		unregister(ix)
	}
	b := ix.b
	ix.b, ix.broken = nil, nil
	ix.pend.fail(ErrClosed)
	if b == nil {
		return nil
	}
	if err := b.Close(); err != nil {
		return fmt.Errorf("close index %s: %w", ix.path, err)
	}
	return nil
}

// Count returns the number of articles in the index.
func (ix *Index) Count() (uint64, error) {
	var n uint64
	err := ix.view(func(b bleve.Index) error {
		var err error
		n, err = b.DocCount()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("count documents: %w", err)
	}
	return n, nil
}

// Put adds or replaces articles in one batch: an article whose ID is
// already indexed is replaced. It returns once the batch is durable and
// searchable. A write the disk cannot take fails with a [*StorageError]
// and changes nothing.
func (ix *Index) Put(ctx context.Context, arts []article.Article) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if ix.compat != nil {
		return ix.compat
	}
	if len(arts) == 0 {
		return nil
	}
	var text int64
	for i := range arts {
		text += int64(len(arts[i].Title) + len(arts[i].Body))
	}
	err := ix.apply(spaceNeeded(text), true, func(b *bleve.Batch, m mapping.IndexMapping) error {
		for i := range arts {
			doc, err := mapDocument(m, arts[i].ID, ix.document(&arts[i]))
			if err == nil {
				err = b.IndexAdvanced(doc)
			}
			if err != nil {
				return fmt.Errorf("add article %q to batch: %w", arts[i].ID, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("index batch of %d articles: %w", len(arts), err)
	}
	return nil
}

// Delete removes articles by id; unknown ids are ignored.
func (ix *Index) Delete(ctx context.Context, ids ...string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if ix.compat != nil {
		return ix.compat
	}
	if len(ids) == 0 {
		return nil
	}
	// Deletions take little space and free some: they may use the
	// reserve, as Elasticsearch allows deletes past its flood stage.
	err := ix.apply(spaceNeeded(0), false, func(b *bleve.Batch, _ mapping.IndexMapping) error {
		for _, id := range ids {
			b.Delete(id)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("delete %d articles: %w", len(ids), err)
	}
	return nil
}

// persistTimeout bounds the wait for a write's batch to be persisted; a
// persister stuck longer (a hung disk) fails it, as a failed persist does.
const persistTimeout = 2 * time.Minute

// errNotPersisted is why a write that the persister did not reach before
// a rollback failed.
var errNotPersisted = errors.New("the write was not persisted")

// apply writes one batch and waits until it is durable: the one way in
// which anything is written to the index. need is the disk space it may
// take, checked first, with the reserve kept free unless reserve is
// false.
func (ix *Index) apply(need int64, reserve bool, fill func(*bleve.Batch, mapping.IndexMapping) error) error {
	if ix.path != "" {
		if err := ix.writable(need, reserve); err != nil {
			if se, ok := errors.AsType[*StorageError](err); ok {
				ix.fault.Store(se)
			}
			return err
		}
	}
	ix.mu.RLock()
	b, epoch := ix.b, ix.epoch
	switch {
	case b == nil:
		err := ix.unavailable()
		ix.mu.RUnlock()
		return err
	case ix.readOnly:
		ix.mu.RUnlock()
		return &StorageError{Path: ix.path, Kind: ErrReadOnly}
	}
	batch := b.NewBatch()
	if err := fill(batch, b.Mapping()); err != nil {
		ix.mu.RUnlock()
		return err
	}
	var w *waiter
	if ix.path != "" { // in memory, a batch is done when applied
		w = ix.pend.add(epoch)
		batch.SetPersistedCallback(w.persisted)
	}
	err := b.Batch(batch)
	ix.mu.RUnlock()
	if err != nil {
		if w != nil {
			ix.pend.remove(w)
		}
		return err
	}
	ix.changed()
	if w == nil {
		return nil
	}
	timer := time.AfterFunc(persistTimeout, func() {
		w.finish(false, fmt.Errorf("%w within %s", errNotPersisted, persistTimeout))
	})
	<-w.done
	timer.Stop()
	ix.pend.remove(w)
	if ok, _ := w.outcome(); !ok {
		// Drop what was applied but not persisted, then see whether
		// this write made it to disk before the close after all.
		ix.rollback(epoch)
	}
	ok, cause := w.outcome()
	switch {
	case ok:
		ix.fault.Store(nil)
		return nil
	case errors.Is(cause, ErrClosed):
		return cause // closed meanwhile, not a fault of the disk
	}
	se := probe(ix.path, need, ix.reserve, cause)
	ix.fault.Store(se)
	ix.log.Warn("write failed; the index holds what was on disk before it", "err", se)
	return se
}

// writable checks, before a write, that the disk can take need more
// bytes, and opens the index for writing again if a rollback could only
// open it read-only (or not at all) and the disk is writable again.
func (ix *Index) writable(need int64, reserve bool) error {
	r := ix.reserve
	if !reserve && r >= 0 {
		r = 1 // just the write itself (0 would mean the default)
	}
	if err := checkDisk(ix.path, need, r); err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(storePath(ix.path), "root.bolt")); err != nil {
		return classify(ix.path, err)
	}
	ix.mu.RLock()
	stuck := (ix.b == nil && ix.broken != nil) || ix.readOnly
	ix.mu.RUnlock()
	if stuck {
		ix.mu.Lock()
		if (ix.b == nil && ix.broken != nil) || ix.readOnly {
			ix.reopenLocked()
		}
		ix.mu.Unlock()
	}
	return nil
}

// rollback closes the index and opens it again from disk, which drops
// every batch that was applied but not persisted, unless that was done
// already since the open epoch. Writes still waiting on the closed index
// fail.
func (ix *Index) rollback(epoch uint64) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.epoch != epoch || ix.b == nil {
		return
	}
	ix.reopenLocked()
	ix.pend.failEpoch(epoch, errNotPersisted)
}

// reopenLocked closes the bleve index, if open, and opens it again:
// writable if it can, read-only if only that works. The caller holds mu.
func (ix *Index) reopenLocked() {
	if ix.b != nil {
		if err := ix.b.Close(); err != nil {
			ix.log.Warn("close index to open it again", "err", err)
		}
		ix.b = nil
	}
	ix.epoch++
	readOnly := false
	b, err := bleve.OpenUsing(ix.path, ix.runtime(false))
	if err != nil {
		readOnly = true
		var rerr error
		if b, rerr = bleve.OpenUsing(ix.path, ix.runtime(true)); rerr != nil {
			ix.broken = classify(ix.path, err)
			ix.log.Error("open index again", "err", err, "read_only_err", rerr)
			return
		}
	}
	ix.b, ix.readOnly, ix.broken = b, readOnly, nil
	ix.log.Info("index opened again from disk", "read_only", readOnly)
}

// Health says whether the index can take writes now: its disk is
// checked, and a write failure it does not explain is kept until a write
// succeeds.
func (ix *Index) Health() Health {
	h := Health{FreeBytes: -1}
	if ix.path == "" {
		return h
	}
	if st, err := statDisk(ix.path); err == nil {
		h.FreeBytes = st.free
	}
	var need int64
	last := ix.fault.Load()
	if last != nil && errors.Is(last, ErrDiskFull) {
		need = last.Need // as big a write as the one that did not fit
	}
	if err := checkDisk(ix.path, need, ix.reserve); err != nil {
		h.Problem = err
		return h
	}
	if _, err := os.Stat(filepath.Join(storePath(ix.path), "root.bolt")); err != nil {
		h.Problem = classify(ix.path, err)
		return h
	}
	ix.mu.RLock()
	broken := ix.broken
	ix.mu.RUnlock()
	switch {
	case broken != nil:
		h.Problem = broken
	case last != nil && last.Kind == nil:
		h.Problem = last
	}
	return h
}

// logBackground logs a background task's error, at most once a minute.
func (ix *Index) logBackground(msg string, err error) {
	ix.logMu.Lock()
	quiet := time.Since(ix.lastLog) < time.Minute
	if !quiet {
		ix.lastLog = time.Now()
	}
	ix.logMu.Unlock()
	if !quiet {
		ix.log.Warn(msg, "err", err)
	}
}

// document is the bleve document for an article.
func (ix *Index) document(a *article.Article) map[string]any {
	d := map[string]any{
		FieldTitle: a.Title,
		FieldBody:  a.Body,
		FieldHash:  a.Hash(),
	}
	if pinyin.HasReadings(a.Title) {
		d[FieldTitlePinyin] = a.Title
		d[FieldTitleInitials] = a.Title
	}
	if len(a.Authors) > 0 {
		d[FieldAuthor] = a.Authors
		d[FieldAuthorText] = a.Authors
		if slices.ContainsFunc(a.Authors, pinyin.HasReadings) {
			d[FieldAuthorPinyin] = a.Authors
		}
	}
	if !a.Date.IsZero() {
		t := a.Date.In(ix.loc)
		d[FieldDate] = t
	}
	if a.URL != "" {
		d[FieldURL] = a.URL
	}
	if a.Source != "" {
		d[FieldSource] = a.Source
	}
	if len(a.Tags) > 0 {
		d[FieldTags] = a.Tags
	}
	if a.Origin != "" {
		// Absolute, so that a sync run from another directory still
		// recognises the file.
		origin := a.Origin
		if abs, err := filepath.Abs(origin); err == nil {
			origin = abs
		}
		d[FieldOrigin] = origin
	}
	return d
}

// Get returns the stored article with the given id, or [ErrNotFound].
func (ix *Index) Get(ctx context.Context, id string) (article.Article, error) {
	if err := ctx.Err(); err != nil {
		return article.Article{}, err
	}
	var doc bindex.Document
	err := ix.view(func(b bleve.Index) error {
		var err error
		doc, err = b.Document(id)
		return err
	})
	if err != nil {
		return article.Article{}, fmt.Errorf("load article %q: %w", id, err)
	}
	if doc == nil {
		return article.Article{}, fmt.Errorf("load article %q: %w", id, ErrNotFound)
	}
	return ix.decode(id, doc), nil
}

// decode turns a stored document into an article.
func (ix *Index) decode(id string, doc bindex.Document) article.Article {
	a := article.Article{ID: id}
	doc.VisitFields(func(f bindex.Field) {
		switch f.Name() {
		case FieldTitle:
			a.Title = string(f.Value())
		case FieldBody:
			a.Body = string(f.Value())
		case FieldAuthor:
			a.Authors = append(a.Authors, string(f.Value()))
		case FieldURL:
			a.URL = string(f.Value())
		case FieldSource:
			a.Source = string(f.Value())
		case FieldTags:
			a.Tags = append(a.Tags, string(f.Value()))
		case FieldOrigin:
			a.Origin = string(f.Value())
		case FieldDate:
			if df, ok := f.(bindex.DateTimeField); ok {
				if t, _, err := df.DateTime(); err == nil {
					a.Date = t.In(ix.loc)
				}
			}
		}
	})
	return a
}
