package zh

import (
	"bytes"
	"fmt"
	"slices"
)

// trie is a double-array trie over bytes (Aoe's structure, built the way
// darts builds it): from state s, byte c leads to t = base[s]+c when
// check[t] == s. A key ends at s when the label-0 slot t0 = base[s] has
// check[t0] == s; base[t0] is then -(value+1). Root is state 0. Both
// arrays are flat, so a trie is written to and read from a file as is.
type trie struct {
	base  []int32
	check []int32
}

const trieFree = -1

// buildTrie builds the trie of keys, which must be sorted, unique, not
// empty and free of zero bytes; key i gets value vals[i] (at least 0).
func buildTrie(keys [][]byte, vals []int32) (trie, error) {
	for i, k := range keys {
		if len(k) == 0 || bytes.IndexByte(k, 0) >= 0 {
			return trie{}, fmt.Errorf("trie key %q: empty or holds a zero byte", k)
		}
		if i > 0 && bytes.Compare(keys[i-1], k) >= 0 {
			return trie{}, fmt.Errorf("trie keys not sorted and unique at %q", k)
		}
	}
	b := trieBuilder{keys: keys, vals: vals}
	b.grow(1 << 16)
	b.check[0] = -2 // the root is nobody's child
	if len(keys) > 0 {
		b.place(0, 0, len(keys), 0)
	}
	// Trim the unused tail.
	n := len(b.check)
	for n > 1 && b.check[n-1] == trieFree {
		n--
	}
	return trie{base: slices.Clip(b.base[:n]), check: slices.Clip(b.check[:n])}, nil
}

type trieBuilder struct {
	keys  [][]byte
	vals  []int32
	base  []int32
	check []int32
	next  int // no free slot below this one
}

func (b *trieBuilder) grow(n int) {
	for len(b.check) < n {
		b.base = append(b.base, 0)
		b.check = append(b.check, trieFree)
	}
}

// place gives state s, whose keys are keys[lo:hi] sharing their first
// depth bytes, its children and recurses into them.
func (b *trieBuilder) place(s, lo, hi, depth int) {
	// The children's labels, ascending (0 first: the key ending here).
	type child struct {
		label  int
		lo, hi int
	}
	var kids []child
	for i := lo; i < hi; {
		label := 0
		if depth < len(b.keys[i]) {
			label = int(b.keys[i][depth])
		}
		j := i + 1
		for j < hi && (label == 0 && depth >= len(b.keys[j]) ||
			label != 0 && depth < len(b.keys[j]) && int(b.keys[j][depth]) == label) {
			j++
		}
		kids = append(kids, child{label, i, j})
		i = j
	}
	// The least base whose slots are all free.
	for b.next < len(b.check) && b.check[b.next] != trieFree {
		b.next++
	}
	first := kids[0].label
	base := max(b.next-first, 1)
	for {
		b.grow(base + 256 + 1)
		ok := true
		for _, k := range kids {
			if b.check[base+k.label] != trieFree {
				ok = false
				break
			}
		}
		if ok {
			break
		}
		base++
	}
	b.base[s] = int32(base)
	for _, k := range kids {
		b.check[base+k.label] = int32(s)
	}
	for _, k := range kids {
		t := base + k.label
		if k.label == 0 {
			b.base[t] = -(b.vals[k.lo] + 1)
			continue
		}
		b.place(t, k.lo, k.hi, depth+1)
	}
}

// step follows byte c from state s; ok is false when no key continues so.
func (t *trie) step(s int32, c byte) (int32, bool) {
	n := t.base[s] + int32(c)
	if c == 0 || n < 0 || int(n) >= len(t.check) || t.check[n] != s {
		return 0, false
	}
	return n, true
}

// value returns the value of the key ending at state s, if one does.
func (t *trie) value(s int32) (int32, bool) {
	n := t.base[s]
	if n < 0 || int(n) >= len(t.check) || t.check[n] != s {
		return 0, false
	}
	return -t.base[n] - 1, true
}

// lookup returns the value of key, if it is one.
func (t *trie) lookup(key []byte) (int32, bool) {
	s := int32(0)
	for _, c := range key {
		var ok bool
		if s, ok = t.step(s, c); !ok {
			return 0, false
		}
	}
	return t.value(s)
}
