package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/wensou/wensou/index"
)

// TestInstall: a copy of another store's index becomes the live
// generation, searched at once, and the old one goes; a fill that fails
// or writes no index leaves the live generation as it was.
func TestInstall(t *testing.T) {
	src := openStore(t, filepath.Join(t.TempDir(), "src"), Options{Create: true})
	mustPut(t, src, synthetic("s", 40))
	copyOf := func(dir string) error {
		return src.With(func(ix *index.Index) error { return ix.CopyTo(context.Background(), dir) })
	}

	dir := filepath.Join(t.TempDir(), "dst")
	st, err := Open(context.Background(), dir, Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	mustPut(t, st, synthetic("d", 3))

	boom := errors.New("the peer went away")
	fails := []struct {
		name string
		fill func(string) error
	}{
		{"fill fails", func(d string) error {
			if err := copyOf(d); err != nil {
				return err
			}
			return boom
		}},
		{"no index", func(d string) error { return os.MkdirAll(d, 0o755) }},
	}
	for _, f := range fails {
		if err := st.Install(context.Background(), f.fill); err == nil {
			t.Errorf("%s: installed", f.name)
		}
		if n, _ := st.Count(); n != 3 || st.Generation() != "gen-000001" {
			t.Errorf("%s: live %s holds %d articles, want gen-000001 with 3", f.name, st.Generation(), n)
		}
	}

	if err := st.Install(context.Background(), copyOf); err != nil {
		t.Fatal(err)
	}
	if n, _ := st.Count(); n != 40 || total(t, st, "职业教育") != 40 {
		t.Errorf("installed copy: %d articles, %d found; want 40", n, total(t, st, "职业教育"))
	}
	mustPut(t, st, synthetic("after", 2))
	if n, _ := st.Count(); n != 42 {
		t.Errorf("after a write to the installed generation: %d articles, want 42", n)
	}
	// The old generation and the failed ones are gone once retired.
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	st = openStore(t, dir, Options{})
	if n, _ := st.Count(); n != 42 {
		t.Errorf("reopened: %d articles, want 42", n)
	}
	var gens []string
	for _, e := range entries(t, dir) {
		if n, ok := genNumber(e); ok {
			gens = append(gens, genName(n))
		}
	}
	if want := []string{st.Generation()}; !slices.Equal(gens, want) {
		t.Errorf("generations on disk %v, want %v", gens, want)
	}
}
