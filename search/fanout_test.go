package search

import (
	"context"
	"errors"
	"hash/fnv"
	"math"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wensou/wensou/index"
	"github.com/wensou/wensou/index/article"
)

// shardedSamples returns one index of the sample articles and the same
// articles spread by id over n indexes.
func shardedSamples(t *testing.T, n int) (*index.Index, []*index.Index) {
	t.Helper()
	var arts []article.Article
	err := article.Walk(t.Context(), []string{filepath.Join("..", "data", "articles")}, article.Options{}, func(r article.Record) error {
		if r.Err == nil {
			arts = append(arts, r.Article)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	open := func(arts []article.Article) *index.Index {
		ix, err := index.Open(t.Context(), index.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ix.Close() })
		if err := ix.Put(t.Context(), arts); err != nil {
			t.Fatal(err)
		}
		return ix
	}
	parts := make([][]article.Article, n)
	for _, a := range arts {
		h := fnv.New32a()
		h.Write([]byte(a.ID))
		k := h.Sum32() % uint32(n)
		parts[k] = append(parts[k], a)
	}
	shards := make([]*index.Index, n)
	for k := range parts {
		if len(parts[k]) == 0 {
			t.Fatalf("shard %d of %d got no article", k, n)
		}
		shards[k] = open(parts[k])
	}
	return open(arts), shards
}

// TestFanout_AsOneIndex: a search over three shards gives what the same
// search gives on one index of all their articles: the same hits in the
// same order with the same scores (the shards score with the
// collection's statistics), the same total, the same facet counts, the
// same next page.
func TestFanout_AsOneIndex(t *testing.T) {
	whole, shards := shardedSamples(t, 3)
	one := New(whole, Options{})
	f := &Fanout{}
	for _, ix := range shards {
		f.Shards = append(f.Shards, New(ix, Options{}))
	}
	tests := []Request{
		{Query: "教育"},
		{Query: "职业教育", Size: 5},
		{Query: "职业教育", Size: 3, Page: 2},
		{Query: "学生 考试"},
		{Query: "教育", Sort: SortNewest, Size: 4},
		{Query: "教育", Sort: SortOldest, Size: 4, Page: 3},
		{Query: "-教育 学生"},
		{Query: ""},
		{Query: "", Sort: SortNewest, Size: 7, Page: 2},
		{Query: "研究生 录取 不存在的词语"}, // partial matches
		{Query: "title:教育"},
	}
	for _, req := range tests {
		t.Run(req.Query, func(t *testing.T) {
			want, err := one.Search(t.Context(), req)
			if err != nil {
				t.Fatal(err)
			}
			if want.Total == 0 {
				t.Fatalf("no hits in the one index: the case tests nothing")
			}
			got, err := f.Search(t.Context(), req)
			if err != nil {
				t.Fatal(err)
			}
			compareResults(t, got, want)
			if got.Incomplete || got.Shards == nil || got.Shards.Total != 3 || got.Shards.Failed != 0 {
				t.Errorf("shards %+v, incomplete %v: want 3 answered", got.Shards, got.Incomplete)
			}
			// The next page, by cursor, as well.
			if want.Next == "" {
				return
			}
			next := req
			next.Page, next.After = 0, want.Next
			if want, err = one.Search(t.Context(), next); err != nil {
				t.Fatal(err)
			}
			next.After = got.Next
			if got, err = f.Search(t.Context(), next); err != nil {
				t.Fatal(err)
			}
			compareResults(t, got, want)
		})
	}
}

func compareResults(t *testing.T, got, want *Result) {
	t.Helper()
	if got.Total != want.Total || got.Partial != want.Partial {
		t.Errorf("total %d (partial %v), want %d (partial %v)", got.Total, got.Partial, want.Total, want.Partial)
	}
	if d := cmp.Diff(want.Facets, got.Facets); d != "" {
		t.Errorf("facets differ (-one index +shards):\n%s", d)
	}
	if len(got.Hits) != len(want.Hits) {
		t.Fatalf("%d hits, want %d", len(got.Hits), len(want.Hits))
	}
	for i := range want.Hits {
		g, w := got.Hits[i], want.Hits[i]
		if g.ID != w.ID || math.Abs(g.Score-w.Score) > 0.0015 {
			t.Errorf("hit %d: %s score %v, want %s score %v", i, g.ID, g.Score, w.ID, w.Score)
		}
		if g.Sort != "" {
			t.Errorf("hit %d keeps its shard's sort key", i)
		}
	}
	if (got.Next == "") != (want.Next == "") {
		t.Errorf("next %q, want one when the one index gives %q", got.Next, want.Next)
	}
}

// downShard is a shard that does not answer.
type downShard struct{}

var errDown = errors.New("no replica of the shard answered")

func (downShard) TermStats(context.Context, Request) (*index.TermStats, error) { return nil, errDown }
func (downShard) Search(context.Context, Request) (*Result, error)             { return nil, errDown }

// TestFanout_MissingShard: without one of three shards, a search answers
// with the others' hits, marked partial with the failed count, or fails
// with ErrIncomplete when it asks for complete results.
func TestFanout_MissingShard(t *testing.T) {
	_, shards := shardedSamples(t, 3)
	f := &Fanout{Shards: []Shard{New(shards[0], Options{}), downShard{}, New(shards[2], Options{})}}
	req := Request{Query: "教育"}
	res, err := f.Search(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	var want uint64
	for _, k := range []int{0, 2} {
		r, err := New(shards[k], Options{}).Search(t.Context(), req)
		if err != nil {
			t.Fatal(err)
		}
		want += r.Total
	}
	if !res.Incomplete || res.Shards == nil || *res.Shards != (ShardCount{Total: 3, Failed: 1}) || res.Total != want || want == 0 {
		t.Errorf("partial %v, shards %+v, total %d: want partial, 1 of 3 failed, total %d", res.Incomplete, res.Shards, res.Total, want)
	}
	req.Complete = true
	if _, err := f.Search(t.Context(), req); !errors.Is(err, ErrIncomplete) {
		t.Errorf("complete results asked: err %v, want ErrIncomplete", err)
	}
	// A bad query is the request's fault, whatever the shards.
	if _, err := f.Search(t.Context(), Request{Query: `title:"unclosed`}); err == nil || errors.Is(err, ErrIncomplete) {
		t.Errorf("bad query: err %v, want the query's error", err)
	}
}
