package index

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/google/go-cmp/cmp"

	"github.com/wensou/wensou/index/article"
)

func openTest(t testing.TB, path string) *Index {
	t.Helper()
	ix, err := Open(t.Context(), Options{Path: path, Create: true})
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

func closeTest(t testing.TB, ix *Index) {
	t.Helper()
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
}

func sample(id string) article.Article {
	return article.Article{
		ID:      id,
		Title:   "职业教育法施行 " + id,
		Body:    "新修订的职业教育法今天起施行。Oil prices rose.",
		Authors: []string{"李明华", "Emily Carter"},
		Date:    time.Date(2022, 5, 1, 9, 30, 0, 0, article.DefaultLocation()),
		URL:     "https://news.example.com/" + id,
		Source:  "Wensou Daily",
		Tags:    []string{"教育", "Law"},
		Origin:  "news.jsonl",
	}
}

func TestIndex_PutGetDelete(t *testing.T) {
	ix := openTest(t, "")
	defer closeTest(t, ix)
	ctx := t.Context()
	want := sample("a1")
	if err := ix.Put(ctx, []article.Article{want, sample("a2")}); err != nil {
		t.Fatal(err)
	}
	got, err := ix.Get(ctx, "a1")
	if err != nil {
		t.Fatal(err)
	}
	// The origin is stored as an absolute path.
	if want.Origin, err = filepath.Abs(want.Origin); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })); diff != "" {
		t.Errorf("Get(a1) mismatch (-want +got):\n%s", diff)
	}
	if got.Date.Location() != ix.Location() {
		t.Errorf("Get(a1).Date location = %v, want %v", got.Date.Location(), ix.Location())
	}
	if err := ix.Delete(ctx, "a1", "unknown"); err != nil {
		t.Fatal(err)
	}
	if _, err := ix.Get(ctx, "a1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get(a1) after Delete: error = %v, want ErrNotFound", err)
	}
	if n, err := ix.Count(); err != nil || n != 1 {
		t.Errorf("Count() = %d, %v; want 1", n, err)
	}
}

func TestIndex_PutReplaces(t *testing.T) {
	ix := openTest(t, "")
	defer closeTest(t, ix)
	a := sample("same")
	b := a
	b.Title = "Changed title"
	for _, batch := range [][]article.Article{{a}, {a}, {b}} {
		if err := ix.Put(t.Context(), batch); err != nil {
			t.Fatal(err)
		}
	}
	if n, _ := ix.Count(); n != 1 {
		t.Errorf("Count() = %d after putting one id three times, want 1", n)
	}
	got, err := ix.Get(t.Context(), "same")
	if err != nil {
		t.Fatal(err)
	}
	if got.Title != b.Title {
		t.Errorf("Get().Title = %q, want %q", got.Title, b.Title)
	}
}

func TestOpen_Persistent(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "idx.bleve")
	if _, err := Open(t.Context(), Options{Path: dir}); !errors.Is(err, ErrNotExist) {
		t.Fatalf("Open without Create on a missing index: error = %v, want ErrNotExist", err)
	}
	ix := openTest(t, dir)
	if err := ix.Put(t.Context(), []article.Article{sample("p1"), sample("p2")}); err != nil {
		t.Fatal(err)
	}
	closeTest(t, ix)

	ix, err := Open(t.Context(), Options{Path: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer closeTest(t, ix)
	if n, _ := ix.Count(); n != 2 {
		t.Errorf("Count() after reopen = %d, want 2", n)
	}
}

func TestOpen_Incompatible(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "idx.bleve")
	ix := openTest(t, dir)
	raw, err := json.Marshal(Meta{Schema: SchemaVersion, Analyzer: "0-old"})
	if err != nil {
		t.Fatal(err)
	}
	// Through apply: the open index's batches are durable only so.
	err = ix.apply(spaceNeeded(0), true, func(b *bleve.Batch, _ mapping.IndexMapping) error {
		b.SetInternal(metaKey, raw)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	closeTest(t, ix)

	_, err = Open(t.Context(), Options{Path: dir})
	if !errors.Is(err, ErrIncompatible) {
		t.Fatalf("Open: error = %v, want ErrIncompatible", err)
	}
	for _, want := range []string{dir, "0-old", "reindex"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Open error %q does not mention %q", err, want)
		}
	}
}

func samplesDir(t testing.TB) string {
	t.Helper()
	return filepath.Join("..", "data", "articles")
}

func TestIngest_Idempotent(t *testing.T) {
	ix := openTest(t, "")
	defer closeTest(t, ix)
	var counts []uint64
	for range 2 {
		st, err := Ingest(t.Context(), ix, []string{samplesDir(t)}, IngestOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if st.Rejected != 0 || st.Indexed == 0 {
			t.Fatalf("Ingest stats = %+v, want no rejections", st)
		}
		n, err := ix.Count()
		if err != nil {
			t.Fatal(err)
		}
		counts = append(counts, n)
	}
	if counts[0] != counts[1] {
		t.Errorf("Count after ingesting twice = %v, want the same", counts)
	}
}

// TestIngest_Cancel stops an ingest after its first batch: only whole
// batches are in the index, and it stays usable.
func TestIngest_Cancel(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "idx.bleve")
	ix := openTest(t, dir)
	ctx, cancel := context.WithCancel(t.Context())
	st, err := Ingest(ctx, ix, []string{samplesDir(t)}, IngestOptions{
		BatchSize: 5,
		Lanes:     1,
		OnBatch:   func(IngestStats) { cancel() },
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Ingest error = %v, want context.Canceled", err)
	}
	if st.Indexed != 5 {
		t.Errorf("Indexed = %d, want one batch of 5", st.Indexed)
	}
	closeTest(t, ix)

	ix, err = Open(t.Context(), Options{Path: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer closeTest(t, ix)
	if n, _ := ix.Count(); n != 5 {
		t.Errorf("Count() after a cancelled ingest = %d, want 5", n)
	}
}

func TestIngest_Rejections(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "mixed.jsonl")
	writeFile(t, path, strings.Join([]string{
		`{"id":"ok1","title":"好","body":"正文"}`,
		`{"id":"bad", "title": }`,
		`{"id":"empty"}`,
		`{"id":"ok2","title":"Fine","body":"text","date":"去年秋天"}`,
	}, "\n"))
	ix := openTest(t, "")
	defer closeTest(t, ix)
	var problems []string
	st, err := Ingest(t.Context(), ix, []string{path}, IngestOptions{OnRecord: func(r article.Record) {
		if p := r.Problem(); p != "" {
			problems = append(problems, strings.TrimPrefix(p, dir+"/"))
		}
		for _, w := range r.WarningLines() {
			problems = append(problems, strings.TrimPrefix(w, dir+"/"))
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	want := IngestStats{Read: 4, Indexed: 2, Rejected: 2, Warned: 1}
	st.Elapsed, st.Bytes = 0, 0
	if st != want {
		t.Errorf("stats = %+v, want %+v", st, want)
	}
	wantProblems := []string{
		"mixed.jsonl:2: invalid JSON: invalid character '}' looking for beginning of value",
		"mixed.jsonl:3: no title and no body",
		`mixed.jsonl:4: warning: unparseable date "去年秋天"`,
	}
	if diff := cmp.Diff(wantProblems, problems); diff != "" {
		t.Errorf("problems mismatch (-want +got):\n%s", diff)
	}
}

func writeFile(t testing.TB, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func ExampleIndex_Put() {
	ix, err := Open(context.Background(), Options{}) // in memory
	if err != nil {
		panic(err)
	}
	defer ix.Close()
	a := article.Article{ID: "law", Title: "职业教育法施行", Body: "新修订的职业教育法今天起施行。"}
	if err := ix.Put(context.Background(), []article.Article{a, a}); err != nil {
		panic(err)
	}
	n, _ := ix.Count()
	fmt.Println(n, "article")
	// Output: 1 article
}
