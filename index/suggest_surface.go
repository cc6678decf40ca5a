package index

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/blevesearch/bleve/v2/index/scorch"
	segment "github.com/blevesearch/scorch_segment_api/v2"

	"github.com/wensou/wensou/index/zh"
)

// English words are indexed stemmed (inflation is inflat), which is no
// word to offer. A stem's surface forms are read from a few of the
// places it occurs in (term vectors point into the stored text) the first
// time it is offered, and kept for the life of the index.

// surfaceForm is a word as written (folded), and how often the sample
// had it.
type surfaceForm struct {
	text string
	n    int
}

// surfaceCache maps stems to their surface forms, commonest first. It is
// safe for concurrent use.
type surfaceCache struct {
	mu sync.RWMutex
	m  map[string][]surfaceForm
}

// maxSurfaces caps the stems a cache keeps; past it, it starts again.
const maxSurfaces = 1 << 17

// Sampling: the first documents of a segment holding the stem, the first
// places in each.
const (
	surfaceDocs   = 4
	surfacePlaces = 4
)

// stemmed reports whether an indexed term may be a stem, whose surface
// forms differ from it: the analyzers stem lower-case ASCII words longer
// than two letters (see [zh.Stem]).
func stemmed(term []byte) bool {
	if len(term) <= 2 {
		return false
	}
	for _, c := range term {
		if c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

// forms returns the surface forms of term, reading them from ss when they
// are not known yet.
func (c *surfaceCache) forms(ss *scorch.SegmentSnapshot, term []byte) ([]surfaceForm, error) {
	c.mu.RLock()
	f, ok := c.m[string(term)]
	c.mu.RUnlock()
	if ok {
		return f, nil
	}
	f, err := sampleForms(ss.Segment(), term)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.m == nil || len(c.m) >= maxSurfaces {
		c.m = map[string][]surfaceForm{}
	}
	c.m[string(term)] = f
	c.mu.Unlock()
	return f, nil
}

// sampleForms reads how term is written where it occurs in seg, deleted
// documents included (a deleted article still shows how a word is
// spelled).
func sampleForms(seg segment.Segment, term []byte) ([]surfaceForm, error) {
	counts := map[string]int{}
	for _, field := range []string{FieldBody, FieldTitle} {
		d, err := seg.Dictionary(field)
		if err != nil {
			return nil, fmt.Errorf("open the %s dictionary: %w", field, err)
		}
		pl, err := d.PostingsList(term, nil, nil)
		if err != nil {
			return nil, fmt.Errorf("read postings of %q: %w", term, err)
		}
		it := pl.Iterator(false, false, true, nil)
		for docs := 0; docs < surfaceDocs; docs++ {
			p, err := it.Next()
			if err != nil {
				return nil, fmt.Errorf("read postings of %q: %w", term, err)
			}
			if p == nil {
				break
			}
			type place struct{ start, end uint64 }
			var places []place
			for _, l := range p.Locations() {
				if len(places) == surfacePlaces {
					break
				}
				places = append(places, place{l.Start(), l.End()})
			}
			var text []byte
			err = seg.VisitStoredFields(p.Number(), func(f string, _ byte, value []byte, _ []uint64) bool {
				if f == field {
					text = value
					return false
				}
				return true
			})
			if err != nil {
				return nil, fmt.Errorf("read document %d: %w", p.Number(), err)
			}
			for _, pl := range places {
				if pl.start < pl.end && pl.end <= uint64(len(text)) {
					counts[zh.Fold(string(text[pl.start:pl.end]))]++
				}
			}
		}
		if len(counts) > 0 {
			break
		}
	}
	out := make([]surfaceForm, 0, len(counts))
	for text, n := range counts {
		if zh.Stem(text) == string(term) { // a form of this stem, nothing odd
			out = append(out, surfaceForm{text, n})
		}
	}
	slices.SortFunc(out, func(a, b surfaceForm) int {
		if c := cmp.Compare(b.n, a.n); c != 0 {
			return c
		}
		if c := cmp.Compare(len(a.text), len(b.text)); c != 0 {
			return c
		}
		return strings.Compare(a.text, b.text)
	})
	return out, nil
}
