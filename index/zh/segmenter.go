package zh

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-ego/gse"
)

// Version is the version of the analysis rules. It changes whenever a
// change to this package would make an existing index analyze text
// differently; an index built with another version must be rebuilt.
const Version = "2"

// ErrNotLoaded is returned when an analyzer is built before [Load].
var ErrNotLoaded = errors.New("zh: segmenter not loaded (call zh.Load first)")

// Options configures [Load]. The zero value loads the embedded dictionary.
type Options struct {
	// UserWords are extra dictionary entries, one per line in gse's
	// format: "word [frequency [part-of-speech]]".
	UserWords string
}

// Segmenter is a loaded dictionary with its folding tables. It is
// immutable once built and safe for concurrent use.
type Segmenter struct {
	seg         gse.Segmenter
	fingerprint string
	loadTime    time.Duration
}

// Fingerprint identifies the analysis: the analyzer [Version] and a hash
// of the user dictionary and stop lists. Indexes record it so that a
// change is detected.
func (s *Segmenter) Fingerprint() string { return s.fingerprint }

// LoadTime reports how long loading the dictionary took.
func (s *Segmenter) LoadTime() time.Duration { return s.loadTime }

var (
	loadMu  sync.Mutex
	current atomic.Pointer[Segmenter]
)

// Load builds the process-wide segmenter, once. Later calls with the same
// options return at once; calls with other options build a new segmenter
// aside and swap it in, so running analyzers are never disturbed.
//
// The segmenter is the one sanctioned global of wensou: bleve's analyzer
// registry is global, so analyzers reach the segmenter through it.
func Load(opts Options) (*Segmenter, error) {
	loadMu.Lock()
	defer loadMu.Unlock()
	fp := fingerprint(opts)
	if s := current.Load(); s != nil && s.fingerprint == fp {
		return s, nil
	}
	s, err := newSegmenter(opts)
	if err != nil {
		return nil, err
	}
	s.fingerprint = fp
	current.Store(s)
	return s, nil
}

// Current returns the loaded segmenter, or [ErrNotLoaded].
func Current() (*Segmenter, error) {
	s := current.Load()
	if s == nil {
		return nil, ErrNotLoaded
	}
	return s, nil
}

func newSegmenter(opts Options) (*Segmenter, error) {
	start := time.Now()
	s := &Segmenter{}
	s.seg.SkipLog = true
	// The HMM model is never used (no Cut with hmm); not loading it saves
	// memory and avoids gse's package-level model maps.
	s.seg.NotLoadHMM = true
	// Traditional text is folded to Simplified before segmentation, so the
	// Simplified dictionary is enough.
	if err := s.seg.LoadDictEmbed("zh_s"); err != nil {
		return nil, fmt.Errorf("load gse dictionary: %w", err)
	}
	if opts.UserWords != "" {
		if err := s.seg.LoadDictStr(opts.UserWords); err != nil {
			return nil, fmt.Errorf("load user dictionary: %w", err)
		}
	}
	if err := loadT2S(); err != nil {
		return nil, err
	}
	s.loadTime = time.Since(start)
	return s, nil
}

func fingerprint(opts Options) string {
	h := sha256.New()
	fmt.Fprintf(h, "v%s\x00%s\x00", Version, opts.UserWords)
	for _, l := range [][]string{indexStopWords} {
		for _, w := range l {
			fmt.Fprintf(h, "%s\x01", w)
		}
	}
	return Version + "-" + hex.EncodeToString(h.Sum(nil))[:12]
}
