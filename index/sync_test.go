package index

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wensou/wensou/index/article"
)

// art is one JSON line: an article with an id, a title and a body.
func art(id, title string) string {
	return fmt.Sprintf(`{"id":%q,"title":%q,"body":"正文 body of %s"}`, id, title, id)
}

// writeLines writes a JSON Lines file, making its directory.
func writeLines(t *testing.T, path string, lines ...string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, strings.Join(lines, "\n")+"\n")
}

// syncTest runs Sync and returns its stats without the times and sizes.
func syncTest(t *testing.T, ix *Index, paths []string, opts IngestOptions) (SyncStats, error) {
	t.Helper()
	st, err := Sync(t.Context(), ix, paths, opts)
	st.Elapsed, st.Bytes = 0, 0
	return st, err
}

// origins returns every indexed article's origin by id, relative to dir
// ("" for none).
func origins(t *testing.T, ix *Index, dir string) map[string]string {
	t.Helper()
	state, err := ix.indexedState(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for id, e := range state {
		o := e.origin
		if rel, err := filepath.Rel(dir, o); err == nil && o != "" {
			o = filepath.ToSlash(rel)
		}
		out[id] = o
	}
	return out
}

// TestIndex_Sync syncs a directory again and again as its files change.
func TestIndex_Sync(t *testing.T) {
	dir := t.TempDir()
	docs := filepath.Join(dir, "docs")
	path := func(name string) string { return filepath.Join(docs, filepath.FromSlash(name)) }
	ix := openTest(t, "")
	defer closeTest(t, ix)

	// Outside the synced directory, and a hidden file inside it that a
	// directory walk skips: both were indexed by naming them.
	writeLines(t, filepath.Join(dir, "other.jsonl"), art("o1", "Elsewhere"))
	writeLines(t, path(".hidden.jsonl"), art("h1", "Hidden"))
	if _, err := Ingest(t.Context(), ix, []string{filepath.Join(dir, "other.jsonl"), path(".hidden.jsonl")}, IngestOptions{}); err != nil {
		t.Fatal(err)
	}
	// Written through the API: no origin.
	if err := ix.Put(t.Context(), []article.Article{{ID: "api1", Title: "From the API", Body: "text"}}); err != nil {
		t.Fatal(err)
	}
	untouched := map[string]string{"o1": "other.jsonl", "h1": "docs/.hidden.jsonl", "api1": ""}

	tests := []struct {
		name    string
		change  func()
		paths   []string // default: docs
		want    SyncStats
		wantIDs map[string]string // id -> origin under dir, besides untouched
	}{
		{
			name: "first sync adds",
			change: func() {
				writeLines(t, path("a.jsonl"), art("a1", "One"), art("a2", "Two"))
				writeLines(t, path("b.jsonl"), art("b1", "Bee"))
				writeLines(t, path("sub/c.jsonl"), art("c1", "Sea"))
			},
			want:    SyncStats{Read: 4, Added: 4},
			wantIDs: map[string]string{"a1": "docs/a.jsonl", "a2": "docs/a.jsonl", "b1": "docs/b.jsonl", "c1": "docs/sub/c.jsonl"},
		},
		{
			name:    "unchanged input writes nothing",
			change:  func() {},
			want:    SyncStats{Read: 4, Unchanged: 4},
			wantIDs: map[string]string{"a1": "docs/a.jsonl", "a2": "docs/a.jsonl", "b1": "docs/b.jsonl", "c1": "docs/sub/c.jsonl"},
		},
		{
			name: "edit one, add one",
			change: func() {
				writeLines(t, path("a.jsonl"), art("a1", "One"), art("a2", "Two, edited"), art("a3", "Three"))
			},
			want:    SyncStats{Read: 5, Added: 1, Updated: 1, Unchanged: 3},
			wantIDs: map[string]string{"a1": "docs/a.jsonl", "a2": "docs/a.jsonl", "a3": "docs/a.jsonl", "b1": "docs/b.jsonl", "c1": "docs/sub/c.jsonl"},
		},
		{
			name: "line removed",
			change: func() {
				writeLines(t, path("a.jsonl"), art("a2", "Two, edited"), art("a3", "Three"))
			},
			want:    SyncStats{Read: 4, Unchanged: 4, Deleted: 1},
			wantIDs: map[string]string{"a2": "docs/a.jsonl", "a3": "docs/a.jsonl", "b1": "docs/b.jsonl", "c1": "docs/sub/c.jsonl"},
		},
		{
			name: "article moved to another file",
			change: func() {
				writeLines(t, path("b.jsonl"), art("b2", "Bee two"))
				writeLines(t, path("sub/c.jsonl"), art("c1", "Sea"), art("b1", "Bee"))
			},
			want:    SyncStats{Read: 5, Added: 1, Updated: 1, Unchanged: 3},
			wantIDs: map[string]string{"a2": "docs/a.jsonl", "a3": "docs/a.jsonl", "b1": "docs/sub/c.jsonl", "b2": "docs/b.jsonl", "c1": "docs/sub/c.jsonl"},
		},
		{
			name: "old file of the moved article removed",
			change: func() {
				if err := os.Remove(path("b.jsonl")); err != nil {
					t.Fatal(err)
				}
			},
			want:    SyncStats{Read: 4, Unchanged: 4, Deleted: 1},
			wantIDs: map[string]string{"a2": "docs/a.jsonl", "a3": "docs/a.jsonl", "b1": "docs/sub/c.jsonl", "c1": "docs/sub/c.jsonl"},
		},
		{
			name: "one file synced, the others out of scope",
			change: func() {
				writeLines(t, path("sub/c.jsonl"), art("c2", "Sea two"))
			},
			paths:   []string{path("sub/c.jsonl")},
			want:    SyncStats{Read: 1, Added: 1, Deleted: 2},
			wantIDs: map[string]string{"a2": "docs/a.jsonl", "a3": "docs/a.jsonl", "c2": "docs/sub/c.jsonl"},
		},
		{
			name: "subdirectory removed",
			change: func() {
				if err := os.RemoveAll(path("sub")); err != nil {
					t.Fatal(err)
				}
			},
			want:    SyncStats{Read: 2, Unchanged: 2, Deleted: 1},
			wantIDs: map[string]string{"a2": "docs/a.jsonl", "a3": "docs/a.jsonl"},
		},
		{
			name: "last version of a duplicate wins",
			change: func() {
				writeLines(t, path("a.jsonl"), art("a2", "Two, first"), art("a3", "Three"), art("a2", "Two, last"))
			},
			// The first a2 differs from the index, the last from the first.
			want:    SyncStats{Read: 3, Updated: 2, Unchanged: 1},
			wantIDs: map[string]string{"a2": "docs/a.jsonl", "a3": "docs/a.jsonl"},
		},
	}
	for _, tt := range tests {
		// The steps build on each other: no subtests to run alone.
		tt.change()
		paths := tt.paths
		if paths == nil {
			paths = []string{docs}
		}
		got, err := syncTest(t, ix, paths, IngestOptions{BatchSize: 2})
		if err != nil {
			t.Fatalf("%s: Sync: %v", tt.name, err)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s: stats (-want +got):\n%s", tt.name, diff)
		}
		wantIDs := map[string]string{}
		for id, o := range untouched {
			wantIDs[id] = o
		}
		for id, o := range tt.wantIDs {
			wantIDs[id] = o
		}
		if diff := cmp.Diff(wantIDs, origins(t, ix, dir)); diff != "" {
			t.Errorf("%s: indexed articles, id -> origin (-want +got):\n%s", tt.name, diff)
		}
	}
	a2, err := ix.Get(t.Context(), "a2")
	if err != nil {
		t.Fatal(err)
	}
	if a2.Title != "Two, last" {
		t.Errorf("a2's title = %q, want the last version's, %q", a2.Title, "Two, last")
	}
}

// TestIndex_SyncUnreadable: a path that cannot be read stops every
// deletion, but not the writes.
func TestIndex_SyncUnreadable(t *testing.T) {
	tests := []struct {
		name  string
		paths func(dir string) []string
	}{
		{"missing file beside the directory", func(dir string) []string { return []string{dir, filepath.Join(dir, "typo.jsonl")} }},
		{"missing directory", func(dir string) []string { return []string{filepath.Join(dir, "typo")} }},
		{"missing file only", func(dir string) []string { return []string{filepath.Join(dir, "typo.jsonl")} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			a, b := filepath.Join(dir, "a.jsonl"), filepath.Join(dir, "b.jsonl")
			writeLines(t, a, art("a1", "One"))
			writeLines(t, b, art("b1", "Bee"))
			ix := openTest(t, "")
			defer closeTest(t, ix)
			if _, err := Sync(t.Context(), ix, []string{dir}, IngestOptions{}); err != nil {
				t.Fatal(err)
			}
			if err := os.Remove(b); err != nil {
				t.Fatal(err)
			}

			paths := tt.paths(dir)
			st, err := Sync(t.Context(), ix, paths, IngestOptions{})
			if !errors.Is(err, ErrUnreadable) {
				t.Fatalf("Sync(%q): error = %v, want ErrUnreadable", paths, err)
			}
			if st.Deleted != 0 || st.Rejected != 1 {
				t.Errorf("Sync(%q): deleted %d, rejected %d; want 0, 1", paths, st.Deleted, st.Rejected)
			}
			want := map[string]string{"a1": "a.jsonl", "b1": "b.jsonl"}
			if diff := cmp.Diff(want, origins(t, ix, dir)); diff != "" {
				t.Errorf("indexed articles (-want +got):\n%s", diff)
			}
		})
	}
}

// TestIndex_SyncRejectedKeeps: a file with a broken line keeps its indexed
// articles that were not read, since the broken line may be one of them.
func TestIndex_SyncRejectedKeeps(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "news.jsonl")
	ix := openTest(t, "")
	defer closeTest(t, ix)
	writeLines(t, f, art("n1", "One"), art("n2", "Two"), art("n3", "Three"))
	if _, err := Sync(t.Context(), ix, []string{dir}, IngestOptions{}); err != nil {
		t.Fatal(err)
	}

	// n2's line is broken, n3's is gone.
	writeLines(t, f, art("n1", "One"), `{"id":"n2","title":"Two",`)
	var problems []string
	got, err := syncTest(t, ix, []string{dir}, IngestOptions{OnRecord: func(r article.Record) {
		if p := r.Problem(); p != "" {
			problems = append(problems, strings.TrimPrefix(p, dir+string(filepath.Separator)))
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	want := SyncStats{Read: 2, Unchanged: 1, Rejected: 1, Kept: []KeptFile{{File: f, Articles: 2}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("stats with a broken line (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"news.jsonl:2: invalid JSON: unexpected end of JSON input"}, problems); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]string{"n1": "news.jsonl", "n2": "news.jsonl", "n3": "news.jsonl"}, origins(t, ix, dir)); diff != "" {
		t.Errorf("indexed articles with a broken line (-want +got):\n%s", diff)
	}

	// Once the line is mended, what the file does not hold goes.
	writeLines(t, f, art("n1", "One"), art("n2", "Two"))
	got, err = syncTest(t, ix, []string{dir}, IngestOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(SyncStats{Read: 2, Unchanged: 2, Deleted: 1}, got); diff != "" {
		t.Errorf("stats once mended (-want +got):\n%s", diff)
	}
}

// TestIndex_SyncCancel: a cancelled sync writes whole batches and deletes
// nothing.
func TestIndex_SyncCancel(t *testing.T) {
	dir := t.TempDir()
	writeLines(t, filepath.Join(dir, "a.jsonl"), art("a1", "One"))
	writeLines(t, filepath.Join(dir, "b.jsonl"), art("b1", "Bee"), art("b2", "Bee two"), art("b3", "Bee three"))
	ix := openTest(t, "")
	defer closeTest(t, ix)
	if _, err := Sync(t.Context(), ix, []string{dir}, IngestOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, "a.jsonl")); err != nil {
		t.Fatal(err)
	}
	writeLines(t, filepath.Join(dir, "b.jsonl"), art("b1", "Bee, edited"), art("b2", "Bee two, edited"), art("b3", "Bee three, edited"))

	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	st, err := Sync(ctx, ix, []string{dir}, IngestOptions{BatchSize: 1, Lanes: 1, OnBatch: func(IngestStats) { cancel() }})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Sync error = %v, want context.Canceled", err)
	}
	if st.Updated != 1 || st.Deleted != 0 {
		t.Errorf("cancelled after one batch: updated %d, deleted %d; want 1, 0", st.Updated, st.Deleted)
	}
	if _, err := ix.Get(t.Context(), "a1"); err != nil {
		t.Errorf("a1, from the removed file, after a cancelled sync: %v", err)
	}

	// The next sync finishes the job.
	got, err := syncTest(t, ix, []string{dir}, IngestOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(SyncStats{Read: 3, Updated: 2, Unchanged: 1, Deleted: 1}, got); diff != "" {
		t.Errorf("stats of the next sync (-want +got):\n%s", diff)
	}
}

// TestIndex_SyncRelative: origins recorded as relative paths match the
// same files named by absolute paths, and the other way round.
func TestIndex_SyncRelative(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	writeLines(t, filepath.Join(dir, "docs", "a.jsonl"), art("a1", "One"), art("a2", "Two"))
	ix := openTest(t, "")
	defer closeTest(t, ix)
	if _, err := Ingest(t.Context(), ix, []string{"docs"}, IngestOptions{}); err != nil {
		t.Fatal(err)
	}
	writeLines(t, filepath.Join(dir, "docs", "a.jsonl"), art("a1", "One"))
	for _, p := range []string{filepath.Join(dir, "docs"), "./docs/", "docs/a.jsonl"} {
		got, err := syncTest(t, ix, []string{p}, IngestOptions{})
		if err != nil {
			t.Fatal(err)
		}
		want := SyncStats{Read: 1, Unchanged: 1}
		if p == filepath.Join(dir, "docs") {
			want.Deleted = 1
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Sync(%q) (-want +got):\n%s", p, diff)
		}
	}
}

func TestIndex_SyncFilterSet(t *testing.T) {
	ix := openTest(t, "")
	defer closeTest(t, ix)
	_, err := Sync(t.Context(), ix, []string{t.TempDir()}, IngestOptions{Filter: func(*article.Article) bool { return true }})
	if err == nil {
		t.Error("Sync with a Filter: no error")
	}
}
