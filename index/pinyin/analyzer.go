package pinyin

import (
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/registry"
)

// Registry names of the analyzers of the pinyin fields.
const (
	// Analyzer emits every reading of each Chinese character (职 as zhi,
	// 长 as zhang and chang), all at the character's position, with the
	// character's offsets, so that a hit's Chinese text is highlighted.
	Analyzer = "wensou_pinyin"
	// InitialsAnalyzer emits, at each character followed by another, the
	// first letters of their readings as pairs (职业 as zy at 职's
	// position): a phrase of pairs finds initials (zyjy is zy yj jy) with
	// postings far shorter than those of single letters.
	InitialsAnalyzer = "wensou_pinyin_initials"
)

// analyzer is a bleve analyzer over the readings of text. A run of
// letters or digits takes a position of its own, emitting nothing, so
// that a phrase of syllables does not span a Latin word; spaces and
// punctuation take none (七言 三十七 is qiyan sanshiqi).
//
// Every character emits exactly [PerChar] tokens, its first readings
// padded with [Filler]: bleve's length of a field is its count of tokens,
// and a title of polyphones must not weigh as a longer title.
type analyzer struct{ initials bool }

// PerChar is how many tokens a character emits: its first readings (more
// are dropped; 65 rare characters have 5 to 8), padded with Filler.
const PerChar = 4

// Filler pads a character's tokens; no reading or query is ever it.
const Filler = "_"

func (a analyzer) Analyze(text []byte) analysis.TokenStream {
	return a.AnalyzeInto(text, &TokenBuf{})
}

// TokenBuf holds the tokens of an AnalyzeInto call, to be used again by
// the next. The tokens' terms never point into it: they are the reading
// table's bytes.
type TokenBuf struct {
	chars []char
	slab  []analysis.Token
	out   analysis.TokenStream
}

// char is a character with readings, at its position.
type char struct {
	start, end, pos int
	readings        [][]byte
}

// AnalyzeInto is Analyze, with the tokens in buf: they are valid until
// buf is used again; their terms stay valid.
func (a analyzer) AnalyzeInto(text []byte, buf *TokenBuf) analysis.TokenStream {
	load()
	chars := buf.chars[:0]
	if n := utf8.RuneCount(text); cap(chars) < n {
		chars = make([]char, 0, n)
	}
	pos := 0
	word := false // in a run of letters or digits
	for i := 0; i < len(text); {
		r, n := utf8.DecodeRune(text[i:])
		var rs [][]byte
		if r >= 0x3000 {
			rs = readingBytes[r]
		}
		if len(rs) == 0 {
			if w := unicode.IsLetter(r) || unicode.IsDigit(r); w && !word {
				pos++
				word = true
			} else if !w {
				word = false
			}
			i += n
			continue
		}
		pos++
		word = false
		chars = append(chars, char{i, i + n, pos, rs})
		i += n
	}
	// One slab for the tokens, and terms that share the table's bytes:
	// titles are analysed twice for every article indexed.
	slab, out := buf.slab[:0], buf.out[:0]
	if cap(slab) < PerChar*len(chars) {
		slab = make([]analysis.Token, 0, PerChar*len(chars))
		out = make(analysis.TokenStream, 0, cap(slab))
	}
	for k, c := range chars {
		emitted := 0
		emit := func(term []byte, end int) {
			slab = append(slab, analysis.Token{
				Term:     term,
				Start:    c.start,
				End:      end,
				Position: c.pos,
				Type:     analysis.Ideographic,
			})
			out = append(out, &slab[len(slab)-1])
			emitted++
		}
		if !a.initials {
			// Readings without a vowel (哽 and 嗯 as ng, n) are never
			// read from a query (see IsSyllable): fillers stand for them.
			for _, p := range c.readings[:min(len(c.readings), PerChar)] {
				if syllables[string(p)] {
					emit(p, c.end)
				}
			}
		} else if k+1 < len(chars) && chars[k+1].pos == c.pos+1 {
			// The initials of this character and the next, as a pair.
			next := chars[k+1]
			var seen [26 * 26]bool
		pairs:
			for _, p := range c.readings {
				for _, q := range next.readings {
					i := int(p[0]-'a')*26 + int(q[0]-'a')
					if seen[i] {
						continue
					}
					if emitted == PerChar {
						break pairs
					}
					seen[i] = true
					emit(pairs2[2*i:2*i+2], next.end)
				}
			}
		}
		for emitted < PerChar {
			emit(filler, c.end)
		}
	}
	buf.chars, buf.slab, buf.out = chars, slab, out
	return out
}

var (
	filler = []byte(Filler)
	// pairs2 holds every pair of letters, aa to zz: pair i is
	// pairs2[2*i:2*i+2].
	pairs2 = func() []byte {
		b := make([]byte, 0, 2*26*26)
		for x := byte('a'); x <= 'z'; x++ {
			for y := byte('a'); y <= 'z'; y++ {
				b = append(b, x, y)
			}
		}
		return b
	}()
)

// Tokens returns the tokens [Analyzer] or, with initials, the initials
// analyzer emits for text.
func Tokens(text string, initials bool) analysis.TokenStream {
	return analyzer{initials: initials}.Analyze([]byte(text))
}

// HasReadings reports whether some character of text has a reading.
func HasReadings(text string) bool {
	for _, r := range text {
		if r >= 0x3000 && len(Readings(r)) > 0 {
			return true
		}
	}
	return false
}

func init() {
	for name, initials := range map[string]bool{Analyzer: false, InitialsAnalyzer: true} {
		err := registry.RegisterAnalyzer(name, func(map[string]any, *registry.Cache) (analysis.Analyzer, error) {
			return analyzer{initials: initials}, nil
		})
		if err != nil {
			panic(err)
		}
	}
}
