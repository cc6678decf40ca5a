package main

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/longbridgeapp/opencc"

	"github.com/wensou/wensou/index/zh"
)

// Limits on how many articles may answer one query.
const (
	maxRelevant       = 5  // known items: titles, phrases, lines, pinyin
	maxPrefixRelevant = 20 // prefixes: the titles holding the completed word
)

// judgment is one line of a judgment file, in the shape package eval
// reads.
type judgment struct {
	Kind     string         `json:"kind"`
	Query    string         `json:"query"`
	Relevant []string       `json:"relevant"`
	Grades   map[string]int `json:"grades,omitempty"`
}

// kind is the judgments of one kind.
type kind struct {
	name      string
	judgments []judgment
}

// generator makes the judgments of each kind from a corpus.
type generator struct {
	c    *corpus
	seed uint64
	n    int // judgments per kind
	seg  *zh.Segmenter
	t2s  *opencc.OpenCC

	bySrc map[source][]int32 // docs of each corpus
}

func newGenerator(c *corpus, seed uint64, n int) (*generator, error) {
	seg, err := zh.Current()
	if err != nil {
		return nil, err
	}
	t2s, err := opencc.New("t2s")
	if err != nil {
		return nil, fmt.Errorf("load opencc t2s: %w", err)
	}
	g := &generator{c: c, seed: seed, n: n, seg: seg, t2s: t2s, bySrc: map[source][]int32{}}
	for i, d := range c.docs {
		g.bySrc[d.src] = append(g.bySrc[d.src], int32(i))
	}
	return g, nil
}

// all makes every kind, in the order of the command's doc comment.
func (g *generator) all() []kind {
	titles := g.titleEN()
	return []kind{
		titles,
		g.titleZH(),
		g.phraseEN(),
		g.phraseZH(),
		g.questionEN(),
		g.questionZH(),
		g.typoEN(titles),
		g.typoWordEN(),
		g.pinyin(),
		g.lineZHHans(),
		g.prefix(),
	}
}

// draw calls try on the docs of the sources in a random order of the
// kind's stream until n judgments are made. With two sources, the first
// gives at most half of them; the second makes up any shortfall.
func (g *generator) draw(r *rng, n int, srcs []source, try func(i int32) (judgment, bool)) []judgment {
	var out []judgment
	for si, src := range srcs {
		quota := n - len(out)
		if si == 0 && len(srcs) > 1 {
			quota = n / 2
		}
		docs := g.bySrc[src]
		got := 0
		for _, p := range r.perm(len(docs)) {
			if got == quota {
				break
			}
			if j, ok := try(docs[p]); ok {
				out = append(out, j)
				got++
			}
		}
	}
	return out
}

// known returns the ids of docs as a known item's relevant list, or false
// when there are more than maxRelevant or self is not among them (which
// would be a bug in the normalization).
func (g *generator) known(docs []int32, self int32) ([]string, bool) {
	if len(docs) > maxRelevant || !slices.Contains(docs, self) {
		return nil, false
	}
	return g.c.ids(docs), true
}

// unique returns a try that skips a query made before.
func unique(try func(i int32) (judgment, bool)) func(i int32) (judgment, bool) {
	seen := map[string]bool{}
	return func(i int32) (judgment, bool) {
		j, ok := try(i)
		if !ok || seen[j.Query] {
			return j, false
		}
		seen[j.Query] = true
		return j, true
	}
}

func (g *generator) titleEN() kind {
	const name = "title-en"
	r := newRNG(g.seed, name)
	js := g.draw(r, g.n, []source{reuters}, unique(func(i int32) (judgment, bool) {
		d := g.c.docs[i]
		if d.body == "" {
			return judgment{}, false
		}
		if n := len(asciiWords(d.ntitle)); n < 3 || n > 12 {
			return judgment{}, false
		}
		rel, ok := g.known(g.c.tkeys[d.tkey], i)
		if !ok {
			return judgment{}, false
		}
		return judgment{Kind: name, Query: strings.Join(strings.Fields(strings.ToLower(d.title)), " "), Relevant: rel}, true
	}))
	return kind{name, js}
}

func (g *generator) titleZH() kind {
	const name = "title-zh"
	r := newRNG(g.seed, name)
	js := g.draw(r, g.n, []source{cwe, tang}, unique(func(i int32) (judgment, bool) {
		d := g.c.docs[i]
		if d.body == "" || utf8.RuneCountInString(d.tkey) < 2 || !containsHan(d.tkey) {
			return judgment{}, false
		}
		rel, ok := g.known(g.c.tkeys[d.tkey], i)
		if !ok {
			return judgment{}, false
		}
		return judgment{Kind: name, Query: strings.Join(strings.Fields(d.title), " "), Relevant: rel}, true
	}))
	return kind{name, js}
}

func containsHan(s string) bool {
	for _, r := range s {
		if isHan(string(r)) {
			return true
		}
	}
	return false
}

// contentWords counts the words of ws a query keeps: not stop words, not
// question words, with a letter in them.
func contentWords(ws []string) int {
	n := 0
	for _, w := range ws {
		l := strings.ToLower(w)
		if !zh.IsStopWord(l) && !zh.IsQueryStopWord(l) && strings.ContainsFunc(l, func(r rune) bool { return 'a' <= r && r <= 'z' }) {
			n++
		}
	}
	return n
}

// edgeWord reports whether a phrase may start or end with w: not a
// letter left by an apostrophe or an abbreviation ("s" of "Japan's", "U"
// of "U.S."), nor a stop word.
func edgeWord(w string) bool {
	l := strings.ToLower(w)
	return len(l) >= 2 && !zh.IsStopWord(l) && !zh.IsQueryStopWord(l)
}

func (g *generator) phraseEN() kind {
	const name = "phrase-en"
	r := newRNG(g.seed, name)
	js := g.draw(r, g.n, []source{reuters}, unique(func(i int32) (judgment, bool) {
		d := g.c.docs[i]
		size := 4 + r.intn(3)
		var runs [][]string
		for _, run := range wordRuns(d.body) {
			if len(run) >= size {
				runs = append(runs, run)
			}
		}
		if len(runs) == 0 {
			return judgment{}, false
		}
		run := runs[r.intn(len(runs))]
		start := r.intn(len(run) - size + 1)
		words := run[start : start+size]
		if contentWords(words) < 3 || !edgeWord(words[0]) || !edgeWord(words[size-1]) {
			return judgment{}, false
		}
		pattern := normalize(strings.Join(words, " "))
		rel, ok := g.known(g.c.holding(pattern), i)
		if !ok {
			return judgment{}, false
		}
		return judgment{Kind: name, Query: strings.Join(words, " "), Relevant: rel}, true
	}))
	return kind{name, js}
}

func (g *generator) phraseZH() kind {
	const name = "phrase-zh"
	r := newRNG(g.seed, name)
	js := g.draw(r, g.n, []source{cwe, tang}, unique(func(i int32) (judgment, bool) {
		d := g.c.docs[i]
		var phrase string
		if d.src == cwe {
			phrase = g.wordSpan(r, d.body, 4, 8)
		} else {
			// A half-line of a poem (5 or 7 characters) as it stands.
			var runs [][]rune
			for _, run := range hanRuns(d.body) {
				if len(run) >= 5 && len(run) <= 9 {
					runs = append(runs, run)
				}
			}
			if len(runs) > 0 {
				phrase = string(runs[r.intn(len(runs))])
			}
		}
		if phrase == "" {
			return judgment{}, false
		}
		rel, ok := g.known(g.c.holding(zh.Fold(phrase)), i)
		if !ok {
			return judgment{}, false
		}
		return judgment{Kind: name, Query: phrase, Relevant: rel}, true
	}))
	return kind{name, js}
}

// wordSpan returns a random run of whole words of text, as gse segments
// it, of min to max Han characters with nothing else in it (so not across
// punctuation), starting and ending with words of two characters or
// more, or "" when the draw finds none.
func (g *generator) wordSpan(r *rng, text string, min, max int) string {
	toks, err := g.seg.Tokens(zh.Accurate, text)
	if err != nil || len(toks) == 0 {
		return ""
	}
	k := r.intn(len(toks))
	if utf8.RuneCountInString(toks[k].Text) < 2 {
		return ""
	}
	start := toks[k].Start
	best := ""
	for _, t := range toks[k+1:] {
		span := text[start:t.End]
		if !isHan(span) || utf8.RuneCountInString(span) > max {
			break
		}
		if utf8.RuneCountInString(span) >= min && utf8.RuneCountInString(t.Text) >= 2 {
			best = span
		}
	}
	return best
}

// distinctive reports whether exactly one doc, self, holds both a and b
// (given as postings), and each is held by another doc too.
func distinctive(a, b []int32, self int32) bool {
	if len(a) < 2 || len(b) < 2 {
		return false
	}
	both := intersect(a, b)
	return len(both) == 1 && both[0] == self
}

func (g *generator) questionEN() kind {
	const name = "question-en"
	r := newRNG(g.seed, name)
	js := g.draw(r, g.n, []source{reuters}, unique(func(i int32) (judgment, bool) {
		d := g.c.docs[i]
		type pair struct{ a, b string }
		var pairs []pair
		for _, run := range wordRuns(d.body) {
			for k := 0; k+1 < len(run); k++ {
				a, b := strings.ToLower(run[k]), strings.ToLower(run[k+1])
				if a != b && questionWord(a) && questionWord(b) {
					pairs = append(pairs, pair{a, b})
				}
			}
		}
		if len(pairs) == 0 {
			return judgment{}, false
		}
		// A few tries per article, so that every article has its chance.
		for range 8 {
			p := pairs[r.intn(len(pairs))]
			if !distinctive(g.c.stems[zh.Stem(p.a)], g.c.stems[zh.Stem(p.b)], i) {
				continue
			}
			q := fmt.Sprintf("how do I %s in %s", p.a, p.b)
			if r.intn(2) == 1 {
				q = fmt.Sprintf("what is %s %s", p.a, p.b)
			}
			return judgment{Kind: name, Query: q, Relevant: []string{d.id}}, true
		}
		return judgment{}, false
	}))
	return kind{name, js}
}

// questionWord reports whether a lower-case word can be half of an
// English question's pair: 4 letters or more, and kept by a query.
func questionWord(w string) bool {
	return len(w) >= 4 && isLowerASCII(w) && !zh.IsStopWord(w) && !zh.IsQueryStopWord(w)
}

func (g *generator) questionZH() kind {
	const name = "question-zh"
	r := newRNG(g.seed, name)
	js := g.draw(r, g.n, []source{cwe, tang}, unique(func(i int32) (judgment, bool) {
		d := g.c.docs[i]
		toks, err := g.seg.Tokens(zh.Accurate, d.body)
		if err != nil {
			return judgment{}, false
		}
		type pair struct{ a, b string }
		var pairs []pair
		for k := 0; k+1 < len(toks); k++ {
			a, b := toks[k], toks[k+1]
			if a.End == b.Start && a.Text != b.Text && questionWordZH(a) && questionWordZH(b) {
				pairs = append(pairs, pair{a.Text, b.Text})
			}
		}
		if len(pairs) == 0 {
			return judgment{}, false
		}
		for range 8 {
			p := pairs[r.intn(len(pairs))]
			if !distinctive(g.c.holding(zh.Fold(p.a)), g.c.holding(zh.Fold(p.b)), i) {
				continue
			}
			q := "如何" + p.a + p.b
			if r.intn(2) == 1 {
				q = p.a + p.b + "是什么"
			}
			return judgment{Kind: name, Query: q, Relevant: []string{d.id}}, true
		}
		return judgment{}, false
	}))
	return kind{name, js}
}

// questionWordZH reports whether a token can be half of a Chinese
// question's pair: a word of 2 Han characters or more that a query keeps.
func questionWordZH(t zh.Token) bool {
	return utf8.RuneCountInString(t.Text) >= 2 && isHan(t.Text) && !zh.IsQueryStopWord(t.Term) && !zh.IsStopWord(t.Term)
}

func (g *generator) typoEN(titles kind) kind {
	const name = "typo-en"
	r := newRNG(g.seed, name)
	var js []judgment
	for _, t := range titles.judgments {
		words := strings.Fields(t.Query)
		var long []int
		for k, w := range words {
			if len(w) >= 5 && isLowerASCII(w) {
				long = append(long, k)
			}
		}
		if len(long) == 0 {
			continue
		}
		k := long[r.intn(len(long))]
		for range 20 {
			w := typo(r, words[k])
			if w == "" || len(g.c.words[w]) > 0 {
				continue // no edit, or a word of the corpus: not a typo
			}
			ws := slices.Clone(words)
			ws[k] = w
			js = append(js, judgment{Kind: name, Query: strings.Join(ws, " "), Relevant: t.Relevant})
			break
		}
	}
	return kind{name, js}
}

// typoWordEN is one rare word of a Reuters title, alone and misspelt
// (one edit, as typoEN): the articles holding the word, as the index
// stems it, are relevant. Unlike typoEN, no other word of the query finds
// them, so only typo tolerance can.
func (g *generator) typoWordEN() kind {
	const name = "typo-word-en"
	r := newRNG(g.seed, name)
	js := g.draw(r, g.n, []source{reuters}, unique(func(i int32) (judgment, bool) {
		var long []string
		for _, w := range asciiWords(g.c.docs[i].ntitle) {
			if len(w) >= 5 && isLowerASCII(w) && !zh.IsStopWord(w) {
				long = append(long, w)
			}
		}
		if len(long) == 0 {
			return judgment{}, false
		}
		w := long[r.intn(len(long))]
		docs := g.c.stems[zh.Stem(w)]
		if len(docs) > maxRelevant || !slices.Contains(docs, i) {
			return judgment{}, false
		}
		for range 20 {
			t := typo(r, w)
			if t == "" || len(g.c.words[t]) > 0 || len(g.c.stems[zh.Stem(t)]) > 0 {
				continue // no edit, or a word of the corpus: not a typo
			}
			return judgment{Kind: name, Query: t, Relevant: g.c.ids(docs)}, true
		}
		return judgment{}, false
	}))
	return kind{name, js}
}

// pinyinKey returns the pinyin of a title made only of Han characters
// (and spaces), its syllables joined: "dijingpianshishouyi"; "" for
// another title or one with a character go-pinyin does not know.
func pinyinKey(title string) string {
	f := strings.Join(strings.Fields(zh.Fold(title)), "")
	if !isHan(f) {
		return ""
	}
	return strings.Join(syllables(f), "")
}

func (g *generator) pinyin() kind {
	const name = "pinyin"
	r := newRNG(g.seed, name)
	keys := map[string][]int32{}
	for _, src := range []source{tang, cwe} {
		for _, i := range g.bySrc[src] {
			if k := pinyinKey(g.c.docs[i].title); k != "" {
				keys[k] = append(keys[k], i)
			}
		}
	}
	for _, docs := range keys {
		slices.Sort(docs)
	}
	used := map[string]bool{} // keys
	js := g.draw(r, g.n, []source{cwe, tang}, func(i int32) (judgment, bool) {
		d := g.c.docs[i]
		key := pinyinKey(d.title)
		if d.body == "" || utf8.RuneCountInString(d.tkey) < 2 || utf8.RuneCountInString(d.tkey) > 12 || key == "" || used[key] {
			return judgment{}, false
		}
		rel, ok := g.known(keys[key], i)
		if !ok {
			return judgment{}, false
		}
		// Every other query is spaced between words.
		q := key
		if len(used)%2 == 0 {
			if q = g.spacedPinyin(d.title); q == "" {
				return judgment{}, false
			}
		}
		used[key] = true
		return judgment{Kind: name, Query: q, Relevant: rel}, true
	})
	return kind{name, js}
}

// spacedPinyin returns the pinyin of a Han title a word at a time, as
// gse segments it: "dijing pian shishou yi". A character no word covers
// (a dropped particle) is a word of its own.
func (g *generator) spacedPinyin(title string) string {
	var words []string
	emit := func(s string) bool {
		py := syllables(s)
		if py == nil {
			return false
		}
		words = append(words, strings.Join(py, ""))
		return true
	}
	// The title's own spaces separate words too: 帝京篇十首 一.
	for _, f := range strings.Fields(zh.Fold(title)) {
		toks, err := g.seg.Tokens(zh.Accurate, f)
		if err != nil {
			return ""
		}
		at := 0
		for _, t := range append(toks, zh.Token{Start: len(f), End: len(f)}) {
			for at < t.Start {
				_, n := utf8.DecodeRuneInString(f[at:])
				if !emit(f[at : at+n]) {
					return ""
				}
				at += n
			}
			if t.Start < at || t.Start == t.End {
				continue
			}
			if !emit(f[t.Start:t.End]) {
				return ""
			}
			at = t.End
		}
	}
	return strings.Join(words, " ")
}

// coupletRE is a line of a regular poem: two halves of 5 or 7
// characters (checked to be equal), a comma between, a stop after.
var coupletRE = regexp.MustCompile(`^(\p{Han}{5}|\p{Han}{7})，(\p{Han}{5}|\p{Han}{7})[。！？；]$`)

func (g *generator) lineZHHans() kind {
	const name = "line-zh-hans"
	r := newRNG(g.seed, name)
	js := g.draw(r, g.n, []source{tang}, unique(func(i int32) (judgment, bool) {
		d := g.c.docs[i]
		var lines []string
		for _, l := range strings.Split(d.body, "\n") {
			if m := coupletRE.FindStringSubmatch(strings.TrimSpace(l)); m != nil && utf8.RuneCountInString(m[1]) == utf8.RuneCountInString(m[2]) {
				lines = append(lines, m[1]+"，"+m[2])
			}
		}
		if len(lines) == 0 {
			return judgment{}, false
		}
		line := lines[r.intn(len(lines))]
		simp, err := g.t2s.Convert(line)
		if err != nil || simp == line {
			return judgment{}, false
		}
		pattern := strings.TrimSpace(normalize(line))
		rel, ok := g.known(g.c.holding(pattern), i)
		if !ok {
			return judgment{}, false
		}
		return judgment{Kind: name, Query: simp, Relevant: rel}, true
	}))
	return kind{name, js}
}

// dominant returns, for each prefix, the completion most titles hold
// (the shorter, then the first by byte order, on a tie).
func dominant(titleDocs map[string][]int32, prefixOf func(string) string) map[string]string {
	best := map[string]string{}
	for w, docs := range titleDocs {
		p := prefixOf(w)
		if p == "" {
			continue
		}
		b, ok := best[p]
		if !ok {
			best[p] = w
			continue
		}
		if c := cmp.Compare(len(docs), len(titleDocs[b])); c > 0 || c == 0 && (len(w) < len(b) || len(w) == len(b) && w < b) {
			best[p] = w
		}
	}
	return best
}

func (g *generator) prefix() kind {
	const name = "prefix"
	r := newRNG(g.seed, name)

	// English: words of Reuters titles by the docs whose titles hold them.
	enTitles := map[string][]int32{}
	for _, i := range g.bySrc[reuters] {
		seen := map[string]bool{}
		for _, w := range asciiWords(g.c.docs[i].ntitle) {
			if isLowerASCII(w) && !seen[w] {
				seen[w] = true
				enTitles[w] = append(enTitles[w], i)
			}
		}
	}
	enPrefix := func(w string) string {
		if len(w) < 4 {
			return ""
		}
		return w[:4]
	}
	enBest := dominant(enTitles, enPrefix)

	// Chinese: the words gse finds in cn_web_extract and Tang titles.
	zhTitles := map[string][]int32{}
	zhWords := map[int32][]string{}
	for _, src := range []source{cwe, tang} {
		for _, i := range g.bySrc[src] {
			toks, err := g.seg.Tokens(zh.Accurate, g.c.docs[i].title)
			if err != nil {
				continue
			}
			seen := map[string]bool{}
			for _, t := range toks {
				if utf8.RuneCountInString(t.Term) >= 2 && isHan(t.Term) && !seen[t.Term] {
					seen[t.Term] = true
					zhTitles[t.Term] = append(zhTitles[t.Term], i)
					zhWords[i] = append(zhWords[i], t.Term)
				}
			}
		}
	}
	zhPrefix := func(w string) string {
		rs := []rune(w)
		if len(rs) < 2 {
			return ""
		}
		return string(rs[:2])
	}
	zhBest := dominant(zhTitles, zhPrefix)

	// grade: 2 when the title starts with the word, else 1.
	judge := func(prefix string, docs []int32, startsWith func(int32) bool) judgment {
		docs = slices.Clone(docs)
		grade := func(d int32) int {
			if startsWith(d) {
				return 2
			}
			return 1
		}
		slices.SortStableFunc(docs, func(a, b int32) int { return grade(b) - grade(a) })
		j := judgment{Kind: name, Query: prefix, Relevant: g.c.ids(docs)}
		for _, d := range docs {
			if grade(d) == 2 {
				if j.Grades == nil {
					j.Grades = map[string]int{}
				}
				j.Grades[g.c.docs[d].id] = 2
			}
		}
		return j
	}

	tryEN := unique(func(i int32) (judgment, bool) {
		words := asciiWords(g.c.docs[i].ntitle)
		for _, k := range r.perm(len(words)) {
			w := words[k]
			if len(w) < 5 || !isLowerASCII(w) || zh.IsStopWord(w) || enBest[enPrefix(w)] != w {
				continue
			}
			docs := enTitles[w]
			if len(docs) > maxPrefixRelevant {
				continue
			}
			return judge(enPrefix(w), docs, func(d int32) bool {
				ws := asciiWords(g.c.docs[d].ntitle)
				return len(ws) > 0 && ws[0] == w
			}), true
		}
		return judgment{}, false
	})
	tryZH := unique(func(i int32) (judgment, bool) {
		words := zhWords[i]
		for _, k := range r.perm(len(words)) {
			w := words[k]
			if utf8.RuneCountInString(w) < 3 || zhBest[zhPrefix(w)] != w {
				continue
			}
			// Every title holding the word, however gse cut it there.
			var docs []int32
			for _, d := range g.c.holding(w) {
				if strings.Contains(g.c.docs[d].ntitle, w) {
					docs = append(docs, d)
				}
			}
			if len(docs) == 0 || len(docs) > maxPrefixRelevant {
				continue
			}
			return judge(zhPrefix(w), docs, func(d int32) bool {
				return strings.HasPrefix(g.c.docs[d].tkey, w)
			}), true
		}
		return judgment{}, false
	})
	// Half English, then half Chinese (web articles first, then poems).
	en := g.draw(r, g.n/2, []source{reuters}, tryEN)
	zhQ := g.draw(r, g.n-len(en), []source{cwe, tang}, tryZH)
	return kind{name, append(en, zhQ...)}
}

// writeKind writes a kind's judgments to dir/KIND.jsonl and returns the
// path.
func writeKind(dir string, k kind) (string, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	for _, j := range k.judgments {
		if err := enc.Encode(j); err != nil {
			return "", fmt.Errorf("encode %s: %w", k.name, err)
		}
	}
	path := filepath.Join(dir, k.name+".jsonl")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		return "", fmt.Errorf("write judgments: %w", err)
	}
	return path, nil
}
