package search

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
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
