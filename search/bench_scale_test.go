package search

import (
	"bufio"
	"cmp"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wensou/wensou/index/store"
)

// benchStore opens the index directory named by WENSOU_BENCH_INDEX (made
// by "wensou index" from "gen -n 100000", say), or skips, so that "go
// test -bench ." runs anywhere.
func benchStore(b *testing.B) *store.Store {
	b.Helper()
	dir := os.Getenv("WENSOU_BENCH_INDEX")
	if dir == "" {
		b.Skip("set WENSOU_BENCH_INDEX to an index directory to run")
	}
	st, err := store.Open(b.Context(), dir, store.Options{AllowBusy: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	return st
}

// BenchmarkSearch_BenchQueries runs every query of ../shared/bench's
// queries.txt, facets and highlighting on, against the index directory
// named by WENSOU_BENCH_INDEX; one op is one query, round robin over the
// list. WENSOU_BENCH_QUERY runs that one query instead, to profile it;
// WENSOU_BENCH_SLOWEST=N first logs the N slowest queries.
//
//	WENSOU_BENCH_INDEX=/tmp/i100k.bleve go test -run '^$' -bench BenchQueries -benchmem ./search/
func BenchmarkSearch_BenchQueries(b *testing.B) {
	queries := benchQueries(b)
	s := New(benchStore(b), Options{})
	for _, q := range queries { // warm the columns and the page cache
		if _, err := s.Search(b.Context(), Request{Query: q}); err != nil {
			b.Fatalf("%s: %v", q, err)
		}
	}
	if n, err := strconv.Atoi(os.Getenv("WENSOU_BENCH_SLOWEST")); err == nil && n > 0 {
		logSlowest(b, s, queries, n)
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

// benchQueries reads ../shared/bench's queries.txt, or skips.
// WENSOU_BENCH_QUERY gives one query instead, to profile it.
func benchQueries(b *testing.B) []string {
	if q := os.Getenv("WENSOU_BENCH_QUERY"); q != "" {
		return []string{q}
	}
	qpath := filepath.Join("..", "..", "shared", "bench", "queries.txt")
	f, err := os.Open(qpath)
	if err != nil {
		b.Skipf("needs %s (../shared/bench): %v", qpath, err)
	}
	defer f.Close()
	var queries []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if q := sc.Text(); q != "" {
			queries = append(queries, q)
		}
	}
	return queries
}

// BenchmarkFanout_BenchQueries measures what a search over shards costs
// beside one index of the same articles: the queries of
// BenchmarkSearch_BenchQueries on WENSOU_BENCH_INDEX ("one"), then over
// the shards whose index directories WENSOU_BENCH_SHARDS lists, comma-
// separated, in process ("fanout": the two rounds and the merge, without
// a network).
//
//	WENSOU_BENCH_INDEX=/tmp/i100k.bleve WENSOU_BENCH_SHARDS=/tmp/s0,/tmp/s1,/tmp/s2 go test -run '^$' -bench Fanout -benchmem ./search/
func BenchmarkFanout_BenchQueries(b *testing.B) {
	queries := benchQueries(b)
	dirs := os.Getenv("WENSOU_BENCH_SHARDS")
	if dirs == "" {
		b.Skip("set WENSOU_BENCH_SHARDS to the shards' index directories, comma-separated")
	}
	f := &Fanout{}
	for _, dir := range strings.Split(dirs, ",") {
		st, err := store.Open(b.Context(), dir, store.Options{AllowBusy: true})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { st.Close() })
		f.Shards = append(f.Shards, New(st, Options{}))
	}
	one := New(benchStore(b), Options{})
	for _, bc := range []struct {
		name   string
		search func(context.Context, Request) (*Result, error)
	}{{"one", one.Search}, {fmt.Sprintf("fanout-%d", len(f.Shards)), f.Search}} {
		b.Run(bc.name, func(b *testing.B) {
			for _, q := range queries { // warm the columns and the page cache
				if _, err := bc.search(b.Context(), Request{Query: q}); err != nil {
					b.Fatalf("%s: %v", q, err)
				}
			}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if _, err := bc.search(b.Context(), Request{Query: queries[i%len(queries)]}); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}

// logSlowest logs the n queries with the slowest median of five runs,
// with their totals: the ones that make the p99 of a load run.
func logSlowest(b *testing.B, s *Searcher, queries []string, n int) {
	type timed struct {
		q     string
		took  time.Duration
		total uint64
	}
	var all []timed
	for _, q := range queries {
		var runs [5]time.Duration
		var total uint64
		for i := range runs {
			start := time.Now()
			res, err := s.Search(b.Context(), Request{Query: q})
			if err != nil {
				b.Fatalf("%s: %v", q, err)
			}
			runs[i], total = time.Since(start), res.Total
		}
		slices.Sort(runs[:])
		all = append(all, timed{q, runs[2], total})
	}
	slices.SortFunc(all, func(x, y timed) int { return cmp.Compare(y.took, x.took) })
	for _, t := range all[:min(n, len(all))] {
		b.Logf("%8.2f ms %8d matches  %s", float64(t.took.Microseconds())/1000, t.total, t.q)
	}
}

// BenchmarkSearch_ForgivingScale measures what typo tolerance, pinyin and
// the Chinese did you mean cost at scale, against WENSOU_BENCH_INDEX: a
// correctly spelled query with typo tolerance off and on (what every query
// pays), misspelt ones, a Chinese query beside its pinyin, initials and a
// wrong character.
//
//	WENSOU_BENCH_INDEX=/tmp/i100k.bleve go test -run '^$' -bench ForgivingScale -benchmem ./search/
func BenchmarkSearch_ForgivingScale(b *testing.B) {
	s := New(benchStore(b), Options{})
	for _, bc := range append(slices.Clone(typoBenchCases), []benchCase{
		{"chinese", Request{Query: "中国经济"}},
		{"pinyin", Request{Query: "zhongguo jingji"}},
		{"pinyin-joined", Request{Query: "zhongguojingji"}},
		{"initials", Request{Query: "zgjj"}},
		{"did-you-mean", Request{Query: "中国经记"}},
	}...) {
		b.Run(bc.name, func(b *testing.B) {
			if _, err := s.Search(b.Context(), bc.req); err != nil { // warm
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.Search(b.Context(), bc.req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
