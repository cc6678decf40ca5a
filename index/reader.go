package index

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"time"

	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	bindex "github.com/blevesearch/bleve_index_api"
)

// Reader is a consistent, read-only view of the index, for one search: a
// query runs against it, then the page's documents are read from it. It
// is not safe for concurrent use; the caller must Close it.
type Reader struct {
	ix      *Index
	snap    *scorch.IndexSnapshot
	mapping mapping.IndexMapping
	epoch   uint64   // of the open the snapshot comes from
	offs    []uint64 // global number of each segment's first document
	cols    []*segColumns
	authors []string
	// viaBleve turns direct matching (direct.go) off, for tests.
	viaBleve bool
	// looked is what direct plans looked up, by segment: the rescorer's
	// and the page's locations look up the terms the match did.
	looked lookups
}

// Doc is a document of a Reader: its global number in the reader's
// snapshot. It means nothing outside that reader.
type Doc uint64

// ErrClosed means the index was closed.
var ErrClosed = errors.New("index is closed")

// Reader opens a view of the index as it is now.
func (ix *Index) Reader() (*Reader, error) {
	snap, m, epoch, err := ix.snapshot()
	if err != nil {
		return nil, fmt.Errorf("open reader: %w", err)
	}
	r := &Reader{ix: ix, snap: snap, mapping: m, epoch: epoch}
	var off uint64
	for _, ss := range snap.Segments() {
		cols, err := ix.cols.get(epoch, ss)
		if err != nil {
			snap.Close()
			return nil, err
		}
		r.offs = append(r.offs, off)
		r.cols = append(r.cols, cols)
		off += ss.Segment().Count()
	}
	r.authors = ix.cols.dict.snapshot()
	return r, nil
}

// snapshot returns the index as it is now, with its mapping and the open
// it comes from; the caller must Close it. It stays readable after the
// index is closed or opened again.
func (ix *Index) snapshot() (*scorch.IndexSnapshot, mapping.IndexMapping, uint64, error) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if ix.b == nil {
		return nil, nil, 0, ix.unavailable()
	}
	adv, err := ix.b.Advanced()
	if err != nil {
		return nil, nil, 0, ErrClosed
	}
	ir, err := adv.Reader()
	if err != nil {
		return nil, nil, 0, err
	}
	snap, ok := ir.(*scorch.IndexSnapshot)
	if !ok {
		ir.Close()
		return nil, nil, 0, fmt.Errorf("unexpected index reader %T", ir)
	}
	return snap, ix.b.Mapping(), ix.epoch, nil
}

// Close releases the view.
func (r *Reader) Close() error {
	if err := r.snap.Close(); err != nil {
		return fmt.Errorf("close reader: %w", err)
	}
	return nil
}

// Count returns the number of live documents.
func (r *Reader) Count() (uint64, error) { return r.snap.DocCount() }

// locate returns the segment of d and d's number in it.
func (r *Reader) locate(d Doc) (int, int) {
	i := sort.Search(len(r.offs), func(i int) bool { return r.offs[i] > uint64(d) }) - 1
	return i, int(uint64(d) - r.offs[i])
}

// Match runs q and calls fn with every matching document, in document
// order, and its score (0 when score is false, which is faster). It stops
// with ctx's error when ctx is done. The common shapes of query run
// directly over the postings (direct.go), the others through bleve's
// searchers; both give the same scores.
func (r *Reader) Match(ctx context.Context, q query.Query, score bool, fn func(d Doc, score float64)) error {
	opts := search.SearcherOptions{}
	if !score {
		opts.Score = "none"
	}
	ctx = scoringContext(ctx)
	var global *TermStats // the collection's, when this is one shard of it
	if score {
		var err error
		if global = termStatsFrom(ctx); global != nil {
			ctx = context.WithValue(ctx, search.BM25StatsKey, global.bm25())
		} else if ctx, err = r.bm25Context(ctx); err != nil {
			return fmt.Errorf("measure field lengths: %w", err)
		}
	}
	var reader bindex.IndexReader = r.snap
	if global != nil {
		n, err := r.snap.DocCount()
		if err != nil {
			return err
		}
		reader = &globalSnapshot{IndexSnapshot: r.snap, ts: global, docs: n}
	}
	if p, ok := planDirect(q); ok && !r.viaBleve {
		var stats *search.BM25Stats
		if score {
			stats, _ = ctx.Value(search.BM25StatsKey).(*search.BM25Stats)
		}
		if g, ok := reader.(*globalSnapshot); ok {
			p.global, p.localDocs = g.ts, g.docs
		}
		if !score || stats != nil {
			if err := r.prepare(p, stats, &r.ix.posts, decodeAlways); err != nil {
				return err
			}
			return r.matchDirect(ctx, p, score, fn)
		}
	}
	s, err := q.Searcher(ctx, reader, r.mapping, opts)
	if err != nil {
		return fmt.Errorf("build searcher: %w", err)
	}
	defer s.Close()
	sctx := &search.SearchContext{
		DocumentMatchPool: search.NewDocumentMatchPool(s.DocumentMatchPoolSize()+1, 0),
		IndexReader:       r.snap,
	}
	for n := 0; ; n++ {
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		dm, err := s.Next(sctx)
		if err != nil {
			return fmt.Errorf("search: %w", err)
		}
		if dm == nil {
			return nil
		}
		fn(Doc(dm.IndexInternalID.Value()), dm.Score)
		sctx.DocumentMatchPool.Put(dm)
	}
}

// scoringContext asks bleve's searchers for BM25 scores, as the mapping
// does for searches through bleve's own API.
func scoringContext(ctx context.Context) context.Context {
	return context.WithValue(ctx, search.GetScoringModelCallbackKey,
		search.GetScoringModelCallbackFn(func() string { return bindex.BM25Scoring }))
}

// Locations returns, for each of docs, where q's terms occur in it, by
// field and term. Only these documents are visited, so highlighting one
// page costs the same whatever the number of hits.
func (r *Reader) Locations(ctx context.Context, q query.Query, docs []Doc) (map[Doc]search.FieldTermLocationMap, error) {
	out := make(map[Doc]search.FieldTermLocationMap, len(docs))
	if len(docs) == 0 {
		return out, nil
	}
	// Terms, phrases, disjunctions and conjunctions of them are read directly,
	// without building and advancing a searcher tree; bleve's disjunction
	// searchers, advanced through neighbouring documents with term
	// vectors, also lose some of them (TestDirect_BleveLosesLocations).
	if p, ok := planShape(q, math.MaxInt); ok && !r.viaBleve {
		return r.locationsDirect(ctx, p, docs)
	}
	sorted := slices.Clone(docs)
	slices.Sort(sorted)
	s, err := q.Searcher(scoringContext(ctx), r.snap, r.mapping, search.SearcherOptions{IncludeTermVectors: true, Score: "none"})
	if err != nil {
		return nil, fmt.Errorf("build searcher: %w", err)
	}
	defer s.Close()
	sctx := &search.SearchContext{
		DocumentMatchPool: search.NewDocumentMatchPool(s.DocumentMatchPoolSize()+1, 0),
		IndexReader:       r.snap,
	}
	id := make(bindex.IndexInternalID, 8)
	for _, d := range sorted {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		binary.BigEndian.PutUint64(id, uint64(d))
		dm, err := s.Advance(sctx, id)
		if err != nil {
			return nil, fmt.Errorf("search: %w", err)
		}
		if dm == nil {
			break
		}
		if dm.IndexInternalID.Value() == uint64(d) {
			dm.Complete(nil)
			out[d] = dm.Locations
		}
	}
	return out, nil
}

// Authors returns the author ordinals of d; see AuthorName.
func (r *Reader) Authors(d Doc) []uint32 {
	s, l := r.locate(d)
	c := r.cols[s]
	return c.authorOrds[c.authorStart[l]:c.authorStart[l+1]]
}

// AuthorName returns the name of an author ordinal.
func (r *Reader) AuthorName(ord uint32) string { return r.authors[ord] }

// AuthorCount returns the number of author ordinals: they are 0 to
// AuthorCount()-1.
func (r *Reader) AuthorCount() int { return len(r.authors) }

// AuthorOrd returns the ordinal of an author's exact name, and whether
// any document has that author.
func (r *Reader) AuthorOrd(name string) (uint32, bool) {
	r.ix.cols.dict.mu.RLock()
	defer r.ix.cols.dict.mu.RUnlock()
	o, ok := r.ix.cols.dict.ords[name]
	return o, ok && int(o) < len(r.authors)
}

// Date returns d's date in Unix nanoseconds, or [NoDate].
func (r *Reader) Date(d Doc) int64 {
	s, l := r.locate(d)
	return r.cols[s].date[l]
}

// Month returns d's month as year*12 + month-1 in the index time zone, or
// -1 when d has no date.
func (r *Reader) Month(d Doc) int32 {
	s, l := r.locate(d)
	return r.cols[s].month[l]
}

// Key returns a number derived from d's id: stable across readers, it
// breaks ties in sorting.
func (r *Reader) Key(d Doc) uint64 {
	s, l := r.locate(d)
	return r.cols[s].key[l]
}

// Columns gives direct access to the columns of the segment holding a
// run of documents, for tight loops: see [Reader.Segment].
type Columns struct {
	First, End  Doc // the documents [First, End) of the segment
	AuthorStart []uint32
	AuthorOrds  []uint32
	Date        []int64
	Month       []int32
	Key         []uint64
}

// Segment returns the columns of the segment holding d.
func (r *Reader) Segment(d Doc) Columns {
	s, _ := r.locate(d)
	c := r.cols[s]
	first := Doc(r.offs[s])
	return Columns{
		First: first, End: first + Doc(len(c.date)),
		AuthorStart: c.authorStart, AuthorOrds: c.authorOrds,
		Date: c.date, Month: c.month, Key: c.key,
	}
}

// Stored is the stored content of a document.
type Stored struct {
	ID      string
	Title   string
	Body    string
	Authors []string
	Date    time.Time // zero without a date; in the index time zone
	URL     string
}

// Stored reads d's stored fields.
func (r *Reader) Stored(d Doc) (Stored, error) {
	s, l := r.locate(d)
	ss := r.snap.Segments()[s]
	var st Stored
	id, err := ss.DocID(uint64(l))
	if err != nil {
		return st, fmt.Errorf("read document id: %w", err)
	}
	st.ID = string(id)
	err = ss.VisitDocument(uint64(l), func(field string, typ byte, value []byte, _ []uint64) bool {
		switch field {
		case FieldTitle:
			st.Title = string(value)
		case FieldBody:
			st.Body = string(value)
		case FieldAuthor:
			st.Authors = append(st.Authors, string(value))
		case FieldURL:
			st.URL = string(value)
		case FieldDate:
			if t, _, err := document.NewDateTimeFieldFromBytes(field, nil, value).DateTime(); err == nil {
				st.Date = t.In(r.ix.loc)
			}
		}
		return true
	})
	if err != nil {
		return st, fmt.Errorf("read document %q: %w", st.ID, err)
	}
	return st, nil
}
