package index

import (
	"bytes"
	"context"
	"math"
	"slices"
	"sync"
)

// Ranking completions over the segments of a snapshot: the keys with
// the most live documents in all segments together.
//
// Each segment lists the keys of its range most common first (see
// descending), by its own counts, which are upper bounds of its live
// counts. The lists are read in the order of their next count (the
// threshold algorithm of Fagin, Lotem and Naor): each key met is counted
// exactly in every segment, and the reading stops once the n-th best
// exact total is at least the sum of the next counts, which no key still
// unread can pass. Keys with equal totals come in byte order (the order
// they are read in); which of them tie with the n-th best is left to the
// reading order.

// rankView is one segment's part in a ranking: its keys [lo, hi) of d.
type rankView struct {
	d      *completionDict
	lo, hi int
	// live returns the live count of key i of d; nil when d's counts are
	// the live counts.
	live func(i int) (uint64, error)
	// limit caps every live count in the view (the documents that hold
	// the context words); math.MaxUint64 for none.
	limit uint64
}

// rankedKey is a key and its live count in all views.
type rankedKey struct {
	key   []byte
	count uint64
	view  int // the first view it was met in, and its index there
	idx   int
	text  string // what accept made of it
}

// acceptFunc decides whether a key is offered, and what it shows as.
type acceptFunc func(view, idx int, key []byte) (string, bool, error)

// rankScratch is a ranking's reusable memory.
type rankScratch struct {
	its   []descending
	heads []int
	seen  map[string]struct{}
	out   []rankedKey
}

var rankPool = sync.Pool{New: func() any { return &rankScratch{seen: map[string]struct{}{}} }}

// rankKeys returns up to n keys of the views' ranges with the largest
// live totals, largest first, among those with a total of at least least
// that accept takes. seeds are keys outside the ranges to consider too
// (English stems shorter than what was typed). It reads at most limit
// keys; past that, the totals are still exact but a key with a larger
// one may be missing.
func rankKeys(ctx context.Context, views []rankView, seeds [][]byte, n int, least uint64, limit int, accept acceptFunc) ([]rankedKey, error) {
	sc := rankPool.Get().(*rankScratch)
	defer func() {
		clear(sc.seen)
		for i := range sc.its {
			sc.its[i].d = nil
		}
		sc.out = sc.out[:0]
		rankPool.Put(sc)
	}()

	// consider counts the key met in view v at idx, in every view (over
	// its whole dictionary for a seed, else over its range), and keeps it
	// if it is among the n best so far.
	consider := func(v, idx int, key []byte, seed bool) error {
		if _, ok := sc.seen[string(key)]; ok {
			return nil
		}
		sc.seen[string(key)] = struct{}{}
		var total uint64
		for w := range views {
			vw := &views[w]
			j := idx
			if w != v {
				lo, hi := vw.lo, vw.hi
				if seed {
					lo, hi = 0, vw.d.len()
				}
				var ok bool
				if j, ok = vw.d.find(key, lo, hi); !ok {
					continue
				}
			}
			c := uint64(vw.d.count[j])
			if vw.live != nil {
				var err error
				if c, err = vw.live(j); err != nil {
					return err
				}
			}
			total += min(c, vw.limit)
		}
		if total < max(least, 1) {
			return nil
		}
		if len(sc.out) == n && !better(total, key, sc.out[n-1]) {
			return nil
		}
		text, ok, err := accept(v, idx, key)
		if err != nil || !ok {
			return err
		}
		rk := rankedKey{key: key, count: total, view: v, idx: idx, text: text}
		i, _ := slices.BinarySearchFunc(sc.out, rk, func(a, b rankedKey) int {
			if better(b.count, b.key, a) {
				return 1
			}
			return -1
		})
		sc.out = slices.Insert(sc.out, i, rk)
		if len(sc.out) > n {
			sc.out = sc.out[:n]
		}
		return nil
	}

	for _, s := range seeds {
		for v := range views {
			if idx, ok := views[v].d.find(s, 0, views[v].d.len()); ok {
				if err := consider(v, idx, s, true); err != nil {
					return nil, err
				}
				break
			}
		}
	}

	if cap(sc.its) < len(views) {
		sc.its = make([]descending, len(views))
	}
	sc.its = sc.its[:len(views)]
	sc.heads = sc.heads[:0]
	var sum uint64 // of the heads' bounds: no unread key has a larger total
	bound := func(v int) uint64 { return min(uint64(sc.its[v].bound()), views[v].limit) }
	for v := range views {
		sc.its[v].reset(views[v].d, views[v].lo, views[v].hi)
		if sc.its[v].peek() >= 0 {
			sc.heads = append(sc.heads, v)
			sum += bound(v)
		}
	}
	h := headHeap{heads: &sc.heads, bound: bound, key: func(v int) []byte { return views[v].d.key(sc.its[v].peek()) }}
	h.init()
	for read := 0; len(sc.heads) > 0 && read < limit; read++ {
		if (len(sc.out) == n && sc.out[n-1].count >= sum) || sum < least {
			break
		}
		if read%64 == 63 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		v := sc.heads[0]
		it := &sc.its[v]
		idx := it.peek()
		key := views[v].d.key(idx)
		sum -= bound(v)
		it.next()
		if it.peek() >= 0 {
			sum += bound(v)
			h.fix()
		} else {
			h.pop()
		}
		if err := consider(v, idx, key, false); err != nil {
			return nil, err
		}
	}
	return slices.Clone(sc.out), nil
}

// better reports whether a key with total count ranks above r.
func better(count uint64, key []byte, r rankedKey) bool {
	if count != r.count {
		return count > r.count
	}
	return bytes.Compare(key, r.key) < 0
}

// headHeap is a max-heap of view indexes by their next bound, then by
// their next key (the smaller first).
type headHeap struct {
	heads *[]int
	bound func(v int) uint64
	key   func(v int) []byte
}

// above reports whether view a's head comes before view b's.
func (h headHeap) above(a, b int) bool {
	if ba, bb := h.bound(a), h.bound(b); ba != bb {
		return ba > bb
	}
	return bytes.Compare(h.key(a), h.key(b)) < 0
}

func (h headHeap) init() {
	for i := len(*h.heads)/2 - 1; i >= 0; i-- {
		h.down(i)
	}
}

// fix restores the heap after the top's bound went down.
func (h headHeap) fix() { h.down(0) }

// pop removes the top.
func (h headHeap) pop() {
	s := *h.heads
	last := len(s) - 1
	s[0] = s[last]
	*h.heads = s[:last]
	if last > 0 {
		h.down(0)
	}
}

func (h headHeap) down(i int) {
	s := *h.heads
	for {
		c := 2*i + 1
		if c >= len(s) {
			return
		}
		if c+1 < len(s) && h.above(s[c+1], s[c]) {
			c++
		}
		if !h.above(s[c], s[i]) {
			return
		}
		s[i], s[c] = s[c], s[i]
		i = c
	}
}

// noLimit is a rankView's limit when nothing caps its counts.
const noLimit = math.MaxUint64
