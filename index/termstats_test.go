package index

import (
	"math"
	"path/filepath"
	"testing"

	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/wensou/wensou/index/article"
)

// scoresByID runs q on ix and returns every match's score by id.
func scoresByID(t *testing.T, ix *Index, q query.Query, ts *TermStats) map[string]float64 {
	t.Helper()
	r, err := ix.Reader()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var docs []Doc
	var scores []float64
	err = r.Match(WithTermStats(t.Context(), ts), q, true, func(d Doc, s float64) {
		docs, scores = append(docs, d), append(scores, s)
	})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for i, d := range docs {
		st, err := r.Stored(d)
		if err != nil {
			t.Fatal(err)
		}
		out[st.ID] = scores[i]
	}
	return out
}

func termStatsOf(t *testing.T, ix *Index, q query.Query) *TermStats {
	t.Helper()
	r, err := ix.Reader()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	ts, err := r.TermStats(t.Context(), q)
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

// TestTermStats_ShardsScoreAsOne: the articles of one index spread over
// two, each searched with the statistics of both summed, score every
// article exactly as the one index does; with their own statistics they
// do not. (A query that expands to the terms an index holds, a prefix
// or a fuzzy term, expands to different terms in each shard: the idf of
// each is the collection's, the query norm over them is the shard's.)
func TestTermStats_ShardsScoreAsOne(t *testing.T) {
	var arts []article.Article
	err := article.Walk(t.Context(), []string{filepath.Join("..", "data", "articles")}, article.Options{}, func(r article.Record) error {
		if r.Err == nil {
			arts = append(arts, r.Article)
		}
		return nil
	})
	if err != nil || len(arts) < 20 {
		t.Fatalf("read the sample articles: %d, %v", len(arts), err)
	}
	dir := t.TempDir()
	whole := openTest(t, filepath.Join(dir, "whole"))
	defer closeTest(t, whole)
	shards := []*Index{openTest(t, filepath.Join(dir, "s0")), openTest(t, filepath.Join(dir, "s1"))}
	for _, s := range shards {
		defer closeTest(t, s)
	}
	if err := whole.Put(t.Context(), arts); err != nil {
		t.Fatal(err)
	}
	// Unevenly: a third and two thirds.
	var parts [2][]article.Article
	for i, a := range arts {
		k := 0
		if i%3 != 0 {
			k = 1
		}
		parts[k] = append(parts[k], a)
	}
	for k, s := range shards {
		if err := s.Put(t.Context(), parts[k]); err != nil {
			t.Fatal(err)
		}
	}
	term := func(field, t string) query.Query {
		q := query.NewTermQuery(t)
		q.SetField(field)
		return q
	}
	// A boolean query with an exclusion runs through bleve's searchers.
	boolean := query.NewBooleanQuery([]query.Query{term(FieldBody, "教育")}, nil, []query.Query{term(FieldBody, "大学")})
	tests := []struct {
		name string
		q    query.Query
	}{
		{"term", term(FieldBody, "教育")},
		{"conjunction", query.NewConjunctionQuery([]query.Query{term(FieldBody, "教育"), term(FieldBody, "学生")})},
		{"disjunction", query.NewDisjunctionQuery([]query.Query{term(FieldTitle, "教育"), term(FieldBody, "the")})},
		{"boolean, through bleve", boolean},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := scoresByID(t, whole, tt.q, nil)
			if len(want) < 2 {
				t.Fatalf("%d matches in the whole index: the query tests nothing", len(want))
			}
			global := MergeTermStats(termStatsOf(t, shards[0], tt.q), termStatsOf(t, shards[1], tt.q))
			if global.DocCount != uint64(len(arts)) {
				t.Errorf("merged doc count %d, want %d", global.DocCount, len(arts))
			}
			// The lengths are measured on samples: the whole index's, to
			// compare the rest exactly.
			global.Lengths = termStatsOf(t, whole, tt.q).Lengths
			got := map[string]float64{}
			own := map[string]float64{}
			for _, s := range shards {
				for id, sc := range scoresByID(t, s, tt.q, global) {
					got[id] = sc
				}
				for id, sc := range scoresByID(t, s, tt.q, nil) {
					own[id] = sc
				}
			}
			if len(got) != len(want) {
				t.Fatalf("%d matches over the shards, want %d", len(got), len(want))
			}
			differ := 0
			for id, w := range want {
				if g := got[id]; math.Abs(g-w) > 1e-9*math.Max(1, w) {
					t.Errorf("%s: score %v with global statistics, %v in the whole index", id, g, w)
				}
				if math.Abs(own[id]-w) > 1e-6 {
					differ++
				}
			}
			if differ == 0 {
				t.Errorf("every shard's own score equals the whole index's: the test shows nothing")
			}
		})
	}
}
