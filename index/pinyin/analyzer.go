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
	// InitialsAnalyzer emits the first letter of each reading (职 as z).
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
	load()
	// One slab for the tokens, and terms that share the table's bytes:
	// titles are analysed twice for every article indexed.
	slab := make([]analysis.Token, 0, PerChar*utf8.RuneCount(text))
	out := make(analysis.TokenStream, 0, cap(slab))
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
		var seen [26]bool
		emitted := 0
		emit := func(term []byte) {
			slab = append(slab, analysis.Token{
				Term:     term,
				Start:    i,
				End:      i + n,
				Position: pos,
				Type:     analysis.Ideographic,
			})
			out = append(out, &slab[len(slab)-1])
			emitted++
		}
		for _, p := range rs {
			if emitted == PerChar {
				break
			}
			if a.initials {
				if seen[p[0]-'a'] {
					continue
				}
				seen[p[0]-'a'] = true
				p = letters[p[0]-'a' : p[0]-'a'+1]
			}
			emit(p)
		}
		for emitted < PerChar {
			emit(filler)
		}
		i += n
	}
	return out
}

var (
	letters = []byte("abcdefghijklmnopqrstuvwxyz")
	filler  = []byte(Filler)
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
