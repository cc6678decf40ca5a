package search

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wensou/wensou/index/article"
)

func pinyinIndex(t *testing.T) *Searcher {
	t.Helper()
	arts := []article.Article{
		{ID: "zyjy", Title: "职业教育", Body: "职业教育法施行。"},
		{ID: "zyjy-long", Title: "职业教育与职业培训的新规定", Body: "新规定。"},
		{ID: "changjiang", Title: "長江大橋", Body: "大桥通车。"},
		{ID: "xingren", Title: "行人", Body: "路上行人。"},
		{ID: "en-zhiye", Title: "Zhiye Jiaoyu Holdings", Body: "Zhiye Jiaoyu Holdings reported results."},
		{ID: "long", Title: "A long road", Body: "The long road home."},
		{ID: "dragon", Title: "龙", Body: "龙的传人。"},
		{ID: "poet", Title: "静夜思", Body: "床前明月光。", Authors: []string{"李白"}},
	}
	for i := range 6 {
		arts = append(arts, article.Article{ID: fmt.Sprintf("long-%d", i), Title: "Long story", Body: "It is a long story."})
	}
	for i := range 3 {
		arts = append(arts, article.Article{ID: fmt.Sprintf("edu-%d", i), Title: "教育新闻", Body: "职业教育的消息。"})
	}
	return newTestSearcher(t, memIndex(t, arts))
}

func TestSearch_Pinyin(t *testing.T) {
	s := pinyinIndex(t)
	tests := []struct {
		name  string
		query string
		want  []string // the first ids, in order
		title string   // the first hit's highlighted title, when set
	}{
		// One word no English article holds: the pinyin titles, the
		// shorter first.
		{"full pinyin", "zhiyejiaoyu", []string{"zyjy", "zyjy-long"}, "<mark>职业教育</mark>"},
		// The English words typed rank first; the pinyin title follows.
		{"spaced", "zhiye jiaoyu", []string{"en-zhiye", "zyjy", "zyjy-long"}, ""},
		{"tone marks", "zhíyè jiàoyù", []string{"zyjy", "zyjy-long"}, ""},
		{"initials", "zyjy", []string{"zyjy", "zyjy-long"}, "<mark>职业教育</mark>"},
		{"a polyphone's second reading, Traditional", "changjiang", []string{"changjiang"}, "<mark>長江</mark>大橋"},
		{"a polyphone's first reading", "zhangjiang", []string{"changjiang"}, ""},
		{"another polyphone", "hangren", []string{"xingren"}, ""},
		// An author's name.
		{"an author", "li bai", []string{"poet"}, ""},
		{"not pinyin", "zhiyx", []string{}, ""},
		{"pinyin in a field is not read", "title:zhiyejiaoyu", []string{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := s.Search(t.Context(), Request{Query: tt.query})
			if err != nil {
				t.Fatal(err)
			}
			got := []string{}
			for _, h := range res.Hits {
				got = append(got, h.ID)
			}
			if len(got) > len(tt.want) {
				got = got[:len(tt.want)]
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Search(%q) ids (-want +got):\n%s", tt.query, diff)
			}
			if tt.title != "" && len(res.Hits) > 0 && res.Hits[0].Highlight.Title != tt.title {
				t.Errorf("Search(%q): first title %q, want %q", tt.query, res.Hits[0].Highlight.Title, tt.title)
			}
		})
	}
	// An English word many articles hold is not read as pinyin: no
	// look-alike (龙 is long) on the page.
	res, err := s.Search(t.Context(), Request{Query: "long"})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range res.Hits {
		if h.ID == "dragon" {
			t.Errorf("Search(long) holds 龙, a pinyin look-alike, among %d hits", len(res.Hits))
		}
	}
}

func TestSearch_DidYouMeanHan(t *testing.T) {
	s := pinyinIndex(t)
	tests := []struct {
		query, want string
	}{
		{"职业教月", "职业教育"}, // 月 yue for 育 yu
		{"职叶教育", "职业教育"}, // 叶 ye for 业 ye
		{"职业教育", ""},     // found as typed
		{"职业教室", ""},     // 室 shi is not close to 育 yu
		{"长江职业教月", ""},   // 长江 is in no article either: all is partial, 教月 fixed
	}
	for _, tt := range tests {
		res, err := s.Search(t.Context(), Request{Query: tt.query})
		if err != nil {
			t.Fatal(err)
		}
		if tt.query == "长江职业教月" {
			if res.Suggestion != "长江职业教育" {
				t.Errorf("Search(%q).Suggestion = %q, want 长江职业教育", tt.query, res.Suggestion)
			}
			continue
		}
		if res.Suggestion != tt.want {
			t.Errorf("Search(%q).Suggestion = %q, want %q", tt.query, res.Suggestion, tt.want)
		}
	}
}
