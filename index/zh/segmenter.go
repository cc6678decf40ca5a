package zh

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/go-ego/gse"
)

// Version is the version of the analysis rules. It changes whenever a
// change to this package would make an existing index analyze text
// differently; an index built with another version must be rebuilt.
const Version = "2"

// ErrNotLoaded is returned when an analyzer is built before [Load].
var ErrNotLoaded = errors.New("zh: segmenter not loaded (call zh.Load first)")

// Options configures [Load]. The zero value loads the embedded dictionary
// and the built-in stop words. [LoadDir] reads Options from a directory.
type Options struct {
	// UserWords are extra dictionary entries, one per line in gse's
	// format: "word [frequency [part-of-speech]]". Lines that are blank
	// or start with # are skipped. Words are folded like any text
	// (see [Fold]). A later entry for the same word replaces an earlier
	// one, and an entry replaces the embedded dictionary's. A word without
	// a frequency gets one high enough that accurate mode keeps it whole.
	UserWords string `json:"user_words,omitempty"`
	// StopWords are dropped by the analyzers in addition to the built-in
	// list (see [IsStopWord]). They are folded like any text, so
	// full-width, Traditional or upper-case entries work.
	StopWords []string `json:"stop_words,omitempty"`
}

// Segmenter is a loaded dictionary with its stop words. It is immutable
// once built and safe for concurrent use.
type Segmenter struct {
	lex         *lexicon
	stop        *stopSet
	fingerprint string
	loadTime    time.Duration
	cached      bool  // the lexicon came from the cache directory
	cacheErr    error // why the lexicon could not be kept there
}

// Fingerprint identifies the analysis: the analyzer [Version] and a hash
// of the user dictionary and stop lists. Indexes record it so that a
// change is detected. Equal [Options] give equal fingerprints in every
// process; so do Options that differ only in comments, blank lines, the
// order of entries or the spelling of a frequency.
func (s *Segmenter) Fingerprint() string { return s.fingerprint }

// LoadTime reports how long loading the dictionary took.
func (s *Segmenter) LoadTime() time.Duration { return s.loadTime }

// Cached reports whether the dictionary was read from the cache
// directory (see [CacheDirEnv]) rather than built from gse's text.
func (s *Segmenter) Cached() bool { return s.cached }

// CacheError reports why a dictionary built from gse's text could not be
// kept in the cache directory, so that the next start builds it again;
// nil when it was kept, read from there, or the cache is off.
func (s *Segmenter) CacheError() error { return s.cacheErr }

// Tokens analyzes text in a mode with s and returns its tokens, like
// [Tokens] does with the current segmenter. It fails only for a nil s.
func (s *Segmenter) Tokens(mode Mode, text string) ([]Token, error) {
	if s == nil {
		return nil, ErrNotLoaded
	}
	out := []Token{}
	for _, t := range NewAnalyzerFor(s, mode).Analyze([]byte(text)) {
		out = append(out, Token{Term: string(t.Term), Text: text[t.Start:t.End], Start: t.Start, End: t.End, Position: t.Position})
	}
	return out, nil
}

var (
	loadMu  sync.Mutex // serializes building segmenters
	current atomic.Pointer[Segmenter]

	loadedMu sync.RWMutex
	loaded   = map[string]*Segmenter{} // by fingerprint; entries are never removed
)

// Load returns the segmenter for opts and makes it the current one, the
// one that [Tokens], [NewAnalyzer] and analyzers registered without a
// fingerprint use. A segmenter is built once per distinct fingerprint and
// kept for the life of the process (about 25 MB each), so Load with
// options loaded before returns at once, and [Lookup] finds every
// segmenter ever loaded. Building one aside never disturbs running
// analyzers. Load is safe for concurrent use.
//
// The current segmenter is the one sanctioned global of wensou: bleve's
// analyzer registry is global, so analyzers reach segmenters through it.
func Load(opts Options) (*Segmenter, error) {
	loadMu.Lock()
	defer loadMu.Unlock()
	s, err := build(opts)
	if err != nil {
		return nil, err
	}
	current.Store(s)
	return s, nil
}

// Lookup returns the segmenter that [Load] built with this fingerprint,
// if any. It is safe for concurrent use.
func Lookup(fingerprint string) (*Segmenter, bool) {
	loadedMu.RLock()
	defer loadedMu.RUnlock()
	s, ok := loaded[fingerprint]
	return s, ok
}

// Current returns the current segmenter (see [Load]), or [ErrNotLoaded].
func Current() (*Segmenter, error) {
	s := current.Load()
	if s == nil {
		return nil, ErrNotLoaded
	}
	return s, nil
}

// build returns the registered segmenter for opts, building and
// registering it first if needed. It leaves current alone. The caller
// holds loadMu.
func build(opts Options) (*Segmenter, error) {
	// Folding user and stop words needs the Traditional table.
	if err := loadT2S(); err != nil {
		return nil, err
	}
	a, err := parseOptions(opts)
	if err != nil {
		return nil, err
	}
	if s, ok := Lookup(a.fingerprint); ok {
		return s, nil
	}
	s, err := newSegmenter(a)
	if err != nil {
		return nil, err
	}
	loadedMu.Lock()
	loaded[s.fingerprint] = s
	loadedMu.Unlock()
	return s, nil
}

// settings is [Options] validated and in canonical form.
type settings struct {
	words       []userWord // folded, one per word, sorted by word
	extraStops  []string   // folded, sorted, not built in
	fingerprint string
}

func parseOptions(opts Options) (settings, error) {
	var a settings
	words, err := parseUserWords("user words", opts.UserWords)
	if err != nil {
		return a, err
	}
	// The last entry of a word wins, as in a file loaded after another.
	byWord := make(map[string]int, len(words))
	for _, w := range words {
		if i, ok := byWord[w.word]; ok {
			a.words[i] = w
			continue
		}
		byWord[w.word] = len(a.words)
		a.words = append(a.words, w)
	}
	slices.SortFunc(a.words, func(x, y userWord) int { return strings.Compare(x.word, y.word) })

	for _, w := range opts.StopWords {
		w = strings.TrimSpace(w)
		if w == "" {
			continue
		}
		if !utf8.ValidString(w) {
			return a, fmt.Errorf("stop word %q: invalid UTF-8", w)
		}
		f := Fold(w)
		if strings.ContainsFunc(f, unicode.IsSpace) {
			return a, fmt.Errorf("stop word %q: contains a space", w)
		}
		if !builtinStops.words[f] {
			a.extraStops = append(a.extraStops, f)
		}
	}
	slices.Sort(a.extraStops)
	a.extraStops = slices.Compact(a.extraStops)
	a.fingerprint = fingerprint(a)
	return a, nil
}

// fingerprint hashes the canonical options. The zero Options hash as they
// did before user and stop words existed, so existing indexes stay valid.
func fingerprint(a settings) string {
	var words strings.Builder
	for _, w := range a.words {
		fmt.Fprintf(&words, "%s\t%s\t%s\n", w.word, w.freqText(), w.pos)
	}
	h := sha256.New()
	fmt.Fprintf(h, "v%s\x00%s\x00", Version, words.String())
	for _, w := range indexStopWords {
		fmt.Fprintf(h, "%s\x01", w)
	}
	if len(a.extraStops) > 0 {
		fmt.Fprint(h, "\x00")
		for _, w := range a.extraStops {
			fmt.Fprintf(h, "%s\x01", w)
		}
	}
	return Version + "-" + hex.EncodeToString(h.Sum(nil))[:12]
}

func newSegmenter(a settings) (*Segmenter, error) {
	start := time.Now()
	s := &Segmenter{fingerprint: a.fingerprint, stop: builtinStops}
	if len(a.extraStops) > 0 {
		s.stop = newStopSet(indexStopWords, a.extraStops)
	}
	dir := cacheDir()
	if dir != "" {
		if l, err := readLexicon(lexPath(dir, a.fingerprint), a.fingerprint); err == nil {
			s.lex, s.cached = l, true
			s.loadTime = time.Since(start)
			return s, nil
		}
	}
	l, err := buildLexicon(a.words)
	if err != nil {
		return nil, err
	}
	s.lex = l
	if dir != "" {
		s.cacheErr = writeLexicon(lexPath(dir, a.fingerprint), a.fingerprint, l)
	}
	s.loadTime = time.Since(start)
	return s, nil
}

// buildLexicon loads gse's embedded dictionary and the user words into a
// gse segmenter and copies it into a lexicon; the segmenter is dropped.
func buildLexicon(words []userWord) (*lexicon, error) {
	seg, err := loadGse(words)
	if err != nil {
		return nil, err
	}
	return lexiconFrom(seg)
}

func loadGse(words []userWord) (*gse.Segmenter, error) {
	seg := new(gse.Segmenter)
	seg.SkipLog = true
	// The HMM model is never used (no Cut with hmm); not loading it saves
	// memory and avoids gse's package-level model maps.
	seg.NotLoadHMM = true
	// Traditional text is folded to Simplified before segmentation, so the
	// Simplified dictionary is enough.
	if err := seg.LoadDictEmbed("zh_s"); err != nil {
		return nil, fmt.Errorf("load gse dictionary: %w", err)
	}
	if err := addUserWords(seg, words); err != nil {
		return nil, fmt.Errorf("load user dictionary: %w", err)
	}
	return seg, nil
}
