package search

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wensou/wensou/index/article"
	"github.com/wensou/wensou/search/synonym"
)

// swapSynonyms is a synonym source whose set a test replaces.
type swapSynonyms struct{ s *synonym.Set }

func (w *swapSynonyms) Set() *synonym.Set { return w.s }

func parseSynonyms(t *testing.T, text string) *synonym.Set {
	t.Helper()
	set, err := synonym.Parse("test.syn", strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	return set
}

func TestSearch_Synonyms(t *testing.T) {
	arts := []article.Article{
		{ID: "beida", Title: "北大招生", Body: "北大今年招生。"},
		{ID: "full", Title: "北京大学招生简章", Body: "北京大学今年招生，北京大学的简章。"},
		{ID: "ndrc", Title: "国家发展和改革委员会发布通知", Body: "国家发展和改革委员会今天发布。"},
		{ID: "laptop", Title: "A new laptop", Body: "The laptop is light."},
		{ID: "notebook", Title: "Notebook review", Body: "This notebook is light and fast, a notebook for travel."},
		{ID: "us", Title: "United States trade", Body: "The United States said trade grew."},
		{ID: "usa", Title: "USA exports", Body: "USA exports rose."},
		{ID: "fed", Title: "Federal Reserve holds", Body: "The Federal Reserve held rates."},
	}
	syn := &swapSynonyms{s: parseSynonyms(t, "北大 北京大学\n发改委 国家发展和改革委员会\nlaptop notebook\nusa, united states\nfed => federal reserve\n")}
	s := New(memIndex(t, arts), Options{Synonyms: syn})
	tests := []struct {
		query string
		want  []string // every hit, in rank order
	}{
		// The word as typed first, its synonym after.
		{"北大", []string{"beida", "full"}},
		{"北京大学", []string{"full", "beida"}},
		{"北大招生", []string{"beida", "full"}},
		{"发改委", []string{"ndrc"}},
		{"发改委 通知", []string{"ndrc"}},
		{"laptop", []string{"laptop", "notebook"}},
		{"notebook", []string{"notebook", "laptop"}},
		{"usa", []string{"usa", "us"}},
		{"united states", []string{"us", "usa"}},
		{"fed", []string{"fed"}},
		// One-way: federal reserve does not mean fed.
		{"federal reserve", []string{"fed"}},
		// Quoted words are taken as typed.
		{`"北大"`, []string{"beida"}},
	}
	for _, tt := range tests {
		res, err := s.Search(t.Context(), Request{Query: tt.query})
		if err != nil {
			t.Fatal(err)
		}
		got := []string{}
		for _, h := range res.Hits {
			got = append(got, h.ID)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("Search(%q) (-want +got):\n%s", tt.query, diff)
		}
	}

	// A new set applies to the next search.
	syn.s = parseSynonyms(t, "北大 北京大学 未名湖\n")
	res, err := s.Search(t.Context(), Request{Query: "laptop"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) != 1 {
		t.Errorf("laptop after its synonyms were removed: %d hits, want 1", len(res.Hits))
	}

	ix := memIndex(t, arts)
	got := s.Expand(ix.Segmenter(), "北大和usa的 laptop")
	want := []Expansion{{Text: "北大", Start: 0, End: 6, Synonyms: []string{"北京大学", "未名湖"}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Expand (-want +got):\n%s", diff)
	}
}
