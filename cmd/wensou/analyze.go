package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"

	"github.com/wensou/wensou/index/zh"
	"github.com/wensou/wensou/search"
)

func runAnalyze(ctx context.Context, args []string, env envFunc, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("analyze", flag.ContinueOnError)
	mode := fs.String("mode", "index", "index (words and sub-words, as stored) or query (words, as searched)")
	asJSON := fs.Bool("json", false, "print JSON")
	var d dictFlag
	d.register(fs)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "Usage: wensou analyze [--mode index|query] [--dict DIR] [--json] TEXT\n\nPrints the tokens of TEXT with positions and byte offsets, then the words\nof TEXT that synonyms (*.syn in --dict) expand in a search.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	pos, err := parseFlags(fs, args, env, stderr)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usagef("analyze needs TEXT")
	}
	m, err := zh.ParseMode(*mode)
	if err != nil {
		return usagef("--%v", err)
	}
	opts, err := d.analysis()
	if err != nil {
		return err
	}
	seg, err := zh.Load(opts)
	if err != nil {
		return err
	}
	toks, err := seg.Tokens(m, strings.Join(pos, " "))
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false)
		return enc.Encode(toks)
	}
	rows := [][]string{{"POS", "START", "END", "TERM", "TEXT"}}
	for _, t := range toks {
		rows = append(rows, []string{strconv.Itoa(t.Position), strconv.Itoa(t.Start), strconv.Itoa(t.End), t.Term, t.Text})
	}
	if err := writeTable(stdout, rows); err != nil {
		return err
	}
	// What a search also finds for the text's words: their synonyms.
	syn, err := d.synonyms()
	if err != nil {
		return err
	}
	exps := search.New(nil, search.Options{Synonyms: syn}).Expand(seg, strings.Join(pos, " "))
	if len(exps) == 0 {
		return nil
	}
	rows = [][]string{{"START", "END", "TEXT", "SYNONYMS (searched too, ranked below)"}}
	for _, e := range exps {
		rows = append(rows, []string{strconv.Itoa(e.Start), strconv.Itoa(e.End), e.Text, strings.Join(e.Synonyms, ", ")})
	}
	if _, err := fmt.Fprintln(stdout); err != nil {
		return err
	}
	return writeTable(stdout, rows)
}

// writeTable writes rows as left-aligned columns two spaces apart. Unlike
// text/tabwriter it counts a wide character (Chinese, full-width) as two
// columns, as a terminal shows it, so Chinese terms line up.
func writeTable(w io.Writer, rows [][]string) error {
	var widths []int
	for _, r := range rows {
		for i, c := range r {
			if i == len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], displayWidth(c))
		}
	}
	var b strings.Builder
	for _, r := range rows {
		for i, c := range r {
			b.WriteString(c)
			if i < len(r)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-displayWidth(c)+2))
			}
		}
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// displayWidth is the number of terminal columns s takes: two for East
// Asian wide and full-width characters and emoji, none for combining
// marks and control characters, one for the rest.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		switch {
		case unicode.In(r, unicode.Mn, unicode.Me, unicode.Cc, unicode.Cf):
		case unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul),
			r >= 0x2e80 && r <= 0x303e, // CJK radicals, symbols and punctuation
			r >= 0x3200 && r <= 0x33ff, // enclosed CJK letters, compatibility
			r >= 0xac00 && r <= 0xd7a3, // Hangul syllables
			r >= 0xfe30 && r <= 0xfe4f, // CJK compatibility forms
			r >= 0xff00 && r <= 0xff60, // full-width forms
			r >= 0xffe0 && r <= 0xffe6,
			r >= 0x1f300 && r <= 0x1f64f, // pictographs, emoticons
			r >= 0x1f900 && r <= 0x1f9ff:
			n += 2
		default:
			n++
		}
	}
	return n
}
