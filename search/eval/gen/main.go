// Command gen writes wensou's relevance judgments, data/eval/*.jsonl, from
// the shared corpora: one file per kind of query, for "wensou eval".
//
// Usage:
//
//	go run ./search/eval/gen [-corpus ../shared/corpus] [-out data/eval] [-seed 9] [-n 50]
//
// It reads reuters21578.jsonl, chinese_poetry_tang.jsonl and
// cn_web_extract.jsonl from -corpus as "wensou index" reads them (the
// same ids, the same rejected records), and writes -n queries of each
// kind (fewer when the corpora cannot give that many):
//
//	title-en     a Reuters title, lower-cased
//	title-zh     a cn_web_extract or Tang title, as written
//	phrase-en    4 to 6 words of a Reuters body, not across punctuation
//	phrase-zh    4 to 8 characters (whole words) of a cn_web_extract body, or a half-line of a Tang poem
//	question-en  "how do I A in B" or "what is A B", A B a distinctive word pair of a Reuters body
//	question-zh  "如何AB" or "AB是什么", A B a distinctive word pair of a cn_web_extract or Tang body
//	typo-en      the title-en queries with one typo in a word of 5 letters or more
//	pinyin       full pinyin of a Chinese title, without tones, spaced between words or not
//	line-zh-hans a line of a regular Tang poem (two halves of 5 or 7) converted to Simplified
//	prefix       the first 4 letters of a Reuters title word or 2 characters of a Chinese one
//
// Each query lists every article that answers it: the articles with the
// same title (folded: case, width, Traditional and Simplified, spacing
// and punctuation aside; their pinyin for pinyin), the articles holding
// the phrase or line, the one article holding both words of a question
// (a pair is distinctive when exactly one article holds both, and each is
// in another article too), and for prefix the articles whose titles hold
// the completed word (grade 2 when the title starts with it). A query
// that more than 5 articles answer (20 for prefix) is skipped.
//
// The output depends only on the corpora, the seed and the versions of
// gse, OpenCC and go-pinyin in go.mod: the same inputs give the same
// files byte for byte. Each kind draws from its own random stream, so a
// change to one kind leaves the others' queries alone.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
	case err != nil:
		fmt.Fprintf(os.Stderr, "gen: %v\n", err)
		os.Exit(1)
	}
}

// options is what the flags set.
type options struct {
	corpus, out string
	seed        uint64
	n           int
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	fs.StringVar(&o.corpus, "corpus", "../shared/corpus", "directory of the shared corpora")
	fs.StringVar(&o.out, "out", "data/eval", "directory to write the judgments to, one KIND.jsonl per kind")
	fs.Uint64Var(&o.seed, "seed", 9, "random seed (9, for issue 9, made the committed files)")
	fs.IntVar(&o.n, "n", 50, "queries per kind")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("gen takes no arguments, got %q", fs.Args())
	}
	if o.n < 1 {
		return fmt.Errorf("-n must be 1 or more, not %d", o.n)
	}
	c, err := loadCorpus(ctx, o.corpus)
	if err != nil {
		return err
	}
	g, err := newGenerator(c, o.seed, o.n)
	if err != nil {
		return err
	}
	kinds := g.all()
	if err := os.MkdirAll(o.out, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", o.out, err)
	}
	total := 0
	for _, k := range kinds {
		path, err := writeKind(o.out, k)
		if err != nil {
			return err
		}
		total += len(k.judgments)
		fmt.Fprintf(stdout, "%-13s %3d  %s\n", k.name, len(k.judgments), path)
	}
	fmt.Fprintf(stdout, "%-13s %3d  from %d articles of %s\n", "total", total, len(c.docs), o.corpus)
	return nil
}
