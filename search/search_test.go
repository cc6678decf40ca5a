package search

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wensou/wensou/index"
	"github.com/wensou/wensou/index/article"
)

// newTestIndex returns an in-memory index holding the articles of the
// given files.
func newTestIndex(t testing.TB, paths ...string) *index.Index {
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
	// One lane and one batch: one segment, so BM25 statistics (and the
	// ranking of near ties) do not depend on timing.
	st, err := index.Ingest(t.Context(), ix, paths, index.IngestOptions{
		Lanes: 1,
		OnRecord: func(r article.Record) {
			if r.Err != nil {
				t.Errorf("test data rejected: %s", r.Problem())
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if st.Indexed == 0 {
		t.Fatalf("no articles indexed from %v", paths)
	}
	return ix
}

func newTestSearcher(t testing.TB, ix *index.Index) *Searcher {
	t.Helper()
	return New(ix, Options{})
}

// suiteCase is one search of testdata/suite/searches.json.
type suiteCase struct {
	Comment string   `json:"comment"`
	Query   string   `json:"query"`
	Authors []string `json:"authors"`
	From    string   `json:"from"`
	To      string   `json:"to"`
	Sort    string   `json:"sort"`
	Size    int      `json:"size"`
	IDs     []string `json:"ids"`
	Ordered bool     `json:"ordered"` // IDs in rank order; otherwise sorted
	Partial bool     `json:"partial"`
}

// TestSearch_Suite runs the data-driven search suite: each search's
// matching article ids against a real in-memory bleve index.
func TestSearch_Suite(t *testing.T) {
	ix := newTestIndex(t, filepath.Join("testdata", "suite", "docs.jsonl"))
	s := newTestSearcher(t, ix)
	raw, err := os.ReadFile(filepath.Join("testdata", "suite", "searches.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []suiteCase
	if err := json.Unmarshal(raw, &cases); err != nil {
		t.Fatal(err)
	}
	loc := ix.Location()
	for i, c := range cases {
		t.Run(fmt.Sprintf("%02d_%s", i, c.Query), func(t *testing.T) {
			t.Parallel()
			req := Request{Query: c.Query, Authors: c.Authors, Sort: Sort(c.Sort), Size: c.Size}
			if req.Size == 0 {
				req.Size = MaxSize
			}
			var err error
			if req.From, err = ParseBound(c.From, loc, false); err != nil {
				t.Fatal(err)
			}
			if req.To, err = ParseBound(c.To, loc, true); err != nil {
				t.Fatal(err)
			}
			res, err := s.Search(t.Context(), req)
			if err != nil {
				t.Fatalf("Search(%q): %v", c.Query, err)
			}
			got := []string{}
			for _, h := range res.Hits {
				got = append(got, h.ID)
			}
			want := slices.Clone(c.IDs)
			if want == nil {
				want = []string{}
			}
			if !c.Ordered {
				slices.Sort(got)
				slices.Sort(want)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s: Search(%q) ids mismatch (-want +got):\n%s", c.Comment, c.Query, diff)
			}
			if res.Partial != c.Partial {
				t.Errorf("%s: Search(%q).Partial = %v, want %v", c.Comment, c.Query, res.Partial, c.Partial)
			}
			if c.Size == 0 && res.Total != uint64(len(c.IDs)) {
				t.Errorf("Search(%q).Total = %d, want %d", c.Query, res.Total, len(c.IDs))
			}
		})
	}
}

// TestTopAuthors: the top authors and the selected ones past them are
// what sorting every author by count, then name, gives.
func TestTopAuthors(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 200 {
		n := rng.IntN(300)
		names := make([]string, n)
		counts := make([]int32, n)
		for i := range names {
			names[i] = fmt.Sprintf("a%03d", rng.IntN(1000))
			if rng.IntN(3) > 0 {
				counts[i] = int32(rng.IntN(5))
			}
		}
		name := func(o uint32) string { return names[o] }
		k := rng.IntN(12)
		var selected []string
		for range rng.IntN(4) {
			if n > 0 {
				selected = append(selected, names[rng.IntN(n)])
			}
		}
		// The reference: every author sorted.
		var all []Bucket
		for o, c := range counts {
			if c > 0 {
				all = append(all, Bucket{Value: name(uint32(o)), Count: int(c)})
			}
		}
		slices.SortStableFunc(all, func(a, b Bucket) int {
			if a.Count != b.Count {
				return b.Count - a.Count
			}
			return strings.Compare(a.Value, b.Value)
		})
		want := all
		if len(all) > k {
			want = slices.Clone(all[:k])
			for _, b := range all[k:] {
				if slices.Contains(selected, b.Value) {
					want = append(want, b)
				}
			}
		}
		got := topAuthors(name, counts, k, selected)
		// Equal names with equal counts may come in either order.
		key := func(bs []Bucket) []string {
			var out []string
			for _, b := range bs {
				out = append(out, fmt.Sprintf("%s:%d", b.Value, b.Count))
			}
			return out
		}
		if !slices.Equal(key(got), key(want)) {
			t.Fatalf("round %d (k %d, selected %q):\n got %v\nwant %v", round, k, selected, key(got), key(want))
		}
	}
}
