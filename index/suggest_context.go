package index

import (
	"fmt"
	"sync"

	"github.com/blevesearch/bleve/v2/index/scorch"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// contextSet is the live documents of one segment that hold every one of
// some words (the words typed before the one being completed, or the
// words of a phrase) in one of some fields. It is immutable and safe for
// concurrent use (it only reads its bitmaps); the counters it makes are
// not.
type contextSet struct {
	// size is the number of documents: no count of a counter is larger.
	size uint64
	// counts keeps what counters counted, by term, for the next
	// keystrokes (the same words typed before, another last word).
	mu     sync.Mutex
	counts map[string]uint32
	// counter returns a counter of the documents among these that hold
	// a term in one of the fields; many says it will count many terms
	// (worth preparing the set for).
	counter func(many bool) *contextCounter
	// each calls fn with each of the documents, in order, until fn
	// returns false.
	each func(fn func(doc uint32) bool)
}

// contextCounter counts the documents of a contextSet that hold a term.
// It reuses its postings lists: it is not safe for concurrent use.
type contextCounter struct {
	count func(term []byte) (uint64, error)
}

// newContextSet reads the live documents of ss that hold every one of
// terms in one of fields.
func newContextSet(ss *scorch.SegmentSnapshot, fields []string, terms [][]byte) (*contextSet, error) {
	seg := ss.Segment()
	dicts := make([]segment.TermDictionary, 0, len(fields))
	for _, f := range fields {
		d, err := seg.Dictionary(f)
		if err != nil {
			return nil, fmt.Errorf("open the %s dictionary: %w", f, err)
		}
		dicts = append(dicts, d)
	}
	// The bitmaps are scorch's (roaring); this package does not name
	// their type, so they live in closures.
	docs := ss.DocNumbersLive()
	holding := docs.Clone()
	var pl segment.PostingsList
	var it segment.PostingsIterator
	for _, t := range terms {
		if err := union(dicts, t, &pl, &it, holding); err != nil {
			return nil, err
		}
		docs.And(holding)
		if docs.IsEmpty() {
			break
		}
	}
	set := &contextSet{size: docs.GetCardinality(), each: docs.Iterate}
	// Intersecting with a sparse set of documents, stored as sorted
	// arrays, costs the length of both; with its complement, stored
	// dense, only the length of the other: |A∩D| = |A| - |A∩¬D|.
	// The complement is made for the first counter that counts many
	// terms: one that counts one (a phrase's last word) does without.
	sparse := set.size < seg.Count()/2
	others := docs
	var complement sync.Once
	set.counter = func(many bool) *contextCounter {
		useOthers := false
		if many && sparse {
			complement.Do(func() {
				others = docs.Clone()
				others.Flip(0, seg.Count())
			})
			useOthers = true
		}
		// A dictionary reads its FST with a reader of its own, which is
		// not safe for concurrent use: each counter opens its own.
		dicts := make([]segment.TermDictionary, len(fields))
		var pls [2]segment.PostingsList
		var its [2]segment.PostingsIterator
		var holding = docs // a copy of it, made when first needed
		var pl segment.PostingsList
		var it segment.PostingsIterator
		var opened error
		for i, f := range fields {
			if dicts[i], opened = seg.Dictionary(f); opened != nil {
				opened = fmt.Errorf("open the %s dictionary: %w", f, opened)
				break
			}
		}
		// slow counts by building T∪B, for postings that are not bitmaps
		// and for other numbers of fields.
		slow := func(term []byte) (uint64, error) {
			if holding == docs {
				holding = docs.Clone()
			}
			if err := union(dicts, term, &pl, &it, holding); err != nil {
				return 0, err
			}
			return holding.AndCardinality(docs), nil
		}
		count := func(term []byte) (uint64, error) {
			if set.size == 0 {
				return 0, nil
			}
			if opened != nil {
				return 0, opened
			}
			if len(dicts) != 2 {
				return slow(term)
			}
			// Two fields (title and body), T and B, as bitmaps:
			// |T∩D| + |B∩D| - |T∩B∩D| of the documents D, without
			// building T∪B.
			var n [2]uint64
			one := [2]int64{-1, -1} // a one-document list's document
			for i, d := range dicts {
				var err error
				if pls[i], err = d.PostingsList(term, nil, pls[i]); err != nil {
					return 0, fmt.Errorf("read postings of %q: %w", term, err)
				}
				if pls[i].Count() == 0 {
					continue
				}
				its[i] = pls[i].Iterator(false, false, false, its[i])
				o, ok := its[i].(segment.OptimizablePostingsIterator)
				switch {
				case !ok:
					return slow(term)
				case o.ActualBitmap() != nil && useOthers:
					n[i] = pls[i].Count() - o.ActualBitmap().AndCardinality(others)
				case o.ActualBitmap() != nil:
					n[i] = o.ActualBitmap().AndCardinality(docs)
				default:
					if doc, hit := o.DocNum1Hit(); hit {
						one[i] = int64(doc)
						if docs.Contains(uint32(doc)) {
							n[i] = 1
						}
					}
				}
			}
			if n[0] == 0 || n[1] == 0 {
				return n[0] + n[1], nil
			}
			a := its[0].(segment.OptimizablePostingsIterator).ActualBitmap()
			b := its[1].(segment.OptimizablePostingsIterator).ActualBitmap()
			switch {
			case one[0] >= 0 && one[1] >= 0:
				if one[0] == one[1] {
					return 1, nil
				}
				return 2, nil
			case one[0] >= 0:
				if b.Contains(uint32(one[0])) {
					return n[0] + n[1] - 1, nil
				}
				return n[0] + n[1], nil
			case one[1] >= 0:
				if a.Contains(uint32(one[1])) {
					return n[0] + n[1] - 1, nil
				}
				return n[0] + n[1], nil
			}
			small, large := a, b
			if n[1] < n[0] {
				small, large = b, a
			}
			both := small.Clone()
			both.And(docs)
			return n[0] + n[1] - both.AndCardinality(large), nil
		}
		return &contextCounter{count: func(term []byte) (uint64, error) {
			set.mu.Lock()
			c, ok := set.counts[string(term)]
			set.mu.Unlock()
			if ok {
				return uint64(c), nil
			}
			n, err := count(term)
			if err != nil {
				return 0, err
			}
			set.mu.Lock()
			if set.counts == nil || len(set.counts) >= maxContextCounts {
				set.counts = map[string]uint32{}
			}
			set.counts[string(term)] = uint32(min(n, 1<<32-1))
			set.mu.Unlock()
			return n, nil
		}}
	}
	return set, nil
}

// maxContextCounts caps the counts a contextSet keeps; past it, it starts
// again.
const maxContextCounts = 4096

// union sets into to the documents holding term in any of dicts,
// reusing pl and it. into's type is scorch's bitmap, which this package
// does not name: any type with these methods will do.
func union[B interface {
	Clear()
	Add(uint32)
	Or(B)
}](dicts []segment.TermDictionary, term []byte, pl *segment.PostingsList, it *segment.PostingsIterator, into B) error {
	into.Clear()
	for _, d := range dicts {
		var err error
		if *pl, err = d.PostingsList(term, nil, *pl); err != nil {
			return fmt.Errorf("read postings of %q: %w", term, err)
		}
		if (*pl).Count() == 0 {
			continue
		}
		*it = (*pl).Iterator(false, false, false, *it)
		if o, ok := (*it).(segment.OptimizablePostingsIterator); ok {
			if bm, ok := any(o.ActualBitmap()).(B); ok && o.ActualBitmap() != nil {
				into.Or(bm)
				continue
			}
			if doc, ok := o.DocNum1Hit(); ok {
				into.Add(uint32(doc))
				continue
			}
		}
		for {
			p, err := (*it).Next()
			if err != nil {
				return fmt.Errorf("read postings of %q: %w", term, err)
			}
			if p == nil {
				break
			}
			into.Add(uint32(p.Number()))
		}
	}
	return nil
}
