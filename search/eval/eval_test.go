package eval

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// approx compares floats to 1e-12.
var approx = cmpopts.EquateApprox(0, 1e-12)

func TestScore(t *testing.T) {
	t.Parallel()
	one := Judgment{Kind: "k", Query: "q", Relevant: []string{"a"}}
	two := Judgment{Kind: "k", Query: "q", Relevant: []string{"a", "b"}}
	three := Judgment{Kind: "k", Query: "q", Relevant: []string{"a", "b", "c"}}
	graded := Judgment{Kind: "k", Query: "q", Relevant: []string{"a", "b"}, Grades: map[string]int{"a": 2}}
	log3 := math.Log2(3) // 1.584962500721156
	tests := []struct {
		name     string
		j        Judgment
		hits     []string
		k        int
		wantRank int
		wantNDCG float64
	}{
		{"first", one, []string{"a", "x", "y"}, 10, 1, 1},
		// DCG = 1/log2(3); IDCG = 1.
		{"second", one, []string{"x", "a"}, 10, 2, 1 / log3}, // 0.6309
		{"third", one, []string{"x", "y", "a"}, 10, 3, 0.5},  // 1/log2(4)
		{"none found", one, nil, 10, 0, 0},
		{"only wrong ones", one, []string{"x", "y"}, 10, 0, 0},
		{"past k", one, []string{"x", "y", "a"}, 2, 0, 0},
		{"k 0 means 10", one, []string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "a"}, 0, 10, 1 / math.Log2(11)},
		// DCG = 1 + 1/log2(4) = 1.5; IDCG = 1 + 1/log2(3) = 1.6309.
		{"two relevant, one and three", two, []string{"a", "x", "b"}, 10, 1, 1.5 / (1 + 1/log3)}, // 0.9197
		{"two relevant, both first", two, []string{"b", "a", "x"}, 10, 1, 1},
		// DCG = (2^1-1)/1 + (2^2-1)/log2(3) = 2.8928; IDCG = 3 + 1/log2(3) = 3.6309.
		{"graded, worse first", graded, []string{"b", "a"}, 10, 1, (1 + 3/log3) / (3 + 1/log3)}, // 0.7967
		{"graded, better first", graded, []string{"a", "b"}, 10, 1, 1},
		// DCG = 3/log2(3) = 1.8928; IDCG = 3.6309.
		{"graded, only the better", graded, []string{"x", "a"}, 10, 2, (3 / log3) / (3 + 1/log3)}, // 0.5213
		// The ideal list is cut at k too: IDCG = 1 + 1/log2(3).
		{"more relevant than k", three, []string{"c", "x"}, 2, 1, 1 / (1 + 1/log3)}, // 0.6131
		// A repeated id counts once: DCG = 1, not 1 + 0.63.
		{"repeated hit", one, []string{"a", "a"}, 10, 1, 1},
		{"repeated wrong hit", one, []string{"x", "x", "a"}, 10, 3, 0.5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := Score(tt.j, tt.hits, tt.k)
			if got.Rank != tt.wantRank {
				t.Errorf("Score(%q, k=%d).Rank = %d, want %d", tt.hits, tt.k, got.Rank, tt.wantRank)
			}
			if math.Abs(got.NDCG-tt.wantNDCG) > 1e-12 {
				t.Errorf("Score(%q, k=%d).NDCG = %.15f, want %.15f", tt.hits, tt.k, got.NDCG, tt.wantNDCG)
			}
			wantRR := 0.0
			if tt.wantRank > 0 {
				wantRR = 1 / float64(tt.wantRank)
			}
			if got.RR() != wantRR {
				t.Errorf("Score(%q, k=%d).RR() = %v, want %v", tt.hits, tt.k, got.RR(), wantRR)
			}
			k := tt.k
			if k <= 0 {
				k = DefaultK
			}
			if len(got.Hits) > k {
				t.Errorf("Score kept %d hits, more than k = %d", len(got.Hits), k)
			}
		})
	}
}

// fakeSearch answers from a table of query -> hits.
func fakeSearch(answers map[string][]string) SearchFunc {
	return func(ctx context.Context, j Judgment, k int) ([]string, error) {
		return answers[j.Query], nil
	}
}

func TestRun(t *testing.T) {
	t.Parallel()
	js := []Judgment{
		{Kind: "title", Query: "t1", Relevant: []string{"a"}},
		{Kind: "title", Query: "t2", Relevant: []string{"b"}},
		{Kind: "title", Query: "t3", Relevant: []string{"c"}},
		{Kind: "title", Query: "t4", Relevant: []string{"d"}},
		{Kind: "phrase", Query: "p1", Relevant: []string{"a", "b"}},
		{Kind: "phrase", Query: "p2", Relevant: []string{"e"}},
	}
	search := fakeSearch(map[string][]string{
		"t1": {"a", "x"},      // rank 1
		"t2": {"x", "b"},      // rank 2
		"t3": {"x", "y", "c"}, // rank 3 at k = 10, none at k = 2
		"t4": {"x"},           // none
		"p1": {"b", "x", "a"}, // rank 1, nDCG (1 + 1/2) / (1 + 1/log2(3))
		"p2": {},              // none
	})
	log3 := math.Log2(3)
	tests := []struct {
		k    int
		want *Report
	}{
		{10, &Report{
			K: 10,
			Kinds: []Summary{
				{Kind: "phrase", Queries: 2, MRR: 0.5, Success1: 0.5, SuccessK: 0.5, NDCG: 1.5 / (1 + 1/log3) / 2},
				// RR 1, 1/2, 1/3, 0; nDCG 1, 1/log2(3), 1/2, 0.
				{Kind: "title", Queries: 4, MRR: (1 + 0.5 + 1.0/3) / 4, Success1: 0.25, SuccessK: 0.75, NDCG: (1 + 1/log3 + 0.5) / 4},
			},
			Overall: Summary{Kind: Overall, Queries: 6, MRR: (1 + 0.5 + 1.0/3 + 1) / 6, Success1: 2.0 / 6, SuccessK: 4.0 / 6,
				NDCG: (1 + 1/log3 + 0.5 + 1.5/(1+1/log3)) / 6},
		}},
		{2, &Report{
			K: 2,
			Kinds: []Summary{
				// p1 at k = 2: only b, DCG 1, IDCG 1 + 1/log2(3).
				{Kind: "phrase", Queries: 2, MRR: 0.5, Success1: 0.5, SuccessK: 0.5, NDCG: 1 / (1 + 1/log3) / 2},
				{Kind: "title", Queries: 4, MRR: 1.5 / 4, Success1: 0.25, SuccessK: 0.5, NDCG: (1 + 1/log3) / 4},
			},
			Overall: Summary{Kind: Overall, Queries: 6, MRR: 2.5 / 6, Success1: 2.0 / 6, SuccessK: 3.0 / 6,
				NDCG: (1 + 1/log3 + 1/(1+1/log3)) / 6},
		}},
	}
	for _, tt := range tests {
		got, err := Run(t.Context(), js, tt.k, search)
		if err != nil {
			t.Fatalf("Run(k=%d): %v", tt.k, err)
		}
		if diff := cmp.Diff(tt.want, got, approx, cmpopts.IgnoreFields(Report{}, "Results")); diff != "" {
			t.Errorf("Run(k=%d) (-want +got):\n%s", tt.k, diff)
		}
		if len(got.Results) != len(js) {
			t.Fatalf("Run(k=%d) has %d results, want %d", tt.k, len(got.Results), len(js))
		}
		for i, r := range got.Results {
			if r.Query != js[i].Query {
				t.Errorf("Run(k=%d): result %d is %q, want %q (input order)", tt.k, i, r.Query, js[i].Query)
			}
		}
	}
}

func TestRun_Errors(t *testing.T) {
	t.Parallel()
	js := []Judgment{
		{Kind: "k", Query: "fine", Relevant: []string{"a"}, File: "j.jsonl", Line: 1},
		{Kind: "k", Query: "broken", Relevant: []string{"a"}, File: "j.jsonl", Line: 2},
	}
	errBoom := errors.New("boom")
	search := func(ctx context.Context, j Judgment, k int) ([]string, error) {
		if j.Query == "broken" {
			return nil, errBoom
		}
		return []string{"a"}, nil
	}
	_, err := Run(t.Context(), js, 10, search)
	if !errors.Is(err, errBoom) || err.Error() != `j.jsonl:2: query "broken": boom` {
		t.Errorf("Run = %v, want j.jsonl:2: query \"broken\": boom, wrapping the search error", err)
	}

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := Run(ctx, js, 10, search); !errors.Is(err, context.Canceled) {
		t.Errorf("Run(canceled) = %v, want context.Canceled", err)
	}
}

func TestReport_Worst(t *testing.T) {
	t.Parallel()
	js := []Judgment{
		{Kind: "a", Query: "q1", Relevant: []string{"1"}},      // rank 1: never a miss
		{Kind: "a", Query: "q2", Relevant: []string{"1"}},      // rank 3
		{Kind: "a", Query: "q3", Relevant: []string{"1"}},      // none
		{Kind: "a", Query: "q4", Relevant: []string{"1"}},      // rank 2
		{Kind: "a", Query: "q5", Relevant: []string{"1", "2"}}, // rank 2, better nDCG than q6
		{Kind: "a", Query: "q6", Relevant: []string{"1", "2"}}, // rank 2
		{Kind: "b", Query: "q7", Relevant: []string{"1"}},      // none
	}
	rep, err := Run(t.Context(), js, 10, fakeSearch(map[string][]string{
		"q1": {"1"}, "q2": {"x", "y", "1"}, "q4": {"x", "1"},
		"q5": {"x", "1", "2"}, "q6": {"x", "1"},
	}))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		kind string
		n    int
		want []string
	}{
		{"a", 10, []string{"q3", "q2", "q6", "q4", "q5"}},
		{"a", 2, []string{"q3", "q2"}},
		{"b", 10, []string{"q7"}},
		{Overall, 3, []string{"q3", "q7", "q2"}},
		{"c", 10, nil},
		{"a", 0, nil},
	}
	for _, tt := range tests {
		var got []string
		for _, r := range rep.Worst(tt.kind, tt.n) {
			got = append(got, r.Query)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("Worst(%q, %d) (-want +got):\n%s", tt.kind, tt.n, diff)
		}
	}
}

func TestRead(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      string
		want    []Judgment
		wantErr []string // one per bad line
	}{
		{
			name: "good",
			in: `{"kind":"title-en","query":"bahia cocoa review","relevant":["1"]}

{"kind":"prefix","query":"coco","relevant":["1","2"],"grades":{"2":2}}` + "\r\n",
			want: []Judgment{
				{Kind: "title-en", Query: "bahia cocoa review", Relevant: []string{"1"}, File: "j.jsonl", Line: 1},
				{Kind: "prefix", Query: "coco", Relevant: []string{"1", "2"}, Grades: map[string]int{"2": 2}, File: "j.jsonl", Line: 3},
			},
		},
		{name: "empty", in: "", want: nil},
		{
			name: "every bad line",
			in: strings.Join([]string{
				`{"kind":"a","query":"q","relevant":["1"]}`,
				`{"kind":"a","query":"q","relevant":["1"]`,
				`not json`,
				`["a"]`,
				`{"kind":"a","query":"q2","relevant":"1"}`,
				`{"kind":"a","query":"q3","relevent":["1"]}`,
				`{"query":"q4","relevant":["1"]}`,
				`{"kind":"Title EN","query":"q5","relevant":["1"]}`,
				`{"kind":"overall","query":"q6","relevant":["1"]}`,
				`{"kind":"a","query":"  ","relevant":["1"]}`,
				`{"kind":"a","query":"q7","relevant":[]}`,
				`{"kind":"a","query":"q8"}`,
				`{"kind":"a","query":"q9","relevant":["1",""]}`,
				`{"kind":"a","query":"q10","relevant":["1","1"]}`,
				`{"kind":"a","query":"q11","relevant":["1"],"grades":{"2":2}}`,
				`{"kind":"a","query":"q12","relevant":["1"],"grades":{"1":0}}`,
				`{"kind":"a","query":"q13","relevant":["1"],"grades":{"1":11}}`,
				`{"kind":"a","query":"q","relevant":["2"]}`,
				`{"kind":"b","query":"q","relevant":["2"]} {"kind":"b"}`,
			}, "\n"),
			wantErr: []string{
				`j.jsonl:2: invalid JSON: unexpected end of line`,
				`j.jsonl:3: invalid JSON: invalid character 'o' in literal null (expecting 'u')`,
				`j.jsonl:4: want a JSON object, got a JSON array`,
				`j.jsonl:5: "relevant": want []string, got a JSON string`,
				`j.jsonl:6: unknown field "relevent"`,
				`j.jsonl:7: "kind" is missing`,
				`j.jsonl:8: kind "Title EN": want at most 40 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit`,
				`j.jsonl:9: kind "overall" is reserved for the figures over every kind`,
				`j.jsonl:10: "query" is missing or blank`,
				`j.jsonl:11: "relevant" is missing or empty: a query needs at least one relevant id`,
				`j.jsonl:12: "relevant" is missing or empty: a query needs at least one relevant id`,
				`j.jsonl:13: "relevant" holds an empty id`,
				`j.jsonl:14: relevant id "1" is listed twice`,
				`j.jsonl:15: grades: id "2" is not in "relevant"`,
				`j.jsonl:16: grades: id "1" has grade 0; want 1 to 10 (leave an article out of "relevant" for 0)`,
				`j.jsonl:17: grades: id "1" has grade 11; want 1 to 10 (leave an article out of "relevant" for 0)`,
				`j.jsonl:18: query "q" of kind "a" is already judged at j.jsonl:1`,
				`j.jsonl:19: invalid JSON: more after the object (one judgment a line)`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Read(strings.NewReader(tt.in), "j.jsonl")
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("Read: %v", err)
				}
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("Read (-want +got):\n%s", diff)
				}
				return
			}
			if got != nil {
				t.Errorf("Read returned %d judgments with errors, want none", len(got))
			}
			if diff := cmp.Diff(tt.wantErr, strings.Split(err.Error(), "\n")); diff != "" {
				t.Errorf("Read error lines (-want +got):\n%s", diff)
			}
			if !errors.Is(err, ErrBadJudgment) {
				t.Errorf("Read error %v does not match ErrBadJudgment", err)
			}
			var le *LineError
			if !errors.As(err, &le) || le.File != "j.jsonl" || le.Line != 2 {
				t.Errorf("errors.As(err, *LineError) = %+v, want the first bad line, j.jsonl:2", le)
			}
		})
	}
}

func TestReadFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a := filepath.Join(dir, "a.jsonl")
	b := filepath.Join(dir, "b.jsonl")
	write := func(path, s string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(a, `{"kind":"a","query":"q","relevant":["1"]}`+"\n")
	write(b, `{"kind":"b","query":"q","relevant":["1"]}`+"\n"+`{"kind":"a","query":"q","relevant":["2"]}`+"\n")

	_, err := ReadFiles(a, b)
	if want := b + `:2: query "q" of kind "a" is already judged at ` + a + ":1"; err == nil || err.Error() != want {
		t.Errorf("ReadFiles(a, b) = %v, want %s", err, want)
	}
	got, err := ReadFiles(a)
	if err != nil || len(got) != 1 || got[0].Where() != a+":1" {
		t.Errorf("ReadFiles(a) = %+v, %v; want one judgment from %s:1", got, err, a)
	}
	if _, err := ReadFiles(filepath.Join(dir, "none.jsonl")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("ReadFiles(missing) = %v, want an error wrapping os.ErrNotExist", err)
	}
}

func TestJudgment_Grade(t *testing.T) {
	t.Parallel()
	j := Judgment{Relevant: []string{"a", "b"}, Grades: map[string]int{"b": 3}}
	for id, want := range map[string]int{"a": 1, "b": 3, "c": 0} {
		if got := j.Grade(id); got != want {
			t.Errorf("Grade(%q) = %d, want %d", id, got, want)
		}
	}
}
