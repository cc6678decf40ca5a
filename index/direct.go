package index

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// Direct matching.
//
// Most searches are one word or an AND of words, each word looked for in
// the title, the body and the authors: a term, a disjunction of terms, or
// a conjunction of those; a phrase (quoted, or a run of Han characters
// that is no word) takes a term's place, one phrase per field. For these
// shapes a Reader walks the segments' postings itself, without bleve's
// searcher tree (a DocumentMatch, a scorer call and an interface hop per
// term per document), and computes the scores bleve's searchers would:
// the same BM25 terms, query norm, coordination factor and order of
// additions, so the same floats (TestDirect_MatchesBleve compares every
// score of many queries). Any other shape goes through bleve.

// directTerm is one term of a direct plan.
type directTerm struct {
	field string
	term  []byte
	boost float64
	count uint64  // live documents holding it: bleve's docTerm
	idf   float64 // bleve's idf
	avg   float64 // average field length, 0 for tf-idf
	qw    float64 // bleve's queryWeight: boost × idf × query norm, or 1

	pls  []segment.PostingsList // by segment
	decs []*decoded             // by segment, when decoded (postings.go)
	// the iteration over the current segment: it, or dit when decoded
	// (dit.d set)
	it   segment.PostingsIterator
	dit  decodedIter
	done bool
	cur  uint64 // the current posting's document, in the segment
	freq uint64
	norm float64
	post segment.Posting // the current posting, for a phrase's positions
	// for locations: whether the iteration began, and cur's locations
	started bool
	locs    []fieldLocation
	name    string            // term as a string, once Locations has set it
	slab    []search.Location // where locs' locations are allocated

	// ph is set for a phrase: then term is nil, count is the phrase's
	// (bleve's worst case: the sum of its terms'), and done, cur and
	// score are its matches'.
	ph *directPhrase
}

// directPhrase is a phrase in one field, as bleve's PhraseSearcher with
// no slop runs it: a conjunction of its terms (a document holding all),
// then a check that they stand in a row; scored as the conjunction, the
// sum of its terms' scores in count order.
type directPhrase struct {
	terms []*directTerm // in the phrase's order
	offs  []uint64      // each term's position after the first term's
	order []*directTerm // by count: the order bleve sums the scores in

	checked uint64 // 1 + the document whose positions were checked, 0 for none
	ok      bool   // whether they hold the phrase
}

// directGroup is a term alone or a disjunction of terms (scored with
// bleve's coordination factor), in bleve's order: by count.
type directGroup struct {
	terms   []*directTerm
	disj    bool
	phrases bool // some of terms are phrases: seek finds candidates
	count   uint64
}

// directPlan is a conjunction of groups, in bleve's order.
type directPlan struct {
	groups []*directGroup
	// top is the shape of the whole query: it decides the query norm.
	top int
	// global, when set, are the collection's statistics this index is a
	// shard of (see TermStats), and localDocs the index's article count.
	global    *TermStats
	localDocs uint64
}

const (
	topTerm = iota
	topPhrase
	topDisjunction
	topConjunction
)

// planPhrase returns the plan of a phrase: one word or none at each of
// its places, no fuzziness. (A place with several words is a disjunction
// in bleve: another shape.)
func planPhrase(q *query.MultiPhraseQuery) (*directTerm, bool) {
	if q.FieldVal == "" || q.Fuzziness != 0 || len(q.Terms) == 0 {
		return nil, false
	}
	ph := &directPhrase{}
	first := -1
	for i, place := range q.Terms {
		if len(place) > 1 {
			return nil, false
		}
		if len(place) == 0 || place[0] == "" {
			continue // matches any word (bleve skips a leading one)
		}
		if first < 0 {
			first = i
		}
		ph.terms = append(ph.terms, &directTerm{field: q.FieldVal, term: []byte(place[0]), boost: q.BoostVal.Value()})
		ph.offs = append(ph.offs, uint64(i-first))
	}
	if len(ph.terms) == 0 || len(ph.terms) > maxDirectGroups {
		return nil, false
	}
	return &directTerm{field: q.FieldVal, boost: q.BoostVal.Value(), ph: ph}, true
}

// leaves calls fn with every term the plan looks up: its terms and its
// phrases' terms.
func (p *directPlan) leaves(fn func(t *directTerm)) {
	for _, g := range p.groups {
		for _, t := range g.terms {
			if t.ph == nil {
				fn(t)
				continue
			}
			for _, pt := range t.ph.terms {
				fn(pt)
			}
		}
	}
}

// maxDirectGroups keeps plans within the sizes that sort.Sort orders
// stably (insertion sort), as bleve's searchers are ordered.
const maxDirectGroups = 12

// planDirect returns the direct plan of q, or false when q has another
// shape.
func planDirect(q query.Query) (*directPlan, bool) { return planShape(q, maxDirectGroups) }

// planShape is planDirect with at most limit terms in a disjunction and
// groups in a conjunction.
func planShape(q query.Query, limit int) (*directPlan, bool) {
	term := func(q query.Query) (*directTerm, bool) {
		if ph, ok := q.(*query.MultiPhraseQuery); ok {
			return planPhrase(ph)
		}
		t, ok := q.(*query.TermQuery)
		if !ok || t.FieldVal == "" {
			return nil, false
		}
		return &directTerm{field: t.FieldVal, term: []byte(t.Term), boost: t.BoostVal.Value()}, true
	}
	disj := func(q query.Query) (*directGroup, bool) {
		d, ok := q.(*query.DisjunctionQuery)
		if !ok || d.Min > 1 || len(d.Disjuncts) == 0 || len(d.Disjuncts) > limit {
			return nil, false
		}
		g := &directGroup{disj: true}
		for _, c := range d.Disjuncts {
			t, ok := term(c)
			if !ok {
				return nil, false
			}
			g.terms = append(g.terms, t)
		}
		return g, true
	}
	if t, ok := term(q); ok {
		top := topTerm
		if t.ph != nil {
			top = topPhrase
		}
		return &directPlan{groups: []*directGroup{{terms: []*directTerm{t}}}, top: top}, true
	}
	if g, ok := disj(q); ok {
		return &directPlan{groups: []*directGroup{g}, top: topDisjunction}, true
	}
	c, ok := q.(*query.ConjunctionQuery)
	if !ok || len(c.Conjuncts) == 0 || len(c.Conjuncts) > limit {
		return nil, false
	}
	p := &directPlan{top: topConjunction}
	anyDisj := false
	for _, cq := range c.Conjuncts {
		if t, ok := term(cq); ok {
			p.groups = append(p.groups, &directGroup{terms: []*directTerm{t}})
			anyDisj = anyDisj || t.ph != nil
			continue
		}
		g, ok := disj(cq)
		if !ok {
			return nil, false
		}
		anyDisj = true
		p.groups = append(p.groups, g)
	}
	// Terms alone (no disjunction, no phrase) in a conjunction of two or
	// more: bleve merges them into one optimized reader.
	if !anyDisj && len(p.groups) > 1 {
		return nil, false
	}
	return p, true
}

// prepare looks the plan's terms up in every segment and computes
// bleve's statistics and weights; stats is nil when not scoring. The
// frequent postings of terms that are not in a phrase come decoded from
// plain when it is not nil (see lookupMode).
func (r *Reader) prepare(p *directPlan, stats *search.BM25Stats, plain *postingsCache, mode lookupMode) error {
	segs := r.snap.Segments()
	// lookup finds t in every segment, its frequent postings decoded
	// from cache when it is not nil.
	lookup := func(t *directTerm, cache *postingsCache, mode lookupMode) error {
		t.pls = make([]segment.PostingsList, len(segs))
		t.decs, t.count = nil, 0
		decode := cache != nil
		for i, ss := range segs {
			key := postingsKey{r.epoch, ss.Id(), t.field, string(t.term)}
			if decode {
				// Postings decoded before, in a segment without
				// deletions, give their count themselves.
				if d := cache.peek(key); d != nil && (!cache.locs || d.locOffs != nil) && (ss.Deleted() == nil || ss.Deleted().IsEmpty()) {
					if t.decs == nil {
						t.decs = make([]*decoded, len(segs))
					}
					t.decs[i] = d
					t.count += uint64(len(d.docs))
					continue
				}
			}
			pl, d, err := r.looked.postings(ss, i, len(segs), t.field, t.term)
			if err != nil {
				return err
			}
			t.pls[i] = pl
			n := pl.Count()
			t.count += n
			if decode && n >= decodeMin {
				if t.decs == nil {
					t.decs = make([]*decoded, len(segs))
				}
				var dec *decoded
				if mode == decodeIfRoom {
					dec, err = cache.getIfRoom(key, d, n)
				} else {
					dec, err = cache.get(key, d)
				}
				if err != nil {
					return err
				}
				t.decs[i] = dec
			}
		}
		return nil
	}
	for _, g := range p.groups {
		for _, t := range g.terms {
			if t.ph == nil {
				if err := lookup(t, plain, mode); err != nil {
					return err
				}
				continue
			}
			// A phrase's terms need their positions: the frequent ones'
			// come decoded with them (zapx walks its postings one by one
			// to reach a document's locations: for the common Han
			// characters of a phrase of them, most of a search).
			g.phrases = true
			t.count = 0
			for _, pt := range t.ph.terms {
				if err := lookup(pt, &r.ix.plocs, decodeAlways); err != nil {
					return err
				}
				t.count += pt.count
			}
			t.ph.order = slices.Clone(t.ph.terms)
			sort.SliceStable(t.ph.order, func(i, j int) bool { return t.ph.order[i].count < t.ph.order[j].count })
		}
		// bleve orders a disjunction's and a conjunction's searchers by
		// count (sort.Sort: insertion sort, stable, at these sizes).
		sort.SliceStable(g.terms, func(i, j int) bool { return g.terms[i].count < g.terms[j].count })
		for _, t := range g.terms {
			g.count += t.count
		}
	}
	sort.SliceStable(p.groups, func(i, j int) bool { return p.groups[i].count < p.groups[j].count })
	if stats == nil {
		return nil
	}
	var statsErr error
	p.leaves(func(t *directTerm) {
		if statsErr != nil {
			return
		}
		// bm25ScoreMetrics and computeIDF in bleve's search/searcher
		// and search/scorer.
		total := uint64(stats.DocCount)
		card, ok := stats.FieldCardinality[t.field]
		if !ok {
			statsErr = fmt.Errorf("field stat for bm25 not present %s", t.field)
			return
		}
		if total != 0 || card != 0 {
			t.avg = math.Ceil(float64(card) / float64(total))
		}
		count := t.count
		if p.global != nil {
			count = p.global.count(t.field, t.term, t.count, p.localDocs)
		}
		if t.avg > 0 {
			t.idf = math.Log(1 + (float64(total)-float64(count)+0.5)/(float64(count)+0.5))
		} else {
			t.idf = 1.0 + math.Log(float64(total)/float64(count+1.0))
		}
		t.qw = 1.0
	})
	if statsErr != nil {
		return statsErr
	}
	if p.top == topTerm {
		return nil // a lone term searcher is never given a query norm
	}
	// The query norm from the weights: a disjunction's, a conjunction's
	// and a phrase's Weight sum their children's (a lone term's is its
	// own); a lone phrase normalizes itself.
	weight := func(t *directTerm) float64 { w := t.boost * t.idf; return w * w }
	var sum float64
	for _, g := range p.groups {
		var gw float64
		for _, t := range g.terms {
			if t.ph == nil {
				gw += weight(t)
				continue
			}
			var pw float64 // in the order of the phrase's conjunction
			for _, pt := range t.ph.order {
				pw += weight(pt)
			}
			gw += pw
		}
		sum += gw
	}
	norm := 1.0 / math.Sqrt(sum)
	p.leaves(func(t *directTerm) { t.qw = t.boost * t.idf * norm })
	return nil
}

// score is bleve's TermQueryScorer.Score for the current posting (for a
// phrase, its ConjunctionQueryScorer's).
func (t *directTerm) score() float64 {
	if t.ph != nil {
		var s float64
		for _, pt := range t.ph.order {
			s += pt.score()
		}
		return s
	}
	tf := math.Sqrt(float64(t.freq))
	var s float64
	if t.avg > 0 {
		fieldLength := 1 / (t.norm * t.norm)
		s = t.idf * (tf * search.BM25_k1) /
			(tf + search.BM25_k1*(1-search.BM25_b+(search.BM25_b*fieldLength/t.avg)))
	} else {
		s = tf * t.norm * t.idf
	}
	if t.qw != 1.0 {
		s *= t.qw
	}
	return s
}

// start positions t on its first posting in segment i.
func (t *directTerm) start(i int, scored bool, deleted *roaring.Bitmap) error {
	t.it, t.dit, t.done = nil, decodedIter{}, true
	if t.ph != nil {
		for _, pt := range t.ph.terms {
			pt.it, pt.dit, pt.done = nil, decodedIter{}, true
			if d := pt.decodedLocs(i); d != nil {
				pt.dit = decodedIter{d: d, deleted: deleted}
				if err := pt.next(0); err != nil {
					return err
				}
				continue
			}
			if pl := pt.pls[i]; pl != nil && pl.Count() > 0 {
				pt.it = pl.Iterator(true, true, true, nil) // positions, and freq and norm with them
				if err := pt.next(0); err != nil {
					return err
				}
			}
		}
		t.ph.checked = 0
		return t.ph.seek(t, 0)
	}
	if t.decs != nil && t.decs[i] != nil {
		t.dit = decodedIter{d: t.decs[i], deleted: deleted}
		return t.next(0)
	}
	pl := t.pls[i]
	if pl == nil || pl.Count() == 0 {
		return nil
	}
	t.it = pl.Iterator(scored, scored, false, nil)
	return t.next(0)
}

// next moves t to its first posting at or after doc.
func (t *directTerm) next(doc uint64) error {
	if t.ph != nil {
		return t.ph.seek(t, doc)
	}
	if t.dit.d != nil {
		j, ok := t.dit.advance(doc)
		if !ok {
			t.done = true
			return nil
		}
		d := t.dit.d
		t.done = false
		t.cur, t.freq, t.norm = uint64(d.docs[j]), uint64(d.freqs[j]), float64(d.norms[j])
		return nil
	}
	p, err := t.it.Advance(doc)
	if err != nil {
		return err
	}
	if p == nil {
		t.done = true
		return nil
	}
	t.done = false
	t.cur, t.freq, t.norm, t.post = p.Number(), p.Frequency(), p.Norm(), p
	return nil
}

// seek moves the phrase t to its first candidate at or after doc: the
// first document holding all its terms. Whether they stand in a row
// there is asked only when the rest of the query holds the document too
// (holds), so that a phrase beside a rare word checks the positions of
// a few documents, not of every candidate in between.
func (ph *directPhrase) seek(t *directTerm, doc uint64) error {
	for k := 0; k < len(ph.terms); {
		pt := ph.terms[k]
		if !pt.done && pt.cur < doc {
			if err := pt.next(doc); err != nil {
				return err
			}
		}
		if pt.done {
			t.done = true
			return nil
		}
		if pt.cur > doc {
			doc = pt.cur
			if k > 0 {
				k = 0
				continue
			}
		}
		k++
	}
	t.done, t.cur = false, doc
	return nil
}

// holds reports whether t matches doc, where it is: for a phrase, whether
// its terms stand in a row there (checked once a document).
func (t *directTerm) holds(doc uint64) bool {
	if t.done || t.cur != doc {
		return false
	}
	ph := t.ph
	if ph == nil {
		return true
	}
	if ph.checked != doc+1 {
		ph.checked, ph.ok = doc+1, ph.inRow()
	}
	return ph.ok
}

// holds reports whether a group with phrases matches doc, where its seek
// left it: some term or phrase of it does.
func (g *directGroup) holds(doc uint64) bool {
	for _, t := range g.terms {
		if t.holds(doc) {
			return true
		}
	}
	return false
}

// inRow reports whether the terms' current postings (all of one
// document) hold the phrase: each term at its offset from a position of
// the first, in the same element of an array field, as bleve's
// findPhrasePaths finds them with no slop.
func (ph *directPhrase) inRow() bool {
	first := ph.terms[0]
	for a := range first.numLocs() {
		p0, ap := first.locAt(a)
		all := true
		for k := 1; k < len(ph.terms) && all; k++ {
			all = ph.terms[k].hasPos(p0+ph.offs[k], ap)
		}
		if all {
			return true
		}
	}
	return false
}

// decodedLocs returns t's postings in segment i decoded with their
// locations, or nil.
func (t *directTerm) decodedLocs(i int) *decoded {
	if t.decs == nil || t.decs[i] == nil || t.decs[i].locOffs == nil {
		return nil
	}
	return t.decs[i]
}

// numLocs is the number of locations of t's current posting.
func (t *directTerm) numLocs() int {
	if t.dit.d != nil {
		return len(t.dit.d.at(t.dit.pos))
	}
	return len(t.post.Locations())
}

// locAt returns the position and array positions of location a of t's
// current posting.
func (t *directTerm) locAt(a int) (uint64, []uint64) {
	if t.dit.d != nil {
		return uint64(t.dit.d.at(t.dit.pos)[a].pos), nil
	}
	l := t.post.Locations()[a]
	return l.Pos(), l.ArrayPositions()
}

// hasPos reports whether t's current posting has a location at pos, in
// the element ap of an array field.
func (t *directTerm) hasPos(pos uint64, ap []uint64) bool {
	if t.dit.d != nil {
		if len(ap) > 0 {
			return false // decoded locations are in no element
		}
		for _, l := range t.dit.d.at(t.dit.pos) {
			if uint64(l.pos) == pos {
				return true
			}
		}
		return false
	}
	for _, l := range t.post.Locations() {
		if l.Pos() == pos && slices.Equal(l.ArrayPositions(), ap) {
			return true
		}
	}
	return false
}

// seek returns the group's first document at or after doc, moving its
// terms there; ok is false when it has none.
func (g *directGroup) seek(doc uint64) (uint64, bool, error) {
	best, ok := uint64(math.MaxUint64), false
	for _, t := range g.terms {
		if t.done {
			continue
		}
		if t.cur < doc {
			if err := t.next(doc); err != nil {
				return 0, false, err
			}
			if t.done {
				continue
			}
		}
		best, ok = min(best, t.cur), true
	}
	return best, ok, nil
}

// score is the group's score at doc, where every group is.
func (g *directGroup) score(doc uint64) float64 {
	if !g.disj {
		return g.terms[0].score()
	}
	var sum float64
	n := 0
	for _, t := range g.terms {
		if t.holds(doc) {
			sum += t.score()
			n++
		}
	}
	return sum * (float64(n) / float64(len(g.terms)))
}

// matchDirect runs p as [Reader.Match] does.
func (r *Reader) matchDirect(ctx context.Context, p *directPlan, scored bool, fn func(d Doc, score float64)) error {
	n := 0
	for i, ss := range r.snap.Segments() {
		deleted := ss.Deleted()
		if deleted != nil && deleted.IsEmpty() {
			deleted = nil
		}
		for _, g := range p.groups {
			for _, t := range g.terms {
				if err := t.start(i, scored, deleted); err != nil {
					return fmt.Errorf("search: %w", err)
				}
			}
		}
		doc := uint64(0)
	docs:
		for {
			// Every group to the same document: the first at or after doc
			// that all of them hold.
			for gi := 0; gi < len(p.groups); {
				d, ok, err := p.groups[gi].seek(doc)
				if err != nil {
					return fmt.Errorf("search: %w", err)
				}
				if !ok {
					break docs
				}
				if d > doc {
					doc = d
					if gi > 0 {
						gi = 0
						continue
					}
				}
				gi++
			}
			// Phrases' candidates: the positions decide.
			for _, g := range p.groups {
				if g.phrases && !g.holds(doc) {
					doc++
					continue docs
				}
			}
			if n++; n%1024 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			var s float64
			if scored {
				for _, g := range p.groups {
					s += g.score(doc)
				}
			}
			fn(Doc(r.offs[i]+doc), s)
			doc++
		}
	}
	return ctx.Err()
}

// locationsDirect is [Reader.Locations] for a query of direct shape: the
// locations of the query's terms in each of docs that the query matches,
// as bleve's searchers with term vectors give them: every location of a
// term, and of a phrase's terms those where the phrase stands.
func (r *Reader) locationsDirect(ctx context.Context, p *directPlan, docs []Doc) (map[Doc]search.FieldTermLocationMap, error) {
	out := make(map[Doc]search.FieldTermLocationMap, len(docs))
	// The frequent plain terms' locations come decoded too, when the
	// cache of phrase terms has room for them: zapx reaches the
	// locations of each document of the window by walking the postings
	// before it in its chunk (a tenth of the time of a search of two
	// common words, the window being a hundred documents).
	if err := r.prepare(p, nil, &r.ix.plocs, decodeIfRoom); err != nil {
		return nil, err
	}
	// A term twice (in two groups, or in a phrase too) is read once.
	type key struct{ field, term string }
	var leaves []*directTerm
	seen := map[key]*directTerm{}
	once := func(t *directTerm) *directTerm {
		k := key{t.field, string(t.term)}
		if first, ok := seen[k]; ok {
			return first
		}
		seen[k] = t
		t.name = k.term
		leaves = append(leaves, t)
		return t
	}
	phrases := false
	for _, g := range p.groups {
		for j, t := range g.terms {
			if t.ph == nil {
				g.terms[j] = once(t)
				continue
			}
			phrases = true
			for k, pt := range t.ph.terms {
				t.ph.terms[k] = once(pt)
			}
		}
	}
	sorted := slices.Clone(docs)
	slices.Sort(sorted)
	seg := -1
	for _, d := range sorted {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		i, local := r.locate(d)
		if i != seg {
			seg = i
			for _, t := range leaves {
				t.it, t.dit, t.done, t.started = nil, decodedIter{}, true, false
				if d := t.decodedLocs(i); d != nil {
					t.dit, t.done = decodedIter{d: d, deleted: r.snap.Segments()[i].Deleted()}, false
					continue
				}
				if pl := t.pls[i]; pl != nil && pl.Count() > 0 {
					t.it, t.done, t.cur = pl.Iterator(false, false, true, nil), false, 0
					t.started = false
				}
			}
		}
		// Which groups hold d: a conjunction needs every one.
		held := 0
		for _, g := range p.groups {
			for _, t := range g.terms {
				if t.located(uint64(local)) {
					held++
					break
				}
			}
		}
		if held == 0 || p.top == topConjunction && held < len(p.groups) {
			continue
		}
		var locs search.FieldTermLocationMap
		add := func(t *directTerm, loc *search.Location) {
			tlm := termMap(&locs, t.field)
			tlm[t.name] = append(tlm[t.name], loc)
		}
		if !phrases {
			// Each term once: its locations in one slice of their size.
			for _, t := range leaves {
				if !t.has(uint64(local)) || len(t.locs) == 0 {
					continue
				}
				ls := make(search.Locations, len(t.locs))
				for i, l := range t.locs {
					ls[i] = l.loc
				}
				termMap(&locs, t.field)[t.name] = ls
			}
			out[d] = locs
			continue
		}
		// Terms in group order, each once; a phrase's where it stands.
		// bleve then sorts and dedupes a term's locations that came out
		// of order (DocumentMatch.Complete): so here.
		added := map[*directTerm]bool{}
		for _, g := range p.groups {
			for _, t := range g.terms {
				switch {
				case t.ph != nil:
					t.ph.paths(uint64(local), add)
				case !added[t] && t.has(uint64(local)):
					added[t] = true
					for _, l := range t.locs {
						add(t, l.loc)
					}
				}
			}
		}
		for _, tlm := range locs {
			for term, ls := range tlm {
				if !inOrder(ls) {
					tlm[term] = ls.Dedupe()
				}
			}
		}
		out[d] = locs
	}
	return out, nil
}

// termMap returns the locations by term of field in *locs, making
// either when missing.
func termMap(locs *search.FieldTermLocationMap, field string) search.TermLocationMap {
	if *locs == nil {
		*locs = search.FieldTermLocationMap{}
	}
	tlm := (*locs)[field]
	if tlm == nil {
		tlm = search.TermLocationMap{}
		(*locs)[field] = tlm
	}
	return tlm
}

// located reports whether t (a term, or a phrase of terms read with
// has) matches doc of the current segment.
func (t *directTerm) located(doc uint64) bool {
	if t.ph == nil {
		return t.has(doc)
	}
	return t.ph.paths(doc, nil)
}

// paths reports whether the phrase's terms (read with has) stand in a
// row in doc, and calls add, when not nil, with each term's location of
// every place where they do, as bleve's findPhrasePaths gives them.
func (ph *directPhrase) paths(doc uint64, add func(t *directTerm, loc *search.Location)) bool {
	for _, t := range ph.terms {
		if !t.has(doc) {
			return false
		}
	}
	found := false
	at := make([]*search.Location, len(ph.terms))
	for _, l0 := range ph.terms[0].locs {
		at[0] = l0.loc
		all := true
		for k := 1; k < len(ph.terms) && all; k++ {
			want := l0.loc.Pos + ph.offs[k]
			all = false
			for _, l := range ph.terms[k].locs {
				if l.loc.Pos == want && l.loc.ArrayPositions.Equals(l0.loc.ArrayPositions) {
					at[k], all = l.loc, true
					break
				}
			}
		}
		if !all {
			continue
		}
		if add == nil {
			return true
		}
		found = true
		for k, t := range ph.terms {
			add(t, at[k])
		}
	}
	return found
}

// inOrder reports whether locations are in bleve's order, by array
// positions then position, without repeats.
func inOrder(ls search.Locations) bool {
	for i := 1; i < len(ls); i++ {
		c := ls[i].ArrayPositions.Compare(ls[i-1].ArrayPositions)
		if c < 0 || c == 0 && ls[i].Pos <= ls[i-1].Pos {
			return false
		}
	}
	return true
}

// lookups keeps a reader's term dictionaries and postings lists, by
// segment, as direct plans look them up: a search matches, then reads
// the locations of the same terms for its best hits and its page.
type lookups struct {
	dicts map[string][]segment.TermDictionary
	lists map[lookupKey]segment.PostingsList
}

type lookupKey struct {
	seg   int
	field string
	term  string
}

// postings returns the postings list of term in field of segment i (ss)
// of segs, without its deleted documents, and the field's dictionary
// there.
func (l *lookups) postings(ss *scorch.SegmentSnapshot, i, segs int, field string, term []byte) (segment.PostingsList, segment.TermDictionary, error) {
	if l.dicts == nil {
		l.dicts = map[string][]segment.TermDictionary{}
		l.lists = map[lookupKey]segment.PostingsList{}
	}
	ds := l.dicts[field]
	if ds == nil {
		ds = make([]segment.TermDictionary, segs)
		l.dicts[field] = ds
	}
	d := ds[i]
	if d == nil {
		var err error
		if d, err = ss.Segment().Dictionary(field); err != nil {
			return nil, nil, fmt.Errorf("dictionary of %s: %w", field, err)
		}
		ds[i] = d
	}
	k := lookupKey{i, field, string(term)}
	if pl, ok := l.lists[k]; ok {
		return pl, d, nil
	}
	pl, err := d.PostingsList(term, ss.Deleted(), nil)
	if err != nil {
		return nil, nil, fmt.Errorf("postings of %s:%s: %w", field, term, err)
	}
	l.lists[k] = pl
	return pl, d, nil
}

// newLocation returns a zero location from t's slab: a page's
// locations are allocated a few dozen at a time, and live as long as the
// page.
func (t *directTerm) newLocation() *search.Location {
	if len(t.slab) == cap(t.slab) {
		t.slab = make([]search.Location, 0, 32)
	}
	t.slab = t.slab[:len(t.slab)+1]
	return &t.slab[len(t.slab)-1]
}

// fieldLocation is a location of a posting, with its field.
type fieldLocation struct {
	field string
	loc   *search.Location
}

// has reports whether t's postings hold doc (of the current segment),
// reading its locations when they do; docs come in increasing order.
func (t *directTerm) has(doc uint64) bool {
	if t.done {
		return false
	}
	if t.dit.d != nil {
		if !t.started || t.cur < doc {
			t.started = true
			j, ok := t.dit.advance(doc)
			if !ok {
				t.done = true
				return false
			}
			t.cur = uint64(t.dit.d.docs[j])
			t.locs = t.locs[:0]
			for _, l := range t.dit.d.at(j) {
				loc := t.newLocation()
				loc.Pos, loc.Start, loc.End = uint64(l.pos), uint64(l.start), uint64(l.end)
				t.locs = append(t.locs, fieldLocation{t.field, loc})
			}
		}
		return t.cur == doc
	}
	if !t.started || t.cur < doc {
		p, err := t.it.Advance(doc)
		t.started = true
		if err != nil || p == nil {
			t.done = true
			return false
		}
		// The posting's locations are read now, whatever its document:
		// the next docs may ask for it.
		t.cur = p.Number()
		t.locs = t.locs[:0]
		for _, l := range p.Locations() {
			loc := t.newLocation()
			loc.Pos, loc.Start, loc.End = l.Pos(), l.Start(), l.End()
			if ap := l.ArrayPositions(); len(ap) > 0 {
				loc.ArrayPositions = slices.Clone(ap)
			}
			t.locs = append(t.locs, fieldLocation{l.Field(), loc})
		}
	}
	return t.cur == doc
}
