package zh

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/go-ego/gse"
)

// lexicon is gse's dictionary in flat arrays, with the segmentation of
// gse's Segmenter.Segment and its search-mode word trees reproduced
// exactly (TestLexicon_MatchesGse checks every dictionary word and whole
// corpora against gse). gse builds its dictionary from text and a tree of
// small objects on every start, about 1.3 s and 200 MB; a lexicon is
// about 25 MB of arrays, written once to a file and read back in
// milliseconds (cache.go).
type lexicon struct {
	trie trie
	// dist is each word's distance, log2(total frequency / frequency) in
	// float32 as gse computes it; the trie's values index it.
	dist []float32
	// subOff[w]:subOff[w+1] are word w's sub-words in subs: gse's
	// search-mode split of the word, children first-level only (a sub-word
	// that is a word has its own).
	subOff []uint32
	subs   []sub
	// maxAtoms is the longest word in atoms (gse's maxTokenLen).
	maxAtoms int32
}

// sub is a sub-word: bytes [start, end) of its word, and the word it is
// (noWord for a unit not in the dictionary).
type sub struct {
	start, end int32
	word       int32
}

const noWord = -1

// pseudoDistance is the distance gse gives an atom that is not in its
// dictionary.
const pseudoDistance = 32

// piece is one word of a segmentation: bytes [start, end) of the text and
// the dictionary word it is, or noWord.
type piece struct {
	start, end int32
	word       int32
}

// Start and End return the piece's byte offsets.
func (p piece) Start() int { return int(p.start) }
func (p piece) End() int   { return int(p.end) }

// word returns the word that ends at trie state s, if one does.
func (l *lexicon) word(s int32) (int32, bool) {
	w, ok := l.trie.value(s)
	return w, ok && w >= 0 && int(w) < len(l.dist)
}

// subWords returns word w's sub-words; none for noWord.
func (l *lexicon) subWords(w int32) []sub {
	if w < 0 {
		return nil
	}
	return l.subs[l.subOff[w]:l.subOff[w+1]]
}

// jumper is the best path so far to the end of an atom: its distance, and
// the last word on it (its length in atoms, and which word).
type jumper struct {
	dist  float32
	atoms int32
	word  int32
}

// cutBuf holds the scratch of one segmentation.
type cutBuf struct {
	atoms   []int32 // atom i is text[atoms[i]:atoms[i+1]]
	jumpers []jumper
}

var cutPool = sync.Pool{New: func() any { return new(cutBuf) }}

// segment appends to out the pieces of text, exactly as gse's
// Segmenter.Segment splits it (in accurate mode), and returns out.
func (l *lexicon) segment(text []byte, out []piece) []piece {
	if len(text) == 0 {
		return out
	}
	b := cutPool.Get().(*cutBuf)
	defer cutPool.Put(b)
	b.atoms = splitAtoms(text, b.atoms[:0])
	n := len(b.atoms) - 1
	if cap(b.jumpers) < n {
		b.jumpers = make([]jumper, n)
	}
	js := b.jumpers[:n]
	clear(js)
	for cur := 0; cur < n; cur++ {
		var base float32
		if cur > 0 {
			base = js[cur-1].dist
		}
		s := int32(0)
		found, firstAtoms := 0, int32(0)
	walk:
		for k := cur; k < n && int32(k-cur) < l.maxAtoms; k++ {
			for _, c := range text[b.atoms[k]:b.atoms[k+1]] {
				if 'A' <= c && c <= 'Z' {
					c += 'a' - 'A' // gse lowers ASCII letters
				}
				var ok bool
				if s, ok = l.trie.step(s, c); !ok {
					break walk
				}
			}
			if w, ok := l.word(s); ok {
				atoms := int32(k - cur + 1)
				if found == 0 {
					firstAtoms = atoms
				}
				found++
				jump(&js[k], base+l.dist[w], atoms, w)
			}
		}
		if found == 0 || firstAtoms > 1 {
			jump(&js[cur], base+pseudoDistance, 1, noWord)
		}
	}
	// Back from the end along the best path.
	first := len(out)
	for i := n - 1; i >= 0; {
		at := i - int(js[i].atoms) + 1
		out = append(out, piece{start: b.atoms[at], end: b.atoms[i+1], word: js[i].word})
		i = at - 1
	}
	slices.Reverse(out[first:])
	return out
}

// jump is gse's updateJumper: an unset jumper (distance 0) or a shorter
// path takes the word.
func jump(j *jumper, dist float32, atoms, word int32) {
	if j.dist == 0 || j.dist > dist {
		*j = jumper{dist: dist, atoms: atoms, word: word}
	}
}

// splitAtoms appends to atoms the start of every atom of text, as gse's
// SplitTextToWords cuts it, then len(text): a run of letters and digits
// of at most two UTF-8 bytes each is one atom, every other character is
// one.
func splitAtoms(text []byte, atoms []int32) []int32 {
	inRun := false
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRune(text[i:])
		if size <= 2 && (unicode.IsLetter(r) || unicode.IsNumber(r)) {
			if !inRun {
				atoms = append(atoms, int32(i))
				inRun = true
			}
		} else {
			inRun = false
			atoms = append(atoms, int32(i))
		}
		i += size
	}
	return append(atoms, int32(len(text)))
}

// lexiconFrom copies the dictionary of a loaded gse segmenter, whose
// tokens' distances and sub-word trees are computed (CalcToken has run).
func lexiconFrom(seg *gse.Segmenter) (*lexicon, error) {
	d := seg.Dict
	// The live words: a word added again (ReAddToken) leaves its old
	// token behind in Tokens, out of the trie.
	type entry struct {
		key []byte
		old int
	}
	var live []entry
	for i := range d.Tokens {
		key := []byte(d.Tokens[i].Text())
		if v, _, err := d.Value(key); err == nil && v == i {
			live = append(live, entry{key, i})
		}
	}
	sort.Slice(live, func(i, j int) bool { return string(live[i].key) < string(live[j].key) })
	id := make(map[*gse.Token]int32, len(live))
	keys := make([][]byte, len(live))
	vals := make([]int32, len(live))
	for i, e := range live {
		id[&d.Tokens[e.old]] = int32(i)
		keys[i], vals[i] = e.key, int32(i)
	}
	t, err := buildTrie(keys, vals)
	if err != nil {
		return nil, err
	}
	l := &lexicon{trie: t, dist: make([]float32, len(live)), subOff: make([]uint32, len(live)+1), maxAtoms: int32(d.MaxTokenLen())}
	logTotal := float32(math.Log2(d.TotalFreq()))
	for i, e := range live {
		tok := &d.Tokens[e.old]
		l.dist[i] = logTotal - float32(math.Log2(tok.Freq()))
		for _, s := range tok.Segments() {
			w, ok := id[s.Token()]
			if !ok {
				w = noWord
				if len(s.Token().Segments()) > 0 {
					return nil, fmt.Errorf("word %q: sub-word %q has sub-words but is not in the dictionary", e.key, s.Token().Text())
				}
			}
			l.subs = append(l.subs, sub{start: int32(s.Start()), end: int32(s.End()), word: w})
		}
		l.subOff[i+1] = uint32(len(l.subs))
	}
	return l, nil
}
