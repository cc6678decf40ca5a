package main

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/wensou/wensou/index/article"
	"github.com/wensou/wensou/index/zh"
)

// source is the corpus an article comes from.
type source int

const (
	reuters source = iota
	tang
	cwe
)

// corpusFiles are the corpora, in the order the README's index command
// and CI give them to "wensou index".
var corpusFiles = []struct {
	name string
	src  source
}{
	{"reuters21578.jsonl", reuters},
	{"chinese_poetry_tang.jsonl", tang},
	{"cn_web_extract.jsonl", cwe},
}

// doc is one article as wensou indexes it.
type doc struct {
	id, title, body string
	src             source
	// norm is the folded title and body as words and "|" for
	// punctuation, one space between: " bahia cocoa review | showers ".
	norm string
	// ntitle is the folded title alone, in the same form.
	ntitle string
	// tkey is the folded title's letters and digits only: articles with
	// the same tkey have the same title for a person typing it.
	tkey string
}

// corpus is every article and the postings the generator looks things up
// in. Postings hold doc indexes in ascending order.
type corpus struct {
	docs  []doc
	words map[string][]int32 // folded ASCII words of title and body
	stems map[string][]int32 // their stems, as the index has them
	han   map[rune][]int32   // folded Han characters of title and body
	tkeys map[string][]int32 // title keys
}

// loadCorpus reads the corpora in dir. zh must be loaded first: the
// folding of Traditional characters needs it.
func loadCorpus(ctx context.Context, dir string) (*corpus, error) {
	if _, err := zh.Load(zh.Options{}); err != nil {
		return nil, err
	}
	c := &corpus{}
	byID := map[string]int{}
	for _, f := range corpusFiles {
		path := filepath.Join(dir, f.name)
		err := article.ReadFile(ctx, path, article.Options{}, func(r article.Record) error {
			if r.Err != nil && article.Reason(r.Err) == nil {
				return fmt.Errorf("%s: %w", path, r.Err) // the file cannot be read
			}
			if r.Err != nil {
				// Rejected by wensou too (no title and no body, ...):
				// not in the index, so never relevant.
				return nil
			}
			a := r.Article
			d := doc{id: a.ID, title: a.Title, body: a.Body, src: f.src}
			if i, ok := byID[a.ID]; ok {
				c.docs[i] = d // a later record with the id replaces it, as in the index
				return nil
			}
			byID[a.ID] = len(c.docs)
			c.docs = append(c.docs, d)
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("read corpus: %w", err)
		}
	}
	c.index()
	return c, nil
}

// index fills the normalized forms and the postings.
func (c *corpus) index() {
	c.words = map[string][]int32{}
	c.stems = map[string][]int32{}
	c.han = map[rune][]int32{}
	c.tkeys = map[string][]int32{}
	seenW := map[string]bool{}
	seenS := map[string]bool{}
	seenH := map[rune]bool{}
	for i := range c.docs {
		d := &c.docs[i]
		d.ntitle = normalize(d.title)
		d.norm = normalize(d.title + "\n|\n" + d.body)
		d.tkey = strings.Join(strings.Fields(strings.ReplaceAll(d.ntitle, "|", " ")), "")
		if d.tkey != "" {
			c.tkeys[d.tkey] = append(c.tkeys[d.tkey], int32(i))
		}
		clear(seenW)
		clear(seenS)
		clear(seenH)
		for _, w := range asciiWords(d.norm) {
			if !seenW[w] {
				seenW[w] = true
				c.words[w] = append(c.words[w], int32(i))
			}
			if s := zh.Stem(w); !seenS[s] {
				seenS[s] = true
				c.stems[s] = append(c.stems[s], int32(i))
			}
		}
		for _, r := range d.norm {
			if r >= utf8.RuneSelf && unicode.Is(unicode.Han, r) && !seenH[r] {
				seenH[r] = true
				c.han[r] = append(c.han[r], int32(i))
			}
		}
	}
}

// normalize folds s as the analyzers do (case, width, Traditional to
// Simplified) and writes it as its runs of letters and digits, with "|"
// for each run of punctuation, one space between and around them all:
// "Oil, gas" is " oil | gas ". A phrase that does not cross punctuation
// is then a substring " w1 w2 " of it.
func normalize(s string) string {
	f := zh.Fold(s)
	var b strings.Builder
	b.Grow(len(f) + 2)
	b.WriteByte(' ') // b ends with a space whenever a word is not open
	inWord, lastBar := false, false
	for _, r := range f {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r):
			b.WriteRune(r)
			inWord, lastBar = true, false
		case unicode.IsSpace(r):
			if inWord {
				b.WriteByte(' ')
				inWord = false
			}
		default:
			if inWord {
				b.WriteByte(' ')
				inWord = false
			}
			if !lastBar {
				b.WriteString("| ")
				lastBar = true
			}
		}
	}
	if inWord {
		b.WriteByte(' ')
	}
	return b.String()
}

// asciiWords returns the runs of ASCII letters and digits in a normalized
// text: the English words and numbers, as the index splits them.
func asciiWords(norm string) []string {
	return strings.FieldsFunc(norm, func(r rune) bool {
		return !('a' <= r && r <= 'z' || '0' <= r && r <= '9')
	})
}

// intersect returns the doc indexes in every list.
func intersect(lists ...[]int32) []int32 {
	if len(lists) == 0 {
		return nil
	}
	lists = slices.Clone(lists)
	slices.SortFunc(lists, func(a, b []int32) int { return len(a) - len(b) })
	out := slices.Clone(lists[0])
	for _, l := range lists[1:] {
		kept := out[:0]
		j := 0
		for _, x := range out {
			for j < len(l) && l[j] < x {
				j++
			}
			if j < len(l) && l[j] == x {
				kept = append(kept, x)
			}
		}
		out = kept
	}
	return out
}

// holding returns the docs whose norm holds pattern, a normalized
// substring: Han characters and ASCII words are looked up in the
// postings first, so only likely docs are scanned.
func (c *corpus) holding(pattern string) []int32 {
	var lists [][]int32
	// The pattern's ASCII runs are whole words when it starts and ends
	// with a space; otherwise those at its ends may be parts of longer
	// ones, which the word postings do not hold.
	if strings.HasPrefix(pattern, " ") && strings.HasSuffix(pattern, " ") {
		for _, w := range asciiWords(pattern) {
			lists = append(lists, c.words[w])
		}
	}
	seen := map[rune]bool{}
	for _, r := range pattern {
		if r >= utf8.RuneSelf && unicode.Is(unicode.Han, r) && !seen[r] {
			seen[r] = true
			lists = append(lists, c.han[r])
		}
	}
	var cand []int32
	if len(lists) == 0 {
		cand = make([]int32, len(c.docs))
		for i := range cand {
			cand[i] = int32(i)
		}
	} else {
		cand = intersect(lists...)
	}
	out := cand[:0]
	for _, i := range cand {
		if strings.Contains(c.docs[i].norm, pattern) {
			out = append(out, i)
		}
	}
	return out
}

// ids returns the ids of docs.
func (c *corpus) ids(docs []int32) []string {
	out := make([]string, len(docs))
	for i, d := range docs {
		out[i] = c.docs[d].id
	}
	return out
}
