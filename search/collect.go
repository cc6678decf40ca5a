package search

import (
	"container/heap"
	"context"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"sync"

	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/wensou/wensou/index"
)

// ranked is a hit with what it is sorted by.
type ranked struct {
	doc   index.Doc
	score float64
	date  int64 // index.NoDate when unknown
	key   uint64
}

// less reports whether a ranks after b (is worse) in order s.
// Relevance: score, then newest, then key. Newest and oldest: date
// (undated articles last), then score, then key.
func (a ranked) after(b ranked, s Sort) bool {
	if s == SortRelevance {
		if a.score != b.score {
			return a.score < b.score
		}
		if a.date != b.date {
			return a.date < b.date
		}
		return a.key > b.key
	}
	if a.date != b.date {
		switch {
		case a.date == index.NoDate:
			return true
		case b.date == index.NoDate:
			return false
		case s == SortNewest:
			return a.date < b.date
		default:
			return a.date > b.date
		}
	}
	if a.score != b.score {
		return a.score < b.score
	}
	return a.key > b.key
}

// cursor encodes the hit's sort key for Request.After.
func (a ranked) cursor(s Sort) string { return a.encode(sortByte(s)) }

// windowCursor encodes the key of a hit of a relevance search re-ranked
// in the rescore window: its score is the re-ranked one.
func (a ranked) windowCursor() string { return a.encode(windowByte) }

func (a ranked) encode(kind byte) string {
	var b [25]byte
	b[0] = kind
	binary.BigEndian.PutUint64(b[1:], math.Float64bits(a.score))
	binary.BigEndian.PutUint64(b[9:], uint64(a.date))
	binary.BigEndian.PutUint64(b[17:], a.key)
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// windowByte marks the cursor of a hit in the rescore window.
const windowByte = 'p'

func sortByte(s Sort) byte {
	switch s {
	case SortNewest:
		return 'n'
	case SortOldest:
		return 'o'
	}
	return 'r'
}

// parseCursor reads a cursor made by ranked.cursor for sort s.
func parseCursor(c string, s Sort) (ranked, error) {
	h, _, err := parseCursorWindow(c, s)
	return h, err
}

// parseCursorWindow reads a cursor for sort s, and whether it is one of
// a hit in the rescore window (ranked.windowCursor).
func parseCursorWindow(c string, s Sort) (ranked, bool, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || len(b) != 25 {
		return ranked{}, false, fmt.Errorf("%w: after is not a cursor from this API", ErrBadRequest)
	}
	window := b[0] == windowByte && s == SortRelevance
	if b[0] != sortByte(s) && !window {
		return ranked{}, false, fmt.Errorf("%w: after is a cursor for another sort order", ErrBadRequest)
	}
	return ranked{
		score: math.Float64frombits(binary.BigEndian.Uint64(b[1:])),
		date:  int64(binary.BigEndian.Uint64(b[9:])),
		key:   binary.BigEndian.Uint64(b[17:]),
	}, window, nil
}

// worstFirst is a heap of the best hits so far, the worst on top.
type worstFirst struct {
	hits []ranked
	sort Sort
}

func (h *worstFirst) Len() int           { return len(h.hits) }
func (h *worstFirst) Less(i, j int) bool { return h.hits[i].after(h.hits[j], h.sort) }
func (h *worstFirst) Swap(i, j int)      { h.hits[i], h.hits[j] = h.hits[j], h.hits[i] }
func (h *worstFirst) Push(x any)         { h.hits = append(h.hits, x.(ranked)) }
func (h *worstFirst) Pop() any {
	x := h.hits[len(h.hits)-1]
	h.hits = h.hits[:len(h.hits)-1]
	return x
}

// Months between these years are counted in an array; others in a map.
const (
	monthFirstYear = 1800
	monthLastYear  = 2200
)

// collector is the state of one pass over the matches.
type collector struct {
	total        int
	afterCount   int     // hits after the cursor
	authorCounts []int32 // by author ordinal, ignoring the author filter
	monthBase    int32   // month of monthCounts[0]
	monthCounts  []int32 // ignoring the date filter
	otherMonths  map[int32]int
	best         worstFirst
}

// countsPool recycles the collectors' count arrays (an int32 an author
// of the index, and one a month of four centuries).
var countsPool sync.Pool

// counts returns n zeroed counters.
func counts(n int) []int32 {
	if p, ok := countsPool.Get().(*[]int32); ok && cap(*p) >= n {
		c := (*p)[:n]
		clear(c)
		return c
	}
	return make([]int32, n)
}

// release gives c's count arrays back; c is not used after.
func (c *collector) release() {
	for _, a := range [][]int32{c.authorCounts, c.monthCounts} {
		countsPool.Put(&a)
	}
	c.authorCounts, c.monthCounts = nil, nil
}

// collect runs q over r and gathers counts and the best hits. The author
// and date filters are applied here, from the columns, rather than in the
// query: the author facet counts articles as if no author were selected,
// and the year and month facets as if no dates were, so that a sidebar
// can offer the other choices.
func (s *Searcher) collect(ctx context.Context, r *index.Reader, q query.Query, req Request) (*collector, error) {
	keep := req.Page * req.Size
	var cur *ranked
	if req.After != "" {
		c, err := parseCursor(req.After, req.Sort)
		if err != nil {
			return nil, err
		}
		cur, keep = &c, req.Size
	}
	var sel []uint32 // selected authors' ordinals
	for _, a := range req.Authors {
		if o, ok := r.AuthorOrd(a); ok {
			sel = append(sel, o)
		}
	}
	authorFilter := len(req.Authors) > 0
	from, to := int64(math.MinInt64), int64(math.MaxInt64)
	dateFilter := !req.From.IsZero() || !req.To.IsZero()
	if !req.From.IsZero() {
		from = req.From.UnixNano()
	}
	if !req.To.IsZero() {
		to = req.To.UnixNano()
	}

	c := &collector{
		authorCounts: counts(r.AuthorCount()),
		monthBase:    monthFirstYear * 12,
		monthCounts:  counts((monthLastYear - monthFirstYear) * 12),
		best:         worstFirst{sort: req.Sort, hits: make([]ranked, 0, min(keep, 1024))},
	}
	var cols index.Columns
	relevance := req.Sort == SortRelevance
	err := r.Match(ctx, q, relevance, func(d index.Doc, score float64) {
		if d >= cols.End || d < cols.First {
			cols = r.Segment(d)
		}
		l := int(d - cols.First)
		authors := cols.AuthorOrds[cols.AuthorStart[l]:cols.AuthorStart[l+1]]
		authorOK := !authorFilter
		if authorFilter {
			for _, a := range authors {
				if slices.Contains(sel, a) {
					authorOK = true
					break
				}
			}
		}
		dateOK := true
		if dateFilter {
			date := cols.Date[l]
			dateOK = date != index.NoDate && date >= from && date <= to
		}
		if dateOK {
			for _, a := range authors {
				if int(a) < len(c.authorCounts) {
					c.authorCounts[a]++
				}
			}
		}
		if authorOK {
			if m := cols.Month[l]; m >= 0 {
				if i := m - c.monthBase; i >= 0 && int(i) < len(c.monthCounts) {
					c.monthCounts[i]++
				} else {
					if c.otherMonths == nil {
						c.otherMonths = map[int32]int{}
					}
					c.otherMonths[m]++
				}
			}
		}
		if !authorOK || !dateOK {
			return
		}
		c.total++
		if relevance && !c.mayEnter(score, cur, keep) {
			if cur == nil || score < cur.score {
				c.afterCount++
			}
			return
		}
		h := ranked{doc: d, score: score, date: cols.Date[l], key: cols.Key[l]}
		if cur != nil && !h.after(*cur, req.Sort) {
			return
		}
		c.afterCount++
		switch {
		case len(c.best.hits) < keep:
			heap.Push(&c.best, h)
		case c.best.hits[0].after(h, req.Sort):
			c.best.hits[0] = h
			heap.Fix(&c.best, 0)
		}
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// mayEnter reports whether a match of a relevance search with this score
// may rank after the cursor cur (nil without one) and enter the heap of
// the best keep hits. When it cannot, its score alone decides, and the
// date and key columns need not be read: most matches of a large match
// set end here.
func (c *collector) mayEnter(score float64, cur *ranked, keep int) bool {
	if cur != nil && score > cur.score {
		return false // ranks before the cursor
	}
	if cur != nil && score == cur.score {
		return true // the date and key decide
	}
	return len(c.best.hits) < keep || (keep > 0 && score >= c.best.hits[0].score)
}

// page returns the requested page of the best hits, best first.
func (c *collector) page(req Request) []ranked {
	hits := c.sorted(req.Sort)
	first := (req.Page - 1) * req.Size
	if req.After != "" {
		first = 0
	}
	if first >= len(hits) {
		return nil
	}
	return hits[first:min(first+req.Size, len(hits))]
}

// more reports whether hits follow a page of n.
func (c *collector) more(req Request, n int) bool {
	if n == 0 {
		return false
	}
	if req.After != "" {
		return c.afterCount > n
	}
	return c.total > (req.Page-1)*req.Size+n
}
