package index

import (
	"context"
	"fmt"

	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	bindex "github.com/blevesearch/bleve_index_api"
)

// Global term statistics.
//
// A BM25 score depends on the collection: how many articles there are,
// how long a field is on average, and how many articles hold the term.
// An index that holds one shard of a collection scores with its own, and
// its scores do not compare with another shard's: a word rare in one
// shard and common in the other weighs differently in each. A search over
// shards first asks each for its statistics of the query's terms
// ([Reader.TermStats]), sums them ([MergeTermStats]), and gives the sum to
// every shard's search ([WithTermStats]): each then scores as one index of
// the whole collection would.

// TermStats are the statistics BM25 scores are computed from.
type TermStats struct {
	DocCount uint64 `json:"doc_count"`
	// Lengths are the fields' average lengths, in tokens.
	Lengths map[string]float64 `json:"lengths"`
	// Terms are, by field and then term, how many articles hold it.
	Terms map[string]map[string]uint64 `json:"terms"`
}

type termStatsKey struct{}

// WithTermStats returns ctx carrying ts: searches run with it score with
// ts instead of the index's own statistics. A term ts does not know is
// given its own count in proportion to ts's article count.
func WithTermStats(ctx context.Context, ts *TermStats) context.Context {
	if ts == nil {
		return ctx
	}
	return context.WithValue(ctx, termStatsKey{}, ts)
}

func termStatsFrom(ctx context.Context) *TermStats {
	ts, _ := ctx.Value(termStatsKey{}).(*TermStats)
	return ts
}

// MergeTermStats sums the statistics of the shards of a collection: the
// article counts and the term counts add up, the average lengths are
// weighted by the shards' article counts.
func MergeTermStats(parts ...*TermStats) *TermStats {
	out := &TermStats{Lengths: map[string]float64{}, Terms: map[string]map[string]uint64{}}
	sums := map[string]float64{}
	for _, p := range parts {
		if p == nil {
			continue
		}
		out.DocCount += p.DocCount
		for f, avg := range p.Lengths {
			sums[f] += avg * float64(p.DocCount)
		}
		for f, terms := range p.Terms {
			m := out.Terms[f]
			if m == nil {
				m = map[string]uint64{}
				out.Terms[f] = m
			}
			for t, n := range terms {
				m[t] += n
			}
		}
	}
	if out.DocCount > 0 {
		for f, s := range sums {
			out.Lengths[f] = max(s/float64(out.DocCount), 1)
		}
	}
	return out
}

// count returns how many articles of the collection hold term in field:
// ts's count, or the local one in proportion when ts does not know it.
func (ts *TermStats) count(field string, term []byte, local, localDocs uint64) uint64 {
	if n, ok := ts.Terms[field][string(term)]; ok {
		return n
	}
	if localDocs == 0 {
		return local
	}
	return uint64(float64(local) * float64(ts.DocCount) / float64(localDocs))
}

// bm25 returns the statistics bleve's searchers are given.
func (ts *TermStats) bm25() *search.BM25Stats {
	return newBM25Stats(ts.Lengths, ts.DocCount)
}

// TermStats returns this index's statistics for the terms q looks up:
// its article count, its fields' average lengths, and the count of every
// term q's searchers read. Building the searchers reads the terms'
// counts without walking their postings: it costs a fraction of the
// search.
func (r *Reader) TermStats(ctx context.Context, q query.Query) (*TermStats, error) {
	n, err := r.snap.DocCount()
	if err != nil {
		return nil, err
	}
	ts := &TermStats{DocCount: n, Lengths: map[string]float64{}, Terms: map[string]map[string]uint64{}}
	if n == 0 {
		return ts, nil
	}
	if _, err := r.ix.lengths.statsFor(r); err != nil {
		return nil, fmt.Errorf("measure field lengths: %w", err)
	}
	if cur := r.ix.lengths.cur.Load(); cur != nil {
		for f, a := range cur.avg {
			ts.Lengths[f] = a
		}
	}
	rec := &recordingSnapshot{IndexSnapshot: r.snap, terms: ts.Terms}
	s, err := q.Searcher(scoringContext(ctx), rec, r.mapping, search.SearcherOptions{})
	if err != nil {
		return nil, fmt.Errorf("build searcher: %w", err)
	}
	return ts, s.Close()
}

// recordingSnapshot is a snapshot that records the count of every term
// a searcher reads.
type recordingSnapshot struct {
	*scorch.IndexSnapshot
	terms map[string]map[string]uint64
}

func (s *recordingSnapshot) TermFieldReader(ctx context.Context, term []byte, field string, freq, norm, vectors bool) (bindex.TermFieldReader, error) {
	tfr, err := s.IndexSnapshot.TermFieldReader(ctx, term, field, freq, norm, vectors)
	if err != nil {
		return nil, err
	}
	m := s.terms[field]
	if m == nil {
		m = map[string]uint64{}
		s.terms[field] = m
	}
	m[string(term)] = tfr.Count()
	return tfr, nil
}

// globalSnapshot is a snapshot whose term readers give the collection's
// term counts, from which bleve's term searchers compute their idf.
type globalSnapshot struct {
	*scorch.IndexSnapshot
	ts   *TermStats
	docs uint64 // the snapshot's own article count
}

func (s *globalSnapshot) TermFieldReader(ctx context.Context, term []byte, field string, freq, norm, vectors bool) (bindex.TermFieldReader, error) {
	tfr, err := s.IndexSnapshot.TermFieldReader(ctx, term, field, freq, norm, vectors)
	if err != nil {
		return nil, err
	}
	return &globalTermReader{TermFieldReader: tfr, n: s.ts.count(field, term, tfr.Count(), s.docs)}, nil
}

// globalTermReader reads a term's postings in this index and counts it
// in the collection.
type globalTermReader struct {
	bindex.TermFieldReader
	n uint64
}

func (t *globalTermReader) Count() uint64 { return t.n }
