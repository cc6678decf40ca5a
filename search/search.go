package search

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/wensou/wensou/index"
	"github.com/wensou/wensou/index/zh"
)

// Limits on paging.
const (
	DefaultSize = 10
	MaxSize     = 100
	// MaxWindow is the deepest result reachable by page and size.
	MaxWindow = 10000
)

// ErrBadRequest marks a request with invalid parameters; the error's
// message says which.
var ErrBadRequest = errors.New("bad request")

// Sort orders results.
type Sort string

// Sort orders.
const (
	SortRelevance Sort = "relevance"
	SortNewest    Sort = "newest"
	SortOldest    Sort = "oldest"
)

// ParseSort reads a sort order; "" means relevance.
func ParseSort(s string) (Sort, error) {
	switch Sort(s) {
	case "", SortRelevance:
		return SortRelevance, nil
	case SortNewest, SortOldest:
		return Sort(s), nil
	}
	return "", fmt.Errorf("%w: sort must be relevance, newest or oldest, not %q", ErrBadRequest, s)
}

// Request is a search: a query in the query language plus filters.
type Request struct {
	Query   string
	Authors []string  // any of these authors
	Tags    []string  // all of these tags
	From    time.Time // inclusive; zero for no bound
	To      time.Time // inclusive (the whole day when it is a date); zero for no bound
	Sort    Sort
	Page    int // 1-based; 0 means 1
	Size    int // 0 means DefaultSize
	// After is a cursor from a previous result's Next: the results that
	// follow it, however deep. Page must then be 1.
	After string
	// NoTypos turns typo tolerance off for this request: words match as
	// typed only.
	NoTypos bool
	// Filter is a filter expression in Meilisearch's language (package
	// filter) on author, tags and date, required beside the query and the
	// other filters; the facets count what it lets through.
	Filter string `json:",omitempty"`

	// Shard asks for one shard's part of a search over shards, which
	// [Merge] combines: the first Size hits from the top (Page is 1),
	// each with its sort key, and the count of every author and month.
	// Size may then be up to MaxWindow.
	Shard bool `json:",omitempty"`
	// Stats, when set, are the term statistics of the whole collection
	// this index is a shard of: scores are computed with them, to compare
	// across shards.
	Stats *index.TermStats `json:",omitempty"`
	// WaitFor is the wait_for token of the request, for a backend that
	// waits on the shards it asks.
	WaitFor string `json:"-"`
	// Complete asks a search over shards to fail rather than answer
	// without the shards that cannot be reached.
	Complete bool `json:"-"`
}

// Result is the answer to a search, in the JSON shape shared by the
// command line and the HTTP API.
type Result struct {
	Query  string  `json:"query"`
	Total  uint64  `json:"total"`
	TookMs float64 `json:"took_ms"`
	Page   int     `json:"page"`
	Size   int     `json:"size"`
	Hits   []Hit   `json:"hits"`
	Facets Facets  `json:"facets"`
	// Next is a cursor for the results after this page (Request.After),
	// or "" at the end.
	Next string `json:"next,omitempty"`
	// Corrected maps each word of the query that no article holds to
	// the word it was read as (typo tolerance): "bootlaoder" to
	// "bootloader".
	Corrected map[string]string `json:"corrected,omitempty"`
	// Suggestion, when the query found nothing or only partial matches,
	// is the query rewritten with the corrections of its words: "did you
	// mean".
	Suggestion string `json:"suggestion,omitempty"`
	// Partial is set when no article held every word of the query and
	// the hits are the best partial matches.
	Partial bool `json:"partial_match,omitempty"`
	// Incomplete is set when shards of a search over shards did not
	// answer: the hits, total and facets are those of the others, and
	// Shards says how many failed.
	Incomplete bool        `json:"partial,omitempty"`
	Shards     *ShardCount `json:"shards,omitempty"`
}

// ShardCount says how many shards a search over shards asked and how
// many of them failed to answer.
type ShardCount struct {
	Total  int `json:"total"`
	Failed int `json:"failed"`
}

// Hit is one article in a result.
type Hit struct {
	ID        string    `json:"id"`
	Title     string    `json:"title"`
	Author    []string  `json:"author"`
	Date      string    `json:"date"`
	URL       string    `json:"url"`
	Score     float64   `json:"score"`
	Highlight Highlight `json:"highlight"`
	// Sort is the hit's sort key, in a shard's answer (Request.Shard).
	Sort string `json:"sort,omitempty"`
}

// Highlight holds HTML: the article's text escaped, with <mark> around
// matched words as the only markup.
type Highlight struct {
	Title string   `json:"title"`
	Body  []string `json:"body"`
}

// Facets are counts of the matching articles by author, year and month.
type Facets struct {
	Author []Bucket `json:"author"`
	Year   []Bucket `json:"year"`
	Month  []Bucket `json:"month"`
}

// Bucket is one facet value and its count.
type Bucket struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

// Options configures a [Searcher]. The zero value means defaults.
type Options struct {
	AuthorFacetSize int // default 10
	MonthFacetSize  int // most recent months returned; default 24
	FragmentSize    int // characters per body fragment; default 120
	Fragments       int // body fragments per hit; default 3
	// Typos configures typo tolerance.
	Typos Typos
	// Synonyms are the synonyms in force; nil for none.
	Synonyms Synonyms
	// Location is where a filter's dates without a zone are; default UTC.
	Location *time.Location
}

// Source lends a [Searcher] the index to search: an [*index.Index] lends
// itself, a store of index generations its live one. The index stays open
// until fn returns.
type Source interface {
	With(fn func(*index.Index) error) error
}

// Searcher runs searches on the index its source lends. It is safe for
// concurrent use.
type Searcher struct {
	src  Source
	opts Options
	syn  atomic.Pointer[synTable] // the synonyms last read
}

// New returns a searcher over src.
func New(src Source, opts Options) *Searcher {
	return &Searcher{src: src, opts: opts.withDefaults()}
}

func (opts Options) withDefaults() Options {
	if opts.AuthorFacetSize <= 0 {
		opts.AuthorFacetSize = 10
	}
	if opts.MonthFacetSize <= 0 {
		opts.MonthFacetSize = 24
	}
	if opts.FragmentSize <= 0 {
		opts.FragmentSize = 120
	}
	if opts.Fragments <= 0 {
		opts.Fragments = 3
	}
	opts.Typos = opts.Typos.withDefaults()
	return opts
}

// Validate checks a request's paging and fills defaults.
func (r *Request) Validate() error {
	if r.Page == 0 {
		r.Page = 1
	}
	if r.Size == 0 {
		r.Size = DefaultSize
	}
	switch {
	case r.Page < 1:
		return fmt.Errorf("%w: page must be 1 or more", ErrBadRequest)
	case r.Size < 1 || r.Size > MaxSize && !r.Shard || r.Size > MaxWindow:
		return fmt.Errorf("%w: size must be between 1 and %d", ErrBadRequest, MaxSize)
	case r.Page > MaxWindow/r.Size || r.Page*r.Size > MaxWindow:
		return fmt.Errorf("%w: page %d of size %d goes past result %d; narrow the search or page with the after cursor", ErrBadRequest, r.Page, r.Size, MaxWindow)
	case r.After != "" && r.Page != 1:
		return fmt.Errorf("%w: after and page cannot be used together", ErrBadRequest)
	case !r.From.IsZero() && !r.To.IsZero() && r.To.Before(r.From):
		return fmt.Errorf("%w: the to date is before the from date", ErrBadRequest)
	}
	if _, err := ParseSort(string(r.Sort)); err != nil {
		return err
	}
	if _, err := filterQuery(r.Filter, nil); err != nil {
		return err
	}
	if r.Sort == "" {
		r.Sort = SortRelevance
	}
	if r.After != "" {
		if _, err := parseCursor(r.After, r.Sort); err != nil {
			return err
		}
	}
	return nil
}

// Search runs a request. A query that cannot be read gives a
// [*QueryError]; invalid parameters give an error wrapping [ErrBadRequest].
//
// It reads the index once: one pass over the matching documents counts
// the facets, applies the author and date filters and keeps the best
// hits, reading per-document values from the index's columns; then only
// the returned page is loaded and highlighted.
func (s *Searcher) Search(ctx context.Context, req Request) (*Result, error) {
	start := time.Now()
	if err := req.Validate(); err != nil {
		return nil, err
	}
	q, err := Parse(req.Query)
	if err != nil {
		return nil, err
	}
	var res *Result
	ctx = index.WithTermStats(ctx, req.Stats)
	err = s.src.With(func(ix *index.Index) error {
		var err error
		res, err = s.search(ctx, ix, q, req)
		return err
	})
	if err != nil {
		return nil, err
	}
	res.TookMs = tookMs(start)
	return res, nil
}

// search runs a parsed request on ix.
func (s *Searcher) search(ctx context.Context, ix *index.Index, q *Query, req Request) (*Result, error) {
	// Queries are analysed with the index's own dictionary.
	comp := compilerFor(ix)
	comp.syn = s.synonymsFor(ix.Segmenter())
	p := comp.compile(q)
	res := &Result{Query: req.Query, Page: req.Page, Size: req.Size, Hits: []Hit{},
		Facets: Facets{Author: []Bucket{}, Year: []Bucket{}, Month: []Bucket{}}}
	if p.nothing {
		return res, nil
	}
	r, err := ix.Reader()
	if err != nil {
		return nil, err
	}
	defer r.Close()

	var fixes typoFixes
	if !req.NoTypos {
		if fixes, err = s.tolerate(r, &p); err != nil {
			return nil, err
		}
	}
	tags := tagFilters(req.Tags)
	fq, err := filterQuery(req.Filter, s.opts.Location)
	if err != nil {
		return nil, err
	}
	if fq != nil {
		tags = append(tags, fq)
	}
	bq := build(p.units, p.exclude, tags, false)
	rs := newRescorer(p.runs, req)
	c, err := s.collect(ctx, r, bq, rs.collectRequest(req))
	if err != nil {
		return nil, err
	}
	var py query.Query
	if c.total < pinyinFew {
		py = pinyinQuery(q) // read only when few articles hold the words
	}
	if py != nil {
		// Few articles hold the words typed, and they read as pinyin:
		// the articles with those Chinese titles follow; or come first,
		// when the words typed are in no article and were read as typos
		// (pinyin read as typed beats a correction).
		pq := build([]query.Query{py}, p.exclude, tags, false)
		typos := len(fixes.corrected) > 0
		if typos {
			bq = withPinyin(pq, bq)
		} else {
			bq = withPinyin(bq, pq)
		}
		before := c.total
		if typos {
			// Proximity would lift the corrected words' articles back
			// over the pinyin ones.
			rs = nil
		}
		if c, err = s.collect(ctx, r, bq, rs.collectRequest(req)); err != nil {
			return nil, err
		}
		if typos && c.total > before {
			fixes = typoFixes{} // read as pinyin, not corrected
		}
	}
	if c.total == 0 && len(p.units) > 1 {
		// No article holds every word: rank those holding most of them.
		bq = build(p.units, p.exclude, tags, true)
		rs = nil // the count of words held decides
		if c, err = s.collect(ctx, r, bq, req); err != nil {
			return nil, err
		}
		res.Partial = c.total > 0
	}
	res.Total = uint64(c.total)
	res.Facets = s.facets(r, c, req)
	c.release()
	var page []ranked
	var next string
	var locs map[index.Doc]bsearch.FieldTermLocationMap // of some of the page, when known
	windowed := 0                                       // of the page's hits, those re-ranked in the rescore window
	if rs != nil {
		page, next, locs, err = rs.page(ctx, r, c, req, bq)
		if err != nil {
			return nil, err
		}
		windowed = rs.windowed
	} else {
		page = c.page(req)
		if c.more(req, len(page)) {
			next = page[len(page)-1].cursor(req.Sort)
		}
	}
	if res.Hits, err = s.hits(ctx, r, bq, page, locs, &fixes); err != nil {
		return nil, err
	}
	if req.Shard {
		for i, h := range page {
			if i < windowed {
				res.Hits[i].Sort = h.windowCursor()
			} else {
				res.Hits[i].Sort = h.cursor(req.Sort)
			}
		}
	}
	res.Corrected = fixes.corrected
	res.Next = next
	if c.total == 0 || res.Partial || fixes.kept() {
		han, err := hanFixes(r, comp, q)
		if err != nil {
			return nil, err
		}
		for typed, better := range han {
			if fixes.better == nil {
				fixes.better = map[string]string{}
			}
			fixes.better[typed] = better
		}
		res.Suggestion = fixes.suggestion(req.Query)
	}
	return res, nil
}

func tookMs(start time.Time) float64 {
	return math.Round(float64(time.Since(start).Microseconds())/10) / 100
}

// compilerFor returns the query compiler for ix: queries are analysed
// with the index's own dictionary.
func compilerFor(ix *index.Index) *compiler {
	return &compiler{an: zh.NewAnalyzerFor(ix.Segmenter(), zh.Accurate)}
}

// build assembles the bleve query: every unit (or, when partial, at least
// one unit, ranked by how many), every filter, no exclusion.
func build(units, exclude, filters []query.Query, partial bool) query.Query {
	var must []query.Query
	switch {
	case partial:
		cs := make([]query.Query, len(units))
		for i, u := range units {
			cs[i] = counted(u)
		}
		must = append(must, query.NewDisjunctionQuery(cs))
	case len(units) == 0:
		// Filters score nothing (boost 0): match all gives every hit
		// the same score.
		must = append(must, query.NewMatchAllQuery())
	default:
		must = append(must, units...)
	}
	must = append(must, filters...)
	if len(exclude) == 0 {
		return conjunction(must)
	}
	return query.NewBooleanQuery(must, nil, exclude)
}

// tagFilters requires every tag; tags are indexed in lower case.
func tagFilters(tags []string) []query.Query {
	var fs []query.Query
	for _, t := range tags {
		if t = strings.ToLower(strings.TrimSpace(t)); t != "" {
			fs = append(fs, termQuery(index.FieldTags, t, 0))
		}
	}
	return fs
}

// hits loads and highlights the page's documents. known holds the
// locations of q's terms in some of them already.
func (s *Searcher) hits(ctx context.Context, r *index.Reader, q query.Query, page []ranked, known map[index.Doc]bsearch.FieldTermLocationMap, fx *typoFixes) ([]Hit, error) {
	out := make([]Hit, 0, len(page))
	if len(page) == 0 {
		return out, nil
	}
	var docs []index.Doc
	for _, h := range page {
		if _, ok := known[h.doc]; !ok {
			docs = append(docs, h.doc)
		}
	}
	locs, err := r.Locations(ctx, q, docs)
	if err != nil {
		return nil, err
	}
	for d, l := range known {
		locs[d] = l
	}
	for _, h := range page {
		st, err := r.Stored(h.doc)
		if err != nil {
			return nil, err
		}
		hit := Hit{ID: st.ID, Title: st.Title, Author: st.Authors, URL: st.URL}
		if hit.Author == nil {
			hit.Author = []string{}
		}
		if !math.IsNaN(h.score) && !math.IsInf(h.score, 0) {
			hit.Score = math.Round(h.score*1000) / 1000
		}
		if !st.Date.IsZero() {
			hit.Date = st.Date.Format(time.DateOnly)
		}
		loc := locs[h.doc]
		fx.read(loc, map[string]string{index.FieldTitle: st.Title, index.FieldBody: st.Body})
		titleSpans := spansOf(loc, index.FieldTitle)
		// The pinyin fields hold the title's characters' offsets.
		titleSpans = append(titleSpans, spansOf(loc, index.FieldTitlePinyin)...)
		titleSpans = append(titleSpans, spansOf(loc, index.FieldTitleInitials)...)
		hit.Highlight = Highlight{
			Title: highlightTitle(st.Title, titleSpans),
			Body:  bodyFragments(st.Body, spansOf(loc, index.FieldBody), s.opts.Fragments, s.opts.FragmentSize),
		}
		if hit.Highlight.Body == nil {
			hit.Highlight.Body = []string{}
		}
		out = append(out, hit)
	}
	return out, nil
}

func spansOf(locs bsearch.FieldTermLocationMap, field string) []span {
	var out []span
	for _, ls := range locs[field] {
		for _, l := range ls {
			out = append(out, span{int(l.Start), int(l.End)})
		}
	}
	return out
}

// topAuthors returns the k authors with the most articles (by name among
// equal counts), then any selected author with articles past them, in
// that order too. It names only those: an index has many authors.
func topAuthors(name func(ord uint32) string, counts []int32, k int, selected []string) []Bucket {
	type cand struct {
		ord uint32
		n   int32
	}
	// before reports whether a ranks before b.
	before := func(a, b cand) bool {
		if a.n != b.n {
			return a.n > b.n
		}
		return name(a.ord) < name(b.ord)
	}
	// top is kept sorted, best first; k is small.
	top := make([]cand, 0, k+1)
	var rest []cand
	for ord, n := range counts {
		if n <= 0 {
			continue
		}
		c := cand{uint32(ord), n}
		if len(top) == k && (k == 0 || !before(c, top[k-1])) {
			if len(selected) > 0 {
				rest = append(rest, c)
			}
			continue
		}
		i := sort.Search(len(top), func(i int) bool { return before(c, top[i]) })
		top = slices.Insert(top, i, c)
		if len(top) > k {
			if len(selected) > 0 {
				rest = append(rest, top[k])
			}
			top = top[:k]
		}
	}
	out := make([]Bucket, 0, len(top))
	for _, c := range top {
		out = append(out, Bucket{Value: name(c.ord), Count: int(c.n)})
	}
	if len(selected) == 0 {
		return out
	}
	var more []cand
	for _, c := range rest {
		if slices.Contains(selected, name(c.ord)) {
			more = append(more, c)
		}
	}
	slices.SortFunc(more, func(a, b cand) int {
		if before(a, b) {
			return -1
		}
		return 1
	})
	for _, c := range more {
		out = append(out, Bucket{Value: name(c.ord), Count: int(c.n)})
	}
	return out
}

// facets turns the collected counts into buckets: the top authors (and
// any selected ones), every year, and the most recent months. Only the
// buckets kept are given their labels: a large match set has hundreds of
// months.
func (s *Searcher) facets(r *index.Reader, c *collector, req Request) Facets {
	monthsKept := s.opts.MonthFacetSize
	var authors []Bucket
	if req.Shard {
		// Every count, for the merge to add up exactly, in no order.
		monthsKept = math.MaxInt
		authors = []Bucket{}
		for ord, n := range c.authorCounts {
			if n > 0 {
				authors = append(authors, Bucket{Value: r.AuthorName(uint32(ord)), Count: int(n)})
			}
		}
	} else {
		authors = topAuthors(r.AuthorName, c.authorCounts, s.opts.AuthorFacetSize, req.Authors)
	}
	f := Facets{Author: authors, Year: []Bucket{}, Month: []Bucket{}}
	type count struct {
		at int // month since year 0, or year
		n  int
	}
	var months []count
	perYear := map[int]int{}
	add := func(month int, n int) {
		months = append(months, count{month, n})
		perYear[month/12] += n
	}
	for m, n := range c.monthCounts {
		if n != 0 {
			add(int(c.monthBase)+m, int(n))
		}
	}
	for m, n := range c.otherMonths {
		add(int(m), n)
	}
	years := make([]count, 0, len(perYear))
	for y, n := range perYear {
		years = append(years, count{y, n})
	}
	latestFirst := func(a, b count) int { return cmp.Compare(b.at, a.at) }
	slices.SortFunc(years, latestFirst)
	slices.SortFunc(months, latestFirst)
	if len(months) > monthsKept {
		months = months[:monthsKept]
	}
	for _, y := range years {
		f.Year = append(f.Year, Bucket{Value: fmt.Sprintf("%04d", y.at), Count: y.n})
	}
	for _, m := range months {
		f.Month = append(f.Month, Bucket{Value: fmt.Sprintf("%04d-%02d", m.at/12, m.at%12+1), Count: m.n})
	}
	return f
}
