package search

import (
	"cmp"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/wensou/wensou/index"
	"github.com/wensou/wensou/index/pinyin"
	"github.com/wensou/wensou/index/zh"
)

// Typos configures typo tolerance: a word of Latin letters that no
// article holds (or that few hold, beside a close word that many hold) is
// also read as the words of the index within a few edits of it, an edit
// being an insertion, a deletion, a substitution or a swap of two
// neighbouring letters. Words inside quotes, prefixes, fields and words
// with digits are never read otherwise. The zero value means
// Meilisearch's defaults.
type Typos struct {
	// Off turns typo tolerance off.
	Off bool
	// OneTypo is the shortest word, in letters, read with one edit;
	// default 5.
	OneTypo int
	// TwoTypos is the shortest word read with two edits; default 9.
	TwoTypos int
}

func (t Typos) withDefaults() Typos {
	if t.OneTypo <= 0 {
		t.OneTypo = 5
	}
	if t.TwoTypos <= 0 {
		t.TwoTypos = 9
	}
	return t
}

// edits returns how many edits a word of n letters may hold.
func (t Typos) edits(n int) int {
	switch {
	case t.Off || n < t.OneTypo:
		return 0
	case n < t.TwoTypos:
		return 1
	}
	return 2
}

// Limits of typo tolerance.
const (
	// wellKnown: a word this many articles hold is taken as typed.
	wellKnown = 3
	// muchMore: a word few articles hold is also read as a close word
	// that this many times more hold ("goverment" beside "government").
	muchMore = 20
	// maxCorrections bounds the words a word is also read as.
	maxCorrections = 5
)

// typoFixes are what typo tolerance did to a query.
type typoFixes struct {
	// corrected maps a word no article holds to the word it was read as.
	corrected map[string]string
	// better maps a word to the word it should rather have been: the
	// corrections, and the close words that many more articles hold.
	better map[string]string
	// terms are the index terms of the words of better, to show the
	// words as the hits write them ("bootloader" rather than its stem
	// "bootload").
	terms map[string]string
	shown map[string]bool // the words of better shown as written
}

// read takes the corrected words as the text of a hit writes them:
// where one of their terms stands in it.
func (fx *typoFixes) read(locs bsearch.FieldTermLocationMap, texts map[string]string) {
	for typed, term := range fx.terms {
		if fx.shown[typed] {
			continue
		}
		for field, tl := range locs {
			text := texts[field]
			for _, l := range tl[term] {
				if l.End <= uint64(len(text)) && l.Start < l.End {
					w := strings.ToLower(text[l.Start:l.End])
					fx.better[typed] = w
					if _, ok := fx.corrected[typed]; ok {
						fx.corrected[typed] = w
					}
					if fx.shown == nil {
						fx.shown = map[string]bool{}
					}
					fx.shown[typed] = true
					break
				}
			}
			if fx.shown[typed] {
				break
			}
		}
	}
}

// tolerate reads the typo words of p otherwise where the index says they
// are typos: a word no article holds is replaced, in its unit and in the
// runs, by the close words of the index; a word few hold beside a close
// word that many more hold is kept, and that word suggested.
func (s *Searcher) tolerate(r *index.Reader, p *plan) (typoFixes, error) {
	var fx typoFixes
	for _, w := range p.typos {
		edits := s.opts.Typos.edits(utf8.RuneCountInString(w.surface))
		if edits == 0 {
			continue
		}
		exact, cands, err := closeTerms(r, w.surface, w.term, edits)
		if err != nil {
			return fx, err
		}
		if exact >= wellKnown || len(cands) == 0 || (exact > 0 && cands[0].Docs < muchMore*exact) {
			continue
		}
		if exact == 0 {
			// No article holds the word as typed: it is read as the close
			// words. (When some do, it stays as typed and the close word
			// is only suggested: beside the word in one disjunction, close
			// words would change how bleve weighs the articles holding the
			// word, by its coordination factor.)
			alts := make([]query.Query, len(cands))
			terms := make([]string, len(cands))
			for i, c := range cands {
				alts[i] = termsQuery(c.Term, fieldsFor(""))
				terms[i] = c.Term
			}
			p.units[w.unit] = disjunction(alts)
			for _, run := range p.runs {
				for i, slot := range run {
					if len(slot) == 1 && slot[0] == w.term {
						run[i] = terms
					}
				}
			}
		}
		shown := surfaceOf(w.surface, w.term, cands[0].Term)
		if fx.better == nil {
			fx.better, fx.terms = map[string]string{}, map[string]string{}
		}
		fx.better[w.surface] = shown
		fx.terms[w.surface] = cands[0].Term
		if exact == 0 {
			if fx.corrected == nil {
				fx.corrected = map[string]string{}
			}
			fx.corrected[w.surface] = shown
		}
	}
	return fx, nil
}

// closeTerms returns how many articles hold term in the title or body,
// and the other terms of those fields close to the typed word: the stems
// of the words one edit from it, and the terms within edits of its stem
// (the stemmer treats a misspelt word unlike the word: "glxnwed" stays
// whole where "glynwed" becomes "glynw"), closest and most frequent
// first, at most maxCorrections. Words with the first letter changed
// count only when there is no other: people seldom mistype it ("coffe" is
// coffee, not off); and the words two edits away (from 9 letters) only
// when there is none one edit away.
func closeTerms(r *index.Reader, surface, term string, edits int) (uint64, []index.TermCount, error) {
	lower := strings.ToLower(surface)
	fields := []string{index.FieldTitle, index.FieldBody}
	exact, err := docsHolding(r, term)
	if err != nil {
		return 0, nil, err
	}
	if exact >= wellKnown {
		return exact, nil, nil // taken as typed: no need to look further
	}
	// The stems of the words one edit away, the first letter kept; then
	// those with the first letter changed: the first that finds any.
	// When no article holds the word, the close words are looked for in
	// the titles first, and in the bodies (a dictionary ten times larger)
	// only when no title holds one: their counts then rank them only.
	firstFound := exact == 0
	near := func() ([]index.TermCount, error) {
		return holding(r, fields, stemsOf(oneEdit(lower, false), term), firstFound)
	}
	first := func() ([]index.TermCount, error) {
		return holding(r, fields, stemsOf(oneEdit(lower, true), term), firstFound)
	}
	tiers := []func() ([]index.TermCount, error){near, first}
	// A tier that finds only words two edits away is kept for when no
	// later one finds any one edit away.
	var twoAway []index.TermCount
	if edits > 1 {
		// A long word: the automaton for two edits over the titles
		// (whose dictionary is small), then the words one edit away in
		// either field, then the automaton over the bodies (costly on a
		// large dictionary: tens of milliseconds at 100,000 articles),
		// then the first letter changed.
		far := func(field string) func() ([]index.TermCount, error) {
			return func() ([]index.TermCount, error) {
				// The first letter is kept: only the terms that start
				// with it are read.
				_, n := utf8.DecodeRuneInString(term)
				ts, err := r.TermsFrom(field, term, edits, term[:n])
				if err != nil {
					return nil, err
				}
				var out []index.TermCount
				for _, t := range ts {
					if t.Term != term && sameStart(t.Term, term) {
						out = append(out, t)
					}
				}
				if field == index.FieldTitle && exact > 0 {
					// Some articles hold the word: the close ones are
					// weighed against it by all their articles, the
					// bodies' too, as for the other tiers.
					for _, t := range out {
						bs, err := r.Terms(index.FieldBody, t.Term, 0)
						if err != nil {
							return nil, err
						}
						for _, b := range bs {
							out = append(out, index.TermCount{Term: b.Term, Docs: b.Docs, Edits: t.Edits})
						}
					}
				}
				return out, nil
			}
		}
		farBody := far(index.FieldBody)
		// A long word that reads as pinyin (zhongguojingji) is more
		// likely that than a word two edits from one only bodies hold.
		isPinyin := len(pinyin.Read(lower, 1)) > 0
		tiers = []func() ([]index.TermCount, error){far(index.FieldTitle), near, func() ([]index.TermCount, error) {
			if twoAway != nil || isPinyin {
				return nil, nil // the titles have words two edits away
			}
			return farBody()
		}, first}
	}
	for _, tier := range tiers {
		cands, err := tier()
		if err != nil {
			return exact, nil, err
		}
		if slices.ContainsFunc(cands, func(t index.TermCount) bool { return t.Edits <= 1 }) {
			// The words one edit away only: those two away would
			// add their articles to the closer word's.
			return exact, rankTerms(slices.DeleteFunc(cands, func(t index.TermCount) bool { return t.Edits > 1 })), nil
		}
		if twoAway == nil && len(cands) > 0 {
			twoAway = cands
		}
	}
	return exact, rankTerms(twoAway), nil
}

// holding returns those of terms that the fields hold, one edit away.
// With firstFound, the fields after the first that holds any are not
// read.
func holding(r *index.Reader, fields, terms []string, firstFound bool) ([]index.TermCount, error) {
	var out []index.TermCount
	for _, field := range fields {
		held, err := r.Holding(field, terms)
		if err != nil {
			return nil, err
		}
		for t, n := range held {
			out = append(out, index.TermCount{Term: t, Docs: n, Edits: 1})
		}
		if firstFound && len(out) > 0 {
			break
		}
	}
	return out, nil
}

// stemsOf returns the distinct stems of words, but term's.
func stemsOf(words []string, term string) []string {
	seen := map[string]bool{term: true}
	var out []string
	for _, w := range words {
		if st := zh.Stem(w); !seen[st] {
			seen[st] = true
			out = append(out, st)
		}
	}
	return out
}

// rankTerms adds up the counts of each term over the fields it was found
// in (keeping its fewest edits) and returns the terms closest and most
// frequent first, at most maxCorrections.
func rankTerms(ts []index.TermCount) []index.TermCount {
	by := map[string]index.TermCount{}
	for _, t := range ts {
		c, ok := by[t.Term]
		if !ok || t.Edits < c.Edits {
			c.Edits = t.Edits
		}
		c.Term, c.Docs = t.Term, c.Docs+t.Docs
		by[t.Term] = c
	}
	out := make([]index.TermCount, 0, len(by))
	for _, c := range by {
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b index.TermCount) int {
		return cmp.Or(cmp.Compare(a.Edits, b.Edits), cmp.Compare(b.Docs, a.Docs), strings.Compare(a.Term, b.Term))
	})
	return out[:min(len(out), maxCorrections)]
}

// oneEdit returns the words one edit from w: a letter deleted, two
// neighbours swapped, a letter replaced or inserted (a to z). With first
// set, only the edits of the first letter; else only the others.
func oneEdit(w string, first bool) []string {
	const letters = "abcdefghijklmnopqrstuvwxyz"
	rs := []rune(w)
	var out []string
	for i := range rs {
		if (i == 0) != first {
			continue
		}
		out = append(out, string(rs[:i])+string(rs[i+1:]))
		if i+1 < len(rs) && rs[i] != rs[i+1] {
			s := slices.Clone(rs)
			s[i], s[i+1] = s[i+1], s[i]
			out = append(out, string(s))
		}
		for _, c := range letters {
			if c != rs[i] {
				out = append(out, string(rs[:i])+string(c)+string(rs[i+1:]))
			}
		}
	}
	for i := range len(rs) + 1 {
		if (i == 0) != first {
			continue
		}
		for _, c := range letters {
			out = append(out, string(rs[:i])+string(c)+string(rs[i:]))
		}
	}
	return out
}

// sameStart reports whether two terms start with the same letter.
func sameStart(a, b string) bool {
	ra, _ := utf8.DecodeRuneInString(a)
	rb, _ := utf8.DecodeRuneInString(b)
	return ra == rb
}

// surfaceOf returns how to show the correction of a typed word whose
// term (its stem) was read as another term: the typed word with its stem
// replaced ("bootlaoder", stem "bootlaod", read as "bootload": shown
// "bootloader"), or the other term itself when the stem is not the
// typed word's beginning.
func surfaceOf(surface, term, other string) string {
	lower := strings.ToLower(surface)
	if strings.HasPrefix(lower, term) {
		return other + lower[len(term):]
	}
	return other
}

// kept reports whether a word was kept as typed though a close word is
// much more common: then the close word is suggested.
func (fx typoFixes) kept() bool { return len(fx.better) > len(fx.corrected) }

// suggestion is the query with its words replaced by the better ones,
// or "" when there are none.
func (fx typoFixes) suggestion(q string) string {
	if out := Rewrite(q, fx.better); out != q {
		return out
	}
	return ""
}

// Rewrite returns the query q with the words of words (keys, matched as
// whole words whatever their case) replaced by their values: the query
// that [Result.Corrected] says was searched.
func Rewrite(q string, words map[string]string) string {
	out := q
	for typed, better := range words {
		// \b is a boundary of ASCII words: a word that starts or ends
		// otherwise (职业教月) has none there.
		first, _ := utf8.DecodeRuneInString(typed)
		last, _ := utf8.DecodeLastRuneInString(typed)
		pattern := `(?i)` + regexp.QuoteMeta(typed)
		if first < utf8.RuneSelf {
			pattern = `(?i)\b` + regexp.QuoteMeta(typed)
		}
		if last < utf8.RuneSelf {
			pattern += `\b`
		}
		out = regexp.MustCompile(pattern).ReplaceAllLiteralString(out, better)
	}
	return out
}
