package search

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/wensou/wensou/index"
)

// Searches over shards.
//
// Each shard of a collection answers its part (Request.Shard): the first
// Page×Size hits of its own ranking, each with its sort key, its total,
// and the count of every author, year and month of its matches. Merge
// adds up the totals and counts (exact: no shard trims its facets), and
// takes the page from the hits of all shards in the order one index
// would give them. Scores compare across shards when each was computed
// with the collection's term statistics (Request.Stats).

// ShardRequest returns the request a shard answers for its part of req.
func ShardRequest(req Request) Request {
	r := req
	r.Shard = true
	if r.After == "" {
		r.Size = r.Page * r.Size
	}
	r.Page = 1
	return r
}

// mergedHit is a shard's hit with its sort key read.
type mergedHit struct {
	hit    Hit
	key    ranked
	window bool // re-ranked in the shard's rescore window
	shard  int
}

// Merge combines the answers of the shards that answered req (nil for
// one that did not) into the answer one index of the whole collection
// gives. failed is how many shards did not answer; with any, the result
// is marked incomplete.
func Merge(req Request, parts []*Result, opts Options) (*Result, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	opts = opts.withDefaults()
	res := &Result{Query: req.Query, Page: req.Page, Size: req.Size, Hits: []Hit{},
		Facets: Facets{Author: []Bucket{}, Year: []Bucket{}, Month: []Bucket{}},
		Shards: &ShardCount{Total: len(parts)}}
	// Shards with articles holding every word outrank the partial
	// matches of the others: one index would have given those only.
	whole := false
	for _, p := range parts {
		if p == nil {
			res.Shards.Failed++
		} else if !p.Partial && p.Total > 0 {
			whole = true
		}
	}
	res.Incomplete = res.Shards.Failed > 0
	var hits []mergedHit
	authors := map[string]int{}
	years := map[string]int{}
	months := map[string]int{}
	more := false
	for k, p := range parts {
		if p == nil || whole && p.Partial {
			continue
		}
		res.Total += p.Total
		res.Partial = res.Partial || p.Partial
		for _, h := range p.Hits {
			key, window, err := parseCursorWindow(h.Sort, req.Sort)
			if err != nil {
				return nil, fmt.Errorf("shard %d: hit %s: %w", k, h.ID, err)
			}
			h.Sort = ""
			hits = append(hits, mergedHit{hit: h, key: key, window: window, shard: k})
		}
		more = more || p.Next != ""
		for _, b := range p.Facets.Author {
			authors[b.Value] += b.Count
		}
		for _, b := range p.Facets.Year {
			years[b.Value] += b.Count
		}
		for _, b := range p.Facets.Month {
			months[b.Value] += b.Count
		}
		for typed, read := range p.Corrected {
			if res.Corrected == nil {
				res.Corrected = map[string]string{}
			}
			res.Corrected[typed] = read
		}
		if res.Suggestion == "" {
			res.Suggestion = p.Suggestion
		}
	}
	// A shard's window of re-ranked hits comes before the rest of its
	// hits, as in one index; within each, the sort order.
	slices.SortStableFunc(hits, func(a, b mergedHit) int {
		switch {
		case a.window != b.window:
			if a.window {
				return -1
			}
			return 1
		case b.key.after(a.key, req.Sort):
			return -1
		case a.key.after(b.key, req.Sort):
			return 1
		}
		return cmp.Compare(a.shard, b.shard)
	})
	start := 0
	if req.After == "" {
		start = (req.Page - 1) * req.Size
	}
	if start < len(hits) {
		page := hits[start:min(start+req.Size, len(hits))]
		for _, h := range page {
			res.Hits = append(res.Hits, h.hit)
		}
		if last := page[len(page)-1]; more || start+len(page) < len(hits) {
			if last.window {
				res.Next = last.key.windowCursor()
			} else {
				res.Next = last.key.cursor(req.Sort)
			}
		}
	}
	res.Facets = mergedFacets(authors, years, months, opts, req.Authors)
	return res, nil
}

// mergedFacets orders the summed counts as one index's facets are: the
// top authors by count then name (and any selected ones past them), every
// year and the most recent months, latest first.
func mergedFacets(authors, years, months map[string]int, opts Options, selected []string) Facets {
	// topAuthors orders equal counts by name: the names' order is free.
	names := make([]string, 0, len(authors))
	counts := make([]int32, 0, len(authors))
	for n, c := range authors {
		names, counts = append(names, n), append(counts, int32(c))
	}
	f := Facets{Author: topAuthors(func(ord uint32) string { return names[ord] }, counts, opts.AuthorFacetSize, selected)}
	latest := func(m map[string]int, keep int) []Bucket {
		keys := slices.Sorted(maps.Keys(m))
		slices.Reverse(keys)
		out := make([]Bucket, 0, min(len(keys), keep))
		for _, k := range keys[:min(len(keys), keep)] {
			out = append(out, Bucket{Value: k, Count: m[k]})
		}
		return out
	}
	f.Year = latest(years, len(years))
	f.Month = latest(months, opts.MonthFacetSize)
	return f
}

// TermStats returns the term statistics of this index for req's query
// (see [index.TermStats]): what a search over shards sums before each
// shard searches with the sum.
func (s *Searcher) TermStats(ctx context.Context, req Request) (*index.TermStats, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	q, err := Parse(req.Query)
	if err != nil {
		return nil, err
	}
	var ts *index.TermStats
	err = s.src.With(func(ix *index.Index) error {
		comp := compilerFor(ix)
		comp.syn = s.synonymsFor(ix.Segmenter())
		p := comp.compile(q)
		r, err := ix.Reader()
		if err != nil {
			return err
		}
		defer r.Close()
		if p.nothing {
			p.units = nil // the article count still adds up
		} else if !req.NoTypos {
			if _, err := s.tolerate(r, &p); err != nil {
				return err
			}
		}
		filters := tagFilters(req.Tags)
		fq, err := filterQuery(req.Filter, s.opts.Location)
		if err != nil {
			return err
		}
		if fq != nil {
			filters = append(filters, fq)
		}
		ts, err = r.TermStats(ctx, build(p.units, p.exclude, filters, false))
		return err
	})
	return ts, err
}
