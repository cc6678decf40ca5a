package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wensou/wensou/index"
	"github.com/wensou/wensou/index/store"
	"github.com/wensou/wensou/search"
	"github.com/wensou/wensou/search/eval"
)

// evalMaxProblems is how many bad judgment lines eval prints before it
// only counts them.
const evalMaxProblems = 10

func runEval(ctx context.Context, args []string, env envFunc, stdout, stderr io.Writer) (err error) {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	indexDir := fs.String("index", defaultIndexDir, "index directory")
	var d dictFlag
	d.register(fs)
	floorsFile := fs.String("floors", "", "floors file (data/eval/floors.json): exit 1 naming every kind below one of its floors")
	writeFloors := fs.String("write-floors", "", "write floors just under this run's figures to this file (see --margin)")
	margin := fs.Float64("margin", 0.02, "how far under this run's figures --write-floors puts the floors, before rounding down to a hundredth")
	asJSON := fs.Bool("json", false, "print the figures as JSON")
	var typos typoFlags
	typos.register(fs)
	size := fs.Int("size", eval.DefaultK, fmt.Sprintf("hits scored per query, the k of MRR@k, success@k and nDCG@k (at most %d)", search.MaxSize))
	misses := fs.Int("misses", 0, "also list up to this many queries of each kind whose first hit is not relevant, worst first")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `Usage: wensou eval [flags] JUDGMENTS.jsonl...

Runs every judged query against the index and prints, per kind of query
and overall, the number of queries, MRR@k, success@1, success@k and
nDCG@k (k = --size). A judgment file has one query a line:

  {"kind":"title-en","query":"bahia cocoa review","relevant":["1"]}

with an optional "grades" object ({"1": 2}) for graded relevance. The
repository's judgments, made from ../shared/corpus, are data/eval/*.jsonl;
data/eval/README.md describes them.

Exit status: 0; 1 when a kind is below one of its --floors, or the
judgments cannot be read or run; 2 for a mistake in the command line.

Flags:
`)
		fs.PrintDefaults()
	}
	paths, err := parseFlags(fs, args, env, stderr)
	if err != nil {
		return err
	}
	if len(paths) == 0 {
		return usagef("eval needs at least one judgment file (try: wensou eval --index DIR data/eval/*.jsonl)")
	}
	if *size < 1 || *size > search.MaxSize {
		return usagef("--size must be between 1 and %d, not %d", search.MaxSize, *size)
	}
	if *misses < 0 {
		return usagef("--misses must be 0 or more, not %d", *misses)
	}
	if *margin < 0 || *margin >= 1 {
		return usagef("--margin must be from 0 to 1, not %v", *margin)
	}

	// Read the judgments and the floors before opening the index, so
	// that a mistake in them is reported at once.
	js, err := eval.ReadFiles(paths...)
	if err != nil {
		return judgmentProblems(err, stderr)
	}
	if len(js) == 0 {
		return fmt.Errorf("no judgments in %s", strings.Join(paths, ", "))
	}
	var floors eval.Floors
	if *floorsFile != "" {
		if floors, err = eval.ReadFloors(*floorsFile); err != nil {
			return err
		}
	}

	analysis, err := d.analysis()
	if err != nil {
		return err
	}
	st, err := store.Open(ctx, *indexDir, store.Options{Analysis: analysis})
	if errors.Is(err, index.ErrNotExist) {
		return fmt.Errorf("%w: build one first, as with \"wensou index --index %s ../shared/corpus/reuters21578.jsonl ../shared/corpus/chinese_poetry_tang.jsonl ../shared/corpus/cn_web_extract.jsonl\"", err, *indexDir)
	}
	if err != nil {
		return err
	}
	defer func() {
		if cerr := st.Close(); cerr != nil && err == nil {
			err = cerr
		}
	}()
	if st.AnalysisStale() {
		noteStale(stderr, *indexDir, d.dict)
	}

	// Prefixes are completed as a running server completes them, with
	// every segment's completions built.
	if err := st.With(func(ix *index.Index) error { return ix.BuildSuggestions(ctx) }); err != nil {
		return err
	}
	syn, err := d.synonyms()
	if err != nil {
		return err
	}
	searcher := search.New(st, search.Options{Typos: typos.options(), Synonyms: syn})
	titles := map[string]string{} // of the articles seen, for --misses
	start := time.Now()
	rep, err := eval.Run(ctx, js, *size, func(ctx context.Context, j eval.Judgment, k int) ([]string, error) {
		q := j.Query
		if j.Kind == kindPrefix {
			// As the search box does: what was typed, completed by the
			// first suggestion, is searched.
			var err error
			if q, err = firstSuggestion(ctx, st, q); err != nil {
				return nil, err
			}
		}
		res, err := searcher.Search(ctx, search.Request{Query: q, Size: k})
		if err != nil {
			return nil, err
		}
		ids := make([]string, len(res.Hits))
		for i, h := range res.Hits {
			ids[i] = h.ID
			titles[h.ID] = h.Title
		}
		return ids, nil
	})
	if err != nil {
		return err
	}
	took := time.Since(start)
	missing, err := checkJudgedIDs(ctx, st, js, titles)
	if err != nil {
		return err
	}
	if missing.count > 0 {
		fmt.Fprintf(stderr, "warning: %d of the relevant ids are not in %s (such as %q, %s): were the judgments made for another index?\n",
			missing.count, *indexDir, missing.id, missing.where)
	}

	var breaches []eval.Breach
	if floors != nil {
		if breaches, err = floors.Check(rep); err != nil {
			return fmt.Errorf("%s: %w", *floorsFile, err)
		}
	}
	if *asJSON {
		err = printEvalJSON(stdout, rep, *misses, breaches, floors != nil)
	} else {
		err = printEval(stdout, rep, paths, took, *misses, titles)
		if err == nil && floors != nil && len(breaches) == 0 {
			_, err = fmt.Fprintf(stdout, "\nEvery kind is at or above its floors in %s.\n", *floorsFile)
		}
	}
	if err != nil {
		return err
	}
	if *writeFloors != "" {
		if err := os.WriteFile(*writeFloors, eval.FloorsFrom(rep, *margin).Format(rep.K), 0o644); err != nil {
			return fmt.Errorf("write floors: %w", err)
		}
		fmt.Fprintf(stderr, "wrote floors %.2f under these figures to %s\n", *margin, *writeFloors)
	}
	if len(breaches) > 0 {
		fmt.Fprintf(stderr, "below the floors of %s:\n", *floorsFile)
		for _, b := range breaches {
			fmt.Fprintf(stderr, "  %s\n", b)
		}
		return errRejected
	}
	return nil
}

// kindPrefix is the kind of judgment whose queries are what a person
// has typed so far: they are completed by the first suggestion, then
// searched.
const kindPrefix = "prefix"

// firstSuggestion returns typed completed by the index's first
// suggestion for it, or typed itself when there is none.
func firstSuggestion(ctx context.Context, st *store.Store, typed string) (string, error) {
	var out []index.Suggestion
	err := st.With(func(ix *index.Index) error {
		var err error
		out, err = ix.Suggest(ctx, typed, 1)
		return err
	})
	if err != nil || len(out) == 0 {
		return typed, err
	}
	return out[0].Text, nil
}

// judgmentProblems prints the bad lines of the judgments, one
// "file:line: reason" a line, and returns an error counting them; other
// errors are returned as they are.
func judgmentProblems(err error, stderr io.Writer) error {
	if !errors.Is(err, eval.ErrBadJudgment) {
		return err
	}
	var errs []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	} else {
		errs = []error{err}
	}
	for i, e := range errs {
		if i == evalMaxProblems {
			fmt.Fprintf(stderr, "... and %d more\n", len(errs)-i)
			break
		}
		fmt.Fprintln(stderr, e)
	}
	return fmt.Errorf("%d bad %s in the judgments: nothing evaluated", len(errs), plural(uint64(len(errs)), "line", "lines"))
}

// missingIDs counts relevant ids that are not in the index.
type missingIDs struct {
	count     int
	id, where string // the first one
}

// checkJudgedIDs looks up every relevant id that the searches did not
// return, noting the titles of those found for --misses.
func checkJudgedIDs(ctx context.Context, st *store.Store, js []eval.Judgment, titles map[string]string) (missingIDs, error) {
	var m missingIDs
	for _, j := range js {
		for _, id := range j.Relevant {
			if _, ok := titles[id]; ok {
				continue
			}
			a, err := st.Get(ctx, id)
			switch {
			case errors.Is(err, index.ErrNotFound):
				if m.count == 0 {
					m.id, m.where = id, j.Where()
				}
				m.count++
				titles[id] = "(not in the index)"
			case err != nil:
				return m, err
			default:
				titles[id] = a.Title
			}
		}
	}
	return m, nil
}

// printEval writes the figures as a table, then the worst queries of each
// kind when misses > 0.
func printEval(w io.Writer, rep *eval.Report, paths []string, took time.Duration, misses int, titles map[string]string) error {
	files := plural(uint64(len(paths)), "file", "files")
	fmt.Fprintf(w, "%d queries from %d %s, k = %d, in %.1fs\n\n", rep.Overall.Queries, len(paths), files, rep.K, took.Seconds())
	header := []string{"KIND", "QUERIES"}
	for _, n := range eval.MetricNames(rep.K) {
		header = append(header, strings.ToUpper(n))
	}
	rows := [][]string{header}
	for _, s := range append(slices.Clip(rep.Kinds), rep.Overall) {
		rows = append(rows, []string{s.Kind, strconv.Itoa(s.Queries),
			fmt.Sprintf("%.3f", s.MRR), fmt.Sprintf("%.3f", s.Success1),
			fmt.Sprintf("%.3f", s.SuccessK), fmt.Sprintf("%.3f", s.NDCG)})
	}
	if err := writeTable(w, rows); err != nil {
		return err
	}
	if misses == 0 {
		return nil
	}
	for _, s := range rep.Kinds {
		worst := rep.Worst(s.Kind, len(rep.Results))
		if len(worst) == 0 {
			continue
		}
		notFirst := len(worst)
		worst = worst[:min(len(worst), misses)]
		fmt.Fprintf(w, "\n%s: %d of %d queries have no relevant first hit; the worst %d:\n", s.Kind, notFirst, s.Queries, len(worst))
		rows := [][]string{{"RANK", "QUERY", "WANT", "FIRST"}}
		for _, r := range worst {
			rank := "-"
			if r.Rank > 0 {
				rank = strconv.Itoa(r.Rank)
			}
			first := "(nothing found)"
			if len(r.Hits) > 0 {
				first = describe(r.Hits[0], titles)
			}
			want := describe(r.Relevant[0], titles)
			if n := len(r.Relevant); n > 1 {
				want += fmt.Sprintf(" (+%d)", n-1)
			}
			rows = append(rows, []string{rank, r.Query, want, first})
		}
		if err := writeTable(w, rows); err != nil {
			return err
		}
	}
	return nil
}

// describe returns an article's id and the start of its title.
func describe(id string, titles map[string]string) string {
	t := titles[id]
	if r := []rune(t); len(r) > 40 {
		t = string(r[:39]) + "…"
	}
	if t == "" {
		return id
	}
	return id + " " + t
}

// evalJSON is the --json output.
type evalJSON struct {
	K       int            `json:"k"`
	Kinds   []eval.Summary `json:"kinds"`
	Overall eval.Summary   `json:"overall"`
	// Misses is the worst queries of each kind, with --misses.
	Misses map[string][]evalMiss `json:"misses,omitempty"`
	// BelowFloors lists the floors broken, with --floors (empty when
	// none is).
	BelowFloors *[]evalBreach `json:"below_floors,omitempty"`
}

type evalMiss struct {
	Query    string   `json:"query"`
	Where    string   `json:"where"`
	Rank     int      `json:"rank"` // 0: no relevant hit in the first k
	NDCG     float64  `json:"ndcg"`
	Relevant []string `json:"relevant"`
	Hits     []string `json:"hits"`
}

type evalBreach struct {
	Kind   string  `json:"kind"`
	Metric string  `json:"metric,omitempty"` // "" when the kind has no queries
	Value  float64 `json:"value"`
	Floor  float64 `json:"floor"`
	Reason string  `json:"reason"`
}

func printEvalJSON(w io.Writer, rep *eval.Report, misses int, breaches []eval.Breach, withFloors bool) error {
	out := evalJSON{K: rep.K, Kinds: rep.Kinds, Overall: rep.Overall}
	if out.Kinds == nil {
		out.Kinds = []eval.Summary{}
	}
	if misses > 0 {
		out.Misses = map[string][]evalMiss{}
		for _, s := range rep.Kinds {
			ms := []evalMiss{}
			for _, r := range rep.Worst(s.Kind, misses) {
				ms = append(ms, evalMiss{Query: r.Query, Where: r.Where(), Rank: r.Rank, NDCG: r.NDCG, Relevant: r.Relevant, Hits: r.Hits})
			}
			out.Misses[s.Kind] = ms
		}
	}
	if withFloors {
		bs := []evalBreach{}
		for _, b := range breaches {
			bs = append(bs, evalBreach{Kind: b.Kind, Metric: b.Metric, Value: b.Value, Floor: b.Floor, Reason: b.String()})
		}
		out.BelowFloors = &bs
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
