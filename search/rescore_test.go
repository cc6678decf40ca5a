package search

import (
	"fmt"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wensou/wensou/index"
	"github.com/wensou/wensou/index/article"
)

// memIndex returns an in-memory index holding arts, in one batch.
func memIndex(t *testing.T, arts []article.Article) *index.Index {
	t.Helper()
	ix, err := index.Open(t.Context(), index.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := ix.Close(); err != nil {
			t.Error(err)
		}
	})
	if err := ix.Put(t.Context(), arts); err != nil {
		t.Fatal(err)
	}
	return ix
}

// bm25Order returns the ids of q's hits ranked by BM25 alone, without
// the proximity re-ranking.
func bm25Order(t *testing.T, ix *index.Index, s *Searcher, q string) []string {
	t.Helper()
	parsed, err := Parse(q)
	if err != nil {
		t.Fatal(err)
	}
	p := compilerFor(ix).compile(parsed)
	r, err := ix.Reader()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	req := Request{Query: q, Sort: SortRelevance, Page: 1, Size: MaxWindow}
	c, err := s.collect(t.Context(), r, build(p.units, p.exclude, nil, false), req)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, h := range c.sorted(req.Sort) {
		st, err := r.Stored(h.doc)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, st.ID)
	}
	return ids
}

func TestSearch_ProximityFirst(t *testing.T) {
	arts := []article.Article{
		{ID: "adjacent", Title: "Timetables", Body: "The night train to Lisbon leaves the station at ten in the evening, crosses the border before midnight and reaches the coast when the first cafes open their shutters."},
		{ID: "scattered", Title: "Winter", Body: "Night falls. The train, late. Night again; the train."},
		{ID: "zh-adjacent", Title: "市场观察", Body: "本周石油价格继续上涨，分析人士认为短期内难以回落。"},
		{ID: "zh-scattered", Title: "能源", Body: "石油储备增加。石油进口减少，价格如何，石油商心中有数。"},
	}
	for i := range 20 { // other articles, for the words' document frequencies
		arts = append(arts, article.Article{ID: fmt.Sprintf("other-%d", i), Title: fmt.Sprintf("第%d期", i), Body: "Markets were calm. 市场平稳，交易清淡。"})
	}
	ix := memIndex(t, arts)
	s := newTestSearcher(t, ix)
	tests := []struct {
		query, want, bm25First string
	}{
		{"night train", "adjacent", "scattered"},
		{"石油 价格", "zh-adjacent", "zh-scattered"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			// The test means something only if BM25 alone ranks the
			// scattered article first.
			if got := bm25Order(t, ix, s, tt.query); len(got) == 0 || got[0] != tt.bm25First {
				t.Fatalf("BM25 order %v: want %s first, to show what proximity changes", got, tt.bm25First)
			}
			res, err := s.Search(t.Context(), Request{Query: tt.query})
			if err != nil {
				t.Fatal(err)
			}
			if ids := hitIDs(res); len(ids) == 0 || ids[0] != tt.want {
				t.Errorf("Search(%q) = %v, want %s first: it holds the words next to each other", tt.query, ids, tt.want)
			}
		})
	}
}

// TestSearch_RescorePaging walks the hits of a query that the proximity
// re-ranking reorders, past its window, by pages of two sizes and by
// cursors: every walk gives the same order, each hit once.
func TestSearch_RescorePaging(t *testing.T) {
	var arts []article.Article
	for i := range 2*rescoreWindow + 37 {
		// Every third holds the words apart, and more often: BM25 ranks
		// those first. The others hold them together once, in a longer
		// text: those in the window move up.
		body := fmt.Sprintf("Report %d: after a long day of talks in the old town hall, the alpha beta meeting ended late with speeches from both sides.", i)
		if i%3 == 0 {
			body = fmt.Sprintf("Report %d: alpha met beta; then alpha, then beta, alpha.", i)
		}
		arts = append(arts, article.Article{ID: fmt.Sprintf("r%03d", i), Title: fmt.Sprintf("Report %d", i), Body: body})
	}
	ix := memIndex(t, arts)
	s := newTestSearcher(t, ix)
	const q = "alpha beta"

	walkPages := func(size int) []string {
		var ids []string
		for page := 1; ; page++ {
			res, err := s.Search(t.Context(), Request{Query: q, Page: page, Size: size})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Hits) == 0 {
				return ids
			}
			ids = append(ids, hitIDs(res)...)
		}
	}
	walkCursor := func(size int) []string {
		var ids []string
		after := ""
		for range 1000 {
			res, err := s.Search(t.Context(), Request{Query: q, Size: size, After: after})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, hitIDs(res)...)
			if res.Next == "" {
				return ids
			}
			after = res.Next
		}
		t.Fatal("the cursor walk does not end")
		return nil
	}
	want := walkPages(10)
	if len(want) != len(arts) {
		t.Fatalf("pages of 10 gave %d hits, want %d", len(want), len(arts))
	}
	sorted := slices.Clone(want)
	slices.Sort(sorted)
	if n := len(slices.Compact(sorted)); n != len(arts) {
		t.Fatalf("pages of 10 gave %d distinct hits of %d", n, len(want))
	}
	if bm := bm25Order(t, ix, s, q); slices.Equal(bm[:rescoreWindow], want[:rescoreWindow]) {
		t.Fatalf("proximity did not reorder the window: the test shows nothing (%v...)", want[:10])
	}
	for name, got := range map[string][]string{
		"pages of 7":    walkPages(7),
		"cursor of 10":  walkCursor(10),
		"cursor of 33":  walkCursor(33),
		"cursor of 100": walkCursor(100),
	} {
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s (-pages of 10 +%s):\n%s", name, name, diff)
		}
	}
	// The window holds the best hits by BM25, re-ranked; past it, the
	// hits follow in BM25 order.
	bm := bm25Order(t, ix, s, q)
	inWindow := slices.Clone(want[:rescoreWindow])
	bmWindow := slices.Clone(bm[:rescoreWindow])
	slices.Sort(inWindow)
	slices.Sort(bmWindow)
	if diff := cmp.Diff(bmWindow, inWindow); diff != "" {
		t.Errorf("the window is not the best hits by BM25 (-bm25 +window):\n%s", diff)
	}
	if diff := cmp.Diff(bm[rescoreWindow:], want[rescoreWindow:]); diff != "" {
		t.Errorf("past the window (-bm25 +pages):\n%s", diff)
	}
}

func hitIDs(res *Result) []string {
	ids := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		ids[i] = h.ID
	}
	return ids
}
