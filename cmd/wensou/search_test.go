package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/google/go-cmp/cmp"

	"github.com/wensou/wensou/index/zh"
	"github.com/wensou/wensou/search"
)

// keys returns the sorted keys of a decoded JSON object, failing when v
// is not one.
func keys(t *testing.T, what string, v any) []string {
	t.Helper()
	m, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("%s = %#v, want a JSON object", what, v)
	}
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// checkJSONShape checks that out has exactly the documented keys at
// every level.
func checkJSONShape(t *testing.T, out string) {
	t.Helper()
	var top any
	if err := json.Unmarshal([]byte(out), &top); err != nil {
		t.Fatalf("decode %q: %v", out, err)
	}
	want := map[string][]string{
		"result":    {"facets", "hits", "page", "query", "size", "took_ms", "total"},
		"hit":       {"author", "date", "highlight", "id", "score", "title", "url"},
		"highlight": {"body", "title"},
		"facets":    {"author", "month", "year"},
		"bucket":    {"count", "value"},
	}
	check := func(kind string, v any) map[string]any {
		t.Helper()
		if diff := cmp.Diff(want[kind], keys(t, kind, v)); diff != "" {
			t.Errorf("%s keys (-want +got):\n%s", kind, diff)
		}
		return v.(map[string]any)
	}
	if m, ok := top.(map[string]any); ok {
		// next, the cursor of the following page, is there only when
		// more results follow.
		if next, ok := m["next"]; ok {
			if s, _ := next.(string); s == "" {
				t.Errorf("next = %#v, want a non-empty cursor when present", next)
			}
			delete(m, "next")
		}
	}
	res := check("result", top)
	hits, ok := res["hits"].([]any)
	if !ok {
		t.Fatalf("hits = %#v, want an array", res["hits"])
	}
	for _, h := range hits {
		hit := check("hit", h)
		check("highlight", hit["highlight"])
		if _, ok := hit["author"].([]any); !ok {
			t.Errorf("hit author = %#v, want an array", hit["author"])
		}
		if _, ok := hit["highlight"].(map[string]any)["body"].([]any); !ok {
			t.Errorf("hit highlight body = %#v, want an array", hit["highlight"].(map[string]any)["body"])
		}
	}
	facets := check("facets", res["facets"])
	for _, name := range []string{"author", "year", "month"} {
		bs, ok := facets[name].([]any)
		if !ok {
			t.Errorf("facets.%s = %#v, want an array", name, facets[name])
			continue
		}
		for _, b := range bs {
			check("bucket", b)
		}
	}
}

// tagRE finds HTML tags and character references.
var tagRE = regexp.MustCompile(`</?[a-zA-Z][^>]*>`)

// checkHighlight checks that a highlight is escaped text with <mark> as
// its only markup, and reports whether it marks something.
func checkHighlight(t *testing.T, h string) bool {
	t.Helper()
	for _, tag := range tagRE.FindAllString(h, -1) {
		if tag != "<mark>" && tag != "</mark>" {
			t.Errorf("highlight %q holds the tag %q", h, tag)
		}
	}
	if rest := strings.NewReplacer("<mark>", "", "</mark>", "").Replace(h); strings.ContainsAny(rest, "<>") {
		t.Errorf("highlight %q holds an unescaped < or >", h)
	}
	if strings.Count(h, "<mark>") != strings.Count(h, "</mark>") {
		t.Errorf("highlight %q has unbalanced <mark>", h)
	}
	return strings.Contains(h, "<mark>")
}

func TestSearch(t *testing.T) {
	dir := buildIndex(t, samplesDir)

	t.Run("json shape", func(t *testing.T) {
		r := wensou(t, nil, "search", "--index", dir, "--json", "职业教育")
		if r.code != exitOK || r.stderr != "" {
			t.Fatalf("wensou search --json: %v", r)
		}
		checkJSONShape(t, r.stdout)
		res := searchJSON(t, dir, "职业教育")
		if res.Query != "职业教育" || res.Page != 1 || res.Size != search.DefaultSize || res.TookMs < 0 {
			t.Errorf("query, page, size, took_ms = %q, %d, %d, %v; want 职业教育, 1, %d, ≥ 0", res.Query, res.Page, res.Size, res.TookMs, search.DefaultSize)
		}
		if res.Total < 2 || uint64(len(res.Hits)) != min(res.Total, search.DefaultSize) {
			t.Fatalf("total %d with %d hits, want at least 2, all on the page", res.Total, len(res.Hits))
		}
		for _, h := range res.Hits {
			marked := checkHighlight(t, h.Highlight.Title)
			for _, f := range h.Highlight.Body {
				marked = checkHighlight(t, f) || marked
			}
			if !marked {
				t.Errorf("hit %s: nothing marked in %q", h.ID, h.Highlight)
			}
			if h.ID == "" || h.Title == "" || h.Score <= 0 {
				t.Errorf("hit %+v: want an id, a title and a positive score", h)
			}
			if h.Date != "" && !regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`).MatchString(h.Date) {
				t.Errorf("hit %s: date %q, want YYYY-MM-DD", h.ID, h.Date)
			}
		}
		if len(res.Facets.Author) == 0 || len(res.Facets.Year) == 0 || len(res.Facets.Month) == 0 {
			t.Errorf("facets = %+v, want authors, years and months", res.Facets)
		}
		var years int
		for _, b := range res.Facets.Year {
			years += b.Count
		}
		if uint64(years) > res.Total {
			t.Errorf("year facet counts %d articles, more than the %d found", years, res.Total)
		}
	})

	t.Run("author filter", func(t *testing.T) {
		all := searchJSON(t, dir, "--size", "100", "职业教育")
		res := searchJSON(t, dir, "--author", "李明华", "--size", "100", "职业教育")
		if res.Total == 0 || res.Total >= all.Total {
			t.Errorf("total %d with --author, %d without; want fewer, but some", res.Total, all.Total)
		}
		for _, h := range res.Hits {
			if !slices.Contains(h.Author, "李明华") {
				t.Errorf("hit %s by %q, want only 李明华's", h.ID, h.Author)
			}
		}
		if diff := cmp.Diff([]search.Bucket{{Value: "李明华", Count: int(res.Total)}}, res.Facets.Author[:1]); diff != "" {
			t.Errorf("author facet (-want +got):\n%s", diff)
		}
		// Repeated --author means any of them.
		two := searchJSON(t, dir, "--author", "李明华", "--author", "赵静", "--size", "100", "职业教育")
		if two.Total <= res.Total {
			t.Errorf("total %d with two authors, %d with one; want more", two.Total, res.Total)
		}
	})

	t.Run("date range", func(t *testing.T) {
		const q = "年 OR 市 OR 记者 OR 职业 OR price OR school"
		res := searchJSON(t, dir, "--from", "2023-01-01", "--to", "2023-12-31", "--size", "100", q)
		all := searchJSON(t, dir, "--size", "100", q)
		if res.Total < 2 || res.Total >= all.Total {
			t.Fatalf("total %d from 2023 of %d, want some, not all", res.Total, all.Total)
		}
		for _, h := range res.Hits {
			if !strings.HasPrefix(h.Date, "2023-") {
				t.Errorf("hit %s dated %q, want 2023", h.ID, h.Date)
			}
		}
		// The year facet ignores the date filter (so a sidebar can offer
		// the other years) and counts as the whole search does.
		if diff := cmp.Diff(all.Facets.Year, res.Facets.Year); diff != "" {
			t.Errorf("year facet with a date filter vs without (-want +got):\n%s", diff)
		}
		for _, b := range res.Facets.Year {
			if b.Value == "2023" && b.Count != int(res.Total) {
				t.Errorf("year facet 2023 = %d, want the total %d", b.Count, res.Total)
			}
		}
		// A year alone as --to means its end.
		year := searchJSON(t, dir, "--from", "2023", "--to", "2023", "--size", "100", q)
		if diff := cmp.Diff(hitIDs(res), hitIDs(year)); diff != "" {
			t.Errorf("--from 2023 --to 2023 vs whole dates (-want +got):\n%s", diff)
		}
		// Both bounds are inclusive: one day is that whole day.
		day := searchJSON(t, dir, "--from", "2023-06-18", "--to", "2023年6月18日", "职业教育")
		if diff := cmp.Diff([]string{"zh-xuchang-vocational-group"}, hitIDs(day)); diff != "" {
			t.Errorf("--from and --to 2023-06-18 (-want +got):\n%s", diff)
		}
	})

	t.Run("date range without a query", func(t *testing.T) {
		r := wensou(t, nil, "search", "--index", dir, "--json", "--from", "2023-01-01", "")
		if r.code != exitOK {
			t.Fatalf("search --from 2023-01-01 \"\": %v", r)
		}
		checkJSONShape(t, r.stdout)
	})

	t.Run("sort", func(t *testing.T) {
		for _, sort := range []string{"newest", "oldest"} {
			res := searchJSON(t, dir, "--sort", sort, "--size", "100", "")
			if len(res.Hits) < 20 {
				t.Fatalf("--sort %s: %d hits, want the whole index", sort, len(res.Hits))
			}
			var dates []string
			for _, h := range res.Hits {
				if h.Date != "" {
					dates = append(dates, h.Date)
				}
			}
			want := slices.Clone(dates)
			slices.Sort(want)
			if sort == "newest" {
				slices.Reverse(want)
			}
			if diff := cmp.Diff(want, dates); diff != "" {
				t.Errorf("--sort %s dates (-want +got):\n%s", sort, diff)
			}
		}
		rel := searchJSON(t, dir, "--sort", "relevance", "--size", "100", "职业教育")
		for i := 1; i < len(rel.Hits); i++ {
			if rel.Hits[i].Score > rel.Hits[i-1].Score {
				t.Errorf("--sort relevance: score %v after %v", rel.Hits[i].Score, rel.Hits[i-1].Score)
			}
		}
	})

	t.Run("paging", func(t *testing.T) {
		four := searchJSON(t, dir, "--sort", "newest", "--size", "4", "")
		p1 := searchJSON(t, dir, "--sort", "newest", "--size", "2", "")
		p2 := searchJSON(t, dir, "--sort", "newest", "--size", "2", "--page", "2", "")
		if p2.Page != 2 || p2.Size != 2 || len(p1.Hits) != 2 || len(p2.Hits) != 2 {
			t.Fatalf("page 2: page %d, size %d, %d and %d hits; want 2, 2, 2 and 2", p2.Page, p2.Size, len(p1.Hits), len(p2.Hits))
		}
		if diff := cmp.Diff(hitIDs(four), append(hitIDs(p1), hitIDs(p2)...)); diff != "" {
			t.Errorf("pages 1 and 2 of size 2 vs page 1 of size 4 (-want +got):\n%s", diff)
		}
		if p1.Total != p2.Total {
			t.Errorf("total %d on page 1, %d on page 2", p1.Total, p2.Total)
		}
		past := searchJSON(t, dir, "--page", "100", "职业教育")
		if past.Total == 0 || len(past.Hits) != 0 {
			t.Errorf("page past the end: total %d, %d hits; want a total and no hits", past.Total, len(past.Hits))
		}
		r := wensou(t, nil, "search", "--index", dir, "--page", "100", "职业教育")
		if r.code != exitOK || !strings.Contains(r.stdout, "page 100 is past the end") {
			t.Errorf("text output for a page past the end: %v", r)
		}
	})

	t.Run("flags after the query", func(t *testing.T) {
		res := searchJSON(t, dir, "职业教育", "--size", "2")
		if res.Query != "职业教育" || res.Size != 2 || len(res.Hits) != 2 {
			t.Errorf("query %q, size %d, %d hits; want 职业教育, 2, 2", res.Query, res.Size, len(res.Hits))
		}
	})

	t.Run("excluded word", func(t *testing.T) {
		all := searchJSON(t, dir, "--size", "100", "职业教育")
		var withXuchang []string
		for _, h := range all.Hits {
			if strings.Contains(h.Title+strings.Join(h.Highlight.Body, ""), "许昌") {
				withXuchang = append(withXuchang, h.ID)
			}
		}
		if len(withXuchang) == 0 {
			t.Fatal("no 职业教育 article mentions 许昌; the sample data changed")
		}
		for _, args := range [][]string{
			{"--size", "100", "职业教育", "-许昌"},
			{"--size", "100", "--", "职业教育", "-许昌"},
			{"-size", "100", "-许昌", "职业教育"},
		} {
			res := searchJSON(t, dir, args...)
			if res.Query != "职业教育 -许昌" && res.Query != "-许昌 职业教育" {
				t.Errorf("search %q: query %q", args, res.Query)
			}
			if res.Total == 0 || res.Total >= all.Total {
				t.Errorf("search %q: total %d, want fewer than %d", args, res.Total, all.Total)
			}
			for _, id := range hitIDs(res) {
				if slices.Contains(withXuchang, id) {
					t.Errorf("search %q: found %s, which mentions 许昌", args, id)
				}
			}
		}
	})

	t.Run("tag filter", func(t *testing.T) {
		res := searchJSON(t, dir, "--tag", "职业教育", "--size", "100", "")
		all := searchJSON(t, dir, "--size", "100", "")
		if res.Total == 0 || res.Total >= all.Total {
			t.Errorf("--tag 职业教育: total %d of %d, want some, not all", res.Total, all.Total)
		}
	})

	t.Run("text", func(t *testing.T) {
		r := wensou(t, nil, "search", "--index", dir, "--size", "3", "职业教育")
		if r.code != exitOK || r.stderr != "" {
			t.Fatalf("wensou search: %v", r)
		}
		if !regexp.MustCompile(`^\d+ results? for "职业教育", 1-3 shown \([0-9.]+ ms\)\n`).MatchString(r.stdout) {
			t.Errorf("first line of %q, want the count and the range shown", r.stdout)
		}
		for _, want := range []string{"\n1. ", "\n3. ", "**职业", "\nAuthors: ", "\nYears: ", "\nMonths: ", " · id "} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("output lacks %q:\n%s", want, r.stdout)
			}
		}
		for _, bad := range []string{"\033", "<mark>", "</mark>", "&lt;", "&#"} {
			if strings.Contains(r.stdout, bad) {
				t.Errorf("output holds %q:\n%s", bad, r.stdout)
			}
		}
		if strings.Contains(r.stdout, "\n4. ") {
			t.Errorf("--size 3 printed a 4th hit:\n%s", r.stdout)
		}
	})

	t.Run("no results", func(t *testing.T) {
		r := wensou(t, nil, "search", "--index", dir, "zzqqxxyy")
		if r.code != exitOK || r.stderr != "" || !strings.HasPrefix(r.stdout, `No articles found for "zzqqxxyy"`) {
			t.Errorf("wensou search zzqqxxyy: %v", r)
		}
		r = wensou(t, nil, "search", "--index", dir, "--json", "zzqqxxyy")
		if r.code != exitOK {
			t.Fatalf("wensou search --json zzqqxxyy: %v", r)
		}
		checkJSONShape(t, r.stdout)
		if !strings.Contains(r.stdout, `"hits": []`) {
			t.Errorf("hits of an empty result are not []: %s", r.stdout)
		}
	})

	t.Run("env", func(t *testing.T) {
		env := map[string]string{"WENSOU_INDEX": dir, "WENSOU_SIZE": "3", "WENSOU_SORT": "oldest"}
		r := wensou(t, env, "search", "--json", "职业教育")
		if r.code != exitOK {
			t.Fatalf("search with WENSOU_INDEX: %v", r)
		}
		var res search.Result
		if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
			t.Fatal(err)
		}
		oldest := searchJSON(t, dir, "--sort", "oldest", "--size", "3", "职业教育")
		if diff := cmp.Diff(hitIDs(oldest), hitIDs(res)); diff != "" {
			t.Errorf("WENSOU_SIZE=3 WENSOU_SORT=oldest (-want +got):\n%s", diff)
		}
	})
}

func TestSearch_FirstRun(t *testing.T) {
	t.Run("builds from the samples", func(t *testing.T) {
		dir := newIndexDir(t)
		r := wensou(t, nil, "search", "--index", dir, "--samples", samplesDir, "--json", "职业教育")
		if r.code != exitOK {
			t.Fatalf("first run: %v", r)
		}
		if !strings.HasPrefix(r.stderr, "no index at "+dir+" yet: building it from "+samplesDir+"\n") {
			t.Errorf("stderr = %q, want it to say it builds the index", r.stderr)
		}
		// The summary goes to stderr: stdout is the JSON alone.
		if !strings.Contains(r.stderr, "\nindexed ") {
			t.Errorf("stderr = %q, want the indexing summary", r.stderr)
		}
		var res search.Result
		if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
			t.Fatalf("stdout is not one JSON result: %v\n%s", err, r.stdout)
		}
		if res.Total == 0 {
			t.Errorf("first run found nothing for 职业教育")
		}
		// The second run uses the index.
		r = wensou(t, nil, "search", "--index", dir, "--samples", samplesDir, "职业教育")
		if r.code != exitOK || r.stderr != "" {
			t.Errorf("second run: %v", r)
		}
	})

	t.Run("no samples", func(t *testing.T) {
		dir := newIndexDir(t)
		samples := filepath.Join(t.TempDir(), "no-such-articles")
		r := wensou(t, nil, "search", "--index", dir, "--samples", samples, "职业教育")
		if r.code != exitRejected {
			t.Errorf("exit code = %d, want %d\n%v", r.code, exitRejected, r)
		}
		if strings.Count(r.stderr, "\n") != 1 || !strings.HasPrefix(r.stderr, "wensou: ") {
			t.Errorf("stderr = %q, want one line", r.stderr)
		}
		for _, want := range []string{dir, samples, "wensou index --index " + dir} {
			if !strings.Contains(r.stderr, want) {
				t.Errorf("stderr = %q, want it to mention %q", r.stderr, want)
			}
		}
		if _, err := os.Stat(dir); !os.IsNotExist(err) {
			t.Errorf("index directory created (stat: %v)", err)
		}
	})

	t.Run("interrupted", func(t *testing.T) {
		// Ctrl-C during the build leaves no half-built index behind for
		// the next run to take as complete.
		dir := newIndexDir(t)
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		// Cancel as the first rejection in the samples is reported: the
		// index exists by then and the articles are being read.
		r := wensouCtx(ctx, nil, func(s string) {
			if strings.Contains(s, badFile+":") {
				cancel()
			}
		}, "search", "--index", dir, "--samples", badDir, "城市书房")
		if r.code != exitSignal {
			t.Errorf("exit code = %d, want %d\n%v", r.code, exitSignal, r)
		}
		if _, err := os.Stat(dir); !os.IsNotExist(err) {
			t.Errorf("partial index left at %s (stat: %v)", dir, err)
		}
		r = wensou(t, nil, "search", "--index", dir, "--samples", badDir, "--json", "城市书房")
		if r.code != exitOK || !strings.Contains(r.stderr, "building") || !strings.Contains(r.stdout, "fx-bad-kept") {
			t.Errorf("next run: %v", r)
		}
	})
}

func TestSearch_EscapesArticleHTML(t *testing.T) {
	dir := buildIndex(t, goodDir)
	for _, q := range []string{"script", "survey form"} {
		res := searchJSON(t, dir, q)
		if len(res.Hits) != 1 || res.Hits[0].ID != "fx-script" {
			t.Fatalf("search %q: hits %q, want fx-script", q, hitIDs(res))
		}
		body := strings.Join(res.Hits[0].Highlight.Body, " … ")
		checkHighlight(t, body)
		unmarked := strings.NewReplacer("<mark>", "", "</mark>", "").Replace(body)
		if !strings.Contains(unmarked, "&lt;script&gt;alert(1)&lt;/script&gt;") {
			t.Errorf("search %q: body highlight %q, want the script tag escaped", q, body)
		}
	}
	// On a terminal-less stdout, the text output shows the text as written.
	r := wensou(t, nil, "search", "--index", dir, "survey form")
	if !strings.Contains(r.stdout, "<script>alert(1)</script>") {
		t.Errorf("text output lacks the article's own text:\n%s", r.stdout)
	}
}

func TestSearch_IncompatibleIndex(t *testing.T) {
	dir := buildIndex(t, goodDir)
	// Pretend another analyzer built the index: change what it records
	// under index.metaKey.
	if _, err := zh.Load(zh.Options{}); err != nil {
		t.Fatal(err)
	}
	var cur struct{ Generation string }
	raw, err := os.ReadFile(filepath.Join(dir, "CURRENT"))
	if err == nil {
		err = json.Unmarshal(raw, &cur)
	}
	if err != nil {
		t.Fatal(err)
	}
	b, err := bleve.Open(filepath.Join(dir, cur.Generation))
	if err != nil {
		t.Fatal(err)
	}
	if err := b.SetInternal([]byte("wensou.meta"), []byte(`{"schema":1,"analyzer":"gse-other-dictionary"}`)); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"search", "--index", dir, "职业教育"},
		{"index", "--index", dir, goodDir},
		{"serve", "--index", dir, "--addr", "127.0.0.1:0"},
	} {
		r := wensou(t, nil, args...)
		if r.code != exitRejected || r.stdout != "" {
			t.Errorf("wensou %q: %v, want exit %d and no output", args, r, exitRejected)
		}
		for _, want := range []string{"gse-other-dictionary", "rebuild", "wensou reindex --index " + dir} {
			if !strings.Contains(r.stderr, want) {
				t.Errorf("wensou %q: stderr = %q, want it to mention %q", args, r.stderr, want)
			}
		}
	}
	// The command it suggests rebuilds the index from its stored articles.
	r := wensou(t, nil, "reindex", "--index", dir)
	if r.code != exitOK || !strings.Contains(r.stdout, "from stored: 6 articles") {
		t.Fatalf("reindex of the old index: %v", r)
	}
	if res := searchJSON(t, dir, "--size", "100", ""); res.Total != 6 {
		t.Errorf("after the rebuild: %d articles, want 6", res.Total)
	}
}

func TestPrintResult(t *testing.T) {
	res := &search.Result{
		Query: "油价", Total: 1, TookMs: 1.25, Page: 1, Size: 10,
		Hits: []search.Hit{{
			ID: "a1", Author: []string{"李明", "Emily"}, Date: "2022-09-23", URL: "https://example.com/a1",
			Highlight: search.Highlight{
				Title: "<mark>油价</mark> &amp; 运价",
				Body:  []string{"国际<mark>油价</mark>上涨 &lt;b&gt;"},
			},
		}},
		Facets: search.Facets{Author: []search.Bucket{{Value: "李明", Count: 1}, {Value: "Emily", Count: 1}}},
	}
	tests := []struct {
		name  string
		color bool
		want  string
	}{
		{"plain", false, `1 result for "油价", 1-1 shown (1.2 ms)

1. **油价** & 运价
   李明, Emily · 2022-09-23 · https://example.com/a1 · id a1
   国际**油价**上涨 <b>

Authors: 李明 (1) · Emily (1)
`},
		{"color", true, "1 result for \"油价\", 1-1 shown (1.2 ms)\n\n" +
			"1. " + styleTitle + styleMark + "油价" + styleReset + " & 运价" + styleReset + "\n" +
			"   " + styleDim + "李明, Emily · 2022-09-23 · https://example.com/a1 · id a1" + styleReset + "\n" +
			"   国际" + styleMark + "油价" + styleReset + "上涨 <b>\n\n" +
			"Authors: 李明 (1) · Emily (1)\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			printResult(&b, res, tt.color)
			if diff := cmp.Diff(tt.want, b.String()); diff != "" {
				t.Errorf("printResult (-want +got):\n%s", diff)
			}
		})
	}
}

// TestSearch_Typos: a misspelt word finds its article, and the command
// says what it searched for; --typos=false searches the words as typed.
func TestSearch_Typos(t *testing.T) {
	dir := buildIndex(t, samplesDir)
	// The repository's dictionary folder, with a synonym more.
	dict := t.TempDir()
	for _, name := range []string{"user.dict", "news.stop", "news.syn"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "data", "dict", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dict, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dict, "test.syn"), []byte("职高 职业教育\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args       []string
		wantOut    []string
		wantNotOut []string
	}{
		{[]string{"marahton", "runners"}, []string{`Showing results for "marathon runners"; search instead for "marahton runners" with --typos=false.`, "Riverton **Marathon**"}, nil},
		{[]string{"--typos=false", "marahton"}, []string{`No articles found for "marahton"`}, []string{"Showing results"}},
		{[]string{"--typo-min-one", "9", "marahton"}, []string{`No articles found for "marahton"`}, nil},
		// A wrong character of a close reading: did you mean.
		{[]string{"职业教月"}, []string{`Did you mean "职业教育"?`}, nil},
		// Pinyin, full or initials, finds the Chinese titles.
		{[]string{"zhiye", "jiaoyu"}, []string{"**职业教育**"}, nil},
		{[]string{"zyjy"}, []string{"**职业教育**"}, nil},
		// Synonyms of the dictionary folder: 职高 is in no article.
		{[]string{"--dict", dict, "职高"}, []string{"**职业教育**"}, []string{"No articles found"}},
	}
	for _, tt := range tests {
		r := wensou(t, nil, append([]string{"search", "--index", dir}, tt.args...)...)
		if r.code != exitOK {
			t.Fatalf("wensou search %q: %v", tt.args, r)
		}
		for _, want := range tt.wantOut {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("wensou search %q: stdout %q, want it to hold %q", tt.args, r.stdout, want)
			}
		}
		for _, not := range tt.wantNotOut {
			if strings.Contains(r.stdout, not) {
				t.Errorf("wensou search %q: stdout %q holds %q", tt.args, r.stdout, not)
			}
		}
	}
	res := searchJSON(t, dir, "marahton")
	if res.Corrected["marahton"] != "marathon" || res.Total != 1 {
		t.Errorf(`search --json marahton: corrected %v, total %d; want {"marahton": "marathon"}, 1`, res.Corrected, res.Total)
	}
}
