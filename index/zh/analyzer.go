package zh

import (
	"fmt"
	"sync"
	"sync/atomic"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	porterstemmer "github.com/blevesearch/go-porterstemmer"
)

// Mode selects how much an analyzer emits.
type Mode int

const (
	// Accurate emits gse's best segmentation: one token per word. Queries
	// use it, so a query word means what the user typed.
	Accurate Mode = iota
	// Search also emits every multi-character sub-word of each word at the
	// sub-word's own unit position, so 人民 finds 中华人民共和国. Indexing
	// uses it.
	Search
)

// Analyzer is a bleve analyzer over a [Segmenter]. It is safe for
// concurrent use. One from [NewAnalyzer] reads the current segmenter on
// every call, so a dictionary swapped in by [Load] applies to the next
// text analyzed; one from [NewAnalyzerFor] keeps its segmenter; one from
// the registry with a [ConfigAnalysis] fingerprint keeps the segmenter
// with that fingerprint once it is loaded.
type Analyzer struct {
	mode Mode
	// analysis is the fingerprint of the segmenter to bind on first use,
	// from the registry config; "" means none.
	analysis string
	// seg is the bound segmenter; nil follows the current one.
	seg atomic.Pointer[Segmenter]
}

// NewAnalyzer returns an analyzer in the given mode that follows the
// current segmenter. It fails with [ErrNotLoaded] when [Load] has not run.
func NewAnalyzer(mode Mode) (*Analyzer, error) {
	if _, err := Current(); err != nil {
		return nil, err
	}
	return &Analyzer{mode: mode}, nil
}

// NewAnalyzerFor returns an analyzer in the given mode bound to s, whatever
// [Load] makes current later. A nil s follows the current segmenter.
func NewAnalyzerFor(s *Segmenter, mode Mode) *Analyzer {
	a := &Analyzer{mode: mode}
	a.seg.Store(s)
	return a
}

// newBoundAnalyzer returns an analyzer bound to the segmenter with the
// given fingerprint: at once if it is loaded, otherwise on the first
// Analyze after it is, following the current segmenter until then.
func newBoundAnalyzer(fingerprint string, mode Mode) (*Analyzer, error) {
	a := &Analyzer{mode: mode, analysis: fingerprint}
	if s, ok := Lookup(fingerprint); ok {
		a.seg.Store(s)
		return a, nil
	}
	if _, err := Current(); err != nil {
		return nil, err
	}
	return a, nil
}

// segmenter returns the segmenter to analyze with, or nil.
func (a *Analyzer) segmenter() *Segmenter {
	if s := a.seg.Load(); s != nil {
		return s
	}
	if a.analysis != "" {
		if s, ok := Lookup(a.analysis); ok {
			a.seg.Store(s)
			return s
		}
	}
	return current.Load()
}

var _ analysis.Analyzer = (*Analyzer)(nil)

// offsPool recycles the folded-to-original offset tables; they never
// escape a call. Folded text does: token terms point into it.
var offsPool = sync.Pool{New: func() any { s := make([]int32, 0, 4096); return &s }}

// piecePool recycles segmentations; they never escape a call.
var piecePool = sync.Pool{New: func() any { s := make([]piece, 0, 1024); return &s }}

// Analyze splits input into tokens. Token Start/End are byte offsets in
// input, Position is 1-based and counts units (see the package doc).
func (a *Analyzer) Analyze(input []byte) analysis.TokenStream {
	return a.analyze(input, &TokenBuf{})
}

// TokenBuf holds the tokens of an [Analyzer.AnalyzeInto] call, to be used
// again by the next: indexing analyses millions of fields, and keeps of
// each only the terms (which point into a buffer of their own, never
// reused) and the positions and offsets it copies out of the tokens.
type TokenBuf struct {
	slab []analysis.Token
	out  analysis.TokenStream
}

// AnalyzeInto is Analyze, with the tokens in buf: they are valid until
// buf is used again; their terms stay valid.
func (a *Analyzer) AnalyzeInto(input []byte, buf *TokenBuf) analysis.TokenStream {
	return a.analyze(input, buf)
}

func (a *Analyzer) analyze(input []byte, buf *TokenBuf) analysis.TokenStream {
	s := a.segmenter()
	if s == nil || len(input) == 0 {
		return nil
	}
	op := offsPool.Get().(*[]int32)
	folded, offs := fold(input, make([]byte, 0, len(input)+len(input)/8), (*op)[:0])
	sp := piecePool.Get().(*[]piece)
	segs := s.lex.segment(folded, (*sp)[:0])

	e := emitter{folded: folded, offs: offs, stop: s.stop}
	e.slab, e.out = buf.slab[:0], buf.out[:0]
	if cap(e.slab) < len(segs) {
		e.slab = make([]analysis.Token, 0, len(segs))
	}
	if cap(e.out) < len(segs) {
		e.out = make(analysis.TokenStream, 0, len(segs))
	}
	first := e.slab // sub-words may fill it: then a larger one next time
	unit := 0       // unit index of the next word
	gap := false    // punctuation seen since the last word
	words := false  // a word was seen
	for i := 0; i < len(segs); i++ {
		sg := &segs[i]
		text := folded[sg.Start():sg.End()]
		switch classify(text) {
		case kindSpace:
			continue
		case kindPunct:
			// A hyphen or apostrophe inside a Latin word (bike-share,
			// don't) joins its parts; other punctuation breaks phrases.
			if !isConnector(text) || i == 0 || i+1 == len(segs) ||
				!isLatinWord(folded[segs[i-1].Start():segs[i-1].End()]) ||
				!isLatinWord(folded[segs[i+1].Start():segs[i+1].End()]) {
				gap = true
			}
			continue
		}
		if possessive(folded, segs, i) {
			// year's is year, as English analyzers take it: last year's
			// sharp fall holds last year sharp in a row.
			continue
		}
		if gap && words {
			unit++
		}
		gap, words = false, true
		if isDigits(text) {
			// 3.5 and 155,221 are one number, not two.
			end := sg.End()
			for i+2 < len(segs) && isNumberSep(folded[segs[i+1].Start():segs[i+1].End()]) &&
				isDigits(folded[segs[i+2].Start():segs[i+2].End()]) {
				i += 2
				end = segs[i].End()
			}
			e.emit(sg.Start(), end, unit)
			unit++
			continue
		}
		e.emit(sg.Start(), sg.End(), unit)
		if a.mode == Search {
			e.subWords(s.lex, sg.word, sg.Start(), unit)
		}
		unit += units(text)
	}
	*op = offs
	offsPool.Put(op)
	*sp = segs
	piecePool.Put(sp)
	buf.slab, buf.out = first, e.out
	if len(e.out) > cap(first) {
		buf.slab = make([]analysis.Token, 0, len(e.out))
	}
	return e.out
}

// possessive reports whether segment i is the s of a Latin word's
// possessive 's (or ’s).
func possessive(folded []byte, segs []piece, i int) bool {
	text := func(j int) []byte { return folded[segs[j].Start():segs[j].End()] }
	if i < 2 || string(text(i)) != "s" {
		return false
	}
	if a := string(text(i - 1)); a != "'" && a != "’" || !isLatinWord(text(i-2)) {
		return false
	}
	return i+1 == len(segs) || !isLatinWord(text(i+1))
}

type emitter struct {
	folded []byte
	offs   []int32
	stop   *stopSet
	slab   []analysis.Token
	out    analysis.TokenStream
}

// emit adds the folded text [start, end) at unit position unit, unless it
// is a stop word.
func (e *emitter) emit(start, end, unit int) {
	term := e.folded[start:end:end]
	if e.stop.has(term) {
		return
	}
	typ, han := tokenType(term)
	if typ == analysis.AlphaNumeric && len(term) > 2 && isASCIILetters(term) {
		term = stem(term)
	}
	if len(e.slab) == cap(e.slab) {
		e.slab = make([]analysis.Token, 0, 64)
	}
	e.slab = append(e.slab, analysis.Token{
		Start:    int(e.offs[start]),
		End:      int(e.offs[end]),
		Term:     term,
		Position: unit + 1,
		Type:     typ,
		KeyWord:  han,
	})
	e.out = append(e.out, &e.slab[len(e.slab)-1])
}

// subWords emits the multi-character sub-words of word w, which starts
// at byte base and unit position unit, walking gse's tree depth first.
func (e *emitter) subWords(l *lexicon, w int32, base, unit int) {
	for _, sub := range l.subWords(w) {
		start, end := base+int(sub.start), base+int(sub.end)
		if utf8.RuneCount(e.folded[start:end]) < 2 {
			continue
		}
		u := unit + units(e.folded[base:start])
		e.emit(start, end, u)
		e.subWords(l, sub.word, start, u)
	}
}

type kind int

const (
	kindWord kind = iota
	kindSpace
	kindPunct
)

// classify tells a word (it has a letter or a digit) from space and from
// punctuation or symbols.
func classify(text []byte) kind {
	k := kindSpace
	for _, r := range string(text) {
		if unicode.IsLetter(r) || unicode.IsNumber(r) {
			return kindWord
		}
		if !unicode.IsSpace(r) {
			k = kindPunct
		}
	}
	return k
}

// units counts the position units in text the way gse splits text into
// atoms: a run of letters and digits of at most two UTF-8 bytes each is
// one unit, every other character is one unit, spaces none.
func units(text []byte) int {
	n := 0
	inRun := false
	for _, r := range string(text) {
		if r < 0x800 && (unicode.IsLetter(r) || unicode.IsNumber(r)) {
			if !inRun {
				n++
				inRun = true
			}
			continue
		}
		inRun = false
		if !unicode.IsSpace(r) {
			n++
		}
	}
	return n
}

// tokenType returns the bleve token type of a term, and whether it holds
// Han characters.
func tokenType(term []byte) (analysis.TokenType, bool) {
	digits := true
	for _, r := range string(term) {
		if unicode.Is(unicode.Han, r) {
			return analysis.Ideographic, true
		}
		if r < '0' || r > '9' {
			digits = false
		}
	}
	if digits {
		return analysis.Numeric, false
	}
	return analysis.AlphaNumeric, false
}

// isConnector reports whether text is one character that may join the
// parts of a Latin word.
func isConnector(text []byte) bool {
	switch string(text) {
	case "-", "'", "’", "_", "/", "&", ".":
		return true
	}
	return false
}

// isLatinWord reports whether text is a run of letters or digits outside
// the Han script.
func isLatinWord(text []byte) bool {
	if len(text) == 0 {
		return false
	}
	for _, r := range string(text) {
		if !(unicode.IsLetter(r) || unicode.IsNumber(r)) || unicode.Is(unicode.Han, r) {
			return false
		}
	}
	return true
}

func isDigits(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return len(b) > 0
}

func isNumberSep(b []byte) bool {
	return len(b) == 1 && (b[0] == '.' || b[0] == ',')
}

func isASCIILetters(b []byte) bool {
	for _, c := range b {
		if c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

// Stem returns the stem of a folded English word as the analyzers index
// it, and any other term unchanged.
func Stem(term string) string {
	if len(term) > 2 && isASCIILetters([]byte(term)) {
		return string(stem([]byte(term)))
	}
	return term
}

// stem applies the Porter stemmer to a lower-case ASCII word. The result
// is a new slice when the word changes.
func stem(term []byte) []byte {
	rs := make([]rune, len(term))
	for i, c := range term {
		rs[i] = rune(c)
	}
	out := porterstemmer.StemWithoutLowerCasing(rs)
	if len(out) == len(term) {
		same := true
		for i, r := range out {
			if rune(term[i]) != r {
				same = false
				break
			}
		}
		if same {
			return term
		}
	}
	b := make([]byte, len(out))
	for i, r := range out {
		b[i] = byte(r)
	}
	return b
}

// Token is one token as shown to people (wensou analyze, /api/analyze).
type Token struct {
	Term     string `json:"term"`
	Text     string `json:"text"` // the original text: input[Start:End]
	Start    int    `json:"start"`
	End      int    `json:"end"`
	Position int    `json:"position"`
}

// Tokens analyzes text in a mode with the current segmenter and returns
// its tokens. It fails with [ErrNotLoaded] when [Load] has not run.
func Tokens(mode Mode, text string) ([]Token, error) {
	s, err := Current()
	if err != nil {
		return nil, err
	}
	return s.Tokens(mode, text)
}

// ParseMode reads a mode name: "index" (words and sub-words) or "query".
func ParseMode(s string) (Mode, error) {
	switch s {
	case "", "index":
		return Search, nil
	case "query":
		return Accurate, nil
	}
	return 0, fmt.Errorf("mode must be index or query, not %q", s)
}
