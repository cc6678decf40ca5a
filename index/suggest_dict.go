package index

import (
	"bytes"
	"sort"
)

// completionDict is one source of completions within one segment: keys
// (terms, or titles in their search form) sorted bytewise, each with the
// number of the segment's documents holding it, deleted ones included
// (the segment never changes; deletions are applied per request). An
// argmax tree over the counts lists any key range most common first, so
// that a short prefix with thousands of keys costs a few steps per
// completion rather than a scan. It is immutable once built and safe for
// concurrent use.
type completionDict struct {
	keys  []byte
	ends  []uint32 // key i is keys[start(i):ends[i]]
	count []uint32

	// tree[size+i] = i; tree[j] is the index of the largest count under
	// node j (the smaller index on ties), -1 for none.
	tree []int32
	size int

	// Titles only: the documents holding key i are docs[docStart[i]:
	// docStart[i+1]], and shown[i] is the title of the first of them as
	// stored, to show.
	docStart []uint32
	docs     []uint32
	shown    []string
}

// dictBuilder collects keys in order.
type dictBuilder struct {
	d completionDict
}

// add appends a key, which must sort after the previous one.
func (b *dictBuilder) add(key []byte, count uint32) {
	b.d.keys = append(b.d.keys, key...)
	b.d.ends = append(b.d.ends, uint32(len(b.d.keys)))
	b.d.count = append(b.d.count, count)
}

// finish builds the tree and returns the dictionary.
func (b *dictBuilder) finish() *completionDict {
	d := &b.d
	n := len(d.count)
	d.size = 1
	for d.size < n {
		d.size <<= 1
	}
	d.tree = make([]int32, 2*d.size)
	for i := range d.size {
		if i < n {
			d.tree[d.size+i] = int32(i)
		} else {
			d.tree[d.size+i] = -1
		}
	}
	for j := d.size - 1; j >= 1; j-- {
		d.tree[j] = d.better(d.tree[2*j], d.tree[2*j+1])
	}
	return d
}

func (d *completionDict) len() int { return len(d.ends) }

func (d *completionDict) key(i int) []byte {
	start := uint32(0)
	if i > 0 {
		start = d.ends[i-1]
	}
	return d.keys[start:d.ends[i]]
}

// better returns whichever of two key indexes has the larger count, the
// smaller index on ties; -1 stands for none.
func (d *completionDict) better(a, b int32) int32 {
	switch {
	case a < 0:
		return b
	case b < 0:
		return a
	case d.count[b] > d.count[a] || (d.count[b] == d.count[a] && b < a):
		return b
	}
	return a
}

// argmax returns the index of the largest count in [l, r), or -1.
func (d *completionDict) argmax(l, r int) int32 {
	best := int32(-1)
	for l, r = l+d.size, r+d.size; l < r; l, r = l>>1, r>>1 {
		if l&1 == 1 {
			best = d.better(best, d.tree[l])
			l++
		}
		if r&1 == 1 {
			r--
			best = d.better(best, d.tree[r])
		}
	}
	return best
}

// prefixRange returns the keys starting with prefix: [lo, hi).
func (d *completionDict) prefixRange(prefix []byte) (int, int) {
	n := d.len()
	lo := sort.Search(n, func(i int) bool { return bytes.Compare(d.key(i), prefix) >= 0 })
	hi := lo + sort.Search(n-lo, func(i int) bool { return !bytes.HasPrefix(d.key(lo+i), prefix) })
	return lo, hi
}

// find returns the index of key within [lo, hi), and whether it is there.
func (d *completionDict) find(key []byte, lo, hi int) (int, bool) {
	i := lo + sort.Search(hi-lo, func(i int) bool { return bytes.Compare(d.key(lo+i), key) >= 0 })
	return i, i < hi && bytes.Equal(d.key(i), key)
}

// titleDocs returns the documents holding title key i.
func (d *completionDict) titleDocs(i int) []uint32 {
	return d.docs[d.docStart[i]:d.docStart[i+1]]
}

// span is a run of keys [l, r) and the one of them with the largest count.
type span struct{ l, r, m int32 }

// descending lists the keys of a range most common first. The zero value
// lists nothing; it is not safe for concurrent use.
type descending struct {
	d    *completionDict
	heap []span // a max-heap by count of m
}

// reset starts listing the keys [lo, hi) of d, reusing the heap's memory.
func (it *descending) reset(d *completionDict, lo, hi int) {
	it.d = d
	it.heap = it.heap[:0]
	it.push(lo, hi)
}

func (it *descending) push(l, r int) {
	if l >= r {
		return
	}
	it.heap = append(it.heap, span{int32(l), int32(r), it.d.argmax(l, r)})
	// Sift up.
	for j := len(it.heap) - 1; j > 0; {
		p := (j - 1) / 2
		if !it.less(p, j) {
			break
		}
		it.heap[p], it.heap[j] = it.heap[j], it.heap[p]
		j = p
	}
}

// less reports whether heap entry a comes after entry b.
func (it *descending) less(a, b int) bool {
	ma, mb := it.heap[a].m, it.heap[b].m
	return it.d.better(ma, mb) == mb && ma != mb
}

// peek returns the next key index, or -1 when the range is exhausted.
func (it *descending) peek() int {
	if len(it.heap) == 0 {
		return -1
	}
	return int(it.heap[0].m)
}

// bound returns the count of the next key: no key still to come has more.
func (it *descending) bound() uint32 {
	if len(it.heap) == 0 {
		return 0
	}
	return it.d.count[it.heap[0].m]
}

// next drops the next key and makes way for the one after it.
func (it *descending) next() {
	top := it.heap[0]
	last := len(it.heap) - 1
	it.heap[0] = it.heap[last]
	it.heap = it.heap[:last]
	// Sift down.
	for j := 0; ; {
		c := 2*j + 1
		if c >= len(it.heap) {
			break
		}
		if c+1 < len(it.heap) && it.less(c, c+1) {
			c++
		}
		if !it.less(j, c) {
			break
		}
		it.heap[j], it.heap[c] = it.heap[c], it.heap[j]
		j = c
	}
	it.push(int(top.l), int(top.m))
	it.push(int(top.m)+1, int(top.r))
}
