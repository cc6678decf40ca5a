package search

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/wensou/wensou/index"
	"github.com/wensou/wensou/index/pinyin"
	"github.com/wensou/wensou/index/zh"
)

// Did you mean, for Chinese: a word typed with a wrong character of the
// same or a close pronunciation (an input method's slip: 职业教月 for
// 职业教育) is a word no article holds, one character away from one that
// many hold. Only a query that finds nothing or only partial matches is
// looked at, and the correction is only suggested.

// Limits of the Chinese corrections.
const (
	hanFixMin = 2 // characters: a single character is not corrected
	hanFixMax = 6
	// hanFixDocs is the fewest articles the corrected word must be in.
	hanFixDocs = 2
)

// hanFixes returns the plain words of q that hold a Han word no article
// holds, mapped to the word as it should have been typed: the one
// character replaced by one of a close reading, in the word of the
// index that most articles hold.
func hanFixes(r *index.Reader, c *compiler, q *Query) (map[string]string, error) {
	var out map[string]string
	for _, cl := range q.Clauses {
		for _, t := range cl.Alts {
			if cl.Exclude || t.Field != "" || t.Prefix || !hasHan(t.Text) {
				continue
			}
			fixed, err := fixHan(r, c, t.Text)
			if err != nil {
				return nil, err
			}
			if fixed != t.Text {
				if out == nil {
					out = map[string]string{}
				}
				out[t.Text] = fixed
			}
		}
	}
	return out, nil
}

// fixHan corrects the unknown Han words of text, longest first.
func fixHan(r *index.Reader, c *compiler, text string) (string, error) {
	toks := c.an.Analyze([]byte(text))
	type window struct{ start, end int } // bytes of text
	var ws []window
	for i := range toks {
		for j := i; j < len(toks); j++ {
			if j > i && toks[j].Start != toks[j-1].End {
				break // not adjacent
			}
			w := text[toks[i].Start:toks[j].End]
			n := utf8.RuneCountInString(w)
			if n > hanFixMax || !allHan(w) {
				break
			}
			if n >= hanFixMin {
				ws = append(ws, window{toks[i].Start, toks[j].End})
			}
		}
	}
	// Longest first, then leftmost.
	slices.SortStableFunc(ws, func(a, b window) int { return (b.end - b.start) - (a.end - a.start) })
	type fix struct {
		window
		word string
	}
	var fixes []fix
	for _, w := range ws {
		if slices.ContainsFunc(fixes, func(f fix) bool { return w.start < f.end && f.start < w.end }) {
			continue
		}
		typed := zh.Fold(text[w.start:w.end])
		known, err := docsHolding(r, typed)
		if err != nil {
			return "", err
		}
		if known > 0 {
			continue
		}
		best, bestDocs, err := soundAlike(r, typed)
		if err != nil {
			return "", err
		}
		if bestDocs < hanFixDocs {
			best = ""
		}
		if best != "" {
			fixes = append(fixes, fix{w, best})
		}
	}
	slices.SortFunc(fixes, func(a, b fix) int { return b.start - a.start })
	for _, f := range fixes {
		text = text[:f.start] + f.word + text[f.end:]
	}
	return text, nil
}

// docsHolding returns how many articles hold term in the title or body,
// counted twice when both do: enough to tell none from some, and to weigh
// a typed word against its close words (typos.go).
func docsHolding(r *index.Reader, term string) (uint64, error) {
	var n uint64
	for _, field := range []string{index.FieldTitle, index.FieldBody} {
		ts, err := r.Terms(field, term, 0)
		if err != nil {
			return 0, err
		}
		for _, t := range ts {
			n += t.Docs
		}
	}
	return n, nil
}

// hanFixPrefixTerms bounds the terms read for one prefix.
const hanFixPrefixTerms = 2000

// soundAlike returns the word of the title or body dictionary that typed
// becomes with one character replaced by one that sounds alike
// ([pinyin.SoundsClose]), held by the most documents in one field, and
// how many. A character after the first is found among the terms that
// start with the characters before it; the first among its homophones.
func soundAlike(r *index.Reader, typed string) (string, uint64, error) {
	rs := []rune(typed)
	best, bestDocs := "", uint64(0)
	consider := func(term string, docs uint64) {
		if docs > bestDocs || docs == bestDocs && term < best {
			best, bestDocs = term, docs
		}
	}
	for _, field := range []string{index.FieldTitle, index.FieldBody} {
		for j := 1; j < len(rs); j++ {
			head := string(rs[:j])
			tail := string(rs[j+1:])
			terms, err := r.TermsWithPrefix(field, head, hanFixPrefixTerms)
			if err != nil {
				return "", 0, err
			}
			for _, t := range terms {
				rest := t.Term[len(head):]
				c, n := utf8.DecodeRuneInString(rest)
				if n == 0 || rest[n:] != tail || c == rs[j] || !pinyin.SoundsClose(rs[j], c) {
					continue
				}
				consider(t.Term, t.Docs)
			}
		}
		var cands []string
		rest := string(rs[1:])
		for _, c := range pinyin.Homophones(rs[0]) {
			cands = append(cands, string(c)+rest)
		}
		held, err := r.Holding(field, cands)
		if err != nil {
			return "", 0, err
		}
		for term, docs := range held {
			consider(term, docs)
		}
	}
	return best, bestDocs, nil
}

func hasHan(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) }) >= 0
}

func allHan(s string) bool {
	for _, r := range s {
		if !unicode.Is(unicode.Han, r) {
			return false
		}
	}
	return s != ""
}
