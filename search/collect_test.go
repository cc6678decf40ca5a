package search

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/google/go-cmp/cmp"

	"github.com/wensou/wensou/index"
	"github.com/wensou/wensou/index/article"
)

// segmentedIndex indexes the sample articles in small batches (several
// segments), then replaces and deletes some, so that columns are read
// across segments and past deleted documents.
func segmentedIndex(t *testing.T) *index.Index {
	t.Helper()
	ix, err := index.Open(t.Context(), index.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	var arts []article.Article
	err = article.Walk(t.Context(), []string{filepath.Join("..", "data", "articles")}, article.Options{}, func(r article.Record) error {
		if r.Err == nil {
			arts = append(arts, r.Article)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < len(arts); i += 7 {
		if err := ix.Put(t.Context(), arts[i:min(i+7, len(arts))]); err != nil {
			t.Fatal(err)
		}
	}
	// Replace two articles (their old versions become deleted documents)
	// and delete one.
	a, b := arts[3], arts[10]
	a.Authors = []string{"Replaced Author"}
	b.Date = time.Date(2020, 2, 29, 12, 0, 0, 0, ix.Location())
	if err := ix.Put(t.Context(), []article.Article{a, b}); err != nil {
		t.Fatal(err)
	}
	if err := ix.Delete(t.Context(), arts[20].ID); err != nil {
		t.Fatal(err)
	}
	return ix
}

// oracle counts the facets of a query with bleve's own search over every
// hit: the reference for the column-based counts.
func oracle(t *testing.T, ix *index.Index, s *Searcher, q string) (total int, authors, years, months map[string]int) {
	t.Helper()
	parsed, err := Parse(q)
	if err != nil {
		t.Fatal(err)
	}
	p := compilerFor(ix).compile(parsed)
	req := bleve.NewSearchRequestOptions(build(p.units, p.exclude, nil, false), 10000, 0, false)
	req.Fields = []string{index.FieldAuthor, index.FieldDate}
	res, err := ix.Bleve().Search(req)
	if err != nil {
		t.Fatal(err)
	}
	authors, years, months = map[string]int{}, map[string]int{}, map[string]int{}
	for _, h := range res.Hits {
		switch v := h.Fields[index.FieldAuthor].(type) {
		case string:
			authors[v]++
		case []any:
			for _, a := range v {
				authors[a.(string)]++
			}
		}
		if d, ok := h.Fields[index.FieldDate].(string); ok {
			tm, err := time.Parse(time.RFC3339, d)
			if err != nil {
				t.Fatal(err)
			}
			tm = tm.In(ix.Location())
			years[tm.Format("2006")]++
			months[tm.Format("2006-01")]++
		}
	}
	return len(res.Hits), authors, years, months
}

func bucketMap(bs []Bucket) map[string]int {
	m := map[string]int{}
	for _, b := range bs {
		m[b.Value] = b.Count
	}
	return m
}

func TestSearch_FacetsMatchBleve(t *testing.T) {
	ix := segmentedIndex(t)
	s := New(ix, Options{AuthorFacetSize: 1000, MonthFacetSize: 1000})
	for _, q := range []string{"", "职业教育", "school", "city OR 城市", "-教育", "price*", `"职业教育"`} {
		t.Run(q, func(t *testing.T) {
			total, authors, years, months := oracle(t, ix, s, q)
			res, err := s.Search(t.Context(), Request{Query: q, Size: MaxSize})
			if err != nil {
				t.Fatal(err)
			}
			if int(res.Total) != total {
				t.Errorf("Total = %d, want %d", res.Total, total)
			}
			for name, pair := range map[string][2]map[string]int{
				"author": {authors, bucketMap(res.Facets.Author)},
				"year":   {years, bucketMap(res.Facets.Year)},
				"month":  {months, bucketMap(res.Facets.Month)},
			} {
				if diff := cmp.Diff(pair[0], pair[1]); diff != "" {
					t.Errorf("%s facet (-bleve +wensou):\n%s", name, diff)
				}
			}
		})
	}
}

// TestSearch_FacetsIgnoreOwnFilter: the author facet is counted without
// the author filter, the year and month facets without the date filter,
// and each with the other filters.
func TestSearch_FacetsIgnoreOwnFilter(t *testing.T) {
	ix := segmentedIndex(t)
	s := newTestSearcher(t, ix)
	ctx := t.Context()
	all, err := s.Search(ctx, Request{})
	if err != nil {
		t.Fatal(err)
	}
	author := all.Facets.Author[0]
	byAuthor, err := s.Search(ctx, Request{Authors: []string{author.Value}})
	if err != nil {
		t.Fatal(err)
	}
	if int(byAuthor.Total) != author.Count {
		t.Errorf("total for author %q = %d, want its facet count %d", author.Value, byAuthor.Total, author.Count)
	}
	if diff := cmp.Diff(all.Facets.Author, byAuthor.Facets.Author); diff != "" {
		t.Errorf("author facet changed with an author filter (-without +with):\n%s", diff)
	}
	var years int
	for _, b := range byAuthor.Facets.Year {
		years += b.Count
	}
	if years > author.Count {
		t.Errorf("year facet with an author filter sums to %d, more than the author's %d articles", years, author.Count)
	}

	from := time.Date(2023, 1, 1, 0, 0, 0, 0, ix.Location())
	to := time.Date(2023, 12, 31, 23, 59, 59, 0, ix.Location())
	in2023, err := s.Search(ctx, Request{From: from, To: to})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(all.Facets.Year, in2023.Facets.Year); diff != "" {
		t.Errorf("year facet changed with a date filter (-without +with):\n%s", diff)
	}
	if want := bucketMap(all.Facets.Year)["2023"]; int(in2023.Total) != want {
		t.Errorf("total in 2023 = %d, want the year facet's %d", in2023.Total, want)
	}
	authors2023 := 0
	for _, b := range in2023.Facets.Author {
		authors2023 += b.Count
	}
	if authors2023 == 0 || slices.Equal(all.Facets.Author, in2023.Facets.Author) {
		t.Errorf("author facet with a date filter = %v, want counts within 2023 only", in2023.Facets.Author)
	}
}

func TestSearch_Cursor(t *testing.T) {
	ix := segmentedIndex(t)
	s := newTestSearcher(t, ix)
	for _, sort := range []Sort{SortRelevance, SortNewest, SortOldest} {
		for _, q := range []string{"", "职业 OR school OR 城市"} {
			t.Run(fmt.Sprintf("%s/%s", sort, q), func(t *testing.T) {
				full, err := s.Search(t.Context(), Request{Query: q, Sort: sort, Size: MaxSize})
				if err != nil {
					t.Fatal(err)
				}
				var want []string
				for _, h := range full.Hits {
					want = append(want, h.ID)
				}
				var got []string
				after := ""
				for range 100 {
					res, err := s.Search(t.Context(), Request{Query: q, Sort: sort, Size: 4, After: after})
					if err != nil {
						t.Fatal(err)
					}
					if res.Total != full.Total {
						t.Fatalf("Total with a cursor = %d, want %d", res.Total, full.Total)
					}
					for _, h := range res.Hits {
						got = append(got, h.ID)
					}
					if res.Next == "" {
						break
					}
					after = res.Next
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("paging with after (-one page +cursor pages):\n%s", diff)
				}
			})
		}
	}
}

func TestRequest_Validate(t *testing.T) {
	cursor := ranked{score: 1}.cursor(SortRelevance)
	tests := []struct {
		name string
		req  Request
		want string // "" for valid
	}{
		{"defaults", Request{}, ""},
		{"deepest page", Request{Page: 100, Size: 100}, ""},
		{"too deep", Request{Page: 101, Size: 100}, "page 101 of size 100 goes past result 10000"},
		{"size too big", Request{Size: 101}, "size must be between 1 and 100"},
		{"bad sort", Request{Sort: "random"}, `sort must be relevance, newest or oldest, not "random"`},
		{"cursor", Request{After: cursor}, ""},
		{"cursor and page", Request{After: cursor, Page: 2}, "after and page cannot be used together"},
		{"cursor of another sort", Request{After: cursor, Sort: SortNewest}, "after is a cursor for another sort order"},
		{"garbage cursor", Request{After: "nope"}, "after is not a cursor from this API"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.req.Validate()
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("Validate() = %v, want nil", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, ErrBadRequest)):
				t.Errorf("Validate() = %v, want ErrBadRequest with %q", err, tt.want)
			}
		})
	}
}
