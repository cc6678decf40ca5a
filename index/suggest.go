package index

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"html"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/index/scorch"
	segment "github.com/blevesearch/scorch_segment_api/v2"

	"github.com/wensou/wensou/index/pinyin"
	"github.com/wensou/wensou/index/zh"
)

// Completions of what a person is typing: [Index.Suggest].

// Limits on the number of suggestions [Index.Suggest] returns.
const (
	DefaultSuggestions = 8
	MaxSuggestions     = 20
)

// SuggestionKind says where a suggestion comes from.
type SuggestionKind string

// The kinds of suggestion.
const (
	// SuggestWord completes the word being typed with a word of the
	// index (a Chinese word or compound, an English word as written),
	// keeping what was typed before it.
	SuggestWord SuggestionKind = "word"
	// SuggestPhrase is a run of words of an article title (two to four
	// adjacent words) that starts with what was typed: 职业教育 when gse
	// cuts it into 职业 and 教育.
	SuggestPhrase SuggestionKind = "phrase"
	// SuggestTitle is an article title that starts with what was typed.
	SuggestTitle SuggestionKind = "title"
)

// Suggestion is one completion of what was typed.
type Suggestion struct {
	// Text is what to search for: what was typed, completed.
	Text string         `json:"text"`
	Kind SuggestionKind `json:"kind"`
	// Count is the number of articles holding it: for a word, the
	// articles (live ones: deleted and replaced versions do not count)
	// whose title or body holds the completed word and every word typed
	// before it; for a title, the articles with that title.
	Count uint64 `json:"count"`
	// Highlight is Text as HTML, escaped, with <mark> around the part
	// that was typed.
	Highlight string `json:"highlight"`
	// ID is, for a title, the id of an article with that title.
	ID string `json:"id,omitempty"`
}

// Reading limits: a ranking reads at most this many keys (see rankKeys):
// fewer when earlier words must be counted with each one, and for titles,
// whose counts are mostly 1.
const (
	rankLimit        = 1000
	rankLimitContext = 32
	rankLimitTitles  = 64
)

// Suggest returns up to n completions of prefix, what a person has
// typed so far (n ≤ 0 means [DefaultSuggestions]; it is at most
// [MaxSuggestions]): words of the index that complete its last word,
// with the text before it kept ([SuggestWord]); runs of words that recur
// in titles and start with it ([SuggestPhrase]); and article titles that
// start with it ([SuggestTitle]). Each comes with the number of articles
// holding it, as a search for it finds them: for a word or a phrase,
// the articles whose title or body holds every word of its text; for a
// title, the articles with that title. They come most common first
// (words, then phrases, then titles on ties); phrases and titles get at
// least a quarter of the places each when some match. The typed text is
// folded as the index folds text: Traditional characters, full-width
// forms and upper case match their Simplified, ASCII and lower-case
// forms. An English word, indexed as its stem, is shown as written.
//
// Counts are exact: they count live documents, whatever the deletions
// not merged away yet. Suggest is safe for concurrent use and meant to
// be called on every keystroke; it stops with ctx's error when ctx is
// done.
//
// The segments' completion dictionaries are built on first use, the
// large ones in the background (see suggest_cache.go); until one is,
// its words are read from its term dictionaries (the same counts, more
// slowly) and its titles and phrases are not offered, though the counts
// of those offered include its articles.
func (ix *Index) Suggest(ctx context.Context, prefix string, n int) ([]Suggestion, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if n <= 0 {
		n = DefaultSuggestions
	}
	n = min(n, MaxSuggestions)
	s := ix.suggester()
	in := s.read(prefix)
	if len(in.tails) == 0 && in.title == "" {
		return []Suggestion{}, nil
	}
	snap, _, epoch, err := ix.snapshot()
	if err != nil {
		return nil, fmt.Errorf("suggest: %w", err)
	}
	defer snap.Close()
	out, err := s.suggest(ctx, epoch, snap, in, n)
	if err != nil {
		return nil, fmt.Errorf("suggest %q: %w", prefix, err)
	}
	return out, nil
}

// typed is what was typed, read for completion.
type typed struct {
	// tails are the ways to complete it, tried in order until one
	// completes: the last run of letters and digits, or of Han
	// characters; then, for a Han run, the tails of the run from each
	// word start in it (by the query analyzer), so that 中国职业 is
	// completed as 中国 + 职业教育 when no word starts with 中国职业.
	// None when the text ends in a space or punctuation.
	tails []tail
	title string // the whole text in title form (titleForm)
}

// tail is one way to complete what was typed.
type tail struct {
	head   string   // the text before the word being completed, as typed
	prefix string   // the word being completed, folded
	terms  [][]byte // the words of head as the index holds them
}

// read splits what was typed into the word being completed and what
// comes before it.
func (s *suggester) read(input string) typed {
	// Bytes that are not UTF-8 separate words, as the analyzers read them.
	input = strings.TrimLeftFunc(strings.ToValidUTF8(input, " "), unicode.IsSpace)
	in := typed{title: titleForm(input, true)}
	folded := zh.Fold(input)
	// Each character folds to one character: find the last run in the
	// folded text and cut the input at the same character.
	type char struct {
		at, foldedAt int
		class        int
	}
	var chars []char
	j := 0
	for i := range input {
		r, size := utf8.DecodeRuneInString(folded[j:])
		chars = append(chars, char{i, j, charClass(r)})
		j += size
	}
	if len(chars) == 0 || chars[len(chars)-1].class == classOther {
		return in
	}
	first := len(chars) - 1
	for first > 0 && chars[first-1].class == chars[first].class {
		first--
	}
	head := input[:chars[first].at]
	in.tails = append(in.tails, tail{head: head, prefix: folded[chars[first].foldedAt:], terms: s.terms(head)})
	if chars[first].class != classHan {
		return in
	}
	// The word being typed is near the end: tails from the last few word
	// starts only, however long the run.
	run := chars[first:]
	if len(run) > maxTailChars {
		run = run[len(run)-maxTailChars:]
	}
	var starts []int
	for _, t := range s.an.Analyze([]byte(folded[run[0].foldedAt:])) {
		k := slices.IndexFunc(run, func(c char) bool { return c.foldedAt-run[0].foldedAt == t.Start })
		if k > 0 && !slices.Contains(starts, k) {
			starts = append(starts, k)
		}
	}
	slices.Sort(starts)
	for _, k := range starts[max(0, len(starts)-maxTails):] {
		head := input[:run[k].at]
		in.tails = append(in.tails, tail{head: head, prefix: folded[run[k].foldedAt:], terms: s.terms(head)})
	}
	return in
}

// Limits on the tails of a Han run that are tried: the word starts among
// its last maxTailChars characters, the last maxTails of them.
const (
	maxTailChars = 16
	maxTails     = 4
)

// The classes of characters, for finding the word being typed.
const (
	classOther = iota // space, punctuation, symbols
	classHan
	classWord // letters and digits of other scripts
)

func charClass(r rune) int {
	switch {
	case unicode.Is(unicode.Han, r):
		return classHan
	case unicode.IsLetter(r) || unicode.IsNumber(r):
		return classWord
	}
	return classOther
}

// terms returns the words of text as the index holds them, as a query
// would search them: question words and particles aside. It keeps them
// for the next time (the words typed before, phrases): the caller must
// not change them.
func (s *suggester) terms(text string) [][]byte {
	if text == "" {
		return nil
	}
	s.analyzed.mu.RLock()
	out, ok := s.analyzed.terms[text]
	s.analyzed.mu.RUnlock()
	if ok {
		return out
	}
	out = [][]byte{}
	for _, t := range s.an.Analyze([]byte(text)) {
		if zh.IsQueryStopWord(string(t.Term)) || slices.ContainsFunc(out, func(o []byte) bool { return string(o) == string(t.Term) }) {
			continue
		}
		out = append(out, t.Term)
	}
	s.analyzed.mu.Lock()
	if s.analyzed.terms == nil || len(s.analyzed.terms) >= maxAnalyzed {
		s.analyzed.terms = map[string][][]byte{}
	}
	s.analyzed.terms[text] = out
	s.analyzed.mu.Unlock()
	return out
}

// maxAnalyzed caps the texts whose words a suggester keeps.
const maxAnalyzed = 1 << 14

// segView is one segment of a request's snapshot.
type segView struct {
	ss      *scorch.SegmentSnapshot
	entry   *segDicts // nil while it is being built
	deleted uint64    // deleted documents
	cache   *deletedCounts
	live    *liveCache // nil for a snapshot older than one seen
}

// suggest answers one request on one snapshot.
func (s *suggester) suggest(ctx context.Context, epoch uint64, snap *scorch.IndexSnapshot, in typed, n int) ([]Suggestion, error) {
	s.prune(epoch, snap)
	segs := snap.Segments()
	views := make([]segView, len(segs))
	for i, ss := range segs {
		e, d, err := s.dicts(epoch, snap, ss)
		if err != nil {
			return nil, err
		}
		v := segView{ss: ss, entry: d}
		if del := ss.Deleted(); del != nil {
			v.deleted = del.GetCardinality()
		}
		if d != nil && v.deleted > 0 {
			v.cache = e.forDeleted(v.deleted)
		}
		v.live = e.forLive(v.deleted)
		views[i] = v
	}
	var words, phrases, titles []Suggestion
	var err error
	if len(in.tails) > 0 {
		if words, err = s.words(ctx, views, in, n); err != nil {
			return nil, err
		}
		if len(words) < n {
			// English words typed keep their places; pinyin fills the rest.
			py, err := s.pinyinWords(ctx, views, in.tails[0], n-len(words))
			if err != nil {
				return nil, err
			}
			words = append(words, py...)
		}
	}
	if in.title != "" {
		if phrases, err = s.fromTitles(ctx, views, in, sourcePhrases, n); err != nil {
			return nil, err
		}
		if titles, err = s.fromTitles(ctx, views, in, sourceTitles, n); err != nil {
			return nil, err
		}
	}
	return combine(n, words, phrases, titles), nil
}

// words completes the word being typed.
func (s *suggester) words(ctx context.Context, views []segView, in typed, n int) ([]Suggestion, error) {
	for i, t := range in.tails {
		// The documents that hold the words typed before, by segment.
		var counters []*contextSet
		if len(t.terms) > 0 {
			counters = make([]*contextSet, len(views))
			var any uint64
			for j, v := range views {
				c, err := v.live.context(v.ss, wordFields, t.terms)
				if err != nil {
					return nil, err
				}
				counters[j] = c
				any += c.size
			}
			if any == 0 {
				continue // no article holds every earlier word
			}
		}
		out, found, err := s.complete(ctx, views, counters, t.head, t.prefix, n)
		if err != nil || found || i+1 == len(in.tails) {
			return out, err
		}
	}
	return nil, nil
}

// complete ranks the words that start with prefix, and reports whether
// any does in any segment.
func (s *suggester) complete(ctx context.Context, views []segView, counters []*contextSet, head, prefix string, n int) ([]Suggestion, bool, error) {
	p := []byte(prefix)
	// An English word is indexed as its stem, which may be shorter than
	// what was typed (inflat for inflatio…): the stems that are prefixes
	// of the typed word are candidates too, shown as one of their forms
	// that starts with it.
	var seeds [][]byte
	widest := p
	if stemmed(p) {
		for l := max(3, len(p)-4); l < len(p); l++ {
			seeds = append(seeds, p[:l])
		}
		if len(seeds) > 0 {
			widest = seeds[0]
		}
	}
	rv := make([]rankView, 0, len(views))
	owner := make([]int, 0, len(views)) // the segment of each rank view
	found := false
	for i, v := range views {
		r := rankView{limit: noLimit}
		exact := counters == nil && v.deleted == 0
		if v.entry != nil {
			r.d = v.entry.words
			r.lo, r.hi = r.d.prefixRange(p)
		} else {
			// Being built: the segment's terms for this prefix, with
			// upper bounds for counts.
			d, err := buildWords(v.ss.Segment(), wordFields, widest)
			if err != nil {
				return nil, false, err
			}
			r.d = d
			r.lo, r.hi = d.prefixRange(p)
			exact = false
		}
		if r.lo == r.hi && len(seeds) == 0 {
			continue
		}
		found = found || r.lo < r.hi
		if counters != nil {
			set := counters[i]
			if set.size == 0 {
				continue
			}
			r.limit = set.size
			d := r.d
			var c *contextCounter
			r.live = func(j int) (uint64, error) {
				if c == nil {
					c = set.counter(true)
				}
				return c.count(d.key(j))
			}
		} else if !exact {
			r.live = liveWords(v, r.d, v.entry != nil)
		}
		rv = append(rv, r)
		owner = append(owner, i)
	}
	if len(seeds) > 0 && !found {
		for _, r := range rv {
			for _, sd := range seeds {
				if _, ok := r.d.find(sd, 0, r.d.len()); ok {
					found = true
				}
			}
		}
	}
	if len(rv) == 0 {
		return nil, found, nil
	}
	accept := func(v, idx int, key []byte) (string, bool, error) {
		if !stemmed(key) {
			return string(key), string(key) != prefix, nil
		}
		forms, err := s.surfaces.forms(views[owner[v]].ss, key)
		if err != nil {
			return "", false, err
		}
		for _, f := range forms {
			if strings.HasPrefix(f.text, prefix) && f.text != prefix {
				return f.text, true, nil
			}
		}
		if len(forms) == 0 && string(key) != prefix && strings.HasPrefix(string(key), prefix) {
			return string(key), true, nil
		}
		return "", false, nil
	}
	limit := rankLimit
	if counters != nil {
		limit = rankLimitContext
	}
	ranked, err := rankKeys(ctx, rv, seeds, n, 1, limit, accept)
	if err != nil {
		return nil, found, err
	}
	out := make([]Suggestion, 0, len(ranked))
	for _, r := range ranked {
		// A form starts with the folded prefix: mark it, with what came
		// before.
		out = append(out, Suggestion{
			Text:      head + r.text,
			Kind:      SuggestWord,
			Count:     r.count,
			Highlight: "<mark>" + html.EscapeString(head+r.text[:len(prefix)]) + "</mark>" + html.EscapeString(r.text[len(prefix):]),
		})
	}
	return out, found, nil
}

// minPinyinPrefix is the fewest letters of pinyin completed: one letter
// is the start of too many words.
const minPinyinPrefix = 2

// pinyinWords completes pinyin being typed (zhiy) with the Chinese words
// whose pinyin starts with it (职业), when it is all that was typed.
// Segments whose dictionaries are still being built offer none.
func (s *suggester) pinyinWords(ctx context.Context, views []segView, t tail, n int) ([]Suggestion, error) {
	if t.head != "" || len(t.prefix) < minPinyinPrefix || !pinyin.IsPrefix(t.prefix) {
		return nil, nil
	}
	p := []byte(t.prefix)
	rv := make([]rankView, 0, len(views))
	for _, v := range views {
		if v.entry == nil || v.entry.pinyin == nil {
			continue
		}
		r := rankView{d: v.entry.pinyin, limit: noLimit}
		r.lo, r.hi = r.d.prefixRange(p)
		if r.lo == r.hi {
			continue
		}
		if v.deleted > 0 {
			live, word := liveWords(v, v.entry.words, true), v.entry.pinyinWord
			r.live = func(j int) (uint64, error) { return live(int(word[j])) }
		}
		rv = append(rv, r)
	}
	if len(rv) == 0 {
		return nil, nil
	}
	// A word with two readings that both start so is offered once.
	offered := map[string]bool{}
	accept := func(_, _ int, key []byte) (string, bool, error) {
		word := string(key[bytes.IndexByte(key, 0)+1:])
		if offered[word] {
			return "", false, nil
		}
		offered[word] = true
		return word, true, nil
	}
	ranked, err := rankKeys(ctx, rv, nil, n, 1, rankLimit, accept)
	if err != nil {
		return nil, err
	}
	out := make([]Suggestion, 0, len(ranked))
	for _, r := range ranked {
		key := string(r.key[:bytes.IndexByte(r.key, 0)])
		covered := pinyin.Covered(r.text, key, t.prefix)
		cut := len(string([]rune(r.text)[:covered]))
		out = append(out, Suggestion{
			Text:      r.text,
			Kind:      SuggestWord,
			Count:     r.count,
			Highlight: "<mark>" + html.EscapeString(r.text[:cut]) + "</mark>" + html.EscapeString(r.text[cut:]),
		})
	}
	return out, nil
}

// liveWords returns the live count of word key j of d in segment v, which
// has deletions (or is being built, and d counts upper bounds). built says
// d is the segment's own dictionary, whose live counts v.cache keeps.
func liveWords(v segView, d *completionDict, built bool) func(j int) (uint64, error) {
	del := v.ss.Deleted()
	var u *unionCounter
	return func(j int) (uint64, error) {
		if built && v.cache != nil {
			if c, ok := v.cache.get(j); ok {
				return uint64(c), nil
			}
		}
		if u == nil {
			var err error
			u, err = newUnionCounter(v.ss.Segment(), wordFields, func(td segment.TermDictionary, term []byte, p segment.PostingsList) (segment.PostingsList, error) {
				return td.PostingsList(term, del, p)
			})
			if err != nil {
				return 0, err
			}
		}
		c, err := u.count(d.key(j))
		if err != nil {
			return 0, err
		}
		if built && v.cache != nil {
			v.cache.put(j, uint32(min(c, 1<<32-1)))
		}
		return c, nil
	}
}

// minPhraseTitles is the number of titles a phrase must be in to be
// offered.
const minPhraseTitles = 2

// docSource is a source whose keys list the documents holding them:
// titles, and phrases of titles.
type docSource int

const (
	sourceTitles docSource = iota
	sourcePhrases
)

// fromTitles finds the titles, or the phrases of titles, that start with
// what was typed. Titles are ranked by the number of articles with that
// title. Phrases are counted as the articles that hold every word of
// them, in title or body (what a search for the phrase finds), and
// ranked so, among the phrases commonest in titles.
func (s *suggester) fromTitles(ctx context.Context, views []segView, in typed, src docSource, n int) ([]Suggestion, error) {
	key := []byte(in.title)
	rv := make([]rankView, 0, len(views))
	owner := make([]int, 0, len(views))
	for i, v := range views {
		if v.entry == nil {
			continue // being built: its titles are left out meanwhile
		}
		r := rankView{d: v.entry.titles, limit: noLimit}
		if src == sourcePhrases {
			r.d = v.entry.phrases
		}
		r.lo, r.hi = r.d.prefixRange(key)
		if r.lo == r.hi {
			continue
		}
		if v.deleted > 0 {
			del, d := v.ss.Deleted(), r.d
			r.live = func(j int) (uint64, error) {
				var c uint64
				for _, doc := range d.titleDocs(j) {
					if !del.Contains(doc) {
						c++
					}
				}
				return c, nil
			}
		}
		rv = append(rv, r)
		owner = append(owner, i)
	}
	if len(rv) == 0 {
		return nil, nil
	}
	accept := func(_, _ int, k []byte) (string, bool, error) {
		return "", string(k) != in.title, nil
	}
	least := uint64(1)
	if src == sourcePhrases {
		least = minPhraseTitles // a phrase of one title only is a piece of that title
	}
	ranked, err := rankKeys(ctx, rv, nil, n, least, rankLimitTitles, accept)
	if err != nil {
		return nil, err
	}
	out := make([]Suggestion, 0, len(ranked))
	sets := make([]map[string]*contextSet, len(views))
	for _, r := range ranked {
		if src == sourcePhrases {
			c, err := s.phraseCount(views, string(r.key), sets)
			if err != nil {
				return nil, err
			}
			if c > 0 {
				out = append(out, Suggestion{
					Text:      string(r.key),
					Kind:      SuggestPhrase,
					Count:     c,
					Highlight: "<mark>" + html.EscapeString(string(r.key[:len(key)])) + "</mark>" + html.EscapeString(string(r.key[len(key):])),
				})
			}
			continue
		}
		sg, err := showTitle(views, rv, owner, r)
		if err != nil {
			return nil, err
		}
		// Articles in segments still being built count too.
		for _, v := range views {
			if v.entry == nil {
				c, err := s.countTitle(v.ss, string(r.key))
				if err != nil {
					return nil, err
				}
				sg.Count += c
			}
		}
		start, end := titleMark(sg.Text, len(key))
		sg.Highlight = html.EscapeString(sg.Text[:start]) + "<mark>" + html.EscapeString(sg.Text[start:end]) + "</mark>" + html.EscapeString(sg.Text[end:])
		out = append(out, sg)
	}
	slices.SortStableFunc(out, func(a, b Suggestion) int { return cmp.Compare(b.Count, a.Count) })
	return out, nil
}

// countTitle counts the live documents of ss whose title has the title
// form key, for a segment whose dictionaries are being built: among the
// documents whose title holds every word of key, those whose stored title
// has that form.
func (s *suggester) countTitle(ss *scorch.SegmentSnapshot, key string) (uint64, error) {
	c, err := newContextSet(ss, []string{FieldTitle}, s.terms(key))
	if err != nil {
		return 0, err
	}
	var n uint64
	seg := ss.Segment()
	c.each(func(doc uint32) bool {
		err = seg.VisitStoredFields(uint64(doc), func(field string, _ byte, value []byte, _ []uint64) bool {
			if field == FieldTitle {
				if titleForm(string(value), false) == key {
					n++
				}
				return false
			}
			return true
		})
		return err == nil
	})
	if err != nil {
		return 0, fmt.Errorf("read titles: %w", err)
	}
	return n, nil
}

// phraseCount counts the live articles holding every word of a phrase:
// those holding its last word among those holding the others, which
// the phrases of one request starting with the same words share (by
// segment, in sets). The counts are kept for the next requests; the
// sets are not, so as not to push out those of the words typed before
// the last one.
func (s *suggester) phraseCount(views []segView, phrase string, sets []map[string]*contextSet) (uint64, error) {
	var terms [][]byte
	var key string
	var total uint64
	for i, v := range views {
		if c, ok := v.live.phrase(phrase); ok {
			total += uint64(c)
			continue
		}
		if terms == nil {
			if terms = s.terms(phrase); len(terms) == 0 {
				return 0, nil
			}
			key = string(bytes.Join(terms[:len(terms)-1], []byte{0}))
		}
		if sets[i] == nil {
			sets[i] = map[string]*contextSet{}
		}
		set, ok := sets[i][key]
		if !ok {
			var err error
			if set, err = newContextSet(v.ss, wordFields, terms[:len(terms)-1]); err != nil {
				return 0, err
			}
			sets[i][key] = set
		}
		c, err := set.counter(false).count(terms[len(terms)-1])
		if err != nil {
			return 0, err
		}
		v.live.putPhrase(phrase, uint32(min(c, 1<<32-1)))
		total += c
	}
	return total, nil
}

// showTitle returns a ranked title as written in a live article that has
// it, with that article's id.
func showTitle(views []segView, rv []rankView, owner []int, r rankedKey) (Suggestion, error) {
	for w, rw := range rv {
		j, ok := rw.d.find(r.key, rw.lo, rw.hi)
		if !ok {
			continue
		}
		ss := views[owner[w]].ss
		del := ss.Deleted()
		for _, doc := range rw.d.titleDocs(j) {
			if del != nil && del.Contains(doc) {
				continue
			}
			id, err := ss.DocID(uint64(doc))
			if err != nil {
				return Suggestion{}, fmt.Errorf("read the id of document %d: %w", doc, err)
			}
			return Suggestion{Text: rw.d.shown[j], Kind: SuggestTitle, Count: r.count, ID: string(id)}, nil
		}
	}
	return Suggestion{}, errors.New("a title counted live has no live document")
}

// combine chooses n of the suggestions of each kind, each list ranked:
// phrases and titles get at least a quarter of the places each when
// there are some, and the most common of the others the rest. A text
// offered as a word is offered neither as a phrase nor as a title (in
// title form), and a phrase that is a whole title is offered as the
// title. They come most common first; on ties, words, then phrases, then
// titles.
func combine(n int, words, phrases, titles []Suggestion) []Suggestion {
	asWord := map[string]bool{}
	for _, w := range words {
		asWord[titleForm(w.Text, false)] = true
	}
	asTitle := map[string]bool{}
	kinds := [3][]Suggestion{words, nil, nil}
	for _, t := range titles {
		if f := titleForm(t.Text, false); !asWord[f] {
			asTitle[f] = true
			kinds[2] = append(kinds[2], t)
		}
	}
	for _, p := range phrases {
		if f := titleForm(p.Text, false); !asWord[f] && !asTitle[f] {
			kinds[1] = append(kinds[1], p)
		}
	}
	out := make([]Suggestion, 0, n)
	var next [3]int
	quarter := n / 4
	for k := 1; k <= 2; k++ {
		for next[k] < min(quarter, len(kinds[k])) {
			out = append(out, kinds[k][next[k]])
			next[k]++
		}
	}
	for len(out) < n {
		best := -1
		for k := range kinds {
			if next[k] < len(kinds[k]) && (best < 0 || kinds[k][next[k]].Count > kinds[best][next[best]].Count) {
				best = k
			}
		}
		if best < 0 {
			break
		}
		out = append(out, kinds[best][next[best]])
		next[best]++
	}
	rank := map[SuggestionKind]int{SuggestWord: 0, SuggestPhrase: 1, SuggestTitle: 2}
	slices.SortStableFunc(out, func(a, b Suggestion) int {
		if c := cmp.Compare(b.Count, a.Count); c != 0 {
			return c
		}
		return cmp.Compare(rank[a.Kind], rank[b.Kind])
	})
	return out
}
