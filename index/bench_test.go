package index

import (
	"fmt"
	"testing"

	"github.com/wensou/wensou/index/article"
)

// sampleArticles returns n articles made from the project's samples, each
// with its own id.
func sampleArticles(b *testing.B, n int) ([]article.Article, int64) {
	b.Helper()
	var base []article.Article
	err := article.Walk(b.Context(), []string{samplesDir(b)}, article.Options{}, func(r article.Record) error {
		if r.Err == nil {
			base = append(base, r.Article)
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	out := make([]article.Article, n)
	var bytes int64
	for i := range out {
		a := base[i%len(base)]
		a.ID = fmt.Sprintf("%s-%d", a.ID, i)
		out[i] = a
		bytes += int64(len(a.Title) + len(a.Body))
	}
	return out, bytes
}

// BenchmarkIndex_Batch1k indexes one batch of 1,000 articles into a fresh
// on-disk index with the production mapping.
func BenchmarkIndex_Batch1k(b *testing.B) {
	arts, bytes := sampleArticles(b, 1000)
	b.SetBytes(bytes)
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		ix := openTest(b, b.TempDir()+"/idx.bleve")
		b.StartTimer()
		if err := ix.Put(b.Context(), arts); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		closeTest(b, ix)
		b.StartTimer()
	}
}
