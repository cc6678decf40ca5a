package search

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/wensou/wensou/index"
	"github.com/wensou/wensou/index/article"
)

// benchIndex indexes the sample articles copies times over, each copy
// with its own ids.
func benchIndex(b *testing.B, copies int) *index.Index {
	b.Helper()
	ix, err := index.Open(b.Context(), index.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { ix.Close() })
	var base []article.Article
	err = article.Walk(b.Context(), []string{filepath.Join("..", "data", "articles")}, article.Options{}, func(r article.Record) error {
		if r.Err == nil {
			base = append(base, r.Article)
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	for c := range copies {
		batch := make([]article.Article, len(base))
		for i, a := range base {
			a.ID = fmt.Sprintf("%s-%d", a.ID, c)
			batch[i] = a
		}
		if err := ix.Put(b.Context(), batch); err != nil {
			b.Fatal(err)
		}
	}
	return ix
}

// BenchmarkSearch_FacetsHighlight runs searches with the three facets and
// highlighting on about 2,250 articles.
func BenchmarkSearch_FacetsHighlight(b *testing.B) {
	ix := benchIndex(b, 50)
	s := newTestSearcher(b, ix)
	for _, q := range []string{"职业教育", "oil prices", `"职业教育"`, "如何在Debian中配置LVM", "城市 -广州"} {
		b.Run(q, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.Search(b.Context(), Request{Query: q}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
