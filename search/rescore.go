package search

import (
	"context"
	"slices"

	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/wensou/wensou/index"
)

// rescoreWindow is how many of the best hits by relevance the proximity
// boost re-ranks, as Elasticsearch's rescore does with its window: the
// first ten pages of ten. The hits past it follow in their own order.
// Scoring proximity there only, not over every match, keeps a search as
// fast as without it.
const rescoreWindow = 100

// rescorer re-ranks the best hits of a relevance search by proximity:
// how closely each holds the query's words in the order typed.
//
// The order it gives is one order over all hits, whatever the page: the
// rescoreWindow best by BM25, re-ranked, then the rest by BM25. Pages and
// cursors walk it: a cursor of a hit in the window carries its re-ranked
// score (and says so), a cursor past the window the BM25 one.
//
// A hit's BM25 score is multiplied by its proximity factor, computed from
// where the query's words stand in its title and body. (Scoring phrase
// queries with bleve instead would mean one query with the phrases as
// should clauses, since bleve normalizes the weights of a query's parts
// together; and bleve v2.6.3's BooleanSearcher.Advance puts its should
// clause's current match back in the pool while that clause still holds
// it, so such a query cannot be scored document by document.)
type rescorer struct {
	runs  [][][]string
	terms query.Query // every word of the runs, in the title and the body
	// cursor is the request's cursor, when it is one of a hit in the
	// window; past is set when it is one of a hit past the window.
	cursor *ranked
	past   bool
	// windowed is, after page, how many of the page's first hits were
	// re-ranked in the window.
	windowed int
}

// newRescorer returns the rescorer of a request, or nil when proximity
// does not apply: another sort order, or fewer than two words in a row.
func newRescorer(runs [][][]string, req Request) *rescorer {
	if req.Sort != SortRelevance || len(runs) == 0 {
		return nil
	}
	rs := &rescorer{runs: runs, terms: runTerms(runs)}
	if req.After != "" {
		// Validate has read it: it parses.
		c, inWindow, _ := parseCursorWindow(req.After, req.Sort)
		if inWindow {
			rs.cursor = &c
		} else {
			rs.past = true
		}
	}
	return rs
}

// collectRequest is what the first pass collects: past the window, the
// request as it is (a BM25 cursor); otherwise enough of the best hits by
// BM25 from the start for the window and the page.
func (rs *rescorer) collectRequest(req Request) Request {
	if rs == nil || rs.past {
		return req
	}
	keep := max(rescoreWindow, req.Page*req.Size)
	if rs.cursor != nil {
		keep = rescoreWindow + req.Size
	}
	out := req
	out.After, out.Page, out.Size = "", 1, keep
	return out
}

// page returns the page of req from the collected hits, re-ranked, and
// the cursor of the next page ("" at the end). When q, the search's
// query, is made of terms only, the locations it also returns are those
// of q's terms in the window's hits, which highlighting the page needs
// too: read once, for both.
func (rs *rescorer) page(ctx context.Context, r *index.Reader, c *collector, req Request, q query.Query) ([]ranked, string, map[index.Doc]bsearch.FieldTermLocationMap, error) {
	if rs.past {
		page := c.page(req)
		next := ""
		if c.more(req, len(page)) {
			next = page[len(page)-1].cursor(req.Sort)
		}
		return page, next, nil, nil
	}
	all := c.sorted(req.Sort)
	window := all[:min(rescoreWindow, len(all))]
	docs := make([]index.Doc, len(window))
	for i, h := range window {
		docs[i] = h.doc
	}
	lq, shared := rs.terms, false
	if leaves, ok := termLeaves(q, nil); ok {
		// Every hit matches q: the locations of its terms in a hit are
		// those of q's. The runs' words are among them; add them anyway.
		if leaves, ok = termLeaves(rs.terms, leaves); ok {
			lq, shared = query.NewDisjunctionQuery(leaves), true
		}
	}
	locs, err := r.Locations(ctx, lq, docs)
	if err != nil {
		return nil, "", nil, err
	}
	var px proximity
	for i := range window {
		window[i].score *= px.factor(locs[window[i].doc], rs.runs)
	}
	sortRanked(window, req.Sort)

	start := (req.Page - 1) * req.Size
	if rs.cursor != nil {
		start = len(window)
		for i, h := range window {
			if h.after(*rs.cursor, req.Sort) {
				start = i
				break
			}
		}
	}
	if !shared {
		locs = nil
	}
	if start >= len(all) {
		return nil, "", locs, nil
	}
	page := all[start:min(start+req.Size, len(all))]
	end := start + len(page)
	rs.windowed = max(0, min(end, len(window))-start)
	next := ""
	if c.total > end {
		last := page[len(page)-1]
		if end <= len(window) {
			next = last.windowCursor()
		} else {
			next = last.cursor(req.Sort)
		}
	}
	return page, next, locs, nil
}

// termLeaves appends to out the term queries q is made of, when q is
// terms, disjunctions and conjunctions of them only.
func termLeaves(q query.Query, out []query.Query) ([]query.Query, bool) {
	switch q := q.(type) {
	case *query.TermQuery:
		return append(out, q), q.FieldVal != ""
	case *query.DisjunctionQuery:
		for _, c := range q.Disjuncts {
			var ok bool
			if out, ok = termLeaves(c, out); !ok {
				return nil, false
			}
		}
		return out, true
	case *query.ConjunctionQuery:
		for _, c := range q.Conjuncts {
			var ok bool
			if out, ok = termLeaves(c, out); !ok {
				return nil, false
			}
		}
		return out, true
	}
	return nil, false
}

// sorted returns the collected hits, best first.
func (c *collector) sorted(s Sort) []ranked {
	hits := slices.Clone(c.best.hits)
	sortRanked(hits, s)
	return hits
}

func sortRanked(hits []ranked, s Sort) {
	slices.SortFunc(hits, func(a, b ranked) int {
		switch {
		case b.after(a, s):
			return -1
		case a.after(b, s):
			return 1
		}
		return 0
	})
}

// Proximity factors: a hit's score is multiplied by 1 plus these, for
// each run of the query's words. A whole run in a row outweighs any BM25
// difference in practice (scores of one query differ by up to about 30
// times: a common word in a short title against the same words in a long
// body), as Meilisearch ranks proximity before the attribute a word is
// in: the article holding the words together comes first, the title
// before the body; then pairs of neighbours break closer ties.
const (
	nearTitlePhrase = 200.0 // the whole run, in order, in the title
	nearBodyPhrase  = 100.0 // the whole run, in order, in the body
	nearPairs       = 1.0   // all pairs of neighbouring words next to each other (a share for some)
)

// proximity computes hits' proximity factors, reusing its buffers from
// one hit to the next.
type proximity struct {
	title, body []slotPositions
	buf         []uint64
}

// slotPositions are the positions in a field where one of a slot's
// terms stands, sorted and each once; an empty slot (wild) stands
// anywhere.
type slotPositions struct {
	wild bool
	pos  []uint64
}

// at reports whether the slot stands at position p.
func (s slotPositions) at(p uint64) bool {
	if s.wild {
		return true
	}
	_, ok := slices.BinarySearch(s.pos, p)
	return ok
}

// factor is what a hit's score is multiplied by for how its title and
// body hold the runs' words: 1 when they hold them apart.
func (px *proximity) factor(locs bsearch.FieldTermLocationMap, runs [][][]string) float64 {
	f := 1.0
	px.buf = px.buf[:0]
	for _, run := range runs {
		px.title = px.positions(px.title[:0], locs[index.FieldTitle], run)
		px.body = px.positions(px.body[:0], locs[index.FieldBody], run)
		title, body := px.title, px.body
		switch {
		case phraseAt(title):
			f += nearTitlePhrase
		case phraseAt(body):
			f += nearBodyPhrase
		}
		// Neighbouring words of the run: each word and the next one
		// (past empty slots), as far apart as in the query.
		pairs, near := 0, 0
		prev := -1
		for i, slot := range run {
			if len(slot) == 0 {
				continue
			}
			if prev >= 0 {
				pairs++
				if follows(title[prev], title[i], i-prev) || follows(body[prev], body[i], i-prev) {
					near++
				}
			}
			prev = i
		}
		if pairs > 0 {
			f += nearPairs * float64(near) / float64(pairs)
		}
	}
	return f
}

// positions appends to out, for each slot of run, the positions in a
// field where one of the slot's terms stands.
func (px *proximity) positions(out []slotPositions, tl bsearch.TermLocationMap, run [][]string) []slotPositions {
	for _, slot := range run {
		if len(slot) == 0 {
			out = append(out, slotPositions{wild: true})
			continue
		}
		from := len(px.buf)
		for _, term := range slot {
			for _, l := range tl[term] {
				px.buf = append(px.buf, l.Pos)
			}
		}
		pos := px.buf[from:len(px.buf):len(px.buf)]
		slices.Sort(pos)
		pos = slices.Compact(pos)
		px.buf = px.buf[:from+len(pos)]
		out = append(out, slotPositions{pos: pos})
	}
	return out
}

// phraseAt reports whether the slots stand one after another somewhere:
// slot i at position p+i (positions count as the analyzer counts them,
// a unit per Han character; an empty slot matches anything, as the gap
// a stop word leaves).
func phraseAt(slots []slotPositions) bool {
	if len(slots) == 0 || slots[0].wild {
		return false
	}
	for _, p := range slots[0].pos {
		ok := true
		for i := 1; i < len(slots) && ok; i++ {
			ok = slots[i].at(p + uint64(i))
		}
		if ok {
			return true
		}
	}
	return false
}

// follows reports whether a term of b stands d positions after one of a
// (neither an empty slot).
func follows(a, b slotPositions, d int) bool {
	for _, p := range a.pos {
		if _, ok := slices.BinarySearch(b.pos, p+uint64(d)); ok {
			return true
		}
	}
	return false
}

// runTerms is a query for every term of the runs, in the title and the
// body: what the proximity of a hit is read from.
func runTerms(runs [][][]string) query.Query {
	seen := map[string]bool{}
	var qs []query.Query
	for _, run := range runs {
		for _, slot := range run {
			for _, term := range slot {
				if !seen[term] {
					seen[term] = true
					qs = append(qs, termQuery(index.FieldTitle, term, 1), termQuery(index.FieldBody, term, 1))
				}
			}
		}
	}
	return disjunction(qs)
}
