package index

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/blevesearch/bleve/v2/index/scorch"

	"github.com/wensou/wensou/index/zh"
)

// The completion dictionaries of each segment, built once and dropped
// when the segment leaves the index, like the columns of columns.go.
//
// A small segment (fresh writes) is built by the request that first
// needs it. A large one (a merge) is built in the background, so that no
// keystroke waits for it; meanwhile requests complete its words straight
// from its term dictionaries, a slower path that gives the same counts,
// and offer none of its titles and phrases (those offered from other
// segments still count its articles). [Index.WarmSuggestions] builds
// ahead of requests.
//
// Nothing in index.go knows of this: the suggester of an index is found
// by a weak pointer to it, and goes when the index does.

// syncBuildDocs is the size, in documents, up to which a request builds
// a segment's dictionaries itself: a few milliseconds (a segment of 1,000
// news articles takes about 40 ms, one of 53,000 about 1 s).
const syncBuildDocs = 100

// suggester holds an index's completion dictionaries. It is safe for
// concurrent use.
type suggester struct {
	syncDocs int // segments of at most this many documents are built in the request

	mu      sync.Mutex
	entries map[segKey]*suggestEntry
	live    []segKey // the segments of the newest snapshot seen, in order
	newest  segKey   // the largest segment id seen, in the latest open
	queue   []buildJob
	running bool // a builder goroutine drains the queue

	// wg and stop are the index's: the builder is counted in wg and ends
	// when stop is closed.
	wg   *sync.WaitGroup
	stop <-chan struct{}

	surfaces surfaceCache
	an       *zh.Analyzer // the query analyzer of the index's segmenter
	analyzed struct {     // the words of texts analyzed with an (terms)
		mu    sync.RWMutex
		terms map[string][][]byte
	}
	log *slog.Logger
}

// suggestEntry is one segment's dictionaries: built once, by a request
// or by the builder.
type suggestEntry struct {
	once   sync.Once
	built  atomic.Pointer[segDicts]
	err    error // set before built, or instead of it, when the build failed
	failed atomic.Bool
	queued bool // guarded by suggester.mu

	// deleted caches the live counts of words under the segment's
	// deletions, and live what requests read of its live documents, for
	// the deletions last seen (they only grow, so their number
	// identifies them).
	deleted atomic.Pointer[deletedCounts]
	live    atomic.Pointer[liveCache]
}

// segDicts are a segment's completion dictionaries, one per source.
type segDicts struct {
	words   *completionDict
	phrases *completionDict
	titles  *completionDict
	// pinyin holds the pinyin of the words (buildPinyin); pinyinWord[i]
	// is the index in words of the word of pinyin key i.
	pinyin     *completionDict
	pinyinWord []int32
}

// deletedCounts are live word counts of a segment with n deleted
// documents, by key index.
type deletedCounts struct {
	n  uint64
	mu sync.Mutex
	m  map[int32]uint32
}

// maxDeletedCounts caps the live counts a segment keeps.
const maxDeletedCounts = 1 << 16

func (c *deletedCounts) get(i int) (uint32, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[int32(i)]
	return v, ok
}

func (c *deletedCounts) put(i int, v uint32) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) < maxDeletedCounts {
		c.m[int32(i)] = v
	}
}

// forDeleted returns the live-count cache for n deletions.
func (e *suggestEntry) forDeleted(n uint64) *deletedCounts {
	for {
		c := e.deleted.Load()
		switch {
		case c != nil && c.n == n:
			return c
		case c != nil && c.n > n:
			// An older snapshot: count without the cache.
			return nil
		}
		next := &deletedCounts{n: n, m: map[int32]uint32{}}
		if e.deleted.CompareAndSwap(c, next) {
			return next
		}
	}
}

// liveCache keeps what requests read of a segment with n deleted
// documents (the sets of documents holding the words typed before the
// last one, and the number of those holding every word of a phrase), for
// the next keystrokes. It is safe for concurrent use.
type liveCache struct {
	n        uint64
	mu       sync.Mutex
	contexts map[string]*contextSet
	phrases  map[string]uint32
}

// Caps on what a liveCache keeps; past them, it starts again.
const (
	maxContextSets  = 256
	maxPhraseCounts = 1 << 14
)

// context returns the documents of ss holding every one of terms in one of
// fields, from the cache (which may be nil) when they were read before.
func (c *liveCache) context(ss *scorch.SegmentSnapshot, fields []string, terms [][]byte) (*contextSet, error) {
	var key string
	if c != nil {
		key = strings.Join(fields, ",") + "\x00" + string(bytes.Join(terms, []byte{0}))
		c.mu.Lock()
		set, ok := c.contexts[key]
		c.mu.Unlock()
		if ok {
			return set, nil
		}
	}
	set, err := newContextSet(ss, fields, terms)
	if err != nil || c == nil {
		return set, err
	}
	c.mu.Lock()
	if len(c.contexts) >= maxContextSets {
		clear(c.contexts)
	}
	c.contexts[key] = set
	c.mu.Unlock()
	return set, nil
}

// phrase returns the cached count of a phrase.
func (c *liveCache) phrase(p string) (uint32, bool) {
	if c == nil {
		return 0, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.phrases[p]
	return v, ok
}

func (c *liveCache) putPhrase(p string, v uint32) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.phrases) >= maxPhraseCounts {
		clear(c.phrases)
	}
	c.phrases[p] = v
}

// forLive returns the cache for n deletions, or nil for an older
// snapshot.
func (e *suggestEntry) forLive(n uint64) *liveCache {
	for {
		c := e.live.Load()
		switch {
		case c != nil && c.n == n:
			return c
		case c != nil && c.n > n:
			return nil
		}
		next := &liveCache{n: n, contexts: map[string]*contextSet{}, phrases: map[string]uint32{}}
		if e.live.CompareAndSwap(c, next) {
			return next
		}
	}
}

// buildJob is a segment for the builder, kept open by its snapshot.
type buildJob struct {
	key   segKey
	entry *suggestEntry
	ss    *scorch.SegmentSnapshot
	snap  *scorch.IndexSnapshot // referenced for the job; released after it
}

// suggester returns ix's suggester, making it on first use. Its builder
// goroutine belongs to ix: Close stops it and waits for it.
func (ix *Index) suggester() *suggester {
	ix.suggOnce.Do(func() {
		ix.sugg = &suggester{syncDocs: syncBuildDocs, an: zh.NewAnalyzerFor(ix.seg, zh.Accurate), log: ix.log,
			wg: &ix.wg, stop: ix.stop}
	})
	return ix.sugg
}

// dicts returns the built dictionaries of ss, building them now when the
// segment is small, or nil while the builder works on them. The snapshot
// must stay open until the caller is done with them.
func (s *suggester) dicts(epoch uint64, snap *scorch.IndexSnapshot, ss *scorch.SegmentSnapshot) (*suggestEntry, *segDicts, error) {
	e, d, now, err := s.entry(epoch, snap, ss, false)
	if !now {
		return e, d, err
	}
	e.build(ss, s.an)
	if e.failed.Load() {
		return e, nil, e.err
	}
	return e, e.built.Load(), nil
}

// entryLocked returns the entry of k, making it when there is none. The
// caller holds s.mu.
func (s *suggester) entryLocked(k segKey) *suggestEntry {
	if s.entries == nil {
		s.entries = map[segKey]*suggestEntry{}
	}
	e, ok := s.entries[k]
	if !ok {
		e = &suggestEntry{}
		s.entries[k] = e
	}
	return e
}

// entry returns the entry of ss and its dictionaries when they are built.
// When they are not, it queues the segment for the builder, unless it is
// small and background is false: then it reports that the caller should
// build it now.
func (s *suggester) entry(epoch uint64, snap *scorch.IndexSnapshot, ss *scorch.SegmentSnapshot, background bool) (e *suggestEntry, d *segDicts, now bool, err error) {
	k := segKey{epoch, ss.Id()}
	s.mu.Lock()
	defer s.mu.Unlock()
	e = s.entryLocked(k)
	if d := e.built.Load(); d != nil {
		return e, d, false, nil
	}
	if e.failed.Load() {
		return e, nil, false, e.err
	}
	if !background && int(ss.Segment().Count()) <= s.syncDocs {
		return e, nil, true, nil
	}
	select {
	case <-s.stop:
		return e, nil, false, nil // closing: no more building
	default:
	}
	if !e.queued {
		e.queued = true
		snap.AddRef()
		s.queue = append(s.queue, buildJob{key: k, entry: e, ss: ss, snap: snap})
		if !s.running {
			s.running = true
			s.wg.Add(1)
			go s.drain()
		}
	}
	return e, nil, false, nil
}

// WarmSuggestions has the completion dictionaries of the index's
// segments built in the background, ahead of the first [Index.Suggest]
// that needs them, and forgets those of segments merged away. It returns
// at once. The index's column warmer (or a server starting) may call it.
func (ix *Index) WarmSuggestions() error {
	snap, _, epoch, err := ix.snapshot()
	if err != nil {
		return fmt.Errorf("warm suggestions: %w", err)
	}
	defer snap.Close()
	s := ix.suggester()
	s.prune(epoch, snap)
	for _, ss := range snap.Segments() {
		if _, _, _, err := s.entry(epoch, snap, ss, true); err != nil {
			return fmt.Errorf("warm suggestions: %w", err)
		}
	}
	return nil
}

// BuildSuggestions builds the completion dictionaries of every segment
// of the index now, and returns when they are built: what [Index.Suggest]
// then offers no longer depends on how far the background builder got.
// A batch job that suggests many times (wensou eval) calls it first.
func (ix *Index) BuildSuggestions(ctx context.Context) error {
	snap, _, epoch, err := ix.snapshot()
	if err != nil {
		return fmt.Errorf("build suggestions: %w", err)
	}
	defer snap.Close()
	s := ix.suggester()
	s.prune(epoch, snap)
	for _, ss := range snap.Segments() {
		if err := ctx.Err(); err != nil {
			return err
		}
		s.mu.Lock()
		e := s.entryLocked(segKey{epoch, ss.Id()})
		s.mu.Unlock()
		e.build(ss, s.an) // waits for the builder if it is on it
		if e.failed.Load() {
			return fmt.Errorf("build suggestions: %w", e.err)
		}
	}
	return nil
}

// build builds the entry's dictionaries, once.
func (e *suggestEntry) build(ss *scorch.SegmentSnapshot, an *zh.Analyzer) {
	e.once.Do(func() {
		seg := ss.Segment()
		words, err := buildWords(seg, wordFields, nil)
		if err != nil {
			e.err = fmt.Errorf("build word completions of segment %d: %w", ss.Id(), err)
			e.failed.Store(true)
			return
		}
		titles, phrases, err := buildTitles(seg, an)
		if err != nil {
			e.err = fmt.Errorf("build title completions of segment %d: %w", ss.Id(), err)
			e.failed.Store(true)
			return
		}
		py, pyWord := buildPinyin(words)
		e.built.Store(&segDicts{words: words, phrases: phrases, titles: titles, pinyin: py, pinyinWord: pyWord})
	})
}

// drain builds the queued segments one at a time, then exits; when the
// index closes, it drops what is left.
func (s *suggester) drain() {
	defer s.wg.Done()
	for {
		s.mu.Lock()
		select {
		case <-s.stop:
			for _, job := range s.queue {
				if err := job.snap.DecRef(); err != nil {
					s.log.Warn("release index snapshot", "err", err)
				}
			}
			s.queue = nil
		default:
		}
		if len(s.queue) == 0 {
			s.running = false
			s.mu.Unlock()
			return
		}
		job := s.queue[0]
		s.queue = s.queue[1:]
		current := s.entries[job.key] == job.entry
		s.mu.Unlock()
		if current { // not merged away while it waited
			job.entry.build(job.ss, s.an)
			if job.entry.failed.Load() {
				s.log.Warn("build completions", "err", job.entry.err)
			}
		}
		if err := job.snap.DecRef(); err != nil {
			s.log.Warn("release index snapshot", "err", err)
		}
	}
}

// prune forgets the dictionaries of segments that are not in snap, the
// snapshot of the given open, when its segments differ from the last
// ones seen. A snapshot older than one seen already (a request that
// started before a merge) prunes nothing.
func (s *suggester) prune(epoch uint64, snap *scorch.IndexSnapshot) {
	segs := snap.Segments()
	top := segKey{epoch: epoch}
	for _, ss := range segs {
		top.id = max(top.id, ss.Id())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if top.epoch < s.newest.epoch || (top.epoch == s.newest.epoch && top.id < s.newest.id) {
		return
	}
	s.newest = top
	same := len(segs) == len(s.live)
	for i := 0; same && i < len(segs); i++ {
		same = s.live[i] == segKey{epoch, segs[i].Id()}
	}
	if same {
		return
	}
	s.live = s.live[:0]
	in := make(map[segKey]bool, len(segs))
	for _, ss := range segs {
		k := segKey{epoch, ss.Id()}
		s.live = append(s.live, k)
		in[k] = true
	}
	for k := range s.entries {
		if !in[k] {
			delete(s.entries, k)
		}
	}
}
