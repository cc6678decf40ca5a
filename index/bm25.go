package index

import (
	"context"
	"math"
	"sync"
	"sync/atomic"

	"github.com/blevesearch/bleve/v2/search"

	"github.com/wensou/wensou/index/pinyin"
)

// BM25 field lengths.
//
// bleve v2.6.3 takes a field's average length, for BM25's length
// normalization, as the number of distinct terms in the field's
// dictionary divided by the number of documents (bm25ScoreMetrics in
// search/searcher/search_term.go, over IndexSnapshot.FieldCardinality):
// about 3 for article bodies hundreds of words long. With b = 0.75 every
// article's score is then divided by about its length over 3, which
// favours short articles far beyond what BM25 means: a long article that
// holds a query's words together ranks below short ones that hold them
// apart. bleve lets a search carry the statistics instead
// (search.BM25StatsKey, meant for index aliases); a Reader gives it the
// true average lengths, measured on a sample of the stored articles
// analysed as the index analyses them.

// Sampling limits: the lengths are measured on at most lengthSample
// articles, reading at most lengthPrefix bytes of each body (a longer body
// counts its tokens in proportion), and measured again when the number of
// articles has changed by more than a fifth.
const (
	lengthSample = 256
	lengthPrefix = 4096
	lengthDrift  = 0.2
)

// lengthStats are the average field lengths of an index, in tokens, and
// the statistics a search of n articles is given.
type lengthStats struct {
	sampled uint64             // articles when measured
	avg     map[string]float64 // by field
	n       uint64
	stats   *search.BM25Stats
}

// fieldLengths caches an index's lengthStats.
type fieldLengths struct {
	mu  sync.Mutex // one measurement at a time
	cur atomic.Pointer[lengthStats]
}

// scoredFields are the fields a search may score: the analysed ones get
// their measured lengths, the others (one token a value) 1.
var scoredFields = []string{FieldTitle, FieldBody, FieldAuthor, FieldAuthorText, FieldDate, FieldURL,
	FieldSource, FieldTags, FieldOrigin, FieldHash, FieldTitlePinyin, FieldTitleInitials, FieldAuthorPinyin, "_id"}

// bm25Context returns ctx carrying the reader's BM25 statistics, when the
// index has articles.
func (r *Reader) bm25Context(ctx context.Context) (context.Context, error) {
	st, err := r.ix.lengths.statsFor(r)
	if err != nil || st == nil {
		return ctx, err
	}
	return context.WithValue(ctx, search.BM25StatsKey, st), nil
}

// statsFor returns the BM25 statistics of r's snapshot, measuring the
// field lengths when they are not known or out of date.
func (fl *fieldLengths) statsFor(r *Reader) (*search.BM25Stats, error) {
	n, err := r.snap.DocCount()
	if err != nil || n == 0 {
		return nil, err
	}
	cur := fl.cur.Load()
	if cur != nil && cur.n == n {
		return cur.stats, nil
	}
	if cur == nil || math.Abs(float64(n)-float64(cur.sampled)) > lengthDrift*float64(cur.sampled) {
		fl.mu.Lock()
		defer fl.mu.Unlock()
		if c := fl.cur.Load(); c != nil && c != cur {
			cur = c // measured meanwhile
		} else {
			avg, err := r.measureLengths()
			if err != nil {
				return nil, err
			}
			cur = &lengthStats{sampled: n, avg: avg}
		}
	}
	next := &lengthStats{sampled: cur.sampled, avg: cur.avg, n: n, stats: newBM25Stats(cur.avg, n)}
	fl.cur.Store(next)
	return next.stats, nil
}

func newBM25Stats(avg map[string]float64, n uint64) *search.BM25Stats {
	card := make(map[string]int, len(scoredFields))
	for _, f := range scoredFields {
		a, ok := avg[f]
		if !ok {
			a = 1
		}
		// bleve divides by n and rounds up: give it the average.
		card[f] = int(math.Round(a * float64(n)))
	}
	return &search.BM25Stats{DocCount: float64(n), FieldCardinality: card}
}

// measureLengths returns the average length of the analysed fields over a
// sample of the snapshot's articles, every one of them counting (0 for a
// field it lacks), as bleve's document count does.
func (r *Reader) measureLengths() (map[string]float64, error) {
	an := r.mapping.AnalyzerNamed(textAnalyzer)
	var total uint64
	for _, ss := range r.snap.Segments() {
		total += ss.Segment().Count()
	}
	stride := max(1, total/lengthSample)
	sums := map[string]float64{}
	var docs float64
	for d := uint64(0); d < total; d += stride {
		st, err := r.Stored(Doc(d))
		if err != nil {
			return nil, err
		}
		docs++
		sums[FieldTitle] += float64(len(an.Analyze([]byte(st.Title))))
		body := st.Body
		scale := 1.0
		if len(body) > lengthPrefix {
			cut := lengthPrefix
			for cut > 0 && body[cut]&0xC0 == 0x80 {
				cut-- // not inside a character
			}
			scale = float64(len(body)) / float64(cut)
			body = body[:cut]
		}
		sums[FieldBody] += scale * float64(len(an.Analyze([]byte(body))))
		for _, a := range st.Authors {
			sums[FieldAuthorText] += float64(len(an.Analyze([]byte(a))))
			sums[FieldAuthorPinyin] += float64(len(pinyin.Tokens(a, false)))
		}
		sums[FieldAuthor] += float64(len(st.Authors))
		if pinyin.HasReadings(st.Title) {
			sums[FieldTitlePinyin] += float64(len(pinyin.Tokens(st.Title, false)))
			sums[FieldTitleInitials] += float64(len(pinyin.Tokens(st.Title, true)))
		}
	}
	avg := map[string]float64{}
	for f, s := range sums {
		// At least one token: bleve takes 0 for no statistics.
		avg[f] = max(s/docs, 1)
	}
	return avg, nil
}
