package search

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
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
	// Partial is set when no article held every word of the query and
	// the hits are the best partial matches.
	Partial bool `json:"-"`
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
}

// Searcher runs searches on an index. It is safe for concurrent use.
type Searcher struct {
	ix   *index.Index
	opts Options
	c    compiler
}

// New returns a searcher over ix.
func New(ix *index.Index, opts Options) (*Searcher, error) {
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
	an, err := zh.NewAnalyzer(zh.Accurate)
	if err != nil {
		return nil, err
	}
	return &Searcher{ix: ix, opts: opts, c: compiler{an: an}}, nil
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
	case r.Size < 1 || r.Size > MaxSize:
		return fmt.Errorf("%w: size must be between 1 and %d", ErrBadRequest, MaxSize)
	case r.Page*r.Size > MaxWindow:
		return fmt.Errorf("%w: page %d of size %d goes past result %d; narrow the search or use a cursor", ErrBadRequest, r.Page, r.Size, MaxWindow)
	case !r.From.IsZero() && !r.To.IsZero() && r.To.Before(r.From):
		return fmt.Errorf("%w: the to date is before the from date", ErrBadRequest)
	}
	if _, err := ParseSort(string(r.Sort)); err != nil {
		return err
	}
	if r.Sort == "" {
		r.Sort = SortRelevance
	}
	return nil
}

// Search runs a request. A query that cannot be read gives a
// [*QueryError]; invalid parameters give an error wrapping [ErrBadRequest].
func (s *Searcher) Search(ctx context.Context, req Request) (*Result, error) {
	start := time.Now()
	if err := req.Validate(); err != nil {
		return nil, err
	}
	q, err := Parse(req.Query)
	if err != nil {
		return nil, err
	}
	p := s.c.compile(q)
	filters := s.filters(req)

	res := &Result{Query: req.Query, Page: req.Page, Size: req.Size, Hits: []Hit{}}
	if p.nothing {
		res.TookMs = tookMs(start)
		return res, nil
	}
	br, err := s.run(ctx, req, build(p.units, p.exclude, filters, false))
	if err != nil {
		return nil, err
	}
	if br.Total == 0 && len(p.units) > 1 {
		// No article holds every word: rank those holding most of them.
		br, err = s.run(ctx, req, build(p.units, p.exclude, filters, true))
		if err != nil {
			return nil, err
		}
		res.Partial = br.Total > 0
	}
	res.Total = br.Total
	for _, h := range br.Hits {
		res.Hits = append(res.Hits, s.hit(h))
	}
	res.Facets = s.facets(br)
	res.TookMs = tookMs(start)
	return res, nil
}

func tookMs(start time.Time) float64 {
	return math.Round(float64(time.Since(start).Microseconds())/10) / 100
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

func (s *Searcher) filters(req Request) []query.Query {
	var fs []query.Query
	if len(req.Authors) > 0 {
		qs := make([]query.Query, len(req.Authors))
		for i, a := range req.Authors {
			qs[i] = termQuery(index.FieldAuthor, a, 0)
		}
		fs = append(fs, disjunction(qs))
	}
	for _, t := range req.Tags {
		fs = append(fs, termQuery(index.FieldTags, strings.ToLower(strings.TrimSpace(t)), 0))
	}
	if !req.From.IsZero() || !req.To.IsZero() {
		var from, to time.Time
		yes, no := true, false
		if !req.From.IsZero() {
			from = req.From
		}
		if !req.To.IsZero() {
			to = req.To
		}
		q := query.NewDateRangeInclusiveQuery(from, to, &yes, &no)
		if !req.To.IsZero() {
			q = query.NewDateRangeInclusiveQuery(from, to, &yes, &yes)
		}
		q.SetField(index.FieldDate)
		q.SetBoost(0)
		fs = append(fs, q)
	}
	return fs
}

var storedFields = []string{index.FieldTitle, index.FieldBody, index.FieldAuthor, index.FieldDate, index.FieldURL}

func (s *Searcher) run(ctx context.Context, req Request, q query.Query) (*bleve.SearchResult, error) {
	br := bleve.NewSearchRequestOptions(q, req.Size, (req.Page-1)*req.Size, false)
	br.Fields = storedFields
	br.IncludeLocations = true
	br.SortByCustom(sortOrder(req.Sort))
	br.AddFacet("author", bleve.NewFacetRequest(index.FieldAuthor, s.opts.AuthorFacetSize))
	br.AddFacet("year", bleve.NewFacetRequest(index.FieldYear, 1000))
	br.AddFacet("month", bleve.NewFacetRequest(index.FieldMonth, 100000))
	res, err := s.ix.Bleve().SearchInContext(ctx, br)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("search: %w", ctx.Err())
		}
		return nil, fmt.Errorf("search: %w", err)
	}
	return res, nil
}

func sortOrder(s Sort) bsearch.SortOrder {
	date := func(desc bool) *bsearch.SortField {
		return &bsearch.SortField{Field: index.FieldDate, Desc: desc, Type: bsearch.SortFieldAsDate, Missing: bsearch.SortFieldMissingLast}
	}
	score := &bsearch.SortScore{Desc: true}
	id := &bsearch.SortDocID{}
	switch s {
	case SortNewest:
		return bsearch.SortOrder{date(true), score, id}
	case SortOldest:
		return bsearch.SortOrder{date(false), score, id}
	}
	return bsearch.SortOrder{score, date(true), id}
}

// hit converts a bleve hit, highlighting from its term locations.
func (s *Searcher) hit(h *bsearch.DocumentMatch) Hit {
	out := Hit{ID: h.ID, Author: []string{}}
	if !math.IsNaN(h.Score) && !math.IsInf(h.Score, 0) {
		out.Score = math.Round(h.Score*1000) / 1000
	}
	title, _ := h.Fields[index.FieldTitle].(string)
	body, _ := h.Fields[index.FieldBody].(string)
	out.Title = title
	switch v := h.Fields[index.FieldAuthor].(type) {
	case string:
		out.Author = []string{v}
	case []any:
		for _, a := range v {
			if s, ok := a.(string); ok {
				out.Author = append(out.Author, s)
			}
		}
	}
	if d, ok := h.Fields[index.FieldDate].(string); ok && d != "" {
		if t, err := time.Parse(time.RFC3339, d); err == nil {
			out.Date = t.In(s.ix.Location()).Format(time.DateOnly)
		}
	}
	out.URL, _ = h.Fields[index.FieldURL].(string)
	out.Highlight = Highlight{
		Title: highlightTitle(title, spansOf(h, index.FieldTitle)),
		Body:  bodyFragments(body, spansOf(h, index.FieldBody), s.opts.Fragments, s.opts.FragmentSize),
	}
	if out.Highlight.Body == nil {
		out.Highlight.Body = []string{}
	}
	return out
}

func spansOf(h *bsearch.DocumentMatch, field string) []span {
	var out []span
	for _, locs := range h.Locations[field] {
		for _, l := range locs {
			out = append(out, span{int(l.Start), int(l.End)})
		}
	}
	return out
}

func (s *Searcher) facets(br *bleve.SearchResult) Facets {
	f := Facets{Author: []Bucket{}, Year: []Bucket{}, Month: []Bucket{}}
	get := func(name string) []Bucket {
		fr, ok := br.Facets[name]
		if !ok || fr.Terms == nil {
			return []Bucket{}
		}
		var out []Bucket
		for _, t := range fr.Terms.Terms() {
			out = append(out, Bucket{Value: t.Term, Count: t.Count})
		}
		return out
	}
	f.Author = get("author")
	f.Year = get("year")
	f.Month = get("month")
	byValueDesc := func(a, b Bucket) int { return strings.Compare(b.Value, a.Value) }
	slices.SortFunc(f.Year, byValueDesc)
	slices.SortFunc(f.Month, byValueDesc)
	if len(f.Month) > s.opts.MonthFacetSize {
		f.Month = f.Month[:s.opts.MonthFacetSize]
	}
	if f.Author == nil {
		f.Author = []Bucket{}
	}
	if f.Year == nil {
		f.Year = []Bucket{}
	}
	if f.Month == nil {
		f.Month = []Bucket{}
	}
	return f
}
