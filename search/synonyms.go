package search

import (
	"strings"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/wensou/wensou/index/zh"
	"github.com/wensou/wensou/search/synonym"
)

// Synonyms, applied at query time: a word (or words) of the query with
// synonyms (data/dict/*.syn: 北大 北京大学) also finds the articles
// holding a synonym, which rank just below those holding the words as
// typed.

// Synonyms gives a searcher the synonyms in force: a [*synonym.Live],
// which reloads its files, or a fixed set.
type Synonyms interface {
	Set() *synonym.Set
}

// FixedSynonyms is a set that never changes.
type FixedSynonyms struct{ S *synonym.Set }

// Set returns the set.
func (f FixedSynonyms) Set() *synonym.Set { return f.S }

// maxSynonymWords is the most words of the query a synonym entry covers.
const maxSynonymWords = 8

// synTable is a synonym set read with one index's analyzer: the entries'
// terms joined by spaces, to the synonyms' phrase slots.
type synTable struct {
	set   *synonym.Set
	seg   *zh.Segmenter
	byKey map[string][]synAlt
}

// synAlt is one synonym of an entry.
type synAlt struct {
	text  string
	slots [][]string
}

// synonymsFor returns the searcher's synonyms read with an, built again
// when the set or the segmenter changed.
func (s *Searcher) synonymsFor(seg *zh.Segmenter) *synTable {
	if s.opts.Synonyms == nil {
		return nil
	}
	set := s.opts.Synonyms.Set()
	if set.Len() == 0 {
		return nil
	}
	if t := s.syn.Load(); t != nil && t.set == set && t.seg == seg {
		return t
	}
	t := newSynTable(set, seg)
	s.syn.Store(t)
	return t
}

func newSynTable(set *synonym.Set, seg *zh.Segmenter) *synTable {
	an := zh.NewAnalyzerFor(seg, zh.Accurate)
	t := &synTable{set: set, seg: seg, byKey: map[string][]synAlt{}}
	for _, r := range set.Rules() {
		for _, from := range r.From {
			key := termKey(an.Analyze([]byte(from)))
			if key == "" {
				continue
			}
			for _, to := range r.To {
				toks := an.Analyze([]byte(to))
				if to == from || len(toks) == 0 || termKey(toks) == key {
					continue
				}
				alt := synAlt{text: to, slots: trimSlots(tokensToPhrase(toks))}
				if !containsAlt(t.byKey[key], alt.text) {
					t.byKey[key] = append(t.byKey[key], alt)
				}
			}
		}
	}
	return t
}

func containsAlt(alts []synAlt, text string) bool {
	for _, a := range alts {
		if a.text == text {
			return true
		}
	}
	return false
}

// termKey joins the terms of tokens by spaces: how an entry and the
// query's words are matched.
func termKey(toks analysis.TokenStream) string {
	var b strings.Builder
	for i, t := range toks {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.Write(t.Term)
	}
	return b.String()
}

// lookup returns the synonyms of the words whose terms are key.
func (t *synTable) lookup(key string) []synAlt {
	if t == nil {
		return nil
	}
	return t.byKey[key]
}

// withSynonyms is the unit of words typed that have synonyms: articles
// holding only a synonym rank after those holding the words as typed
// (where the rest of the query is held alike).
func withSynonyms(typed query.Query, alts []synAlt, fields []weighted) query.Query {
	var qs []query.Query
	for _, a := range alts {
		if len(a.slots) == 1 && len(a.slots[0]) == 1 {
			qs = append(qs, termsQuery(a.slots[0][0], fields))
		} else if len(a.slots) > 0 {
			qs = append(qs, phraseQuery(a.slots, fields))
		}
	}
	if len(qs) == 0 {
		return typed
	}
	return above(typed, disjunction(qs))
}

// Expansion is a stretch of a text that has synonyms: what [Searcher]
// also searches for it.
type Expansion struct {
	Text     string   `json:"text"`  // as written
	Start    int      `json:"start"` // byte offsets in the text
	End      int      `json:"end"`
	Synonyms []string `json:"synonyms"`
}

// Expand returns the stretches of text that the synonyms in force expand
// in a query, read with seg's dictionary: what wensou analyze and
// /api/analyze show.
func (s *Searcher) Expand(seg *zh.Segmenter, text string) []Expansion {
	return s.synonymsFor(seg).expand(zh.NewAnalyzerFor(seg, zh.Accurate).Analyze([]byte(text)), text)
}

// expand finds the longest stretches of toks, left to right, that have
// synonyms.
func (t *synTable) expand(toks analysis.TokenStream, text string) []Expansion {
	out := []Expansion{}
	if t == nil {
		return out
	}
	for i := 0; i < len(toks); {
		n := t.match(toks[i:])
		if n == 0 {
			i++
			continue
		}
		e := Expansion{Text: text[toks[i].Start:toks[i+n-1].End], Start: toks[i].Start, End: toks[i+n-1].End}
		for _, a := range t.lookup(termKey(toks[i : i+n])) {
			e.Synonyms = append(e.Synonyms, a.text)
		}
		out = append(out, e)
		i += n
	}
	return out
}

// match returns how many of the first tokens make the longest entry with
// synonyms, or 0.
func (t *synTable) match(toks analysis.TokenStream) int {
	for n := min(len(toks), maxSynonymWords); n >= 1; n-- {
		if len(t.lookup(termKey(toks[:n]))) > 0 {
			return n
		}
	}
	return 0
}
