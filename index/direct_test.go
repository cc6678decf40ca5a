package index

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/google/go-cmp/cmp"

	"github.com/wensou/wensou/index/article"
)

// directIndex is an on-disk index of the sample articles, and of the
// Reuters and Chinese web corpora when ../shared/corpus is there, in
// several segments, some articles deleted. It is built once per test
// process (TestMain removes it): under the race detector a build takes
// a minute.
func directIndex(t *testing.T) *Index {
	t.Helper()
	shared.once.Do(func() { shared.ix, shared.err = buildDirectIndex(t.Context()) })
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	return shared.ix
}

var shared struct {
	once sync.Once
	dir  string
	ix   *Index
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.ix != nil {
		shared.ix.Close()
	}
	if shared.dir != "" {
		os.RemoveAll(shared.dir)
	}
	os.Exit(code)
}

func buildDirectIndex(ctx context.Context) (*Index, error) {
	dir, err := os.MkdirTemp("", "wensou-direct-")
	if err != nil {
		return nil, err
	}
	shared.dir = dir
	ix, err := Open(ctx, Options{Path: filepath.Join(dir, "ix"), Create: true})
	if err != nil {
		return nil, err
	}
	paths := []string{filepath.Join("..", "data", "articles")}
	for _, name := range []string{"cn_web_extract.jsonl", "reuters21578.jsonl"} {
		p := filepath.Join("..", "..", "shared", "corpus", name)
		if _, err := os.Stat(p); err == nil && !testing.Short() {
			paths = append(paths, p)
		}
	}
	if _, err := Ingest(ctx, ix, paths, IngestOptions{BatchSize: 3000}); err != nil {
		ix.Close()
		return nil, err
	}
	// Deleted articles stay in their segments until a merge: the
	// postings must skip them and the counts leave them out.
	var ids []string
	err = article.Walk(ctx, paths, article.Options{}, func(r article.Record) error {
		if r.Err == nil && len(ids) < 4000 && r.Line%7 == 3 {
			ids = append(ids, r.Article.ID)
		}
		return nil
	})
	if err == nil {
		err = ix.Delete(ctx, ids...)
	}
	if err != nil {
		ix.Close()
		return nil, err
	}
	return ix, nil
}

// directReader returns the shared index and a reader of it, closed at
// the test's end.
func directReader(t *testing.T) (*Index, *Reader) {
	t.Helper()
	ix := directIndex(t)
	r, err := ix.Reader()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return ix, r
}

// restoreCache puts the shared index's postings cache back as Open
// makes it, after a test that bounded it.
func restoreCache(ix *Index) {
	for _, c := range []*postingsCache{&ix.posts, &ix.plocs} {
		c.mu.Lock()
		c.max, c.fixed = decodedMinBytes, false
		c.mu.Unlock()
	}
}

func dq(field, term string, boost float64) query.Query {
	q := query.NewTermQuery(term)
	q.SetField(field)
	q.SetBoost(boost)
	return q
}

// mp is a phrase in one field: one word or none (nil) at each place.
func mp(field string, boost float64, places ...[]string) query.Query {
	q := query.NewMultiPhraseQuery(places, field)
	q.SetBoost(boost)
	return q
}

// fieldsPhrase is the disjunction a phrase of a query becomes.
func fieldsPhrase(places ...[]string) query.Query {
	return query.NewDisjunctionQuery([]query.Query{mp(FieldTitle, 3, places...), mp(FieldBody, 1, places...), mp(FieldAuthorText, 2, places...)})
}

// w is one place of a phrase.
func w(term string) []string { return []string{term} }

// fields is the disjunction a word of a query becomes.
func fields(term string) query.Query {
	return query.NewDisjunctionQuery([]query.Query{dq(FieldTitle, term, 3), dq(FieldBody, term, 1), dq(FieldAuthorText, term, 2)})
}

type match struct {
	doc   Doc
	score uint64 // the float's bits: equal means equal
}

func matches(t *testing.T, r *Reader, q query.Query, scored, viaBleve bool) []match {
	t.Helper()
	r.viaBleve = viaBleve
	var out []match
	if err := r.Match(t.Context(), q, scored, func(d Doc, s float64) { out = append(out, match{d, math.Float64bits(s)}) }); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestDirect_MatchesBleve: every query shape that runs directly gives
// the documents, in the order and with the scores to the bit, that
// bleve's searchers give.
func TestDirect_MatchesBleve(t *testing.T) {
	ix, r := directReader(t)
	words := []string{"教育", "职业", "中国", "发展", "经济", "技术", "oil", "price", "said", "trade", "bank", "rate", "nonexistentword", "研究"}
	var qs []query.Query
	for _, w := range words {
		qs = append(qs, dq(FieldBody, w, 1), dq(FieldTitle, w, 3), fields(w))
	}
	for i, a := range words {
		b := words[(i+3)%len(words)]
		c := words[(i+5)%len(words)]
		qs = append(qs,
			query.NewConjunctionQuery([]query.Query{fields(a), fields(b)}),
			query.NewConjunctionQuery([]query.Query{fields(a), fields(b), fields(c)}),
			query.NewConjunctionQuery([]query.Query{fields(a)}),
			query.NewConjunctionQuery([]query.Query{fields(a), dq(FieldTags, "教育", 0)}),
			query.NewConjunctionQuery([]query.Query{dq(FieldTitle, a, 3), fields(b)}),
			query.NewDisjunctionQuery([]query.Query{dq(FieldTitle, a, 3), dq(FieldBody, b, 1)}),
		)
	}
	// Phrases (a gap where the query's analysis left a place empty), a
	// word twice in a row, phrases beside words, a name's phrase beside
	// the name.
	qs = append(qs,
		fieldsPhrase(w("人口"), nil, w("科学")),
		fieldsPhrase(w("职业"), nil, w("教育")),
		fieldsPhrase(w("中国"), nil, w("经济")),
		fieldsPhrase(w("谁"), w("能")),
		fieldsPhrase(w("interest"), w("rate")),
		fieldsPhrase(w("oil"), w("price")),
		fieldsPhrase(w("bank"), nil, w("japan")),
		fieldsPhrase(w("said"), w("said")),
		fieldsPhrase(w("nonexistentword"), w("oil")),
		mp(FieldBody, 1, w("oil"), w("price")),
		mp(FieldBody, 1, w("职业"), nil, w("教育"), nil, w("法")),
		query.NewConjunctionQuery([]query.Query{fieldsPhrase(w("中国"), nil, w("经济")), fields("发展")}),
		query.NewConjunctionQuery([]query.Query{fields("trade"), fieldsPhrase(w("interest"), w("rate")), fields("bank")}),
		query.NewConjunctionQuery([]query.Query{mp(FieldBody, 1, w("oil"), w("price")), fields("said")}),
		// Authors: names without term vectors, where bleve's phrases
		// find nothing (刘洋 and Sarah Lin are one article's two authors).
		query.NewDisjunctionQuery([]query.Query{dq(FieldAuthor, "周晓梅", 2), mp(FieldAuthorText, 2, w("周"), w("晓"), w("梅"))}),
		mp(FieldAuthorText, 2, w("sarah"), w("lin")),
		mp(FieldAuthorText, 2, w("周"), w("晓"), w("梅")),
		mp(FieldAuthorText, 2, w("洋"), w("sarah")),
		query.NewConjunctionQuery([]query.Query{
			query.NewDisjunctionQuery([]query.Query{dq(FieldAuthor, "刘洋", 2), mp(FieldAuthorText, 2, w("刘"), w("洋"))}),
			fields("职业"),
		}),
	)
	direct := 0
	for _, q := range qs {
		if _, ok := planDirect(q); ok {
			direct++
		}
	}
	// Postings decoded (postings.go) for terms of a few documents per
	// segment up, for every term, and never.
	defer func(m uint64) { decodeMin = m }(decodeMin)
	for _, min := range []uint64{math.MaxUint64, decodeMin, 1} {
		decodeMin = min
		ix.posts.prune(0, nil) // empty: min decides
		ix.plocs.prune(0, nil)
		for _, q := range qs {
			for _, scored := range []bool{true, false} {
				want := matches(t, r, q, scored, true)
				got := matches(t, r, q, scored, false)
				if d := diffMatches(want, got); d != "" {
					t.Errorf("%s (scored %v, decoded from %d postings): %s", queryString(q), scored, min, d)
				}
			}
		}
	}
	if b, _, _ := ix.posts.stats(); b == 0 {
		t.Error("no postings decoded")
	}
	if b, _, _ := ix.plocs.stats(); b == 0 {
		t.Error("no phrase terms decoded with their locations")
	}
	if direct != len(qs) {
		t.Errorf("%d of %d queries run directly, want all", direct, len(qs))
	}
	n, _ := r.Count()
	t.Logf("%d queries, %d articles", len(qs), n)
}

func diffMatches(want, got []match) string {
	if len(want) != len(got) {
		return fmt.Sprintf("%d matches, bleve has %d", len(got), len(want))
	}
	for i := range want {
		if want[i] != got[i] {
			return fmt.Sprintf("match %d is doc %d score %v, bleve has doc %d score %v", i,
				got[i].doc, math.Float64frombits(got[i].score), want[i].doc, math.Float64frombits(want[i].score))
		}
	}
	return ""
}

func queryString(q query.Query) string {
	join := func(qs []query.Query, op string) string {
		parts := make([]string, len(qs))
		for i, c := range qs {
			parts[i] = queryString(c)
		}
		return "(" + strings.Join(parts, " "+op+" ") + ")"
	}
	switch q := q.(type) {
	case *query.TermQuery:
		return fmt.Sprintf("%s:%s^%v", q.FieldVal, q.Term, q.BoostVal.Value())
	case *query.MultiPhraseQuery:
		return fmt.Sprintf("%s:%q^%v", q.FieldVal, q.Terms, q.BoostVal.Value())
	case *query.DisjunctionQuery:
		return join(q.Disjuncts, "OR")
	case *query.ConjunctionQuery:
		return join(q.Conjuncts, "AND")
	}
	return fmt.Sprintf("%T", q)
}

// TestDirect_OtherShapes: shapes bleve runs differently stay with bleve.
func TestDirect_OtherShapes(t *testing.T) {
	for _, q := range []query.Query{
		query.NewMatchAllQuery(),
		query.NewConjunctionQuery([]query.Query{dq(FieldTitle, "a", 1), dq(FieldBody, "b", 1)}), // bleve merges lone terms
		query.NewPhraseQuery([]string{"a", "b"}, FieldBody),
		query.NewConjunctionQuery([]query.Query{fields("a"), query.NewPhraseQuery([]string{"a", "b"}, FieldBody)}),
		query.NewTermQuery("no field"),
		query.NewMultiPhraseQuery([][]string{{"a", "b"}, {"c"}}, FieldBody), // a place of two words
		func() query.Query {
			q := query.NewMultiPhraseQuery([][]string{{"a"}, {"c"}}, FieldBody)
			q.SetFuzziness(1)
			return q
		}(),
		query.NewMultiPhraseQuery([][]string{{"a"}, {"c"}}, ""),
		func() query.Query { d := query.NewDisjunctionQuery([]query.Query{fields("a"), fields("b")}); return d }(),
		func() query.Query {
			d := query.NewDisjunctionQuery([]query.Query{dq(FieldBody, "a", 1), dq(FieldTitle, "b", 1)})
			d.SetMin(2)
			return d
		}(),
	} {
		if _, ok := planDirect(q); ok {
			t.Errorf("%s: planned directly", queryString(q))
		}
	}
}

// TestDirect_LocationsMatchBleve: the locations of a page of documents,
// some matching and some not, are those bleve gives term by term.
//
// Not those bleve gives for the whole query: v2.6.3's disjunction
// searchers, advanced through neighbouring documents with term vectors
// on, lose documents and some of their terms' locations (a body match of
// a word whose title match was kept, say); TestDirect_BleveLosesLocations
// shows it. Pages of hits are sparser, and the same queries' highlights
// on 100k articles came out the same either way.
func TestDirect_LocationsMatchBleve(t *testing.T) {
	ix, r := directReader(t)
	defaultMin := decodeMin
	defer func() { decodeMin = defaultMin }()
	n, _ := r.Count()
	words := []string{"教育", "职业", "中国", "发展", "oil", "price", "said", "trade", "nonexistentword"}
	var qs []query.Query
	var many []query.Query
	for i, a := range words {
		b := words[(i+2)%len(words)]
		qs = append(qs, fields(a), dq(FieldBody, a, 1),
			query.NewConjunctionQuery([]query.Query{fields(a), fields(b)}),
			query.NewConjunctionQuery([]query.Query{fields(a), fields(a)}), // a term twice
			query.NewDisjunctionQuery([]query.Query{dq(FieldTitle, a, 1), dq(FieldBody, a, 1), dq(FieldTitle, b, 1), dq(FieldBody, b, 1)}))
		many = append(many, dq(FieldTitle, a, 1), dq(FieldBody, a, 1))
	}
	qs = append(qs, query.NewDisjunctionQuery(many)) // more terms than a scored plan takes
	// Phrases: alone, beside words, with a word of theirs beside them,
	// two sharing a word, a word twice in a row.
	qs = append(qs,
		fieldsPhrase(w("职业"), nil, w("教育")),
		fieldsPhrase(w("interest"), w("rate")),
		mp(FieldBody, 1, w("oil"), w("price")),
		query.NewConjunctionQuery([]query.Query{fieldsPhrase(w("oil"), w("price")), fields("said")}),
		query.NewConjunctionQuery([]query.Query{fieldsPhrase(w("oil"), w("price")), fields("oil")}),
		query.NewConjunctionQuery([]query.Query{fieldsPhrase(w("crude"), w("oil")), fieldsPhrase(w("oil"), w("price"))}),
		query.NewDisjunctionQuery([]query.Query{mp(FieldBody, 1, w("crude"), w("oil")), mp(FieldBody, 1, w("oil"), w("price"))}),
		fieldsPhrase(w("said"), w("said")),
		fieldsPhrase(w("中国"), nil, w("经济")),
	)
	for _, q := range qs {
		// The documents the query matches, and others.
		var docs []Doc
		r.viaBleve = true
		if err := r.Match(t.Context(), q, false, func(d Doc, _ float64) {
			if len(docs) < 60 {
				docs = append(docs, d)
			}
		}); err != nil {
			t.Fatal(err)
		}
		for d := Doc(0); d < Doc(n); d += Doc(n / 40) {
			docs = append(docs, d)
		}
		// Unique, as a page's documents are: bleve's searchers asked for
		// one document twice recycle the first answer's locations.
		slices.Sort(docs)
		docs = slices.Compact(docs)
		want := termByTermLocations(t, r, q, docs)
		r.viaBleve = false
		// Frequent terms come decoded with their locations (postings.go):
		// never, past the default count, and always; and always for
		// phrase terms with no room for the others (cacheMax 1).
		for _, c := range []struct {
			min      uint64
			cacheMax int
		}{{math.MaxUint64, 0}, {defaultMin, 0}, {1, 0}, {1, 1}} {
			decodeMin = c.min
			ix.plocs.prune(0, nil) // empty: min decides
			if c.cacheMax > 0 {
				ix.plocs.setMax(c.cacheMax)
			}
			got, err := r.Locations(t.Context(), q, docs)
			restoreCache(ix)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s (decoded from %d postings, cache max %d): locations differ from bleve's term by term (-bleve +direct):\n%s", queryString(q), c.min, c.cacheMax, diff)
			}
		}
		decodeMin = defaultMin
	}
	if b, _, _ := ix.plocs.stats(); b == 0 {
		t.Error("no phrase terms decoded with their locations")
	}
}

// termByTermLocations is what Locations must give for a query of direct
// shape, from bleve's locations of each of its terms alone: the terms
// present in a document the query matches.
func termByTermLocations(t *testing.T, r *Reader, q query.Query, docs []Doc) map[Doc]search.FieldTermLocationMap {
	t.Helper()
	p, ok := planShape(q, math.MaxInt)
	if !ok {
		t.Fatalf("%s: not of direct shape", queryString(q))
	}
	r.viaBleve = true
	// Each term, and each phrase, alone.
	alone := func(dt *directTerm) query.Query {
		if dt.ph == nil {
			return dq(dt.field, string(dt.term), 1)
		}
		places := make([][]string, dt.ph.offs[len(dt.ph.offs)-1]+1)
		for k, pt := range dt.ph.terms {
			places[dt.ph.offs[k]] = []string{string(pt.term)}
		}
		return mp(dt.field, 1, places...)
	}
	of := map[string]map[Doc]search.FieldTermLocationMap{}
	for _, g := range p.groups {
		for _, dt := range g.terms {
			a := alone(dt)
			k := queryString(a)
			if _, ok := of[k]; ok {
				continue
			}
			if dt.ph == nil {
				locs, err := r.Locations(t.Context(), a, docs)
				if err != nil {
					t.Fatal(err)
				}
				of[k] = locs
				continue
			}
			// A phrase searcher advanced to the document it returned last
			// goes past it (bleve v2.6.3 PhraseSearcher.Advance): one
			// searcher a document.
			of[k] = map[Doc]search.FieldTermLocationMap{}
			for _, d := range docs {
				locs, err := r.Locations(t.Context(), a, []Doc{d})
				if err != nil {
					t.Fatal(err)
				}
				if l, ok := locs[d]; ok {
					of[k][d] = l
				}
			}
		}
	}
	out := map[Doc]search.FieldTermLocationMap{}
	for _, d := range docs {
		held := 0
		for _, g := range p.groups {
			for _, dt := range g.terms {
				if _, ok := of[queryString(alone(dt))][d]; ok {
					held++
					break
				}
			}
		}
		if held == 0 || p.top == topConjunction && held < len(p.groups) {
			continue
		}
		// The union, each term's locations in bleve's order.
		m := search.FieldTermLocationMap{}
		for _, l := range of {
			for f, tlm := range l[d] {
				if m[f] == nil {
					m[f] = search.TermLocationMap{}
				}
				for term, ls := range tlm {
					m[f][term] = append(m[f][term], ls...)
				}
			}
		}
		for _, tlm := range m {
			for term, ls := range tlm {
				tlm[term] = slices.Clone(ls).Dedupe()
			}
		}
		out[d] = m
	}
	return out
}

// TestDirect_BleveLosesLocations shows why locations are not asked of
// bleve for a whole disjunction (see TestDirect_LocationsMatchBleve): if
// bleve's searchers are fixed, this fails, and Locations may go back to
// them.
func TestDirect_BleveLosesLocations(t *testing.T) {
	_, r := directReader(t)
	n, _ := r.Count()
	var docs []Doc
	for d := Doc(0); d < Doc(n); d++ {
		docs = append(docs, d)
	}
	q := fields("教育")
	want := termByTermLocations(t, r, q, docs)
	r.viaBleve = true
	got, err := r.Locations(t.Context(), q, docs)
	if err != nil {
		t.Fatal(err)
	}
	if cmp.Equal(want, got) {
		t.Error("bleve's disjunction gives every location now: Locations can use it again")
	}
	t.Logf("%d documents hold 教育, bleve's disjunction gives locations for %d", len(want), len(got))
}

func TestPostingsCache_Bounded(t *testing.T) {
	ix, r := directReader(t)
	defer func(m uint64) { decodeMin = m }(decodeMin)
	decodeMin = 1
	const max = 64 << 10
	ix.posts.setMax(max)
	defer restoreCache(ix)
	for _, w := range []string{"oil", "said", "price", "trade", "bank", "rate", "中国", "发展", "经济", "技术"} {
		matches(t, r, fields(w), true, false)
		if b, _, n := ix.posts.stats(); b > max && n > 1 {
			t.Fatalf("after %s: %d bytes cached, max %d", w, b, max)
		}
	}
	if _, m, n := ix.posts.stats(); m != n || n == 0 {
		t.Errorf("lru %d entries, map %d", n, m)
	}
	// The warmer drops the entries of another open.
	ix.posts.prune(r.epoch+1, nil)
	if b, m, _ := ix.posts.stats(); b != 0 || m != 0 {
		t.Errorf("after prune: %d bytes, %d entries", b, m)
	}
}

// TestPostingsCache_Concurrent: searches on several goroutines share the
// cache (run with -race), and agree with bleve.
func TestPostingsCache_Concurrent(t *testing.T) {
	ix := directIndex(t)
	defer func(m uint64) { decodeMin = m }(decodeMin)
	decodeMin = 64
	ix.posts.setMax(256 << 10) // evictions too
	defer restoreCache(ix)
	words := []string{"oil", "said", "price", "trade", "中国", "发展"}
	want := map[string][]match{}
	r0, err := ix.Reader()
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range words {
		want[w] = matches(t, r0, fields(w), true, true)
	}
	r0.Close()
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := ix.Reader()
			if err != nil {
				t.Error(err)
				return
			}
			defer r.Close()
			for i := range 12 {
				w := words[(g+i)%len(words)]
				var got []match
				if err := r.Match(t.Context(), fields(w), true, func(d Doc, s float64) { got = append(got, match{d, math.Float64bits(s)}) }); err != nil {
					t.Error(err)
					return
				}
				if d := diffMatches(want[w], got); d != "" {
					t.Errorf("%s: %s", w, d)
				}
			}
		}()
	}
	wg.Wait()
}

// TestPostingsCache_IfRoom: reading locations for a page decodes a
// term's postings only into room the cache has free, and never evicts
// what matching put there.
func TestPostingsCache_IfRoom(t *testing.T) {
	ix, r := directReader(t)
	defer func(m uint64) { decodeMin = m }(decodeMin)
	decodeMin = 1
	defer restoreCache(ix)
	var docs []Doc
	if err := r.Match(t.Context(), fields("said"), false, func(d Doc, _ float64) {
		if len(docs) < 20 {
			docs = append(docs, d)
		}
	}); err != nil {
		t.Fatal(err)
	}
	locate := func() {
		t.Helper()
		if _, err := r.Locations(t.Context(), fields("said"), docs); err != nil {
			t.Fatal(err)
		}
	}

	ix.plocs.prune(0, nil)
	locate()
	full, entries, _ := ix.plocs.stats()
	if full == 0 || entries == 0 {
		t.Fatalf("with room: %d bytes in %d entries cached, want some", full, entries)
	}
	// The same again with less room than that: only what fits.
	ix.plocs.prune(0, nil)
	ix.plocs.setMax(full / 2)
	locate()
	if b, m, _ := ix.plocs.stats(); b > full/2 || m >= entries {
		t.Errorf("with room for half: %d bytes in %d entries cached, want at most %d bytes in fewer than %d", b, m, full/2, entries)
	}
	ix.plocs.prune(0, nil)
	ix.plocs.setMax(1)
	locate()
	if b, m, _ := ix.plocs.stats(); b != 0 || m != 0 {
		t.Errorf("without room: %d bytes in %d entries cached, want none", b, m)
	}
	// Cached entries are used whatever the room.
	ix.plocs.setMax(full)
	locate()
	ix.plocs.setMax(1)
	locate()
	if _, m, _ := ix.plocs.stats(); m == 0 {
		t.Error("a cached entry was dropped")
	}
}
