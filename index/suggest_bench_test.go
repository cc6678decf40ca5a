package index

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// suggestBenchPrefixes are what people type on their way to a query:
// Chinese and English, one character to a few words.
var suggestBenchPrefixes = []string{
	"职", "职业", "中国", "中国人", "北京大", "經濟", "学", "改革开",
	"s", "oil", "oil pri", "infla", "market", "the", "com", "wheat cr",
	"2022", "新华社", "社会主义", "技术",
	"zhiy", "jingji", "beij", // pinyin
}

// suggestBenchIndex opens the index the benchmark asks: the one at
// $WENSOU_BENCH_INDEX (a store directory, or one generation of it, as
// built by "wensou index"), or else a fresh one of the Reuters and
// Chinese news articles of ../shared/corpus (about 27,000).
func suggestBenchIndex(b *testing.B) *Index {
	b.Helper()
	if dir := os.Getenv("WENSOU_BENCH_INDEX"); dir != "" {
		if raw, err := os.ReadFile(filepath.Join(dir, "CURRENT")); err == nil {
			var p struct {
				Generation string `json:"generation"`
			}
			if err := json.Unmarshal(raw, &p); err != nil {
				b.Fatal(err)
			}
			dir = filepath.Join(dir, p.Generation)
		}
		ix, err := Open(b.Context(), Options{Path: dir})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { closeTest(b, ix) })
		return ix
	}
	corpus := filepath.Join("..", "..", "shared", "corpus")
	var paths []string
	for _, f := range []string{"reuters21578.jsonl", "sighan2005_msr_test.jsonl", "sighan2005_pku_test.jsonl", "cn_web_extract.jsonl"} {
		paths = append(paths, filepath.Join(corpus, f))
	}
	if _, err := os.Stat(paths[0]); err != nil {
		b.Skipf("no corpus at %s (set WENSOU_BENCH_INDEX to an index instead): %v", corpus, err)
	}
	ix := openTest(b, filepath.Join(b.TempDir(), "idx.bleve"))
	b.Cleanup(func() { closeTest(b, ix) })
	if _, err := Ingest(b.Context(), ix, paths, IngestOptions{}); err != nil {
		b.Fatal(err)
	}
	return ix
}

// BenchmarkIndex_Suggest completes suggestBenchPrefixes, in turn (mix)
// and one by one, and what is typed on the way to the queries of
// ../shared/bench/queries.txt (typed), once the segments' completion
// dictionaries are built (as they are after the first requests).
func BenchmarkIndex_Suggest(b *testing.B) {
	ix := suggestBenchIndex(b)
	n, err := ix.Count()
	if err != nil {
		b.Fatal(err)
	}
	for _, p := range suggestBenchPrefixes {
		if _, err := ix.Suggest(b.Context(), p, DefaultSuggestions); err != nil {
			b.Fatal(err)
		}
	}
	waitBuilt(b, ix)
	snap, _, _, err := ix.snapshot()
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%d articles in %d segments", n, len(snap.Segments()))
	if err := snap.Close(); err != nil {
		b.Fatal(err)
	}
	b.Run("mix", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if _, err := ix.Suggest(b.Context(), suggestBenchPrefixes[i%len(suggestBenchPrefixes)], DefaultSuggestions); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	if typed := typedQueries(b); len(typed) > 0 {
		// Once through first: what one request reads (the articles that
		// hold the words typed before the last one, a phrase's count) is
		// kept for the next keystrokes.
		for _, p := range typed {
			if _, err := ix.Suggest(b.Context(), p, DefaultSuggestions); err != nil {
				b.Fatal(err)
			}
		}
		b.Run("typed", func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if _, err := ix.Suggest(b.Context(), typed[i%len(typed)], DefaultSuggestions); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
	for _, p := range suggestBenchPrefixes {
		b.Run(p, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ix.Suggest(b.Context(), p, DefaultSuggestions); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// typedQueries returns what is typed on the way to the queries of
// ../shared/bench/queries.txt: every prefix of each query's words (field
// names, operators and quotes left out) that does not end in a space;
// none when the file is missing.
func typedQueries(b *testing.B) []string {
	b.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "shared", "bench", "queries.txt"))
	if err != nil {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	for _, q := range strings.Split(string(raw), "\n") {
		var words []string
		for _, w := range strings.Fields(q) {
			w = strings.TrimLeft(w, "+-")
			if _, v, ok := strings.Cut(w, ":"); ok {
				w = v
			}
			if w = strings.Trim(w, `"“”`); w != "" && w != "OR" {
				words = append(words, w)
			}
		}
		text := strings.Join(words, " ")
		for i := range text + " " {
			if p := text[:i]; i > 0 && !seen[p] && !strings.HasSuffix(p, " ") {
				seen[p] = true
				out = append(out, p)
			}
		}
	}
	return out
}
