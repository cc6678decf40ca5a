package eval

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// DefaultK is the cut-off [Run] uses when given none: MRR@10, success@10
// and nDCG@10.
const DefaultK = 10

// MaxGrade is the highest grade a judgment may give an id.
const MaxGrade = 10

// Overall is the name [Report] and [Floors] give the figures over every
// query; no kind may have it.
const Overall = "overall"

// ErrBadJudgment is wrapped by every [*LineError] [Read] returns for a
// line that is not a valid judgment.
var ErrBadJudgment = errors.New("bad judgment")

// LineError is a problem with one line of a judgment file. It matches
// [ErrBadJudgment].
type LineError struct {
	File   string
	Line   int // 1-based
	Reason string
}

// Error returns "file:line: reason".
func (e *LineError) Error() string {
	return e.File + ":" + strconv.Itoa(e.Line) + ": " + e.Reason
}

// Unwrap returns [ErrBadJudgment].
func (e *LineError) Unwrap() error { return ErrBadJudgment }

// Judgment is one query and the articles that answer it.
type Judgment struct {
	// Kind groups queries of one shape ("title-en", "phrase-zh"): the
	// report has figures per kind, and floors are per kind.
	Kind  string `json:"kind"`
	Query string `json:"query"`
	// Relevant lists the ids of the articles that answer the query, each
	// of grade 1 unless Grades says otherwise.
	Relevant []string `json:"relevant"`
	// Grades optionally gives some of the relevant ids a grade from 2 to
	// [MaxGrade] (1 is the default), for nDCG.
	Grades map[string]int `json:"grades,omitempty"`

	// File and Line say where the judgment was read; Line is 0 for one
	// made in code.
	File string `json:"-"`
	Line int    `json:"-"`
}

// Where returns "file:line", or "" for a judgment that was not read from
// a file.
func (j Judgment) Where() string {
	if j.Line == 0 {
		return j.File
	}
	return j.File + ":" + strconv.Itoa(j.Line)
}

// Grade returns the grade of the article id for this query: 0 when it is
// not relevant.
func (j Judgment) Grade(id string) int {
	if g, ok := j.Grades[id]; ok {
		return g
	}
	if slices.Contains(j.Relevant, id) {
		return 1
	}
	return 0
}

// kindRE is what a kind may look like: a word for a table column and a
// key of a floors file.
var kindRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`)

func checkKind(kind string) error {
	switch {
	case kind == "":
		return errors.New(`"kind" is missing`)
	case kind == Overall:
		return fmt.Errorf("kind %q is reserved for the figures over every kind", Overall)
	case !kindRE.MatchString(kind) || len(kind) > 40:
		return fmt.Errorf("kind %q: want at most 40 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit", kind)
	}
	return nil
}

// check returns what is wrong with a decoded judgment, or nil.
func (j *Judgment) check() error {
	if err := checkKind(j.Kind); err != nil {
		return err
	}
	if strings.TrimSpace(j.Query) == "" {
		return errors.New(`"query" is missing or blank`)
	}
	if len(j.Relevant) == 0 {
		return errors.New(`"relevant" is missing or empty: a query needs at least one relevant id`)
	}
	seen := make(map[string]bool, len(j.Relevant))
	for _, id := range j.Relevant {
		if strings.TrimSpace(id) == "" {
			return errors.New(`"relevant" holds an empty id`)
		}
		if seen[id] {
			return fmt.Errorf("relevant id %q is listed twice", id)
		}
		seen[id] = true
	}
	ids := make([]string, 0, len(j.Grades))
	for id := range j.Grades {
		ids = append(ids, id)
	}
	slices.Sort(ids) // the first problem in a stable order
	for _, id := range ids {
		if !seen[id] {
			return fmt.Errorf("grades: id %q is not in \"relevant\"", id)
		}
		if g := j.Grades[id]; g < 1 || g > MaxGrade {
			return fmt.Errorf("grades: id %q has grade %d; want 1 to %d (leave an article out of \"relevant\" for 0)", id, g, MaxGrade)
		}
	}
	return nil
}

// reader reads judgments, remembering the queries seen so that one
// repeated in another file is reported too.
type reader struct {
	seen map[[2]string]string // kind, query -> where first seen
	errs []error
	out  []Judgment
}

// read reads the judgments of r, named name in errors.
func (rd *reader) read(r io.Reader, name string) error {
	br := bufio.NewReader(r)
	for line := 1; ; line++ {
		raw, err := br.ReadBytes('\n')
		if len(raw) > 0 {
			rd.line(raw, name, line)
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read %s: %w", name, err)
		}
	}
}

// line decodes one line; blank lines are skipped.
func (rd *reader) line(raw []byte, name string, line int) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return
	}
	bad := func(format string, args ...any) {
		rd.errs = append(rd.errs, &LineError{File: name, Line: line, Reason: fmt.Sprintf(format, args...)})
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var j Judgment
	if err := dec.Decode(&j); err != nil {
		bad("%s", jsonReason(err))
		return
	}
	if dec.More() {
		bad("invalid JSON: more after the object (one judgment a line)")
		return
	}
	if err := j.check(); err != nil {
		bad("%v", err)
		return
	}
	j.File, j.Line = name, line
	key := [2]string{j.Kind, j.Query}
	if first, ok := rd.seen[key]; ok {
		bad("query %q of kind %q is already judged at %s", j.Query, j.Kind, first)
		return
	}
	rd.seen[key] = j.Where()
	rd.out = append(rd.out, j)
}

// jsonReason words a decoding error for a person.
func jsonReason(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return "invalid JSON: " + se.Error()
	case errors.As(err, &te):
		if te.Field != "" {
			return fmt.Sprintf("%q: want %s, got a JSON %s", te.Field, te.Type, te.Value)
		}
		return fmt.Sprintf("want a JSON object, got a JSON %s", te.Value)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "invalid JSON: unexpected end of line"
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

// result returns what was read, or every bad line joined.
func (rd *reader) result() ([]Judgment, error) {
	if len(rd.errs) > 0 {
		return nil, errors.Join(rd.errs...)
	}
	return rd.out, nil
}

// Read reads judgments in JSON Lines from r, named name in errors. Blank
// lines are skipped. When some lines are bad it returns no judgments and
// an error joining a [*LineError] per bad line ("name:line: reason";
// [errors.Join] puts one a line), so that every mistake in a file shows
// at once. A query judged twice with the same kind is a bad line.
func Read(r io.Reader, name string) ([]Judgment, error) {
	rd := &reader{seen: map[[2]string]string{}}
	if err := rd.read(r, name); err != nil {
		return nil, err
	}
	return rd.result()
}

// ReadFiles reads the judgment files at paths, in order, as [Read] does;
// a query judged twice with the same kind is a bad line even across
// files.
func ReadFiles(paths ...string) ([]Judgment, error) {
	rd := &reader{seen: map[[2]string]string{}}
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return nil, fmt.Errorf("read judgments: %w", err)
		}
		err = rd.read(f, p)
		f.Close()
		if err != nil {
			return nil, err
		}
	}
	return rd.result()
}

// SearchFunc runs the query of one judgment and returns the ids of the
// articles found, best first; k is how many Run scores, and any beyond
// are ignored. It gets the whole judgment, so that a kind may be run its
// own way (prefixes through suggestions, say). An error stops [Run].
type SearchFunc func(ctx context.Context, j Judgment, k int) ([]string, error)

// Result is how one query fared.
type Result struct {
	Judgment
	// Hits are the ids returned, best first, at most k of them.
	Hits []string
	// Rank is the 1-based position in Hits of the first relevant id, or 0
	// when none of the first k is relevant.
	Rank int
	// NDCG is the query's nDCG@k.
	NDCG float64
}

// RR returns the reciprocal rank: 1/Rank, or 0 when nothing relevant was
// found.
func (r Result) RR() float64 {
	if r.Rank == 0 {
		return 0
	}
	return 1 / float64(r.Rank)
}

// Score scores one query's hits at cut-off k, as the package comment
// defines. A k of 0 or less means [DefaultK].
func Score(j Judgment, hits []string, k int) Result {
	if k <= 0 {
		k = DefaultK
	}
	hits = hits[:min(len(hits), k)]
	res := Result{Judgment: j, Hits: slices.Clone(hits)}
	seen := make(map[string]bool, len(hits))
	var dcg float64
	for i, id := range hits {
		if seen[id] {
			continue
		}
		seen[id] = true
		g := j.Grade(id)
		if g == 0 {
			continue
		}
		if res.Rank == 0 {
			res.Rank = i + 1
		}
		dcg += gain(g, i+1)
	}
	grades := make([]int, 0, len(j.Relevant))
	for _, id := range j.Relevant {
		grades = append(grades, j.Grade(id))
	}
	slices.SortFunc(grades, func(a, b int) int { return cmp.Compare(b, a) })
	var idcg float64
	for i, g := range grades[:min(len(grades), k)] {
		idcg += gain(g, i+1)
	}
	if idcg > 0 {
		res.NDCG = dcg / idcg
	}
	return res
}

// gain is the discounted gain of grade g at 1-based rank i.
func gain(g, i int) float64 {
	return (math.Exp2(float64(g)) - 1) / math.Log2(float64(i)+1)
}

// Summary is the figures of a set of queries: one kind, or every query.
type Summary struct {
	Kind     string  `json:"kind"` // or Overall
	Queries  int     `json:"queries"`
	MRR      float64 `json:"mrr"`          // MRR@k
	Success1 float64 `json:"success_at_1"` // success@1
	SuccessK float64 `json:"success_at_k"` // success@k
	NDCG     float64 `json:"ndcg"`         // nDCG@k
}

// summarize averages results.
func summarize(kind string, rs []Result) Summary {
	s := Summary{Kind: kind, Queries: len(rs)}
	if len(rs) == 0 {
		return s
	}
	for _, r := range rs {
		s.MRR += r.RR()
		if r.Rank == 1 {
			s.Success1++
		}
		if r.Rank > 0 {
			s.SuccessK++
		}
		s.NDCG += r.NDCG
	}
	n := float64(len(rs))
	s.MRR /= n
	s.Success1 /= n
	s.SuccessK /= n
	s.NDCG /= n
	return s
}

// Metric names, as tables and floors files name them, for a cut-off k:
// "mrr@10", "success@1", "success@10", "ndcg@10".
func MetricNames(k int) []string {
	ks := strconv.Itoa(k)
	return []string{"mrr@" + ks, "success@1", "success@" + ks, "ndcg@" + ks}
}

// Metric returns the figure a metric name of [MetricNames] names at
// cut-off k, and false when k's names do not include it.
func (s Summary) Metric(name string, k int) (float64, bool) {
	names := MetricNames(k)
	switch name {
	case names[0]:
		return s.MRR, true
	case names[1]:
		return s.Success1, true
	case names[2]:
		return s.SuccessK, true
	case names[3]:
		return s.NDCG, true
	}
	return 0, false
}

// Report is the outcome of [Run].
type Report struct {
	// K is the cut-off of every metric.
	K int `json:"k"`
	// Kinds has the figures of each kind, by kind name.
	Kinds []Summary `json:"kinds"`
	// Overall has the figures over every query (Kind is [Overall]).
	Overall Summary `json:"overall"`
	// Results has every query's outcome, in input order.
	Results []Result `json:"-"`
}

// Kind returns the figures of one kind, or of every query for [Overall],
// and false when no query has that kind.
func (r *Report) Kind(kind string) (Summary, bool) {
	if kind == Overall {
		return r.Overall, true
	}
	for _, s := range r.Kinds {
		if s.Kind == kind {
			return s, true
		}
	}
	return Summary{}, false
}

// Worst returns up to n queries of the kind (every kind for [Overall])
// whose first hit is not relevant, the worst first: nothing relevant
// found, then by rank descending, then by nDCG, then in input order.
func (r *Report) Worst(kind string, n int) []Result {
	var out []Result
	for _, res := range r.Results {
		if res.Rank != 1 && (kind == Overall || res.Kind == kind) {
			out = append(out, res)
		}
	}
	// badness orders ranks worst first; 0, nothing found, is the worst.
	badness := func(r Result) int {
		if r.Rank == 0 {
			return math.MaxInt
		}
		return r.Rank
	}
	slices.SortStableFunc(out, func(a, b Result) int {
		if c := cmp.Compare(badness(b), badness(a)); c != 0 {
			return c
		}
		return cmp.Compare(a.NDCG, b.NDCG)
	})
	return out[:min(len(out), n)]
}

// Run runs every judgment's query through search, one at a time in
// order, and scores the first k hits of each (k ≤ 0 means [DefaultK]).
// It stops at the first search error, returning it with the judgment's
// place ("file:line: query "…": error"), and when ctx is done.
func Run(ctx context.Context, js []Judgment, k int, search SearchFunc) (*Report, error) {
	if k <= 0 {
		k = DefaultK
	}
	rep := &Report{K: k, Results: make([]Result, 0, len(js))}
	byKind := map[string][]Result{}
	for _, j := range js {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		hits, err := search(ctx, j, k)
		if err != nil {
			if w := j.Where(); w != "" {
				return nil, fmt.Errorf("%s: query %q: %w", w, j.Query, err)
			}
			return nil, fmt.Errorf("query %q: %w", j.Query, err)
		}
		res := Score(j, hits, k)
		rep.Results = append(rep.Results, res)
		byKind[j.Kind] = append(byKind[j.Kind], res)
	}
	kinds := make([]string, 0, len(byKind))
	for kind := range byKind {
		kinds = append(kinds, kind)
	}
	slices.Sort(kinds)
	for _, kind := range kinds {
		rep.Kinds = append(rep.Kinds, summarize(kind, byKind[kind]))
	}
	rep.Overall = summarize(Overall, rep.Results)
	return rep, nil
}
