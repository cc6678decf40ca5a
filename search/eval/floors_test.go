package eval

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseFloors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      string
		want    Floors
		wantErr string
	}{
		{
			name: "good",
			in: `{
  "title-en": {"mrr@10": 0.95, "success@1": 0.9},
  "overall": {"ndcg@10": 0, "success@10": 1}
}`,
			want: Floors{
				"title-en": {"mrr@10": 0.95, "success@1": 0.9},
				Overall:    {"ndcg@10": 0, "success@10": 1},
			},
		},
		{name: "empty object", in: `{}`, want: Floors{}},
		{name: "empty kind", in: `{"a": {}}`, want: Floors{"a": {}}},
		{name: "empty file", in: ``, wantErr: "f.json:1: bad floors: invalid JSON: unexpected end of file"},
		{name: "not an object", in: `[1]`, wantErr: `f.json:1: bad floors: want a JSON object of kinds: {"title-en": {"mrr@10": 0.95}}`},
		{name: "syntax", in: "{\n  \"a\": {\"mrr@10\": 0.9,}\n}", wantErr: "f.json:2: bad floors: invalid JSON: invalid character '}' looking for beginning of object key string"},
		{name: "kind not an object", in: `{"a": 0.9}`, wantErr: `f.json:1: bad floors: kind "a": want an object of metrics: {"mrr@10": 0.95}`},
		{name: "bad kind", in: `{"Title": {}}`, wantErr: `f.json:1: bad floors: kind "Title": want at most 40`},
		{name: "unknown metric", in: "{\"a\": {\n\"mrr\": 0.9}}", wantErr: `f.json:2: bad floors: kind "a": unknown metric "mrr" (want mrr@K, success@1, success@K or ndcg@K`},
		{name: "metric at 0", in: `{"a": {"ndcg@0": 0.9}}`, wantErr: `unknown metric "ndcg@0"`},
		{name: "too high", in: `{"a": {"mrr@10": 1.5}}`, wantErr: `f.json:1: bad floors: kind "a": mrr@10: want a number from 0 to 1, got 1.5`},
		{name: "negative", in: `{"a": {"mrr@10": -0.1}}`, wantErr: `want a number from 0 to 1, got -0.1`},
		{name: "a string", in: `{"a": {"mrr@10": "0.9"}}`, wantErr: `want a number from 0 to 1, got 0.9`},
		{name: "kind twice", in: "{\"a\": {},\n\"a\": {}}", wantErr: `f.json:2: bad floors: kind "a" is given twice`},
		{name: "metric twice", in: `{"a": {"mrr@10": 0.9, "mrr@10": 0.8}}`, wantErr: `kind "a": metric "mrr@10" is given twice`},
		{name: "trailing", in: "{}\n{}", wantErr: "f.json:2: bad floors: invalid JSON: more after the object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseFloors([]byte(tt.in), "f.json")
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseFloors(%q) = %v, want an error holding %q", tt.in, err, tt.wantErr)
				}
				if !errors.Is(err, ErrBadFloors) {
					t.Errorf("ParseFloors(%q) = %v, want it to match ErrBadFloors", tt.in, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseFloors(%q): %v", tt.in, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseFloors(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

// report is a report at k = 10 with two kinds.
func report() *Report {
	return &Report{
		K: 10,
		Kinds: []Summary{
			{Kind: "phrase", Queries: 50, MRR: 0.80, Success1: 0.70, SuccessK: 0.96, NDCG: 0.84},
			{Kind: "title", Queries: 50, MRR: 0.9312, Success1: 0.9, SuccessK: 1, NDCG: 0.94},
		},
		Overall: Summary{Kind: Overall, Queries: 100, MRR: 0.8656, Success1: 0.8, SuccessK: 0.98, NDCG: 0.89},
	}
}

func TestFloors_Check(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		floors  Floors
		want    []string
		wantErr string
	}{
		{name: "none", floors: Floors{}},
		{name: "all met, equal counts as met", floors: Floors{
			"title":  {"mrr@10": 0.93, "success@1": 0.9, "success@10": 1, "ndcg@10": 0.94},
			"phrase": {"mrr@10": 0.8},
			Overall:  {"mrr@10": 0.86},
		}},
		{name: "every breach, in order", floors: Floors{
			Overall:   {"ndcg@10": 0.9, "mrr@10": 0.87},
			"title":   {"ndcg@10": 0.95, "mrr@10": 0.94, "success@1": 0.9},
			"phrase":  {"success@10": 0.97},
			"missing": {"mrr@10": 0.1},
		}, want: []string{
			"missing: has floors but no queries (is a judgment file missing?)",
			"phrase: success@10 is 0.960, below its floor 0.970",
			"title: mrr@10 is 0.931, below its floor 0.940",
			"title: ndcg@10 is 0.940, below its floor 0.950",
			"overall: mrr@10 is 0.866, below its floor 0.870",
			"overall: ndcg@10 is 0.890, below its floor 0.900",
		}},
		{name: "another k", floors: Floors{"title": {"mrr@5": 0.9}},
			wantErr: `floor mrr@5 of "title": the run measured at k = 10 (mrr@10, success@1, success@10, ndcg@10)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			bs, err := tt.floors.Check(report())
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("Check = %v, want %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, b := range bs {
				got = append(got, b.String())
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Check (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFloorsFrom(t *testing.T) {
	t.Parallel()
	rep := report()
	rep.Kinds = append(rep.Kinds, Summary{Kind: "zero", Queries: 10})
	got := FloorsFrom(rep, 0.02)
	want := Floors{
		// 0.8 - 0.02 is 0.78 though floating point makes it 0.7799…
		"phrase": {"mrr@10": 0.78, "success@1": 0.68, "success@10": 0.94, "ndcg@10": 0.82},
		"title":  {"mrr@10": 0.91, "success@1": 0.88, "success@10": 0.98, "ndcg@10": 0.92},
		"zero":   {"mrr@10": 0, "success@1": 0, "success@10": 0, "ndcg@10": 0},
		Overall:  {"mrr@10": 0.84, "success@1": 0.78, "success@10": 0.96, "ndcg@10": 0.87},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("FloorsFrom (-want +got):\n%s", diff)
	}
	if bs, err := got.Check(rep); err != nil || len(bs) != 0 {
		t.Errorf("the report is below its own floors: %v, %v", bs, err)
	}

	// Format writes a file ParseFloors reads back.
	text := got.Format(rep.K)
	wantText := `{
  "phrase":  {"mrr@10": 0.78, "success@1": 0.68, "success@10": 0.94, "ndcg@10": 0.82},
  "title":   {"mrr@10": 0.91, "success@1": 0.88, "success@10": 0.98, "ndcg@10": 0.92},
  "zero":    {"mrr@10": 0, "success@1": 0, "success@10": 0, "ndcg@10": 0},
  "overall": {"mrr@10": 0.84, "success@1": 0.78, "success@10": 0.96, "ndcg@10": 0.87}
}
`
	if diff := cmp.Diff(wantText, string(text)); diff != "" {
		t.Errorf("Format (-want +got):\n%s", diff)
	}
	back, err := ParseFloors(text, "floors.json")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(got, back); diff != "" {
		t.Errorf("ParseFloors(Format) (-want +got):\n%s", diff)
	}
}
