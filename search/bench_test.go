package search

import (
	"fmt"
	"os"
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

// typoBenchCases are what typo tolerance costs: a correctly spelled query
// with it on and off (what every query pays), and misspelt ones.
var typoBenchCases = []benchCase{
	{"exact/typos-off", Request{Query: "coffee exports brazil", NoTypos: true}},
	{"exact/typos-on", Request{Query: "coffee exports brazil"}},
	{"one-typo", Request{Query: "coffe exports brazil"}},
	{"long-word", Request{Query: "international coffee"}},
	{"two-typos-long-word", Request{Query: "intrenatoinal coffee"}},
}

type benchCase struct {
	name string
	req  Request
}

// BenchmarkSearch_Typos measures typo tolerance on the Reuters corpus
// (21,578 articles, a dictionary of real size): a correctly spelled query
// with it on and off (what every query pays), and misspelt ones.
func BenchmarkSearch_Typos(b *testing.B) {
	path := filepath.Join("..", "..", "shared", "corpus", "reuters21578.jsonl")
	if _, err := os.Stat(path); err != nil {
		b.Skipf("needs %s (../shared/corpus): %v", path, err)
	}
	ix, err := index.Open(b.Context(), index.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { ix.Close() })
	if _, err := index.Ingest(b.Context(), ix, []string{path}, index.IngestOptions{}); err != nil {
		b.Fatal(err)
	}
	s := newTestSearcher(b, ix)
	for _, bc := range typoBenchCases {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.Search(b.Context(), bc.req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkSearch_Forgiving measures what pinyin and the Chinese did you
// mean cost, on the Chinese web articles and Reuters (about 27,000
// articles): a Chinese query as typed, the same in full pinyin and in
// initials, and with a wrong character.
func BenchmarkSearch_Forgiving(b *testing.B) {
	corpus := filepath.Join("..", "..", "shared", "corpus")
	paths := []string{filepath.Join(corpus, "reuters21578.jsonl"), filepath.Join(corpus, "cn_web_extract.jsonl")}
	if _, err := os.Stat(paths[1]); err != nil {
		b.Skipf("needs %s (../shared/corpus): %v", paths[1], err)
	}
	ix, err := index.Open(b.Context(), index.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { ix.Close() })
	if _, err := index.Ingest(b.Context(), ix, paths, index.IngestOptions{}); err != nil {
		b.Fatal(err)
	}
	s := newTestSearcher(b, ix)
	for _, bc := range []struct{ name, q string }{
		{"chinese", "中国经济"},
		{"pinyin", "zhongguo jingji"},
		{"initials", "zgjj"},
		{"did-you-mean", "中国经记"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.Search(b.Context(), Request{Query: bc.q}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
