package search

import (
	"fmt"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wensou/wensou/index/article"
)

func typoIndex(t *testing.T) *Searcher {
	t.Helper()
	arts := []article.Article{
		{ID: "boot", Title: "Fixing the bootloader", Body: "The bootloader of the board would not start after the update."},
		{ID: "frame", Title: "Web frameworks compared", Body: "Three frameworks, one benchmark."},
		{ID: "gov", Title: "Government spending", Body: "The government raised spending on schools."},
		{ID: "gov2", Title: "Budget", Body: "The government cut the budget."},
		{ID: "gov3", Title: "Elections", Body: "A new government was formed."},
		{ID: "gov4", Title: "Taxes", Body: "Government revenue from taxes rose."},
		{ID: "typo", Title: "A typo", Body: "The goverment of the day said nothing."},
		{ID: "glyn", Title: "Glynwed results", Body: "Glynwed International reported higher profits."},
		{ID: "cats", Title: "Cats", Body: "The cat sat on the mat in 2021."},
		{ID: "zh", Title: "职业教育", Body: "职业教育法施行。"},
	}
	for i := range 20 {
		arts = append(arts, article.Article{ID: fmt.Sprintf("gov-more-%d", i), Title: "News", Body: "The government said so."})
	}
	return newTestSearcher(t, memIndex(t, arts))
}

func TestSearch_Typos(t *testing.T) {
	s := typoIndex(t)
	tests := []struct {
		name          string
		req           Request
		wantFirst     string            // "" for no hits
		wantCorrected map[string]string // nil for none
		wantSuggest   string
	}{
		{"one edit, a swap", Request{Query: "bootlaoder"}, "boot", map[string]string{"bootlaoder": "bootloader"}, ""},
		{"one edit, a deletion", Request{Query: "framworks"}, "frame", map[string]string{"framworks": "frameworks"}, ""},
		{"two words, one misspelt", Request{Query: "bootlaoder update"}, "boot", map[string]string{"bootlaoder": "bootloader"}, ""},
		{"the stemmer keeps a misspelt word whole", Request{Query: "glxnwed"}, "glyn", map[string]string{"glxnwed": "glynwed"}, ""},
		{"two edits from 9 letters", Request{Query: "bootlaodre"}, "boot", map[string]string{"bootlaodre": "bootloader"}, ""},
		{"two edits under 9 letters: not fuzzed", Request{Query: "framwrks"}, "", nil, ""},
		{"shorter than 5 letters: not fuzzed", Request{Query: "cta"}, "", nil, ""},
		{"a phrase is not fuzzed", Request{Query: `"bootlaoder"`}, "", nil, ""},
		{"a prefix is not fuzzed", Request{Query: "bootlaod*"}, "", nil, ""},
		{"typos off", Request{Query: "bootlaoder", NoTypos: true}, "", nil, ""},
		{"a word some articles hold stays, the common one suggested", Request{Query: "goverment"}, "typo", nil, "government"},
		{"correct words: nothing corrected", Request{Query: "government spending"}, "gov", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := s.Search(t.Context(), tt.req)
			if err != nil {
				t.Fatal(err)
			}
			first := ""
			if len(res.Hits) > 0 {
				first = res.Hits[0].ID
			}
			if first != tt.wantFirst {
				t.Errorf("Search(%q): first hit %q (of %v), want %q", tt.req.Query, first, hitIDs(res), tt.wantFirst)
			}
			if diff := cmp.Diff(tt.wantCorrected, res.Corrected); diff != "" {
				t.Errorf("Search(%q): corrected (-want +got):\n%s", tt.req.Query, diff)
			}
			if res.Suggestion != tt.wantSuggest {
				t.Errorf("Search(%q): suggestion %q, want %q", tt.req.Query, res.Suggestion, tt.wantSuggest)
			}
		})
	}
}

// TestSearch_TyposOptions checks that the word lengths are settable.
func TestSearch_TyposOptions(t *testing.T) {
	s := typoIndex(t)
	for _, tt := range []struct {
		typos Typos
		query string
		want  bool // found
	}{
		{Typos{}, "framworks", true},
		{Typos{OneTypo: 10, TwoTypos: 12}, "framworks", false},
		{Typos{OneTypo: 3}, "cst", true}, // cat
		{Typos{Off: true}, "framworks", false},
	} {
		s2 := New(s.src, Options{Typos: tt.typos})
		res, err := s2.Search(t.Context(), Request{Query: tt.query})
		if err != nil {
			t.Fatal(err)
		}
		if got := res.Total > 0; got != tt.want {
			t.Errorf("Typos %+v: Search(%q) found %v (%v), want %v", tt.typos, tt.query, got, hitIDs(res), tt.want)
		}
	}
}

// TestSearch_TyposExactFirst: an article holding the word as typed ranks
// above those found through a correction, and a correctly spelled query
// ranks as without typo tolerance.
func TestSearch_TyposExactFirst(t *testing.T) {
	s := typoIndex(t)
	for _, q := range []string{"government spending", "frameworks benchmark", "bootloader"} {
		with, err := s.Search(t.Context(), Request{Query: q, Size: MaxSize})
		if err != nil {
			t.Fatal(err)
		}
		without, err := s.Search(t.Context(), Request{Query: q, Size: MaxSize, NoTypos: true})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(hitIDs(with), hitIDs(without)) || with.Corrected != nil {
			t.Errorf("Search(%q) = %v, corrected %v; without typo tolerance %v", q, hitIDs(with), with.Corrected, hitIDs(without))
		}
	}
	res, err := s.Search(t.Context(), Request{Query: "goverment"})
	if err != nil {
		t.Fatal(err)
	}
	if got := hitIDs(res); !slices.Equal(got, []string{"typo"}) {
		t.Errorf(`Search("goverment") = %v, want only the article holding it as typed`, got)
	}
}
