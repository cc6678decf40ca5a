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

// BenchmarkColumns_Build builds the columns of an index of 5,000 sample
// articles ("all"), and their tie-breaking keys alone: from the segments'
// id dictionaries, as the index does, and from the ids of the stored
// articles, as it did before.
func BenchmarkColumns_Build(b *testing.B) {
	arts, _ := sampleArticles(b, 5000)
	ix := openTest(b, b.TempDir()+"/idx.bleve")
	defer closeTest(b, ix)
	if err := ix.Put(b.Context(), arts); err != nil {
		b.Fatal(err)
	}
	snap, _, _, err := ix.snapshot()
	if err != nil {
		b.Fatal(err)
	}
	defer snap.Close()
	c := &columnCache{loc: article.DefaultLocation()}
	b.Run("all", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for _, ss := range snap.Segments() {
				if _, err := c.build(ss.Segment()); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("keys/id-dictionary", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for _, ss := range snap.Segments() {
				if err := idKeys(ss.Segment(), make([]uint64, ss.Segment().Count())); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("keys/stored-ids", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for _, ss := range snap.Segments() {
				seg := ss.Segment()
				key := make([]uint64, seg.Count())
				for d := range seg.Count() {
					id, err := seg.DocID(d)
					if err != nil {
						b.Fatal(err)
					}
					key[d] = idKey(id)
				}
			}
		}
	})
}
