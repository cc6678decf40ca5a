package index

import (
	"container/list"
	"fmt"
	"math"
	"sync"

	"github.com/RoaringBitmap/roaring/v2"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// Decoded postings of frequent terms.
//
// zapx keeps a term's postings as a roaring bitmap of documents beside
// chunks of varint-coded frequencies and norms, and its iterator skips
// forward one posting at a time, decoding as it goes: walking a common
// word (tens of thousands of postings at 100k articles) is most of what
// an AND of common words costs. Direct matching keeps the postings of
// the frequent terms of each segment decoded in flat arrays, in a cache
// bounded in bytes (least recently used out), so that the next search
// with the word walks arrays. Segments never change (deletions are a
// bitmap beside them, checked as the arrays are walked), so an entry
// stays right until its segment is merged away, when the warmer drops
// it.

// decodeMin is the least number of postings in a segment for which a
// term's postings are decoded and cached; var for tests.
var decodeMin uint64 = 512

// The cache of frequent terms' postings holds at most
// decodedBytesPerDoc bytes an article of the index, and that of phrase
// terms with their locations phraseBytesPerDoc; each decodedMinBytes
// whatever the size. The words of ../shared/bench's 300 searches need
// about 350 bytes an article at 1M articles, both caches together: the
// cache must hold a workload's common words, or a least recently used
// cache that cycles through more than it holds decodes every one again
// on every search (at 256 bytes the searches took a fifth longer and
// allocated three times as much).
const (
	decodedBytesPerDoc = 512
	phraseBytesPerDoc  = 256
	decodedMinBytes    = 64 << 20
)

// decoded is a term's postings in one segment, deleted documents
// included; with locations, when decoded with them.
type decoded struct {
	docs  []uint32
	freqs []uint32
	norms []float32
	// The locations of docs[i] are locs[locOffs[i]:locOffs[i+1]]; both
	// nil when decoded without them, or when some location was in an
	// array field's element (title and body never are).
	locOffs []uint32
	locs    []decodedLoc
}

// decodedLoc is a term's location in a document: its position, counted
// as the analyzer counts, and its byte offsets.
type decodedLoc struct{ pos, start, end uint32 }

func (d *decoded) bytes() int { return 12*len(d.docs) + 4*len(d.locOffs) + 12*len(d.locs) }

// at returns the locations of posting i; nil without locations.
func (d *decoded) at(i int) []decodedLoc {
	if d.locOffs == nil {
		return nil
	}
	return d.locs[d.locOffs[i]:d.locOffs[i+1]]
}

type postingsKey struct {
	epoch uint64
	seg   uint64
	field string
	term  string
}

type postingsEntry struct {
	key  postingsKey
	once sync.Once
	dec  *decoded
	err  error
	done bool // dec and err are set (under postingsCache.mu)
	elem *list.Element
	size int
}

// postingsCache holds decoded postings, by segment, field and term.
type postingsCache struct {
	mu    sync.Mutex
	m     map[postingsKey]*postingsEntry
	lru   list.List // of *postingsEntry, most recent first
	bytes int
	max   int
	fixed bool // max set by a test: resize leaves it
	// perDoc is the bound in bytes an article of the index (resize).
	perDoc int
	// locs: the postings are decoded with their locations.
	locs bool
}

// get returns the decoded postings of term in field of segment seg
// (whose dictionary is dict), decoding them on first use.
func (c *postingsCache) get(k postingsKey, dict segment.TermDictionary) (*decoded, error) {
	c.mu.Lock()
	if c.m == nil {
		c.m = map[postingsKey]*postingsEntry{}
	}
	e, ok := c.m[k]
	if !ok {
		e = &postingsEntry{key: k}
		c.m[k] = e
		e.elem = c.lru.PushFront(e)
	} else if e.elem != nil {
		c.lru.MoveToFront(e.elem)
	}
	c.mu.Unlock()

	e.once.Do(func() {
		dec, err := decode(dict, []byte(k.term), c.locs)
		c.mu.Lock()
		defer c.mu.Unlock()
		e.dec, e.err, e.done = dec, err, true
		if e.err != nil || e.elem == nil {
			return // failed, or evicted meanwhile
		}
		e.size = e.dec.bytes()
		c.bytes += e.size
		c.shrink()
	})
	if e.err != nil {
		c.mu.Lock()
		c.evict(e) // try again next time
		c.mu.Unlock()
	}
	return e.dec, e.err
}

// lookupMode says whether a term's frequent postings missing from a
// cache are decoded into it whatever it evicts, or only when they fit.
type lookupMode int

const (
	decodeAlways lookupMode = iota
	// decodeIfRoom leaves the cache as it is when the postings of n
	// documents would not fit in what it has free: a use that may do
	// without (reading locations for a page) never evicts the postings
	// that matching needs, and never cycles the cache.
	decodeIfRoom
)

// locBytesPerPosting is what a decoded posting with its locations is
// taken to take before decoding it: its document, frequency and norm
// (12 bytes), its locations' offset (4) and two locations (24).
const locBytesPerPosting = 40

// getIfRoom is get, but for postings of n documents that are not cached
// yet it decodes them only when the cache has room for them, and
// returns nil otherwise.
func (c *postingsCache) getIfRoom(k postingsKey, dict segment.TermDictionary, n uint64) (*decoded, error) {
	c.mu.Lock()
	_, ok := c.m[k]
	room := c.bytes+int(min(n, 1<<40))*locBytesPerPosting <= c.max
	c.mu.Unlock()
	if !ok && !room {
		return nil, nil
	}
	return c.get(k, dict)
}

// peek returns the decoded postings of k if they are cached and done.
func (c *postingsCache) peek(k postingsKey) *decoded {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[k]
	if !ok || !e.done || e.err != nil {
		return nil
	}
	c.lru.MoveToFront(e.elem)
	return e.dec
}

// shrink evicts the least recently used entries until c is within its
// bound, keeping one however big; the caller holds c.mu.
func (c *postingsCache) shrink() {
	for c.bytes > c.max && c.lru.Len() > 1 {
		c.evict(c.lru.Back().Value.(*postingsEntry))
	}
}

// evict drops e; the caller holds c.mu.
func (c *postingsCache) evict(e *postingsEntry) {
	if e.elem == nil {
		return
	}
	c.lru.Remove(e.elem)
	e.elem = nil
	if c.m[e.key] == e {
		delete(c.m, e.key)
	}
	c.bytes -= e.size
}

// resize bounds the cache for an index of docs articles.
func (c *postingsCache) resize(docs uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fixed {
		return
	}
	c.max = max(decodedMinBytes, int(min(docs, 1<<40))*c.perDoc)
	c.shrink()
}

// stats returns the bytes held and the entries, for tests.
func (c *postingsCache) stats() (bytes, entries, lru int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.bytes, len(c.m), c.lru.Len()
}

// setMax fixes the bound, for tests.
func (c *postingsCache) setMax(n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.max, c.fixed = n, true
	c.shrink()
}

// prune drops the entries of segments not in live, and of other opens.
func (c *postingsCache) prune(epoch uint64, live map[uint64]bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, e := range c.m {
		if k.epoch != epoch || !live[k.seg] {
			c.evict(e)
		}
	}
}

// decode reads every posting of term in dict, with frequencies and
// norms, and with locations when locs is set.
func decode(dict segment.TermDictionary, term []byte, locs bool) (*decoded, error) {
	pl, err := dict.PostingsList(term, nil, nil)
	if err != nil {
		return nil, fmt.Errorf("postings of %s: %w", term, err)
	}
	n := pl.Count()
	d := &decoded{docs: make([]uint32, 0, n), freqs: make([]uint32, 0, n), norms: make([]float32, 0, n)}
	if locs {
		d.locOffs = make([]uint32, 1, n+1)
	}
	it := pl.Iterator(true, true, locs, nil)
	for {
		p, err := it.Next()
		if err != nil {
			return nil, fmt.Errorf("postings of %s: %w", term, err)
		}
		if p == nil {
			return d, nil
		}
		d.docs = append(d.docs, uint32(p.Number()))
		d.freqs = append(d.freqs, uint32(p.Frequency()))
		d.norms = append(d.norms, float32(p.Norm()))
		if d.locOffs == nil {
			continue
		}
		for _, l := range p.Locations() {
			if len(l.ArrayPositions()) > 0 || l.Pos() > math.MaxUint32 || l.End() > math.MaxUint32 {
				d.locOffs, d.locs = nil, nil // the iterator's locations then
				break
			}
			d.locs = append(d.locs, decodedLoc{uint32(l.Pos()), uint32(l.Start()), uint32(l.End())})
		}
		if d.locOffs != nil {
			d.locOffs = append(d.locOffs, uint32(len(d.locs)))
		}
	}
}

// decodedIter walks decoded postings, skipping deleted documents.
type decodedIter struct {
	d       *decoded
	deleted *roaring.Bitmap // nil when none
	pos     int
}

// advance moves to the first live posting at or after doc; ok is false
// past the end.
func (it *decodedIter) advance(doc uint64) (i int, ok bool) {
	docs := it.d.docs
	p := it.pos
	if p < len(docs) && uint64(docs[p]) < doc {
		// Gallop, then search the last step.
		step := 1
		for p+step < len(docs) && uint64(docs[p+step]) < doc {
			p += step
			step *= 2
		}
		lo, hi := p+1, min(p+step, len(docs)-1)+1
		for lo < hi {
			m := int(uint(lo+hi) >> 1)
			if uint64(docs[m]) < doc {
				lo = m + 1
			} else {
				hi = m
			}
		}
		p = lo
	}
	for p < len(docs) && it.deleted != nil && it.deleted.Contains(docs[p]) {
		p++
	}
	it.pos = p
	return p, p < len(docs)
}
