package search

import (
	"bufio"
	"os"
	"path/filepath"
	"testing"

	"github.com/wensou/wensou/index/store"
)

// BenchmarkSearch_BenchQueries runs every query of ../shared/bench's
// queries.txt, facets and highlighting on, against the index directory
// named by WENSOU_BENCH_INDEX (made by "wensou index" from "gen -n
// 100000", say); one op is one query, round robin over the list. It
// skips without the variable, so that "go test -bench ." runs anywhere.
// WENSOU_BENCH_QUERY runs that one query instead, to profile it.
//
//	WENSOU_BENCH_INDEX=/tmp/i100k.bleve go test -run '^$' -bench BenchQueries -benchmem ./search/
func BenchmarkSearch_BenchQueries(b *testing.B) {
	dir := os.Getenv("WENSOU_BENCH_INDEX")
	if dir == "" {
		b.Skip("set WENSOU_BENCH_INDEX to an index directory to run")
	}
	qpath := filepath.Join("..", "..", "shared", "bench", "queries.txt")
	f, err := os.Open(qpath)
	if err != nil {
		b.Skipf("needs %s (../shared/bench): %v", qpath, err)
	}
	var queries []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if q := sc.Text(); q != "" {
			queries = append(queries, q)
		}
	}
	f.Close()
	if q := os.Getenv("WENSOU_BENCH_QUERY"); q != "" {
		queries = []string{q} // one query of the list, to profile it
	}
	st, err := store.Open(b.Context(), dir, store.Options{AllowBusy: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	s := New(st, Options{})
	for _, q := range queries { // warm the columns and the page cache
		if _, err := s.Search(b.Context(), Request{Query: q}); err != nil {
			b.Fatalf("%s: %v", q, err)
		}
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := s.Search(b.Context(), Request{Query: queries[i%len(queries)]}); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
