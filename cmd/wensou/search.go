package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"html"
	"io"
	"os"
	"strings"
	"time"

	"github.com/wensou/wensou/index"
	"github.com/wensou/wensou/index/article"
	"github.com/wensou/wensou/index/store"
	"github.com/wensou/wensou/index/zh"
	"github.com/wensou/wensou/search"
)

func runSearch(ctx context.Context, args []string, env envFunc, stdout, stderr io.Writer) (err error) {
	fs := flag.NewFlagSet("search", flag.ContinueOnError)
	var c commonFlags
	c.register(fs)
	var authors, tags stringList
	fs.Var(&authors, "author", "only articles by this author (repeatable: any of them)")
	fs.Var(&tags, "tag", "only articles with this tag (repeatable: all of them)")
	from := fs.String("from", "", "only articles published on or after this date")
	to := fs.String("to", "", "only articles published on or before this date")
	sort := fs.String("sort", "relevance", "relevance, newest or oldest")
	page := fs.Int("page", 1, "page of results")
	size := fs.Int("size", search.DefaultSize, fmt.Sprintf("results per page (at most %d)", search.MaxSize))
	asJSON := fs.Bool("json", false, "print the result as JSON")
	var typos typoFlags
	typos.register(fs)
	samples := fs.String("samples", defaultSamplesDir, "articles to build the index from when it does not exist yet")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `Usage: wensou search [flags] QUERY

Query language: words are all required (when no article has them all, the
best partial matches come back); "a phrase" or “a phrase”; -word excludes;
a OR b; title:, body:, author:, tag: restrict to a field; word* is a prefix.
Flags may follow the query; put the query after -- when a word in it is
also a flag's name (wensou search -- 油价 -json).

Flags:
`)
		fs.PrintDefaults()
	}
	pos, err := parseFlags(fs, args, env, stderr)
	if err != nil {
		return err
	}
	if *page < 1 {
		return usagef("--page must be 1 or more, not %d", *page)
	}
	if *size < 1 {
		return usagef("--size must be between 1 and %d, not %d", search.MaxSize, *size)
	}
	loc, err := c.location()
	if err != nil {
		return err
	}
	req := search.Request{
		Query: strings.Join(pos, " "), Authors: authors, Tags: tags,
		Sort: search.Sort(*sort), Page: *page, Size: *size,
	}
	if req.From, err = search.ParseBound(*from, loc, false); err != nil {
		return usagef("--from: %v", badRequest(err))
	}
	if req.To, err = search.ParseBound(*to, loc, true); err != nil {
		return usagef("--to: %v", badRequest(err))
	}
	if err := req.Validate(); err != nil {
		return usagef("%v", badRequest(err))
	}
	// Read the query before opening (or building) the index, so a
	// mistake in it is reported at once.
	if _, err := search.Parse(req.Query); err != nil {
		if qe, ok := errors.AsType[*search.QueryError](err); ok {
			return usagef("cannot read the query: %v", qe)
		}
		return err
	}

	analysis, err := c.analysis()
	if err != nil {
		return err
	}
	st, err := openOrBuild(ctx, storeConfig{dir: c.index, samples: *samples, loc: loc, analysis: analysis, reserve: c.reserve.bytes}, stderr)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := st.Close(); cerr != nil && err == nil {
			err = cerr
		}
	}()
	if st.AnalysisStale() {
		noteStale(stderr, c.index, c.dict)
	}
	req.NoTypos = !typos.on
	syn, err := c.synonyms()
	if err != nil {
		return err
	}
	res, err := search.New(st, search.Options{Typos: typos.options(), Synonyms: syn}).Search(ctx, req)
	var qe *search.QueryError
	if errors.As(err, &qe) {
		return usagef("cannot read the query: %v", qe)
	}
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	noColor, _ := env("NO_COLOR")
	printResult(stdout, res, isTerminal(stdout) && noColor == "")
	return nil
}

// badRequest returns the message of a [search.ErrBadRequest] error
// without its "bad request: " prefix, which says nothing on a command
// line.
func badRequest(err error) string {
	return strings.TrimPrefix(err.Error(), search.ErrBadRequest.Error()+": ")
}

// storeConfig says which store to open and how to build it.
type storeConfig struct {
	dir, samples string
	loc          *time.Location
	analysis     zh.Options
	reserve      int64 // store.Options.DiskReserve
	watch        bool
}

// openOrBuild opens the store at dir; when there is none, it builds one
// from the sample articles first (the first run on a fresh clone). The
// build is a rebuild into a new store, so one that fails or is
// interrupted leaves nothing the next run would take for an index.
func openOrBuild(ctx context.Context, cfg storeConfig, stderr io.Writer) (*store.Store, error) {
	opts := store.Options{Analysis: cfg.analysis, Location: cfg.loc, DiskReserve: cfg.reserve, Watch: cfg.watch}
	st, err := store.Open(ctx, cfg.dir, opts)
	if !errors.Is(err, index.ErrNotExist) {
		return st, err
	}
	if _, serr := os.Stat(cfg.samples); serr != nil {
		return nil, fmt.Errorf("%w, and no sample articles to build one from (%w): build one with \"wensou index --index %s PATH...\" or point --samples at articles", err, serr, cfg.dir)
	}
	fmt.Fprintf(stderr, "no index at %s yet: building it from %s\n", cfg.dir, cfg.samples)
	_, serr := os.Stat(cfg.dir)
	existed := serr == nil
	opts.Init = true
	st, err = store.Open(ctx, cfg.dir, opts)
	if err != nil {
		return nil, err
	}
	rep, err := newReporter(stderr, nil, reporterOptions{})
	if err != nil {
		return nil, errors.Join(err, st.Close())
	}
	p, err := st.Rebuild(ctx, []string{cfg.samples}, store.RebuildOptions{
		Ingest: index.IngestOptions{
			Article:  article.Options{Location: cfg.loc},
			OnRecord: rep.record,
		},
	})
	rep.summary()
	if cerr := rep.Close(); cerr != nil && err == nil {
		err = cerr
	}
	if err != nil {
		if cerr := st.Close(); cerr == nil && !existed {
			// Nothing was live: leave no directory a later run would
			// take for an index.
			if rerr := os.RemoveAll(cfg.dir); rerr != nil {
				fmt.Fprintf(stderr, "remove %s: %v\n", cfg.dir, rerr)
			}
		}
		return nil, err
	}
	fmt.Fprintf(stderr, "indexed %s articles, rejected %s, warned %s in %.1fs\n", fmtCount(p.Done), fmtCount(p.Rejected), fmtCount(p.Warned), p.Elapsed)
	return st, nil
}

// Terminal styles.
const (
	styleMark  = "\033[1;33m" // bold yellow
	styleTitle = "\033[1m"
	styleDim   = "\033[2m"
	styleReset = "\033[0m"
)

// printResult writes a result for a person: ranked hits with matches
// highlighted (in colour on a terminal, between ** otherwise), then facets.
func printResult(w io.Writer, res *search.Result, color bool) {
	mark := func(s string) string {
		on, off := "**", "**"
		if color {
			on, off = styleMark, styleReset
		}
		s = strings.NewReplacer("<mark>", on, "</mark>", off).Replace(s)
		return html.UnescapeString(s)
	}
	style := func(st, s string) string {
		if !color {
			return s
		}
		return st + s + styleReset
	}
	first := (res.Page-1)*res.Size + 1
	if len(res.Corrected) > 0 {
		fmt.Fprintf(w, "Showing results for %q; search instead for %q with --typos=false.\n", search.Rewrite(res.Query, res.Corrected), res.Query)
	}
	if res.Suggestion != "" {
		fmt.Fprintf(w, "Did you mean %q?\n", res.Suggestion)
	}
	switch {
	case res.Total == 0:
		fmt.Fprintf(w, "No articles found for %q (%.1f ms).\n", res.Query, res.TookMs)
		return
	case len(res.Hits) == 0:
		fmt.Fprintf(w, "%d %s for %q; page %d is past the end.\n", res.Total, plural(res.Total, "result", "results"), res.Query, res.Page)
		return
	}
	fmt.Fprintf(w, "%d %s for %q, %d-%d shown (%.1f ms)", res.Total, plural(res.Total, "result", "results"), res.Query, first, first+len(res.Hits)-1, res.TookMs)
	if res.Partial {
		fmt.Fprint(w, "; no article has every word, best partial matches first")
	}
	fmt.Fprintln(w)
	for i, h := range res.Hits {
		fmt.Fprintf(w, "\n%d. %s\n", first+i, style(styleTitle, mark(orDefault(h.Highlight.Title, "(untitled)"))))
		meta := []string{}
		if len(h.Author) > 0 {
			meta = append(meta, strings.Join(h.Author, ", "))
		}
		if h.Date != "" {
			meta = append(meta, h.Date)
		}
		if h.URL != "" {
			meta = append(meta, h.URL)
		}
		meta = append(meta, "id "+h.ID)
		fmt.Fprintf(w, "   %s\n", style(styleDim, strings.Join(meta, " · ")))
		for _, f := range h.Highlight.Body {
			fmt.Fprintf(w, "   %s\n", mark(f))
		}
	}
	fmt.Fprintln(w)
	printFacet(w, "Authors", res.Facets.Author)
	printFacet(w, "Years", res.Facets.Year)
	printFacet(w, "Months", res.Facets.Month)
}

func printFacet(w io.Writer, name string, bs []search.Bucket) {
	if len(bs) == 0 {
		return
	}
	parts := make([]string, len(bs))
	for i, b := range bs {
		parts[i] = fmt.Sprintf("%s (%d)", b.Value, b.Count)
	}
	fmt.Fprintf(w, "%s: %s\n", name, strings.Join(parts, " · "))
}

func plural(n uint64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}
