package index

import (
	"fmt"
	"testing"

	"github.com/wensou/wensou/index/article"
)

// TestColumns_Keys checks the tie-breaking keys read from the segments'
// id dictionaries against the ids of the stored articles, on an index of
// several segments, some of whose articles were replaced or deleted.
func TestColumns_Keys(t *testing.T) {
	ix := openTest(t, t.TempDir())
	defer closeTest(t, ix)
	ctx := t.Context()
	for b := range 4 {
		var arts []article.Article
		for i := range 50 {
			arts = append(arts, sample(fmt.Sprintf("k%03d", b*30+i))) // overlapping ids replace
		}
		if err := ix.Put(ctx, arts); err != nil {
			t.Fatal(err)
		}
	}
	if err := ix.Delete(ctx, "k000", "k075"); err != nil {
		t.Fatal(err)
	}
	snap, _, _, err := ix.snapshot()
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Close()
	if len(snap.Segments()) < 2 {
		t.Logf("only %d segment", len(snap.Segments()))
	}
	c := &columnCache{loc: article.DefaultLocation()}
	docs := 0
	for _, ss := range snap.Segments() {
		seg := ss.Segment()
		cols, err := c.build(seg)
		if err != nil {
			t.Fatal(err)
		}
		for d := range seg.Count() {
			id, err := seg.DocID(d)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := cols.key[d], idKey(id); got != want {
				t.Errorf("segment %d, document %d (%s): key %x, want %x", ss.Id(), d, id, got, want)
			}
			docs++
		}
	}
	if docs < 140 {
		t.Errorf("checked %d documents, want at least 140", docs)
	}
}
