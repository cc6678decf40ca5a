package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/wensou/wensou/index/zh"
)

// token is one analyzed token as printed by wensou analyze.
type token struct {
	Term     string `json:"term"`
	Text     string `json:"text"`
	Start    int    `json:"start"`
	End      int    `json:"end"`
	Position int    `json:"position"`
}

func runAnalyze(ctx context.Context, args []string, env envFunc, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("analyze", flag.ContinueOnError)
	mode := fs.String("mode", "index", "index (words and sub-words, as stored) or query (words, as searched)")
	asJSON := fs.Bool("json", false, "print JSON")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "Usage: wensou analyze [--mode index|query] TEXT\n\nPrints the tokens of TEXT with positions and byte offsets.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	pos, err := parseFlags(fs, args, env, stderr)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usagef("analyze needs TEXT")
	}
	var m zh.Mode
	switch *mode {
	case "index":
		m = zh.Search
	case "query":
		m = zh.Accurate
	default:
		return usagef("--mode must be index or query, not %q", *mode)
	}
	if _, err := zh.Load(zh.Options{}); err != nil {
		return err
	}
	toks, err := analyze(m, strings.Join(pos, " "))
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false)
		return enc.Encode(toks)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "POS\tSTART\tEND\tTERM\tTEXT")
	for _, t := range toks {
		fmt.Fprintf(tw, "%d\t%d\t%d\t%s\t%s\n", t.Position, t.Start, t.End, t.Term, t.Text)
	}
	return tw.Flush()
}

// analyze returns the tokens of text in mode m.
func analyze(m zh.Mode, text string) ([]token, error) {
	a, err := zh.NewAnalyzer(m)
	if err != nil {
		return nil, err
	}
	out := []token{}
	for _, t := range a.Analyze([]byte(text)) {
		out = append(out, token{Term: string(t.Term), Text: text[t.Start:t.End], Start: t.Start, End: t.End, Position: t.Position})
	}
	return out, nil
}
