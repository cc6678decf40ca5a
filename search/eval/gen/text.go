package main

import (
	"hash/fnv"
	"math/rand/v2"
	"unicode"
	"unicode/utf8"

	"github.com/mozillazg/go-pinyin"
)

// rng is a seeded random stream. It uses only PCG's Uint64, whose
// output is fixed by its algorithm, and not math/rand's derived methods,
// which a Go release may change: the judgments must not change with Go.
type rng struct{ src *rand.PCG }

// newRNG returns the stream of one kind: seed and the kind's name make
// its PCG state, so kinds do not share draws.
func newRNG(seed uint64, kind string) *rng {
	h := fnv.New64a()
	h.Write([]byte(kind))
	return &rng{rand.NewPCG(seed, h.Sum64())}
}

// intn returns a number in [0, n); n must be positive. The modulo bias
// (under 2^-40 for the n used here) does not matter.
func (r *rng) intn(n int) int {
	return int(r.src.Uint64() % uint64(n))
}

// perm returns 0 … n-1 shuffled (Fisher-Yates).
func (r *rng) perm(n int) []int {
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	for i := n - 1; i > 0; i-- {
		j := r.intn(i + 1)
		p[i], p[j] = p[j], p[i]
	}
	return p
}

// typoKinds are the edits of one typo.
const (
	typoInsert = iota
	typoDelete
	typoSubstitute
	typoSwap
	typoKinds
)

// typo returns word, at least 5 ASCII lower-case letters, with one edit:
// a letter inserted, deleted (only from 6 letters up, so that the result
// still has 5, the length from which typo tolerance applies), substituted
// by another, or two different adjacent letters swapped. It returns ""
// when the drawn edit cannot apply.
func typo(r *rng, word string) string {
	const letters = "abcdefghijklmnopqrstuvwxyz"
	b := []byte(word)
	switch r.intn(typoKinds) {
	case typoInsert:
		i := r.intn(len(b) + 1)
		c := letters[r.intn(len(letters))]
		return string(b[:i]) + string(c) + string(b[i:])
	case typoDelete:
		if len(b) < 6 {
			return ""
		}
		i := r.intn(len(b))
		return string(b[:i]) + string(b[i+1:])
	case typoSubstitute:
		i := r.intn(len(b))
		c := letters[r.intn(len(letters)-1)]
		if c >= b[i] {
			c++ // any letter but the one there
		}
		b[i] = c
		return string(b)
	default:
		i := r.intn(len(b) - 1)
		if b[i] == b[i+1] {
			return ""
		}
		b[i], b[i+1] = b[i+1], b[i]
		return string(b)
	}
}

// isLowerASCII reports whether s is only the letters a to z.
func isLowerASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'a' || s[i] > 'z' {
			return false
		}
	}
	return s != ""
}

// isHan reports whether s is only Han characters.
func isHan(s string) bool {
	for _, r := range s {
		if !unicode.Is(unicode.Han, r) {
			return false
		}
	}
	return s != ""
}

// wordRuns splits English text into its runs of words that punctuation
// does not cut: "Oil rose, gas fell" is [[Oil rose] [gas fell]]. A word
// is a run of ASCII letters and digits, with the points and commas of
// numbers (15.19, 1,234); any other character but white space ends the
// run.
func wordRuns(s string) [][]string {
	var runs [][]string
	var run []string
	start := -1
	for i, r := range s + "\x00" {
		isWord := r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r))
		// A decimal point or thousands separator between digits (15.19,
		// 1,234) is part of the number, as the analyzer keeps it.
		if (r == '.' || r == ',') && start >= 0 && i > 0 && isDigit(s[i-1]) && i+1 < len(s) && isDigit(s[i+1]) {
			isWord = true
		}
		if isWord {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			run = append(run, s[start:i])
			start = -1
		}
		if !unicode.IsSpace(r) {
			if len(run) > 0 {
				runs = append(runs, run)
			}
			run = nil
		}
	}
	return runs
}

// hanRuns returns the runs of Han characters of s: the characters that
// no punctuation, space, letter or digit separates.
func hanRuns(s string) [][]rune {
	var runs [][]rune
	var run []rune
	for _, r := range s + "\x00" {
		if unicode.Is(unicode.Han, r) {
			run = append(run, r)
			continue
		}
		if len(run) > 0 {
			runs = append(runs, run)
		}
		run = nil
	}
	return runs
}

// pinyinArgs: full pinyin without tones, the first reading of a
// character with several (go-pinyin has no phrase dictionary to choose
// among them), and nothing for a character it does not know.
var pinyinArgs = pinyin.Args{Style: pinyin.Normal, Fallback: func(rune, pinyin.Args) []string { return nil }}

// syllables returns the pinyin of each character of s, a string of Han
// characters, or nil when one has none.
func syllables(s string) []string {
	var out []string
	for _, r := range s {
		py := pinyin.SinglePinyin(r, pinyinArgs)
		if len(py) == 0 || !isLowerASCII(py[0]) {
			return nil
		}
		out = append(out, py[0])
	}
	return out
}

func isDigit(b byte) bool { return '0' <= b && b <= '9' }
