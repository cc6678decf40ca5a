package pinyin

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/google/go-cmp/cmp"
	gopinyin "github.com/mozillazg/go-pinyin"
)

func TestReadings(t *testing.T) {
	t.Parallel()
	tests := []struct {
		r    rune
		want []string
	}{
		{'职', []string{"zhi"}},
		{'长', []string{"zhang", "chang"}},
		{'長', []string{"zhang", "chang", "zhang"}[:2]}, // Traditional
		{'行', []string{"xing", "hang", "heng"}},
		{'重', []string{"zhong", "chong", "tong"}},
		{'绿', []string{"lv", "lu"}},
		{'a', nil},
		{'。', nil},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, Readings(tt.r)); diff != "" {
			t.Errorf("Readings(%q) (-want +got):\n%s", tt.r, diff)
		}
	}
}

func TestRead(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want []Reading
	}{
		{"zhiyejiaoyu", []Reading{{Syllables: []string{"zhi", "ye", "jiao", "yu"}}}},
		{"zhiye jiaoyu", []Reading{{Syllables: []string{"zhi", "ye", "jiao", "yu"}}}},
		{"ZhíYè", []Reading{{Syllables: []string{"zhi", "ye"}}}},
		{"zhi2ye4", []Reading{{Syllables: []string{"zhi", "ye"}}}},
		{"lüse", []Reading{{Syllables: []string{"lv", "se"}}}},
		// The fewest syllables: ties are all kept.
		{"xian", []Reading{{Syllables: []string{"xian"}}}},
		{"fangan", []Reading{{Syllables: []string{"fang", "an"}}, {Syllables: []string{"fan", "gan"}}}},
		{"xi'an", []Reading{{Syllables: []string{"xi", "an"}}}},
		{"zyjy", []Reading{{Syllables: []string{"z", "y", "j", "y"}, Initials: true}}},
		{"ZY", []Reading{{Syllables: []string{"z", "y"}, Initials: true}}},
		// Not pinyin.
		{"inflation", nil},
		{"bootloader", nil},
		{"z", nil},
		{"iu", nil},
		{"职业", nil},
		{"zhi-ye", []Reading{{Syllables: []string{"zhi", "ye"}}}},
		{"zhi.ye", nil},
		{"g2", nil},
		{"", nil},
		{strings.Repeat("a", MaxLetters+1), nil},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, Read(tt.in, 2)); diff != "" {
			t.Errorf("Read(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestAnalyzer(t *testing.T) {
	t.Parallel()
	type tok struct {
		Term       string
		Start, End int
		Pos        int
	}
	got := func(text string, initials bool) []tok {
		var out []tok
		for _, t := range Tokens(text, initials) {
			out = append(out, tok{string(t.Term), t.Start, t.End, t.Position})
		}
		return out
	}
	f := func(start, end, pos int) tok { return tok{Filler, start, end, pos} }
	if diff := cmp.Diff([]tok{
		{"zhang", 0, 3, 1}, {"chang", 0, 3, 1}, f(0, 3, 1), f(0, 3, 1),
		{"jiang", 3, 6, 2}, f(3, 6, 2), f(3, 6, 2), f(3, 6, 2),
		// A Latin word takes a position; spaces take none.
		{"da", 9, 12, 4}, {"dai", 9, 12, 4}, {"tai", 9, 12, 4}, f(9, 12, 4),
		{"yi", 13, 16, 5}, f(13, 16, 5), f(13, 16, 5), f(13, 16, 5),
	}, got("长江 AI大 一", false)); diff != "" {
		t.Errorf("Tokens (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]tok{
		// 长 (zhang, chang) then 行 (xing, hang, heng): the pairs of
		// their initials, at 长's position, over both characters.
		{"zx", 0, 6, 1}, {"zh", 0, 6, 1}, {"cx", 0, 6, 1}, {"ch", 0, 6, 1},
		// A space is no gap: 行 (xing, hang) pairs with 大 (da, tai; the
		// first four pairs kept).
		{"xd", 3, 10, 2}, {"xt", 3, 10, 2}, {"hd", 3, 10, 2}, {"ht", 3, 10, 2},
		// Not across a Latin word; the last character pairs with none.
		f(7, 10, 3), f(7, 10, 3), f(7, 10, 3), f(7, 10, 3),
		f(14, 17, 5), f(14, 17, 5), f(14, 17, 5), f(14, 17, 5),
	}, got("长行 大 AI 一", true)); diff != "" {
		t.Errorf("initials (-want +got):\n%s", diff)
	}
}

// FuzzRead checks that reading any text as pinyin never panics and that
// every reading spells the text's letters.
func FuzzRead(f *testing.F) {
	for _, s := range []string{"zhiyejiaoyu", "zhíyè", "zhi2ye4", "xi'an", "zyjy", "inflation", "lüse", "a b c", "职业", "ńg", strings.Repeat("xian", 16)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		rs := Read(s, 3)
		if len(rs) > 3 {
			t.Fatalf("Read(%q) gave %d readings, want at most 3", s, len(rs))
		}
		chunks, _ := normalize(s)
		letters := strings.Join(chunks, "")
		for _, r := range rs {
			if got := strings.Join(r.Syllables, ""); got != letters {
				t.Errorf("Read(%q) = %v: spells %q, want %q", s, r, got, letters)
			}
			for _, syl := range r.Syllables {
				if r.Initials && len(syl) != 1 || !r.Initials && !IsSyllable(syl) {
					t.Errorf("Read(%q): %q is not a syllable or initial", s, syl)
				}
			}
		}
		for _, tok := range Tokens(s, true) {
			if term := string(tok.Term); term != Filler && (len(term) != 2 || !isLowerASCII(term)) {
				t.Errorf("Tokens(%q, initials): bad token %+v", s, tok)
			}
		}
		for _, tok := range Tokens(s, false) {
			if !utf8.Valid([]byte(s[tok.Start:tok.End])) || !IsSyllable(string(tok.Term)) && string(tok.Term) != Filler {
				t.Errorf("Tokens(%q): bad token %+v", s, tok)
			}
		}
	})
}

func TestIsPrefix(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]bool{
		"zhiy": true, "zhiye": true, "zhiyej": true, "z": true, "zh": true, "xi": true,
		"infla": false, "bootl": false, "": false, "Zhi": false, "zhiv": false,
	} {
		if got := IsPrefix(s); got != want {
			t.Errorf("IsPrefix(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestKeys(t *testing.T) {
	t.Parallel()
	if diff := cmp.Diff([]string{"zhiye"}, Keys("职业", 4)); diff != "" {
		t.Errorf("Keys(职业) (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"zhangjiang", "changjiang"}, Keys("长江", 4)); diff != "" {
		t.Errorf("Keys(长江) (-want +got):\n%s", diff)
	}
	if got := Keys("Go语言", 4); got != nil {
		t.Errorf("Keys(Go语言) = %v, want nil", got)
	}
	if got := len(Keys("长行重长", 3)); got != 3 {
		t.Errorf("Keys(长行重长, 3) gave %d keys, want 3", got)
	}
	if got := Covered("职业教育", "zhiyejiaoyu", "zhiy"); got != 2 {
		t.Errorf("Covered = %d, want 2", got)
	}
	if got := Covered("长江", "changjiang", "ch"); got != 1 {
		t.Errorf("Covered = %d, want 1", got)
	}
}

func BenchmarkAnalyzer(b *testing.B) {
	title := []byte("經孟浩然鹿門舊居二首 二 职业教育与职业培训的新规定")
	an := analyzer{}
	load()
	b.ReportAllocs()
	for b.Loop() {
		an.Analyze(title)
	}
}

func TestHomophones(t *testing.T) {
	t.Parallel()
	h := Homophones('育') // yu
	if !slices.Contains(h, '鱼') || slices.Contains(h, '育') || slices.Contains(h, '月') {
		t.Errorf("Homophones(育) = %q: want 鱼 (yu), not 育 itself or 月 (yue)", string(h))
	}
	if Homophones('a') != nil {
		t.Error("Homophones(a) is not nil")
	}
	for _, tt := range []struct {
		a, b rune
		want bool
	}{
		{'月', '育', true},  // yue, yu
		{'业', '叶', true},  // ye, ye
		{'育', '室', false}, // yu, shi
		{'月', '学', false}, // yue, xue: another first letter
		{'a', '育', false},
	} {
		if got := SoundsClose(tt.a, tt.b); got != tt.want {
			t.Errorf("SoundsClose(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

// TestReadings_MatchGoPinyin: the table's readings are go-pinyin's own,
// without tones, for every character it knows.
func TestReadings_MatchGoPinyin(t *testing.T) {
	t.Parallel()
	args := gopinyin.Args{Style: gopinyin.Normal, Heteronym: true}
	bad := 0
	for cp := range gopinyin.PinyinDict {
		r := rune(cp)
		var want []string
		for _, p := range gopinyin.SinglePinyin(r, args) {
			if p != "" && isLowerASCII(p) && !slices.Contains(want, p) {
				want = append(want, p)
			}
		}
		if got := Readings(r); !slices.Equal(got, want) && (r >= 0x3000 || len(want) > 0) {
			if bad++; bad <= 10 {
				t.Errorf("Readings(%q) = %q, go-pinyin says %q", r, got, want)
			}
		}
	}
}

// TestAnalyzer_AnalyzeInto reuses one buffer for titles of every size:
// the tokens are Analyze's.
func TestAnalyzer_AnalyzeInto(t *testing.T) {
	t.Parallel()
	type tok struct {
		Term       string
		Start, End int
		Pos        int
	}
	toks := func(ts analysis.TokenStream) []tok {
		out := make([]tok, len(ts))
		for i, t := range ts {
			out[i] = tok{string(t.Term), t.Start, t.End, t.Position}
		}
		return out
	}
	titles := []string{"长江 AI大 一", strings.Repeat("重庆银行行长", 30), "", "职业教育", "a", strings.Repeat("長安", 5)}
	for _, initials := range []bool{false, true} {
		a := analyzer{initials: initials}
		var buf TokenBuf
		for _, title := range titles {
			got := toks(a.AnalyzeInto([]byte(title), &buf))
			if diff := cmp.Diff(toks(a.Analyze([]byte(title))), got); diff != "" {
				t.Errorf("initials %v, %.20q: AnalyzeInto differs from Analyze (-want +got):\n%s", initials, title, diff)
			}
		}
	}
}
