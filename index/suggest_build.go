package index

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	segment "github.com/blevesearch/scorch_segment_api/v2"

	"github.com/wensou/wensou/index/pinyin"
	"github.com/wensou/wensou/index/zh"
)

// Building the completion dictionaries of one segment. A segment never
// changes, so they are built once (see suggest_cache.go); deletions,
// which scorch keeps beside the segment, are taken into account when a
// request counts.

// wordFields are the fields whose terms complete words: an article holds
// a word when its title or its body does. (The pinyin of the words is
// another source of keys, with the same machinery: see buildPinyin.)
var wordFields = []string{FieldTitle, FieldBody}

// postingsFunc returns a term's postings list in a dictionary, with or
// without the segment's deleted documents. (It hides the bitmap type of
// the deletions, which this package does not name.)
type postingsFunc func(d segment.TermDictionary, term []byte, prealloc segment.PostingsList) (segment.PostingsList, error)

// allPostings is a postingsFunc keeping deleted documents.
func allPostings(d segment.TermDictionary, term []byte, prealloc segment.PostingsList) (segment.PostingsList, error) {
	return d.PostingsList(term, nil, prealloc)
}

// unionCounter counts the documents holding a term in any of several
// fields. It reuses its postings lists and iterators: it is not safe for
// concurrent use.
type unionCounter struct {
	dicts    []segment.TermDictionary
	postings postingsFunc
	pl       []segment.PostingsList
	it       []segment.PostingsIterator
	docs     []uint64
}

func newUnionCounter(seg segment.Segment, fields []string, postings postingsFunc) (*unionCounter, error) {
	u := &unionCounter{postings: postings, pl: make([]segment.PostingsList, len(fields)), it: make([]segment.PostingsIterator, len(fields))}
	for _, f := range fields {
		d, err := seg.Dictionary(f)
		if err != nil {
			return nil, fmt.Errorf("open the %s dictionary: %w", f, err)
		}
		u.dicts = append(u.dicts, d)
	}
	return u, nil
}

// count returns the number of documents holding term in any field.
func (u *unionCounter) count(term []byte) (uint64, error) {
	nonEmpty, last := 0, -1
	for i, d := range u.dicts {
		pl, err := u.postings(d, term, u.pl[i])
		if err != nil {
			return 0, fmt.Errorf("read postings of %q: %w", term, err)
		}
		u.pl[i] = pl
		if pl.Count() > 0 {
			nonEmpty++
			last = i
		}
	}
	switch nonEmpty {
	case 0:
		return 0, nil
	case 1:
		return u.pl[last].Count(), nil
	}
	if len(u.dicts) == 2 {
		if n, ok := u.pairCount(); ok {
			return n, nil
		}
	}
	// Any number of fields, any kind of postings: merge the documents.
	u.docs = u.docs[:0]
	for i, pl := range u.pl {
		if pl.Count() == 0 {
			continue
		}
		u.it[i] = pl.Iterator(false, false, false, u.it[i])
		for {
			p, err := u.it[i].Next()
			if err != nil {
				return 0, fmt.Errorf("read postings of %q: %w", term, err)
			}
			if p == nil {
				break
			}
			u.docs = append(u.docs, p.Number())
		}
	}
	slices.Sort(u.docs)
	return uint64(len(slices.Compact(u.docs))), nil
}

// pairCount counts the union of two non-empty postings lists from their
// bitmaps, when the segment exposes them (zap does).
func (u *unionCounter) pairCount() (uint64, bool) {
	for i, pl := range u.pl {
		u.it[i] = pl.Iterator(false, false, false, u.it[i])
	}
	a, ok1 := u.it[0].(segment.OptimizablePostingsIterator)
	b, ok2 := u.it[1].(segment.OptimizablePostingsIterator)
	if !ok1 || !ok2 {
		return 0, false
	}
	ba, bb := a.ActualBitmap(), b.ActualBitmap()
	da, oneA := a.DocNum1Hit()
	db, oneB := b.DocNum1Hit()
	switch {
	case ba != nil && bb != nil:
		return ba.OrCardinality(bb), true
	case ba != nil && oneB:
		if ba.Contains(uint32(db)) {
			return ba.GetCardinality(), true
		}
		return ba.GetCardinality() + 1, true
	case bb != nil && oneA:
		if bb.Contains(uint32(da)) {
			return bb.GetCardinality(), true
		}
		return bb.GetCardinality() + 1, true
	case oneA && oneB:
		if da == db {
			return 1, true
		}
		return 2, true
	}
	return 0, false
}

// buildWords builds the word dictionary of a segment: every term of the
// fields, with the number of documents holding it in any of them.
// With a non-empty prefix, only the terms starting with it (a request's
// stand-in for a segment whose dictionary is still being built); their
// counts are then upper bounds, the sum over the fields.
func buildWords(seg segment.Segment, fields []string, prefix []byte) (*completionDict, error) {
	var start, end []byte
	if len(prefix) > 0 {
		start, end = prefix, prefixEnd(prefix)
	}
	type head struct {
		term  string
		count uint64
		ok    bool
	}
	iters := make([]segment.DictionaryIterator, len(fields))
	heads := make([]head, len(fields))
	advance := func(i int) error {
		e, err := iters[i].Next()
		if err != nil {
			return fmt.Errorf("read the %s dictionary: %w", fields[i], err)
		}
		if e == nil {
			heads[i] = head{}
			return nil
		}
		heads[i] = head{term: e.Term, count: e.Count, ok: true}
		return nil
	}
	for i, f := range fields {
		d, err := seg.Dictionary(f)
		if err != nil {
			return nil, fmt.Errorf("open the %s dictionary: %w", f, err)
		}
		iters[i] = d.AutomatonIterator(nil, start, end)
		if err := advance(i); err != nil {
			return nil, err
		}
	}
	var u *unionCounter
	if len(prefix) == 0 && len(fields) > 1 {
		var err error
		if u, err = newUnionCounter(seg, fields, allPostings); err != nil {
			return nil, err
		}
	}
	var b dictBuilder
	var in []int
	for {
		least := ""
		in = in[:0]
		for i, h := range heads {
			switch {
			case !h.ok:
			case len(in) == 0 || h.term < least:
				least, in = h.term, append(in[:0], i)
			case h.term == least:
				in = append(in, i)
			}
		}
		if len(in) == 0 {
			break
		}
		var n uint64
		for _, i := range in {
			n += heads[i].count
		}
		if len(in) > 1 && u != nil {
			var err error
			if n, err = u.count([]byte(least)); err != nil {
				return nil, err
			}
		}
		if n > 0 {
			b.add([]byte(least), uint32(min(n, 1<<32-1)))
		}
		for _, i := range in {
			if err := advance(i); err != nil {
				return nil, err
			}
		}
	}
	return b.finish(), nil
}

// prefixEnd returns the smallest key greater than every key starting with
// prefix, or nil when there is none.
func prefixEnd(prefix []byte) []byte {
	end := bytes.Clone(prefix)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}

// maxPhraseWords is the most words a phrase of a title has.
const maxPhraseWords = 4

// buildTitles builds the title and phrase dictionaries of a segment: the
// search form of every title (see titleForm) with the documents holding
// it, and the runs of two to maxPhraseWords adjacent words in titles, as
// an analyzes them (nothing but spaces between them), with the
// documents whose title holds them.
func buildTitles(seg segment.Segment, an *zh.Analyzer) (titles, phrases *completionDict, err error) {
	n := int(seg.Count())
	type entry struct {
		key string
		doc uint32
	}
	entries := make([]entry, 0, n)
	var grams []entry
	shown := make([]string, n)
	for d := range n {
		err := seg.VisitStoredFields(uint64(d), func(field string, _ byte, value []byte, _ []uint64) bool {
			if field == FieldTitle {
				shown[d] = string(value)
				return false
			}
			return true
		})
		if err != nil {
			return nil, nil, fmt.Errorf("read the title of document %d: %w", d, err)
		}
		title := shown[d]
		if key := titleForm(title, false); key != "" {
			entries = append(entries, entry{key, uint32(d)})
		}
		toks := an.Analyze([]byte(title))
		for i := range toks {
			for j := i + 1; j < len(toks) && j < i+maxPhraseWords; j++ {
				if strings.TrimSpace(title[toks[j-1].End:toks[j].Start]) != "" {
					break
				}
				grams = append(grams, entry{titleForm(title[toks[i].Start:toks[j].End], false), uint32(d)})
			}
		}
	}
	group := func(entries []entry, keepShown bool) *completionDict {
		slices.SortFunc(entries, func(a, b entry) int {
			if c := strings.Compare(a.key, b.key); c != 0 {
				return c
			}
			return int(a.doc) - int(b.doc)
		})
		entries = slices.Compact(entries) // a phrase twice in a title
		var b dictBuilder
		for i := 0; i < len(entries); {
			j := i + 1
			for j < len(entries) && entries[j].key == entries[i].key {
				j++
			}
			b.add([]byte(entries[i].key), uint32(j-i))
			b.d.docStart = append(b.d.docStart, uint32(len(b.d.docs)))
			for _, e := range entries[i:j] {
				b.d.docs = append(b.d.docs, e.doc)
			}
			if keepShown {
				b.d.shown = append(b.d.shown, shown[entries[i].doc])
			}
			i = j
		}
		b.d.docStart = append(b.d.docStart, uint32(len(b.d.docs)))
		return b.finish()
	}
	return group(entries, true), group(grams, false), nil
}

// titleForm is the form in which titles are matched against what is
// typed: folded as the analyzers fold (full-width to ASCII, Traditional
// to Simplified, lower case), every run of white space one space, and
// without the punctuation or spaces it starts with (“Oil” is found by
// oil). A stored title also loses its trailing spaces; a typed one keeps
// one, so that "oil " completes to "oil prices" but not "oilfield".
func titleForm(s string, typed bool) string {
	var b strings.Builder
	b.Grow(len(s))
	walkTitleForm(s, func(_ int, r rune) { b.WriteRune(r) })
	out := b.String()
	if !typed {
		out = strings.TrimRight(out, " ")
	}
	return out
}

// walkTitleForm calls emit with each rune of s's title form and the byte
// offset in s of the rune it comes from.
func walkTitleForm(s string, emit func(at int, r rune)) {
	// Folding maps each character to one character: walk both strings
	// in step.
	folded := zh.Fold(s)
	started, space := false, false
	j := 0
	for i := range s {
		f, size := utf8.DecodeRuneInString(folded[j:])
		j += size
		switch {
		case unicode.IsSpace(f):
			space = started
			continue
		case !started && !unicode.IsLetter(f) && !unicode.IsNumber(f):
			continue
		}
		if space {
			emit(i, ' ')
			space = false
		}
		started = true
		emit(i, f)
	}
	if space {
		emit(len(s), ' ')
	}
}

// titleMark returns the bytes of title, as stored, that the first n bytes
// of its title form come from: [start, end).
func titleMark(title string, n int) (int, int) {
	start, end, out := -1, 0, 0
	walkTitleForm(title, func(at int, r rune) {
		if out >= n {
			return
		}
		if start < 0 {
			start = at
		}
		out += utf8.RuneLen(r)
		if r == ' ' {
			// One space stands for the run of white space before at.
			end = at
			return
		}
		_, size := utf8.DecodeRuneInString(title[at:])
		end = at + size
	})
	if start < 0 {
		return 0, 0
	}
	return start, end
}

// Pinyin completions: the pinyin of the segment's Chinese words.
const (
	// pinyinKeysPerWord bounds the readings of a word of polyphones
	// that are keys.
	pinyinKeysPerWord = 4
	pinyinWordChars   = 8 // longer words are not completed from pinyin
)

// buildPinyin builds the pinyin dictionary of a segment from its word
// dictionary: for each word of two to pinyinWordChars Han characters, a
// key per reading, the reading then a zero byte then the word (so that
// keys are unique: zhiye\x00职业), counted as the word is. word[i] is the
// index in words of key i's word.
func buildPinyin(words *completionDict) (*completionDict, []int32) {
	type entry struct {
		key  string
		word int32
	}
	var entries []entry
	for i := range words.len() {
		w := words.key(i)
		if n := utf8.RuneCount(w); n < 2 || n > pinyinWordChars || w[0] < utf8.RuneSelf {
			continue
		}
		for _, k := range pinyin.Keys(string(w), pinyinKeysPerWord) {
			entries = append(entries, entry{k + "\x00" + string(w), int32(i)})
		}
	}
	slices.SortFunc(entries, func(a, b entry) int { return strings.Compare(a.key, b.key) })
	var b dictBuilder
	word := make([]int32, len(entries))
	for i, e := range entries {
		b.add([]byte(e.key), words.count[e.word])
		word[i] = e.word
	}
	return b.finish(), word
}
