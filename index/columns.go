package index

import (
	"fmt"
	"hash/fnv"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/numeric"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// Columns hold, for every document of one immutable index segment, the
// values that facets, filters and sorting need: author ordinals, the date
// and its month, and a stable key for ties. Reading them is an array
// lookup, where bleve's facets would decode doc values for every hit (the
// main cost of a search over a large hit set).
//
// A segment never changes, so its columns are built once, when a search
// first meets the segment (or by the warmer), and shared by every later
// search. They are dropped when the segment leaves the index.
type segColumns struct {
	authorStart []uint32 // authors of doc d: authorOrds[authorStart[d]:authorStart[d+1]]
	authorOrds  []uint32
	date        []int64 // Unix nanoseconds; NoDate when the article has none
	month       []int32 // months since year 0 (year*12 + month-1) in the index zone; -1 without a date
	key         []uint64
}

// NoDate is the date column's value for an article without a date.
const NoDate = int64(-1 << 63)

// authorDict gives authors small integer ordinals, shared by all
// segments. It only grows; it is safe for concurrent use.
type authorDict struct {
	mu    sync.RWMutex
	ords  map[string]uint32
	names []string
}

func (d *authorDict) ord(name []byte) uint32 {
	d.mu.RLock()
	o, ok := d.ords[string(name)]
	d.mu.RUnlock()
	if ok {
		return o
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if o, ok := d.ords[string(name)]; ok {
		return o
	}
	if d.ords == nil {
		d.ords = map[string]uint32{}
	}
	o = uint32(len(d.names))
	s := string(name)
	d.ords[s] = o
	d.names = append(d.names, s)
	return o
}

// snapshot returns the names known now; ordinals index into it.
func (d *authorDict) snapshot() []string {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.names
}

// columnCache keeps the columns of the segments in use, by segment id
// within one open of the index (an id can come again after the index is
// closed and opened again, for other content).
type columnCache struct {
	mu   sync.Mutex
	segs map[segKey]*columnEntry
	dict authorDict
	loc  *time.Location
}

type segKey struct {
	epoch uint64
	id    uint64
}

type columnEntry struct {
	once sync.Once
	cols *segColumns
	err  error
}

// get returns the columns of a segment, building them once.
func (c *columnCache) get(epoch uint64, ss *scorch.SegmentSnapshot) (*segColumns, error) {
	k := segKey{epoch, ss.Id()}
	c.mu.Lock()
	if c.segs == nil {
		c.segs = map[segKey]*columnEntry{}
	}
	e, ok := c.segs[k]
	if !ok {
		e = &columnEntry{}
		c.segs[k] = e
	}
	c.mu.Unlock()
	e.once.Do(func() { e.cols, e.err = c.build(ss.Segment()) })
	return e.cols, e.err
}

// prune forgets the columns of segments not in live, the segments of
// the open epoch, and of every other open.
func (c *columnCache) prune(epoch uint64, live map[uint64]bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k := range c.segs {
		if k.epoch != epoch || !live[k.id] {
			delete(c.segs, k)
		}
	}
}

var columnFields = []string{FieldAuthor, FieldDate}

// idField is bleve's field of document ids, in every segment.
const idField = "_id"

// build reads the doc values of every document of a segment.
func (c *columnCache) build(seg segment.Segment) (*segColumns, error) {
	n := int(seg.Count())
	cols := &segColumns{
		authorStart: make([]uint32, n+1),
		authorOrds:  make([]uint32, 0, n+n/4),
		date:        make([]int64, n),
		month:       make([]int32, n),
		key:         make([]uint64, n),
	}
	dv, ok := seg.(segment.DocValueVisitable)
	if !ok {
		return nil, fmt.Errorf("build columns: segment type %T has no doc values", seg)
	}
	var state segment.DocVisitState
	var err error
	for d := 0; d < n; d++ {
		date := NoDate
		cols.authorStart[d] = uint32(len(cols.authorOrds))
		state, err = dv.VisitDocValues(uint64(d), columnFields, func(field string, term []byte) {
			switch field {
			case FieldAuthor:
				cols.authorOrds = append(cols.authorOrds, c.dict.ord(term))
			case FieldDate:
				pc := numeric.PrefixCoded(term)
				if shift, err := pc.Shift(); err == nil && shift == 0 {
					if v, err := pc.Int64(); err == nil {
						date = v
					}
				}
			}
		}, state)
		if err != nil {
			return nil, fmt.Errorf("build columns: read doc values of document %d: %w", d, err)
		}
		cols.date[d] = date
		cols.month[d] = -1
		if date != NoDate {
			t := time.Unix(0, date).In(c.loc)
			cols.month[d] = int32(t.Year()*12 + int(t.Month()) - 1)
		}
	}
	cols.authorStart[n] = uint32(len(cols.authorOrds))
	if err := idKeys(seg, cols.key); err != nil {
		return nil, fmt.Errorf("build columns: %w", err)
	}
	return cols, nil
}

// idKeys sets key[d] to the hash of document d's id ([idKey]) for every
// document of seg. It walks the segment's dictionary of ids, where each
// id's postings name its one document. Reading the ids from the stored
// articles instead (seg.DocID) takes less CPU (0.04 µs an article
// against 0.69, BenchmarkColumns_Build), but it touches the start of
// every stored article, so the pages of all of them, the largest part of
// a segment's file, stayed mapped into the process: 30% of every
// segment, 2.6 GB of a 1M build.
func idKeys(seg segment.Segment, key []uint64) error {
	dict, err := seg.Dictionary(idField)
	if err != nil {
		return fmt.Errorf("read ids: %w", err)
	}
	var (
		pl   segment.PostingsList
		pi   segment.PostingsIterator
		term []byte
		seen int
	)
	it := dict.AutomatonIterator(nil, nil, nil)
	for {
		e, err := it.Next()
		if err != nil {
			return fmt.Errorf("read ids: %w", err)
		}
		if e == nil {
			break
		}
		term = append(term[:0], e.Term...)
		if pl, err = dict.PostingsList(term, nil, pl); err != nil {
			return fmt.Errorf("read postings of id %q: %w", e.Term, err)
		}
		k := idKey(term)
		pi = pl.Iterator(false, false, false, pi)
		for {
			p, err := pi.Next()
			if err != nil {
				return fmt.Errorf("read postings of id %q: %w", e.Term, err)
			}
			if p == nil {
				break
			}
			if d := p.Number(); d < uint64(len(key)) {
				key[d] = k
				seen++
			}
		}
	}
	if seen != len(key) {
		return fmt.Errorf("read ids: %d of %d documents have an id", seen, len(key))
	}
	return nil
}

// idKey is the tie-breaking key of an article id.
func idKey(id []byte) uint64 {
	h := fnv.New64a()
	h.Write(id)
	return h.Sum64()
}
