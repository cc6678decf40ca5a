package index

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/wensou/wensou/index/article"
)

// TestCopyTo: a copy taken while log entries are applied opens as a
// whole index whose documents are exactly those of the sequence it
// records, and the source goes on.
func TestCopyTo(t *testing.T) {
	ix, err := Open(t.Context(), Options{Path: filepath.Join(t.TempDir(), "ix"), Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	// Entry seq puts article seq: after sequence n the index holds n
	// articles.
	apply := func(seq uint64) error {
		a := &article.Article{ID: fmt.Sprintf("a%04d", seq), Title: fmt.Sprintf("职业教育 %d", seq), Body: "复制索引的正文。"}
		return ix.ApplyLog(context.Background(), seq, []LogOp{{Article: a}})
	}
	for seq := uint64(1); seq <= 50; seq++ {
		if err := apply(seq); err != nil {
			t.Fatal(err)
		}
	}
	done := make(chan error)
	go func() {
		for seq := uint64(51); seq <= 250; seq++ {
			if err := apply(seq); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	base := t.TempDir()
	for i := range 3 {
		dir := filepath.Join(base, fmt.Sprint(i))
		if err := ix.CopyTo(t.Context(), dir); err != nil {
			t.Fatal(err)
		}
		cp, err := Open(t.Context(), Options{Path: dir})
		if err != nil {
			t.Fatalf("open the copy: %v", err)
		}
		seq, err := cp.Applied()
		n, cerr := cp.Count()
		if err != nil || cerr != nil || seq < 50 || n != seq {
			t.Errorf("copy %d: applied %d (%v), %d articles (%v); want as many articles as the sequence, at least 50", i, seq, err, n, cerr)
		}
		if _, err := cp.Get(t.Context(), fmt.Sprintf("a%04d", seq)); err != nil {
			t.Errorf("copy %d: the last applied article: %v", i, err)
		}
		if err := cp.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if err := <-done; err != nil {
		t.Fatalf("writes during the copies: %v", err)
	}
	if n, _ := ix.Count(); n != 250 {
		t.Errorf("source holds %d articles, want 250", n)
	}
	if err := ix.CopyTo(t.Context(), base); !errors.Is(err, os.ErrExist) {
		t.Errorf("copy onto an existing directory: %v, want ErrExist", err)
	}
}
