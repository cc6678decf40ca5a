package index

import (
	"path/filepath"
	"testing"

	"github.com/wensou/wensou/index/article"
)

// TestApplyLog: the ops of a batch apply in order, the last one for an
// id winning, and the sequence survives a reopen with the documents.
func TestApplyLog(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ix")
	ix, err := Open(t.Context(), Options{Path: path, Create: true})
	if err != nil {
		t.Fatal(err)
	}
	if seq, err := ix.Applied(); err != nil || seq != 0 {
		t.Fatalf("new index: applied %d (%v), want 0", seq, err)
	}
	art := func(id string) *article.Article {
		return &article.Article{ID: id, Title: "职业教育 " + id, Body: "body of " + id}
	}
	steps := []struct {
		seq  uint64
		ops  []LogOp
		want int // articles after
	}{
		{3, []LogOp{{Article: art("a")}, {Article: art("b")}, {Article: art("c")}}, 3},
		{5, []LogOp{{Delete: "a"}, {Article: art("a")}, {Article: art("d")}, {Delete: "d"}}, 3},
		{6, []LogOp{{Delete: "b"}, {Delete: "missing"}}, 2},
	}
	for _, s := range steps {
		if err := ix.ApplyLog(t.Context(), s.seq, s.ops); err != nil {
			t.Fatal(err)
		}
		if n, _ := ix.Count(); n != uint64(s.want) {
			t.Fatalf("after %d: %d articles, want %d", s.seq, n, s.want)
		}
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	ix, err = Open(t.Context(), Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if seq, err := ix.Applied(); err != nil || seq != 6 {
		t.Fatalf("reopened: applied %d (%v), want 6", seq, err)
	}
	for id, want := range map[string]bool{"a": true, "b": false, "c": true, "d": false} {
		_, err := ix.Get(t.Context(), id)
		if got := err == nil; got != want {
			t.Errorf("%s held: %v, want %v (%v)", id, got, want, err)
		}
	}
}
