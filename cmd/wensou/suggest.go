package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"html"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/wensou/wensou/index"
)

// suggestResult is what "wensou suggest --json" prints: the shape of GET
// /api/suggest.
type suggestResult struct {
	Query       string             `json:"query"`
	Suggestions []index.Suggestion `json:"suggestions"`
}

func runSuggest(ctx context.Context, args []string, env envFunc, stdout, stderr io.Writer) (err error) {
	fs := flag.NewFlagSet("suggest", flag.ContinueOnError)
	var c commonFlags
	c.register(fs)
	size := fs.Int("size", index.DefaultSuggestions, fmt.Sprintf("most suggestions (at most %d)", index.MaxSuggestions))
	asJSON := fs.Bool("json", false, "print the suggestions as JSON")
	samples := fs.String("samples", defaultSamplesDir, "articles to build the index from when it does not exist yet")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `Usage: wensou suggest [flags] PREFIX

Completes what has been typed, as the search page's box does: words and
phrases of the index, and article titles, that start with PREFIX, most
common first, with the number of articles holding each. The words before
the last one are kept and must be in the articles counted.

Flags:
`)
		fs.PrintDefaults()
	}
	pos, err := parseFlags(fs, args, env, stderr)
	if err != nil {
		return err
	}
	if *size < 1 || *size > index.MaxSuggestions {
		return usagef("--size must be between 1 and %d, not %d", index.MaxSuggestions, *size)
	}
	prefix := strings.Join(pos, " ")
	if strings.TrimSpace(prefix) == "" {
		return usagef("suggest needs a PREFIX (see \"wensou suggest -h\")")
	}
	loc, err := c.location()
	if err != nil {
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
	var out []index.Suggestion
	err = st.With(func(ix *index.Index) error {
		var err error
		out, err = ix.Suggest(ctx, prefix, *size)
		return err
	})
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		return enc.Encode(suggestResult{Query: prefix, Suggestions: out})
	}
	noColor, _ := env("NO_COLOR")
	return printSuggestions(stdout, prefix, out, isTerminal(stdout) && noColor == "")
}

// printSuggestions writes suggestions for a person, one a line: the
// number of articles, the kind, and the text with the typed part marked
// (in colour on a terminal, between ** otherwise), then a title's article
// id.
func printSuggestions(w io.Writer, prefix string, ss []index.Suggestion, color bool) error {
	if len(ss) == 0 {
		_, err := fmt.Fprintf(w, "No suggestions for %q.\n", prefix)
		return err
	}
	on, off := "**", "**"
	if color {
		on, off = styleMark, styleReset
	}
	marks := strings.NewReplacer("<mark>", on, "</mark>", off)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, s := range ss {
		line := fmt.Sprintf("%d\t%s\t%s", s.Count, s.Kind, html.UnescapeString(marks.Replace(s.Highlight)))
		if s.ID != "" {
			line += "  (id " + s.ID + ")"
		}
		fmt.Fprintln(tw, line)
	}
	return tw.Flush()
}
