package zh

import (
	"fmt"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/longbridgeapp/opencc"
)

// t2sBase is the first code point of the dense Traditional-to-Simplified
// table; it covers CJK Extension A and the URO block, where all but a
// handful of the mapped characters live.
const (
	t2sBase = 0x3400
	t2sEnd  = 0xA000
)

// keepTraditional lists Traditional characters that are also in everyday
// Simplified use with another meaning; folding them would merge words
// (乾坤, 乾隆 are not 干).
var keepTraditional = map[rune]bool{'乾': true}

var (
	t2sOnce  sync.Once
	t2sErr   error
	t2sDense []rune // index r-t2sBase; 0 = unchanged
)

// loadT2S builds the character table from OpenCC's t2s conversion, once.
// Conversion is per character so that every folded character stays at
// the place of its original and offsets survive.
func loadT2S() error {
	t2sOnce.Do(func() {
		cc, err := opencc.New("t2s")
		if err != nil {
			t2sErr = fmt.Errorf("load traditional-to-simplified table: %w", err)
			return
		}
		dense := make([]rune, t2sEnd-t2sBase)
		for r := rune(t2sBase); r < t2sEnd; r++ {
			if keepTraditional[r] {
				continue
			}
			out, err := cc.Convert(string(r))
			if err != nil {
				t2sErr = fmt.Errorf("build traditional-to-simplified table: %w", err)
				return
			}
			if s, n := utf8.DecodeRuneInString(out); n == len(out) && s != r && s != utf8.RuneError {
				dense[r-t2sBase] = s
			}
		}
		t2sDense = dense
	})
	return t2sErr
}

// foldRune maps one rune to its search form: full-width ASCII to ASCII,
// odd spaces to a space, Traditional to Simplified, upper to lower case.
func foldRune(r rune) rune {
	switch {
	case r < utf8.RuneSelf:
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	case r >= t2sBase && r < t2sEnd:
		if t2sDense != nil {
			if s := t2sDense[r-t2sBase]; s != 0 {
				return s
			}
		}
		return r
	case r >= 0xFF01 && r <= 0xFF5E: // full-width ASCII
		return foldRune(r - 0xFEE0)
	case r == 0x3000 || r == 0x00A0 || r == 0xFEFF || (r >= 0x2000 && r <= 0x200B) || r == 0x202F || r == 0x205F:
		return ' '
	case r == utf8.RuneError:
		return ' '
	}
	return unicode.ToLower(r)
}

// fold writes the folded form of in to out and, for every byte of out
// plus one past the end, the offset in in of the rune it came from.
// Invalid UTF-8 bytes fold to spaces.
func fold(in, out []byte, offs []int32) ([]byte, []int32) {
	out, offs = out[:0], offs[:0]
	for i := 0; i < len(in); {
		c := in[i]
		if c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			out = append(out, c)
			offs = append(offs, int32(i))
			i++
			continue
		}
		r, n := utf8.DecodeRune(in[i:])
		start := len(out)
		out = utf8.AppendRune(out, foldRune(r))
		for range len(out) - start {
			offs = append(offs, int32(i))
		}
		i += n
	}
	offs = append(offs, int32(len(in)))
	return out, offs
}

// Fold returns s as the analyzers see it before segmentation: full-width
// ASCII as ASCII, Traditional characters as Simplified, lower case. Prefix
// queries use it, since bleve does not analyze them. Traditional folding
// needs [Load] to have run.
func Fold(s string) string {
	folded, _ := fold([]byte(s), make([]byte, 0, len(s)), make([]int32, 0, len(s)+1))
	return string(folded)
}
