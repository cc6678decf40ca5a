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
		best, bestDocs := "", uint64(0)
		for _, field := range []string{index.FieldTitle, index.FieldBody} {
			cands, err := r.Terms(field, typed, 1)
			if err != nil {
				return "", err
			}
			for _, cand := range cands {
				if cand.Docs > bestDocs && cand.Docs >= hanFixDocs && closeReading(typed, cand.Term) {
					best, bestDocs = cand.Term, cand.Docs
				}
			}
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
// counted twice when both do: enough to tell none from some.
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

// closeReading reports whether cand is typed with one character replaced
// by one that sounds the same or close: a reading of one is a reading of
// the other, or one letter away from it (yue and yu).
func closeReading(typed, cand string) bool {
	a, b := []rune(typed), []rune(cand)
	if len(a) != len(b) {
		return false
	}
	diff := -1
	for i := range a {
		if a[i] != b[i] {
			if diff >= 0 {
				return false
			}
			diff = i
		}
	}
	if diff < 0 || !unicode.Is(unicode.Han, b[diff]) {
		return false
	}
	for _, x := range pinyin.Readings(a[diff]) {
		for _, y := range pinyin.Readings(b[diff]) {
			if x == y || oneLetterApart(x, y) {
				return true
			}
		}
	}
	return false
}

// oneLetterApart reports whether x becomes y by inserting, deleting or
// replacing one letter.
func oneLetterApart(x, y string) bool {
	if len(x) < len(y) {
		x, y = y, x
	}
	switch len(x) - len(y) {
	case 0:
		d := 0
		for i := range len(x) {
			if x[i] != y[i] {
				d++
			}
		}
		return d == 1
	case 1:
		for i := range len(x) {
			if x[:i]+x[i+1:] == y {
				return true
			}
		}
	}
	return false
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
