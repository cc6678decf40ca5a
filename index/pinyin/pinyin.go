// Package pinyin reads Chinese characters as pinyin and pinyin as typed
// by people: the readings of a character (every one of a polyphone, 长 as
// zhang and chang), and a typed string (zhiyejiaoyu, zhíyè, zhi2ye4,
// xi'an, zyjy) as the syllables or initials it spells.
//
// Readings come from go-pinyin's character table (pinyin-data: Simplified
// and Traditional characters alike). go-pinyin has no phrase dictionary,
// so the reading a polyphone takes in a word is not known: every reading
// is indexed, at the character's position, and a query in any of them
// finds it.
//
// It also registers the bleve analyzers of the pinyin fields
// ([Analyzer], [InitialsAnalyzer]).
package pinyin

import (
	"slices"
	"strings"
	"sync"
	"unicode"

	gopinyin "github.com/mozillazg/go-pinyin"
)

var (
	tableOnce sync.Once
	readings  map[rune][]string // tone-less readings, ü as v
	// readingBytes holds the same as bytes, shared by the tokens the
	// analyzers emit (bleve does not change a token's term).
	readingBytes map[rune][][]byte
	syllables    map[string]bool // every reading with a vowel
)

// load builds the reading table from go-pinyin's once. Its own
// conversion (SinglePinyin) runs regular expressions per reading, 80 ms
// for the whole table: the tone marks are dropped here rune by rune
// instead, to the same readings (TestReadings_MatchGoPinyin).
func load() {
	tableOnce.Do(func() {
		readings = make(map[rune][]string, len(gopinyin.PinyinDict))
		readingBytes = make(map[rune][][]byte, len(gopinyin.PinyinDict))
		syllables = map[string]bool{}
		for cp, value := range gopinyin.PinyinDict {
			r := rune(cp)
			var rs []string
			for marked := range strings.SplitSeq(value, ",") {
				p, ok := plain(marked)
				if !ok || p == "" || slices.Contains(rs, p) {
					continue
				}
				rs = append(rs, p)
				if strings.ContainsAny(p, "aeiouv") {
					syllables[p] = true
				}
			}
			if len(rs) > 0 {
				readings[r] = rs
				bs := make([][]byte, len(rs))
				for i, p := range rs {
					bs[i] = []byte(p)
				}
				readingBytes[r] = bs
			}
		}
	})
}

// plain returns a reading with tone marks (lǜ) as typed without them
// (lv); ok is false for one with letters pinyin input does not type (ê).
func plain(marked string) (string, bool) {
	b := make([]byte, 0, len(marked))
	for _, r := range marked {
		switch {
		case 'a' <= r && r <= 'z':
			b = append(b, byte(r))
		case toneless[r] != 0:
			b = append(b, toneless[r])
		case 0x300 <= r && r <= 0x36F:
			// A combining tone mark (m̄, ê̄): dropped.
		default:
			return "", false
		}
	}
	return string(b), true
}

func isLowerASCII(s string) bool {
	for i := range len(s) {
		if s[i] < 'a' || s[i] > 'z' {
			return false
		}
	}
	return true
}

// Readings returns every reading of r without tones, ü written v (绿 is
// lv), the most common first; nil for a character with none.
func Readings(r rune) []string {
	if r < 0x3000 {
		return nil
	}
	load()
	return readings[r]
}

// IsSyllable reports whether s, in lower case without tones, is a pinyin
// syllable: zhi, lve, a; not m, ng or hm (interjections without a vowel,
// which would read too many English words as pinyin).
func IsSyllable(s string) bool {
	load()
	return syllables[s]
}

// Limits on reading typed text.
const (
	// MaxLetters is the longest text read as pinyin, in letters.
	MaxLetters = 64
	// MaxInitials is the longest text read as initials.
	MaxInitials = 6
	maxSyllable = 6 // zhuang, shuang
)

// Reading is one way to read typed text as pinyin: the syllables in
// order, or, for initials, one letter per character.
type Reading struct {
	Syllables []string
	// Initials is set when each element of Syllables is the first letter
	// of a character's reading (zyjy), not a whole syllable.
	Initials bool
}

// Read reads text, a user's words, as pinyin: at most max ways to split
// it into the fewest syllables (xian, not xi an);
// when it spells no syllables, as initials (zyjy), when it is short
// enough. Spaces and apostrophes (xi'an) split syllables; tone marks
// (zhíyè) and tone digits (zhi2ye4) are dropped; upper case is read as
// lower. Text with anything else (a digit elsewhere, a Han character,
// punctuation) is not pinyin: Read returns nil.
func Read(text string, max int) []Reading {
	chunks, ok := normalize(text)
	if !ok || len(chunks) == 0 || max <= 0 {
		return nil
	}
	// Each chunk splits on its own; the readings of the text are their
	// products, fewest syllables first.
	out := []Reading{{}}
	for _, ch := range chunks {
		splits := split(ch, max)
		if len(splits) == 0 {
			out = nil
			break
		}
		var next []Reading
		for _, o := range out {
			for _, s := range splits {
				next = append(next, Reading{Syllables: append(slices.Clip(o.Syllables), s...)})
			}
		}
		slices.SortStableFunc(next, func(a, b Reading) int { return len(a.Syllables) - len(b.Syllables) })
		if len(next) > max {
			next = next[:max]
		}
		out = next
	}
	if out != nil {
		return out
	}
	// Initials: every letter one character's, a vowel-less run at most.
	letters := strings.Join(chunks, "")
	if n := len(letters); n < 2 || n > MaxInitials {
		return nil
	}
	var ini []string
	for i := range len(letters) {
		c := letters[i]
		if c == 'i' || c == 'u' || c == 'v' {
			return nil // no syllable starts with them
		}
		ini = append(ini, letters[i:i+1])
	}
	return []Reading{{Syllables: ini, Initials: true}}
}

// normalize turns typed text into runs of lower-case letters, split at
// spaces, apostrophes and tone digits; ok is false when text holds
// anything that pinyin does not.
func normalize(text string) (chunks []string, ok bool) {
	var b strings.Builder
	letters := 0
	flush := func() {
		if b.Len() > 0 {
			chunks = append(chunks, b.String())
			b.Reset()
		}
	}
	prevLetter := false
	for _, r := range text {
		switch {
		case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z':
			b.WriteRune(unicode.ToLower(r))
			letters++
			prevLetter = true
			continue
		case toneless[r] != 0:
			b.WriteByte(toneless[r])
			letters++
			prevLetter = true
			continue
		case '1' <= r && r <= '5' && prevLetter:
			flush() // a tone digit ends its syllable
		case r == ' ' || r == '\t' || r == '\'' || r == '’' || r == '-':
			flush()
		default:
			return nil, false
		}
		prevLetter = false
	}
	flush()
	if letters > MaxLetters {
		return nil, false
	}
	return chunks, true
}

// toneless maps vowels with tone marks (and ü) to the letters typed for
// them.
var toneless = map[rune]byte{
	'ā': 'a', 'á': 'a', 'ǎ': 'a', 'à': 'a',
	'ē': 'e', 'é': 'e', 'ě': 'e', 'è': 'e',
	'ī': 'i', 'í': 'i', 'ǐ': 'i', 'ì': 'i',
	'ō': 'o', 'ó': 'o', 'ǒ': 'o', 'ò': 'o',
	'ū': 'u', 'ú': 'u', 'ǔ': 'u', 'ù': 'u',
	'ü': 'v', 'ǖ': 'v', 'ǘ': 'v', 'ǚ': 'v', 'ǜ': 'v',
	'Ā': 'a', 'Á': 'a', 'Ǎ': 'a', 'À': 'a',
	'Ē': 'e', 'É': 'e', 'Ě': 'e', 'È': 'e',
	'Ī': 'i', 'Í': 'i', 'Ǐ': 'i', 'Ì': 'i',
	'Ō': 'o', 'Ó': 'o', 'Ǒ': 'o', 'Ò': 'o',
	'Ū': 'u', 'Ú': 'u', 'Ǔ': 'u', 'Ù': 'u',
	'Ü': 'v', 'Ǖ': 'v', 'Ǘ': 'v', 'Ǚ': 'v', 'Ǜ': 'v',
	'ń': 'n', 'ň': 'n', 'ǹ': 'n', 'ḿ': 'm',
}

// split returns up to max ways to split s, lower-case letters, into
// the fewest syllables.
func split(s string, max int) [][]string {
	load()
	// fewest[i] is the fewest syllables s[i:] splits into; -1 when it
	// does not split.
	fewest := make([]int, len(s)+1)
	for i := len(s) - 1; i >= 0; i-- {
		fewest[i] = -1
		for n := 1; n <= maxSyllable && i+n <= len(s); n++ {
			if f := fewest[i+n]; f >= 0 && syllables[s[i:i+n]] && (fewest[i] < 0 || f+1 < fewest[i]) {
				fewest[i] = f + 1
			}
		}
	}
	if fewest[0] < 0 {
		return nil
	}
	// Enumerate the splits with the fewest syllables, longest first,
	// until max are found: xian is one syllable, xi'an two.
	limit := fewest[0]
	var out [][]string
	var cur []string
	var walk func(i int)
	walk = func(i int) {
		if len(out) >= max {
			return
		}
		if i == len(s) {
			out = append(out, slices.Clone(cur))
			return
		}
		for n := min(maxSyllable, len(s)-i); n >= 1; n-- {
			f := fewest[i+n]
			if f < 0 || !syllables[s[i:i+n]] || len(cur)+1+f > limit {
				continue
			}
			cur = append(cur, s[i:i+n])
			walk(i + n)
			cur = cur[:len(cur)-1]
		}
	}
	walk(0)
	return out
}

var (
	prefixOnce sync.Once
	partials   map[string]bool // every proper prefix of a syllable
)

// IsPrefix reports whether s, lower-case letters, is pinyin being typed:
// whole syllables, then perhaps the start of one (zhiy, zhiyej). It
// is at most [MaxLetters] long.
func IsPrefix(s string) bool {
	if s == "" || len(s) > MaxLetters || !isLowerASCII(s) {
		return false
	}
	load()
	prefixOnce.Do(func() {
		partials = map[string]bool{}
		for syl := range syllables {
			for n := 1; n < len(syl); n++ {
				partials[syl[:n]] = true
			}
		}
	})
	// ok[i]: s[:i] is whole syllables.
	ok := make([]bool, len(s)+1)
	ok[0] = true
	for i := range len(s) {
		if !ok[i] {
			continue
		}
		for n := 1; n <= maxSyllable && i+n <= len(s); n++ {
			piece := s[i : i+n]
			if i+n == len(s) && (syllables[piece] || partials[piece]) {
				return true
			}
			if syllables[piece] {
				ok[i+n] = true
			}
		}
	}
	return false
}

// Keys returns the pinyin of word, its syllables joined (职业 is zhiye),
// one key per combination of its characters' readings, the first
// readings' first, at most max; nil when a character has none.
func Keys(word string, max int) []string {
	keys := []string{""}
	for _, r := range word {
		rs := Readings(r)
		if len(rs) == 0 {
			return nil
		}
		var next []string
		for _, k := range keys {
			for _, p := range rs {
				if len(next) == max {
					break
				}
				next = append(next, k+p)
			}
		}
		keys = next
	}
	if len(keys) == 1 && keys[0] == "" {
		return nil
	}
	return keys
}

// Covered returns how many leading characters of word the pinyin prefix
// reaches, reading word as key (one of its [Keys]): zhiy reaches both
// characters of 职业 (zhiye).
func Covered(word, key, prefix string) int {
	at, n := 0, 0
	for _, r := range word {
		if at >= len(prefix) {
			break
		}
		for _, p := range Readings(r) {
			if strings.HasPrefix(key[at:], p) {
				at += len(p)
				break
			}
		}
		n++
	}
	return n
}

var (
	homoOnce  sync.Once
	byReading map[string][]rune // the common characters of each reading
	homoMu    sync.Mutex
	homo      = map[rune][]rune{}
)

// Homophones returns the common characters (CJK Unified Ideographs, not
// the extensions) that share a reading with r, in code point order, r
// itself left out.
func Homophones(r rune) []rune {
	rs := Readings(r)
	if len(rs) == 0 {
		return nil
	}
	homoOnce.Do(func() {
		byReading = map[string][]rune{}
		for c, readings := range readings {
			if c < 0x4E00 || c > 0x9FFF {
				continue // the extensions: characters text seldom holds
			}
			for _, p := range readings {
				byReading[p] = append(byReading[p], c)
			}
		}
		for _, cs := range byReading {
			slices.Sort(cs)
		}
	})
	homoMu.Lock()
	defer homoMu.Unlock()
	if out, ok := homo[r]; ok {
		return out
	}
	seen := map[rune]bool{r: true}
	var out []rune
	for _, p := range rs {
		for _, c := range byReading[p] {
			if !seen[c] {
				seen[c] = true
				out = append(out, c)
			}
		}
	}
	slices.Sort(out)
	homo[r] = out
	return out
}

// SoundsClose reports whether a and b, two characters, sound alike: a
// reading of one is a reading of the other, or one letter away from it
// with the same first letter (月 yue and 育 yu), as an input method's
// slips give them.
func SoundsClose(a, b rune) bool {
	for _, x := range Readings(a) {
		for _, y := range Readings(b) {
			if x == y || x[0] == y[0] && oneLetterApart(x, y) {
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
