package search

import (
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wensou/wensou/index/article"
	"github.com/wensou/wensou/search/filter"
)

// holds evaluates a filter on one article, the slow way, as the oracle
// of TestSearch_Filter.
func holds(t *testing.T, x filter.Expr, a article.Article) bool {
	switch x := x.(type) {
	case filter.And:
		for _, y := range x {
			if !holds(t, y, a) {
				return false
			}
		}
		return true
	case filter.Or:
		for _, y := range x {
			if holds(t, y, a) {
				return true
			}
		}
		return false
	case filter.Not:
		return !holds(t, x.X, a)
	case *filter.Cond:
		if x.Op == filter.Ne { // as NOT =: articles without the field too
			eq := *x
			eq.Op = filter.Eq
			return !holds(t, &eq, a)
		}
		var values []string
		switch x.Field {
		case "author":
			values = a.Authors
		case "tags":
			for _, tag := range a.Tags {
				values = append(values, strings.ToLower(tag))
			}
		case "date":
			if a.Date.IsZero() {
				return false
			}
			lo, hi, err := dateSpan(x.Value, time.UTC)
			if err != nil {
				t.Fatal(err)
			}
			d := a.Date
			switch x.Op {
			case filter.Eq:
				return !d.Before(lo) && !d.After(hi)
			case filter.Gt:
				return d.After(hi)
			case filter.Ge:
				return !d.Before(lo)
			case filter.Lt:
				return d.Before(lo)
			case filter.Le:
				return !d.After(hi)
			case filter.To:
				_, top, err := dateSpan(x.Upper, time.UTC)
				if err != nil {
					t.Fatal(err)
				}
				return !d.Before(lo) && !d.After(top)
			}
			t.Fatalf("no oracle for %v", x)
		}
		norm := func(v string) string {
			if x.Field == "tags" {
				return strings.ToLower(v)
			}
			return v
		}
		switch x.Op {
		case filter.Eq:
			return slices.Contains(values, norm(x.Value))
		case filter.In:
			for _, v := range x.Values {
				if slices.Contains(values, norm(v)) {
					return true
				}
			}
			return false
		}
		t.Fatalf("no oracle for %v", x)
	}
	return false
}

// TestSearch_Filter: each filter lets through exactly the articles it
// holds for, checked one by one; the facets count what it lets through.
func TestSearch_Filter(t *testing.T) {
	paths := []string{filepath.Join("..", "data", "articles")}
	ix := newTestIndex(t, paths...)
	s := New(ix, Options{})
	var arts []article.Article
	err := article.Walk(t.Context(), paths, article.Options{}, func(r article.Record) error {
		if r.Err == nil {
			arts = append(arts, r.Article)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []string{
		"author = 李明华",
		"author != 李明华",
		"author IN [李明华, 赵静]",
		"author NOT IN [李明华, 赵静]",
		"tags = 教育",
		"tags = 教育 AND author = 李明华",
		"tags = 教育 OR tags = 法律",
		"NOT (tags = 教育 OR date < 2023)",
		"date >= 2023-01-01",
		"date > 2023-06-18",
		"date = 2023-06",
		"date 2022 TO 2023-03",
		"date < 1672531200",
		"date <= 2022",
		"(author = 李明华 OR author = 赵静) AND date 2022-01-01 TO 2023-12-31",
		"tags IN []",
	}
	for _, f := range tests {
		t.Run(f, func(t *testing.T) {
			x, err := filter.Parse(f)
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			authors := map[string]int{}
			for _, a := range arts {
				if holds(t, x, a) {
					want = append(want, a.ID)
					for _, au := range a.Authors {
						authors[au]++
					}
				}
			}
			t.Logf("%d of %d articles", len(want), len(arts))
			res, err := s.Search(t.Context(), Request{Filter: f, Size: MaxSize})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, h := range res.Hits {
				got = append(got, h.ID)
			}
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) || res.Total != uint64(len(want)) {
				t.Errorf("%d hits %v, want %d %v", res.Total, got, len(want), want)
			}
			for _, b := range res.Facets.Author {
				if authors[b.Value] != b.Count {
					t.Errorf("author facet %s: %d, want %d", b.Value, b.Count, authors[b.Value])
				}
			}
		})
	}
	// The cases must tell something: some filters let few through.
	if res, _ := s.Search(t.Context(), Request{Filter: "author = 李明华"}); res == nil || res.Total == 0 || res.Total == uint64(len(arts)) {
		t.Fatalf("author = 李明华 lets %v of %d through: the suite tests nothing", res, len(arts))
	}
	// With a query too.
	res, err := s.Search(t.Context(), Request{Query: "教育", Filter: "author = 李明华"})
	if err != nil || res.Total == 0 {
		t.Fatalf("query and filter: %v, %v", res, err)
	}
	for _, h := range res.Hits {
		if !slices.Contains(h.Author, "李明华") {
			t.Errorf("hit %s by %v", h.ID, h.Author)
		}
	}
}

func TestSearch_FilterErrors(t *testing.T) {
	s := New(newTestIndex(t, filepath.Join("..", "data", "articles")), Options{})
	tests := []struct {
		filter string
		want   string
	}{
		{"title = x", "attribute `title` is not filterable; the filterable attributes are `author`, `tags`, `date`"},
		{"author > x", "`>` cannot be used on `author`"},
		{"tags EXISTS", "`EXISTS` cannot be used on `tags`"},
		{"date IS NULL", "`IS NULL` cannot be used on `date`"},
		{"date = tomorrow", `date "tomorrow"`},
		{"author = ", "Was expecting a value"},
	}
	for _, tt := range tests {
		_, err := s.Search(t.Context(), Request{Filter: tt.filter})
		if !errors.Is(err, ErrBadFilter) || !errors.Is(err, ErrBadRequest) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("filter %q: %v; want a bad filter with %q", tt.filter, err, tt.want)
		}
	}
}
