package eval

import (
	"bytes"
	"cmp"
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

// ErrBadFloors is wrapped by the errors [ParseFloors] returns for a
// floors file it cannot use.
var ErrBadFloors = errors.New("bad floors")

// Floors are the lowest figures each kind may score: kind (or [Overall])
// to metric name ([MetricNames]: "mrr@10", "success@1", "success@10",
// "ndcg@10") to the floor, from 0 to 1. A floors file is that map in
// JSON:
//
//	{
//	  "title-en": {"mrr@10": 0.95, "success@1": 0.93, "success@10": 0.98, "ndcg@10": 0.95},
//	  "overall":  {"mrr@10": 0.61}
//	}
//
// A kind or metric left out has no floor.
type Floors map[string]map[string]float64

// metricRE is the shape of a metric name; which k it names is checked
// against the report.
var metricRE = regexp.MustCompile(`^(mrr|success|ndcg)@([1-9][0-9]*)$`)

// ReadFloors reads a floors file; see [ParseFloors].
func ReadFloors(path string) (Floors, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read floors: %w", err)
	}
	return ParseFloors(data, path)
}

// ParseFloors reads a floors file's content, named name in errors: each
// problem is "name:line: reason" and wraps [ErrBadFloors].
func ParseFloors(data []byte, name string) (Floors, error) {
	p := floorsParser{dec: json.NewDecoder(bytes.NewReader(data)), data: data, name: name}
	f, err := p.parse()
	if err != nil {
		return nil, err
	}
	return f, nil
}

type floorsParser struct {
	dec  *json.Decoder
	data []byte
	name string
}

// fail returns a problem at the decoder's place.
func (p *floorsParser) fail(format string, args ...any) error {
	off := min(int(p.dec.InputOffset()), len(p.data))
	line := 1 + bytes.Count(p.data[:off], []byte("\n"))
	return fmt.Errorf("%s:%d: %w: %s", p.name, line, ErrBadFloors, fmt.Sprintf(format, args...))
}

// token reads the next token, turning a syntax error into a problem.
func (p *floorsParser) token() (json.Token, error) {
	t, err := p.dec.Token()
	if errors.Is(err, io.EOF) {
		return nil, p.fail("invalid JSON: unexpected end of file")
	}
	if err != nil {
		return nil, p.fail("%s", jsonReason(err))
	}
	return t, nil
}

// delim reads the delimiter want; reason says what was wanted.
func (p *floorsParser) delim(want json.Delim, reason string) error {
	t, err := p.token()
	if err != nil {
		return err
	}
	if d, ok := t.(json.Delim); !ok || d != want {
		return p.fail("%s", reason)
	}
	return nil
}

func (p *floorsParser) parse() (Floors, error) {
	if err := p.delim('{', `want a JSON object of kinds: {"title-en": {"mrr@10": 0.95}}`); err != nil {
		return nil, err
	}
	f := Floors{}
	for p.dec.More() {
		t, err := p.token()
		if err != nil {
			return nil, err
		}
		kind := t.(string) // object keys are strings
		if kind != Overall {
			if err := checkKind(kind); err != nil {
				return nil, p.fail("%v", err)
			}
		}
		if _, dup := f[kind]; dup {
			return nil, p.fail("kind %q is given twice", kind)
		}
		if err := p.delim('{', fmt.Sprintf(`kind %q: want an object of metrics: {"mrr@10": 0.95}`, kind)); err != nil {
			return nil, err
		}
		m := map[string]float64{}
		for p.dec.More() {
			t, err := p.token()
			if err != nil {
				return nil, err
			}
			metric := t.(string)
			if !metricRE.MatchString(metric) {
				return nil, p.fail("kind %q: unknown metric %q (want mrr@K, success@1, success@K or ndcg@K, K being the cut-off, such as 10)", kind, metric)
			}
			if _, dup := m[metric]; dup {
				return nil, p.fail("kind %q: metric %q is given twice", kind, metric)
			}
			t, err = p.token()
			if err != nil {
				return nil, err
			}
			v, ok := t.(float64)
			if !ok || v < 0 || v > 1 || math.IsNaN(v) {
				return nil, p.fail("kind %q: %s: want a number from 0 to 1, got %v", kind, metric, t)
			}
			m[metric] = v
		}
		if err := p.delim('}', "want the end of the object"); err != nil {
			return nil, err
		}
		f[kind] = m
	}
	if err := p.delim('}', "want the end of the object"); err != nil {
		return nil, err
	}
	if _, err := p.dec.Token(); !errors.Is(err, io.EOF) {
		return nil, p.fail("invalid JSON: more after the object")
	}
	return f, nil
}

// Breach is a kind below one of its floors, or a kind with floors that no
// query has.
type Breach struct {
	Kind   string
	Metric string // "" when the kind has no queries
	Value  float64
	Floor  float64
}

// String says what is below which floor, as
// "title-en: mrr@10 is 0.912, below its floor 0.930".
func (b Breach) String() string {
	if b.Metric == "" {
		return fmt.Sprintf("%s: has floors but no queries (is a judgment file missing?)", b.Kind)
	}
	return fmt.Sprintf("%s: %s is %.3f, below its floor %.3f", b.Kind, b.Metric, b.Value, b.Floor)
}

// Check returns every floor the report is below, by kind ([Overall]
// last) and metric in the order of [MetricNames], and a kind that has
// floors but no queries in the report (so that a dropped judgment file
// does not pass unseen). It fails when a floor names a metric at another
// cut-off than the report's, such as mrr@10 for a run at k = 5.
func (f Floors) Check(r *Report) ([]Breach, error) {
	kinds := make([]string, 0, len(f))
	for kind := range f {
		kinds = append(kinds, kind)
	}
	slices.SortFunc(kinds, compareKinds)
	names := MetricNames(r.K)
	var out []Breach
	for _, kind := range kinds {
		floors := f[kind]
		metrics := make([]string, 0, len(floors))
		for m := range floors {
			if !slices.Contains(names, m) {
				return nil, fmt.Errorf("floor %s of %q: the run measured at k = %d (%s)", m, kind, r.K, strings.Join(names, ", "))
			}
			metrics = append(metrics, m)
		}
		sortMetrics(metrics, names)
		s, ok := r.Kind(kind)
		if !ok {
			out = append(out, Breach{Kind: kind})
			continue
		}
		for _, m := range metrics {
			v, _ := s.Metric(m, r.K)
			if v < floors[m] {
				out = append(out, Breach{Kind: kind, Metric: m, Value: v, Floor: floors[m]})
			}
		}
	}
	return out, nil
}

// compareKinds sorts kinds by name, [Overall] last.
func compareKinds(a, b string) int {
	switch {
	case a == b:
		return 0
	case a == Overall:
		return 1
	case b == Overall:
		return -1
	case a < b:
		return -1
	}
	return 1
}

// FloorsFrom returns floors just under a report's figures: each kind's
// and the overall figure on every metric minus margin, rounded down to a
// hundredth, and never below 0. With a margin of 0.02, the floors let a
// figure fall by at least 0.02 (one query in 50) before they break.
func FloorsFrom(r *Report, margin float64) Floors {
	f := Floors{}
	names := MetricNames(r.K)
	for _, s := range append(slices.Clone(r.Kinds), r.Overall) {
		m := make(map[string]float64, len(names))
		for _, n := range names {
			v, _ := s.Metric(n, r.K)
			// The epsilon keeps 0.93 - 0.02 from becoming 0.90 by a
			// rounding error below 0.91.
			m[n] = max(0, math.Floor((v-margin)*100+1e-9)/100)
		}
		f[s.Kind] = m
	}
	return f
}

// Format returns the floors as a floors file: one kind a line, sorted by
// name with [Overall] last, metrics in the order of [MetricNames] for k.
func (f Floors) Format(k int) []byte {
	kinds := make([]string, 0, len(f))
	for kind := range f {
		kinds = append(kinds, kind)
	}
	slices.SortFunc(kinds, compareKinds)
	names := MetricNames(k)
	width := 0
	for _, kind := range kinds {
		width = max(width, len(strconv.Quote(kind)))
	}
	var b bytes.Buffer
	b.WriteString("{\n")
	for i, kind := range kinds {
		q := strconv.Quote(kind)
		fmt.Fprintf(&b, "  %s: %*s{", q, width-len(q), "")
		metrics := make([]string, 0, len(f[kind]))
		for m := range f[kind] {
			metrics = append(metrics, m)
		}
		sortMetrics(metrics, names)
		for j, m := range metrics {
			if j > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%q: %s", m, strconv.FormatFloat(f[kind][m], 'f', -1, 64))
		}
		b.WriteString("}")
		if i < len(kinds)-1 {
			b.WriteString(",")
		}
		b.WriteString("\n")
	}
	b.WriteString("}\n")
	return b.Bytes()
}

// sortMetrics sorts metric names in the order of names, any others
// after them by name.
func sortMetrics(metrics, names []string) {
	rank := func(m string) int {
		if i := slices.Index(names, m); i >= 0 {
			return i
		}
		return len(names)
	}
	slices.SortFunc(metrics, func(a, b string) int {
		if c := cmp.Compare(rank(a), rank(b)); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
}
