package zh

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/go-ego/gse"
)

// ErrUnknownDictFile is wrapped by the error [LoadDir] returns for a
// file in the dictionary directory that it does not read, such as a
// user.txt beside user.dict, so a misnamed dictionary is not silently
// left out.
var ErrUnknownDictFile = errors.New("not a dictionary file")

// wantDictFiles says which files [LoadDir] accepts, after
// [ErrUnknownDictFile].
const wantDictFiles = "want *.dict (user words: word [frequency [part-of-speech]] per line), *.stop (stop words, one per line) or *.syn (synonyms)"

// LoadDir reads the dictionary directory dir into [Options]. Every
// *.dict file, in name order, holds user words in the format of
// [Options.UserWords]; every *.stop file, in name order, holds stop
// words, one per line. In both, blank lines and lines starting with # are
// skipped. *.syn files (synonyms) are allowed but not read: package
// search/synonym reads them at query time. Subdirectories, dot files and
// README files (README, README.md, README.txt in any case) are skipped.
//
// Any other file fails with an error "file: not a dictionary file: want
// ..." wrapping [ErrUnknownDictFile], one line per such file. A malformed
// line fails with an error "file:line: reason". A missing dir fails with
// an error wrapping [io/fs.ErrNotExist].
func LoadDir(dir string) (Options, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return Options{}, fmt.Errorf("read dictionary directory: %w", err)
	}
	var unknown []error
	var read []fs.DirEntry
	for _, e := range ents {
		switch {
		case skipDictEntry(dir, e):
		case filepath.Ext(e.Name()) == ".syn":
			// Synonyms: allowed here, read by package search/synonym.
		case isDictFile(e.Name()):
			read = append(read, e)
		default:
			unknown = append(unknown, fmt.Errorf("%s: %w: %s", filepath.Join(dir, e.Name()), ErrUnknownDictFile, wantDictFiles))
		}
	}
	if len(unknown) > 0 {
		return Options{}, errors.Join(unknown...)
	}
	var opts Options
	var words strings.Builder
	for _, e := range read {
		ext := filepath.Ext(e.Name())
		name := filepath.Join(dir, e.Name())
		b, err := os.ReadFile(name)
		if err != nil {
			return Options{}, fmt.Errorf("read dictionary: %w", err)
		}
		text := strings.TrimPrefix(string(b), "\ufeff")
		switch ext {
		case ".dict":
			if _, err := parseUserWords(name, text); err != nil {
				return Options{}, err
			}
			words.WriteString(text)
			if text != "" && !strings.HasSuffix(text, "\n") {
				words.WriteByte('\n')
			}
		case ".stop":
			stops, err := parseStopWords(name, text)
			if err != nil {
				return Options{}, err
			}
			opts.StopWords = append(opts.StopWords, stops...)
		}
	}
	opts.UserWords = words.String()
	return opts, nil
}

// isDictFile reports whether name is a file the dictionary directory
// may hold. [LoadDir] reads *.dict and *.stop files; *.syn files are
// synonyms, which this package does not read (package search/synonym
// does, at query time), so they neither fail the load nor change the
// segmenter or its fingerprint.
func isDictFile(name string) bool {
	switch filepath.Ext(name) {
	case ".dict", ".stop", ".syn":
		return true
	}
	return false
}

// skipDictEntry reports whether [LoadDir] passes over the directory
// entry e of dir without a word: a directory (or a link to one), a dot
// file or a README.
func skipDictEntry(dir string, e fs.DirEntry) bool {
	name := e.Name()
	if strings.HasPrefix(name, ".") || e.IsDir() {
		return true
	}
	if e.Type()&fs.ModeSymlink != 0 {
		// A broken link is not skipped: as a *.dict or *.stop it fails
		// to read, and under another name it is reported.
		if fi, err := os.Stat(filepath.Join(dir, name)); err == nil && fi.IsDir() {
			return true
		}
	}
	switch strings.ToLower(name) {
	case "readme", "readme.md", "readme.txt":
		return true
	}
	return false
}

// userWord is one user dictionary entry.
type userWord struct {
	word string  // folded
	freq float64 // 0: none given
	pos  string
}

func (w userWord) freqText() string {
	if w.freq == 0 {
		return ""
	}
	return strconv.FormatFloat(w.freq, 'g', -1, 64)
}

// parseUserWords reads user words in gse's format, naming errors after
// name.
func parseUserWords(name, text string) ([]userWord, error) {
	var out []userWord
	err := forEachLine(name, text, func(f []string) string {
		if len(f) > 3 {
			return "too many fields (want: word [frequency [part-of-speech]])"
		}
		w := userWord{word: Fold(f[0])}
		if strings.ContainsFunc(w.word, unicode.IsSpace) {
			return fmt.Sprintf("word %q contains a space", f[0])
		}
		if len(f) > 1 {
			v, err := strconv.ParseFloat(f[1], 64)
			if err != nil || !(v > 0) || math.IsInf(v, 0) {
				return fmt.Sprintf("bad frequency %q (want a positive number)", f[1])
			}
			w.freq = v
		}
		if len(f) > 2 {
			w.pos = f[2]
		}
		out = append(out, w)
		return ""
	})
	return out, err
}

// parseStopWords reads stop words, one per line, naming errors after
// name.
func parseStopWords(name, text string) ([]string, error) {
	var out []string
	err := forEachLine(name, text, func(f []string) string {
		if len(f) > 1 {
			return "too many fields (want one stop word per line)"
		}
		out = append(out, f[0])
		return ""
	})
	return out, err
}

// forEachLine calls fn with the fields of every line of text that is
// neither blank nor a # comment. A non-empty result of fn is an error
// "name:line: result".
func forEachLine(name, text string, fn func(fields []string) string) error {
	text = strings.TrimPrefix(text, "\ufeff")
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		reason := ""
		switch {
		case !utf8.ValidString(line):
			reason = "invalid UTF-8"
		case line == "" || line[0] == '#':
			continue
		default:
			reason = fn(strings.Fields(line))
		}
		if reason != "" {
			return fmt.Errorf("%s:%d: %s", name, i+1, reason)
		}
	}
	return nil
}

// minUserFreq is the least frequency given to a user word without one,
// about that of an everyday word in the embedded dictionary (the total is
// about 5.8e7; 集团 has 12298, 许昌 243). A lower one would let a word
// next to it in a text take one of its characters.
const minUserFreq = 1000

// addUserWords adds words to the dictionary, replacing embedded entries.
// It is called before s is shared. It does not use gse's LoadDictStr:
// that drops a line without a frequency (or, with LoadNoFreq, gives it 2,
// too little to beat a split into two common words), splits fields on
// single spaces only, and keeps an embedded entry over a user one.
func addUserWords(seg *gse.Segmenter, words []userWord) error {
	if len(words) == 0 {
		return nil
	}
	put := func(w userWord, freq float64) error {
		err := error(nil)
		if f, pos, ok := seg.Find(w.word); ok && f > 0 {
			if w.pos == "" {
				w.pos = pos
			}
			err = seg.ReAddToken(w.word, freq, w.pos)
		} else {
			err = seg.AddToken(w.word, freq, w.pos)
		}
		if err != nil {
			return fmt.Errorf("add %q: %w", w.word, err)
		}
		return nil
	}
	// Words with a frequency go first, so the frequencies chosen for the
	// others beat splits that use them.
	var open []userWord
	for _, w := range words {
		if w.freq == 0 {
			open = append(open, w)
			continue
		}
		if err := put(w, w.freq); err != nil {
			return err
		}
	}
	freqs := make([]float64, len(open))
	for i, w := range open {
		freqs[i] = wholeWordFreq(seg, w.word)
	}
	for i, w := range open {
		if f, _, ok := seg.Find(w.word); ok && f >= freqs[i] && w.pos == "" {
			continue // already a word that wins
		}
		if err := put(w, freqs[i]); err != nil {
			return err
		}
	}
	// Distances and the sub-word trees (search mode) of every word.
	seg.CalcToken()
	return nil
}

// wholeWordFreq returns a frequency with which accurate mode keeps word
// whole rather than splitting it into other dictionary words: like
// jieba's suggest_freq, the whole word's distance (log2 total/freq) must
// be below the sum of the best split's, here by one bit, and at least
// [minUserFreq]. A word in the dictionary keeps a higher frequency.
func wholeWordFreq(seg *gse.Segmenter, word string) float64 {
	units := seg.SplitTextToWords([]byte(word))
	n := len(units)
	logTotal := math.Log2(seg.Dict.TotalFreq())
	// best[i] is the least distance of a split of units[:i].
	best := make([]float64, n+1)
	var key []byte
	for i := 1; i <= n; i++ {
		best[i] = math.Inf(1)
		for j := i - 1; j >= 0; j-- {
			if j == 0 && i == n {
				continue // the word itself
			}
			key = key[:0]
			for _, u := range units[j:i] {
				key = append(key, u...)
			}
			d := math.Inf(1)
			if f, _, ok := seg.Dict.Find(key); ok && f > 0 {
				d = logTotal - math.Log2(f)
			} else if i-j == 1 {
				d = pseudoDistance
			}
			best[i] = min(best[i], best[j]+d)
		}
	}
	freq := float64(minUserFreq)
	if split := best[n]; !math.IsInf(split, 1) {
		freq = max(freq, math.Ceil(math.Exp2(logTotal-split+1)))
	}
	if f, _, ok := seg.Find(word); ok {
		freq = max(freq, f)
	}
	return freq
}
