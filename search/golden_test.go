package search

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// goldenCase is one search whose full result (ids in rank order, title
// highlight, body fragments) is kept in testdata/golden/<name>.golden.
type goldenCase struct {
	name    string
	query   string
	authors []string
	from    string
	to      string
	sort    Sort
}

var goldenCases = []goldenCase{
	{name: "zh_word", query: "职业教育"},
	{name: "zh_two_words", query: "产教融合 工匠"},
	{name: "en_words", query: "night trains"},
	{name: "en_stemmed", query: "prices"},
	{name: "mixed", query: "Go语言 泛型"},
	{name: "phrase_zh", query: `"职业教育"`},
	{name: "phrase_en", query: `"night train"`},
	{name: "exclusion", query: "职业教育 -河南"},
	{name: "or", query: "惠州 OR 广州"},
	{name: "author_field", query: "author:李明华"},
	{name: "prefix", query: "rout*"},
	{name: "question_zh", query: "如何在Debian中配置LVM"},
	{name: "partial", query: "wheat harvest 无人机"},
	{name: "html_text", query: "script"},
	{name: "fullwidth", query: "ＧＯ语言"},
	{name: "filter_author", query: "教育", authors: []string{"李明华"}},
	{name: "filter_date", query: "", from: "2023-01-01", to: "2023-06-30"},
	{name: "sort_newest", query: "Go", sort: SortNewest},
}

// TestSearch_Golden runs searches over the sample articles in
// ../data/articles and compares each result with its golden file. Run
// with -update to rewrite the files, then review the diff.
func TestSearch_Golden(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the gse dictionary and indexes the sample articles")
	}
	ix := newTestIndex(t, filepath.Join("..", "data", "articles"))
	s := newTestSearcher(t, ix)
	loc := ix.Location()
	for _, c := range goldenCases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			req := Request{Query: c.query, Authors: c.authors, Sort: c.sort}
			var err error
			if req.From, err = ParseBound(c.from, loc, false); err != nil {
				t.Fatal(err)
			}
			if req.To, err = ParseBound(c.to, loc, true); err != nil {
				t.Fatal(err)
			}
			res, err := s.Search(t.Context(), req)
			if err != nil {
				t.Fatalf("Search(%q): %v", c.query, err)
			}
			got := formatGolden(c, res)
			path := filepath.Join("testdata", "golden", c.name+".golden")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("Search(%q) differs from %s (-want +got):\n%s", c.query, path, diff)
			}
		})
	}
}

// formatGolden writes a result as text, leaving out what varies from run
// to run (scores, timing).
func formatGolden(c goldenCase, res *Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "query: %s\n", c.query)
	if len(c.authors) > 0 {
		fmt.Fprintf(&b, "authors: %s\n", strings.Join(c.authors, ", "))
	}
	if c.from != "" || c.to != "" {
		fmt.Fprintf(&b, "dates: %s .. %s\n", c.from, c.to)
	}
	if c.sort != "" {
		fmt.Fprintf(&b, "sort: %s\n", c.sort)
	}
	fmt.Fprintf(&b, "total: %d\n", res.Total)
	if res.Partial {
		b.WriteString("partial: true\n")
	}
	for i, h := range res.Hits {
		fmt.Fprintf(&b, "\n%d. %s (%s)\n", i+1, h.ID, h.Date)
		fmt.Fprintf(&b, "   title: %s\n", h.Highlight.Title)
		for _, f := range h.Highlight.Body {
			fmt.Fprintf(&b, "   body:  %s\n", f)
		}
	}
	return b.String()
}
