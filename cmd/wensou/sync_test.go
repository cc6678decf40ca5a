package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wensou/wensou/index/article"
	"github.com/wensou/wensou/index/store"
)

// syncSummaryRE matches the line index --sync prints at the end; the
// counts are checked separately.
var syncSummaryRE = regexp.MustCompile(`^(synced|stopped after syncing) (\d+) articles: added (\d+), updated (\d+), deleted (\d+), unchanged (\d+), rejected (\d+), warned (\d+) in [0-9.]+s: [0-9]+ docs/s, [0-9.]+ MB/s \([0-9.]+ MB read\), peak memory [0-9]+ MB(?: \(own [0-9]+ MB\))?\n$`)

// syncCounts are the status and counts of a sync summary line.
type syncCounts struct {
	status                                                         string
	articles, added, updated, deleted, unchanged, rejected, warned int
}

// checkSyncSummary checks that out is the sync summary line with these
// counts.
func checkSyncSummary(t *testing.T, out string, want syncCounts) {
	t.Helper()
	m := syncSummaryRE.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("summary = %q, want it to match %s", out, syncSummaryRE)
	}
	got := syncCounts{status: m[1]}
	for i, p := range []*int{&got.articles, &got.added, &got.updated, &got.deleted, &got.unchanged, &got.rejected, &got.warned} {
		if _, err := fmt.Sscan(m[i+2], p); err != nil {
			t.Fatalf("summary %q: count %q: %v", out, m[i+2], err)
		}
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(syncCounts{})); diff != "" {
		t.Errorf("summary %q: status and counts (-want +got):\n%s", out, diff)
	}
}

// jsonLine is a JSON Lines article whose body holds word.
func jsonLine(id, word string) string {
	return fmt.Sprintf(`{"id":%q,"title":"Article %s","body":"The body mentions %s."}`, id, id, word)
}

func writeJSONLines(t *testing.T, path string, lines ...string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

// stderrLines splits stderr into lines, nil when it is empty.
func stderrLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

// TestIndex_Sync runs index --sync over a directory as its files change:
// the summary, stderr, the exit code and what the index then holds.
func TestIndex_Sync(t *testing.T) {
	docs := t.TempDir()
	a, b := filepath.Join(docs, "a.jsonl"), filepath.Join(docs, "b.jsonl")
	dir := newIndexDir(t)

	tests := []struct {
		name       string
		change     func(t *testing.T)
		wantCode   int
		want       syncCounts
		wantStderr []string
		wantIDs    []string // every article in the index
	}{
		{
			name: "new index",
			change: func(t *testing.T) {
				writeJSONLines(t, a, jsonLine("a1", "apples"), jsonLine("a2", "apricots"))
				writeJSONLines(t, b, jsonLine("b1", "bananas"))
			},
			wantCode: exitOK,
			want:     syncCounts{status: "synced", articles: 3, added: 3},
			wantIDs:  []string{"a1", "a2", "b1"},
		},
		{
			name:     "nothing changed",
			change:   func(*testing.T) {},
			wantCode: exitOK,
			want:     syncCounts{status: "synced", articles: 3, unchanged: 3},
			wantIDs:  []string{"a1", "a2", "b1"},
		},
		{
			name: "a broken line keeps its article, a removed file loses its",
			change: func(t *testing.T) {
				writeJSONLines(t, a, jsonLine("a1", "avocados"), `{"id":"a2","title":`)
				if err := os.Remove(b); err != nil {
					t.Fatal(err)
				}
			},
			wantCode: exitRejected,
			want:     syncCounts{status: "synced", articles: 1, updated: 1, deleted: 1, rejected: 1},
			wantStderr: []string{
				a + ":2: invalid JSON: unexpected end of JSON input",
				a + ": warning: kept 1 indexed articles not read from it, as it has rejected records",
			},
			wantIDs: []string{"a1", "a2"},
		},
		{
			name: "line mended without the article",
			change: func(t *testing.T) {
				writeJSONLines(t, a, jsonLine("a1", "avocados"))
			},
			wantCode: exitOK,
			want:     syncCounts{status: "synced", articles: 1, unchanged: 1, deleted: 1},
			wantIDs:  []string{"a1"},
		},
	}
	for _, tt := range tests {
		// Each step builds on the one before.
		t.Run(tt.name, func(t *testing.T) {
			tt.change(t)
			r := wensou(t, nil, "index", "--sync", "--index", dir, docs)
			if r.code != tt.wantCode {
				t.Errorf("exit code = %d, want %d\n%v", r.code, tt.wantCode, r)
			}
			checkSyncSummary(t, r.stdout, tt.want)
			if diff := cmp.Diff(tt.wantStderr, stderrLines(r.stderr)); diff != "" {
				t.Errorf("stderr lines (-want +got):\n%s", diff)
			}
			checkIndexed(t, dir, tt.wantIDs...)
		})
	}
	// The edit reached the index.
	if body := checkIndexed(t, dir, "a1")["a1"].Body; !strings.Contains(body, "avocados") {
		t.Errorf("a1's body = %q, want the edited one, with avocados", body)
	}
}

// checkIndexed checks that the index at dir holds exactly the articles
// ids, and returns them by id.
func checkIndexed(t *testing.T, dir string, ids ...string) map[string]article.Article {
	t.Helper()
	ix, err := store.Open(t.Context(), dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := ix.Close(); err != nil {
			t.Error(err)
		}
	}()
	out := map[string]article.Article{}
	for _, id := range ids {
		a, err := ix.Get(t.Context(), id)
		if err != nil {
			t.Errorf("article %s: %v", id, err)
			continue
		}
		out[id] = a
	}
	if n, err := ix.Count(); err != nil || n != uint64(len(ids)) {
		t.Errorf("index holds %d articles (%v), want %d: %q", n, err, len(ids), ids)
	}
	return out
}

// TestIndex_SyncUnreadable: a PATH that does not exist is reported, the
// rest is synced, nothing is deleted and the exit status is 1.
func TestIndex_SyncUnreadable(t *testing.T) {
	docs := t.TempDir()
	a, b := filepath.Join(docs, "a.jsonl"), filepath.Join(docs, "b.jsonl")
	writeJSONLines(t, a, jsonLine("a1", "apples"))
	writeJSONLines(t, b, jsonLine("b1", "bananas"))
	dir := newIndexDir(t)
	if r := wensou(t, nil, "index", "--sync", "--index", dir, docs); r.code != exitOK {
		t.Fatalf("first sync: %v", r)
	}
	if err := os.Remove(b); err != nil {
		t.Fatal(err)
	}
	typo := filepath.Join(docs, "typo")
	r := wensou(t, nil, "index", "--sync", "--index", dir, docs, typo)
	if r.code != exitRejected {
		t.Errorf("exit code = %d, want %d\n%v", r.code, exitRejected, r)
	}
	checkSyncSummary(t, r.stdout, syncCounts{status: "synced", articles: 1, unchanged: 1, rejected: 1})
	want := []string{
		typo + ": no such file or directory",
		"wensou: sync: a path could not be read, nothing deleted: " + typo,
	}
	if diff := cmp.Diff(want, stderrLines(r.stderr)); diff != "" {
		t.Errorf("stderr lines (-want +got):\n%s", diff)
	}
	checkIndexed(t, dir, "a1", "b1")
}

// TestIndex_SyncInterrupted: an interrupted sync deletes nothing.
func TestIndex_SyncInterrupted(t *testing.T) {
	docs := t.TempDir()
	b := filepath.Join(docs, "b.jsonl")
	writeJSONLines(t, filepath.Join(docs, "a.jsonl"), jsonLine("a1", "apples"))
	writeJSONLines(t, b, jsonLine("b1", "bananas"))
	dir := newIndexDir(t)
	if r := wensou(t, nil, "index", "--sync", "--index", dir, docs); r.code != exitOK {
		t.Fatalf("first sync: %v", r)
	}
	if err := os.Remove(b); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	r := wensouCtx(ctx, nil, nil, "index", "--sync", "--index", dir, docs)
	if r.code != exitSignal || r.stderr != "wensou: interrupted\n" {
		t.Errorf("want exit %d and \"wensou: interrupted\", got %v", exitSignal, r)
	}
	checkSyncSummary(t, r.stdout, syncCounts{status: "stopped after syncing"})
	checkIndexed(t, dir, "a1", "b1")
}

func TestIndex_SyncHelp(t *testing.T) {
	r := wensou(t, nil, "index", "-h")
	if r.code != exitOK || !strings.Contains(r.stderr, "--sync") || !strings.Contains(r.stderr, "wensou index --sync") {
		t.Errorf("wensou index -h: want usage mentioning --sync, got %v", r)
	}
}
