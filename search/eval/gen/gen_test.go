package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wensou/wensou/index/zh"
	"github.com/wensou/wensou/search/eval"
)

func TestMain(m *testing.M) {
	// Folding Traditional characters needs the segmenter loaded.
	if _, err := zh.Load(zh.Options{}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}

func TestNormalize(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"", " "},
		{"BAHIA COCOA REVIEW", " bahia cocoa review "},
		{"Oil, gas  & U.S. prices' rise", " oil | gas | u | s | prices | rise "},
		{"...a", " | a "},
		{"a...", " a | "},
		{"a\n\tb", " a b "},
		{"秦川雄帝宅，函谷壯皇居。\n綺殿", " 秦川雄帝宅 | 函谷壮皇居 | 绮殿 "},
		{"ＧＯ语言２０２４年", " go语言2024年 "},
	}
	for _, tt := range tests {
		if got := normalize(tt.in); got != tt.want {
			t.Errorf("normalize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestWordRuns(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want [][]string
	}{
		{"", nil},
		{"Oil rose, gas fell", [][]string{{"Oil", "rose"}, {"gas", "fell"}}},
		{"the week in\n   the Bahia zone.", [][]string{{"the", "week", "in", "the", "Bahia", "zone"}}},
		{"Japan's 5.81 mln", [][]string{{"Japan"}, {"s", "5.81", "mln"}}},
		{"rose 1,234 tonnes. Then", [][]string{{"rose", "1,234", "tonnes"}, {"Then"}}},
		{"ended 15. Then", [][]string{{"ended", "15"}, {"Then"}}},
		{"café au lait", [][]string{{"caf"}, {"au", "lait"}}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, wordRuns(tt.in)); diff != "" {
			t.Errorf("wordRuns(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestHanRuns(t *testing.T) {
	t.Parallel()
	got := hanRuns("秦川雄帝宅，函谷壯皇居。Go语言2024年")
	want := [][]rune{[]rune("秦川雄帝宅"), []rune("函谷壯皇居"), []rune("语言"), []rune("年")}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("hanRuns (-want +got):\n%s", diff)
	}
}

func TestIntersect(t *testing.T) {
	t.Parallel()
	tests := []struct {
		lists [][]int32
		want  []int32
	}{
		{nil, nil},
		{[][]int32{{1, 2, 3}}, []int32{1, 2, 3}},
		{[][]int32{{1, 3, 5, 7}, {3, 4, 5}, {0, 3, 5, 9}}, []int32{3, 5}},
		{[][]int32{{1, 2}, {3}}, []int32{}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, intersect(tt.lists...)); diff != "" {
			t.Errorf("intersect(%v) (-want +got):\n%s", tt.lists, diff)
		}
	}
}

func TestSyllables(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want []string
	}{
		{"职业教育", []string{"zhi", "ye", "jiao", "yu"}},
		// Heteronyms get their first reading.
		{"长行重", []string{"zhang", "xing", "zhong"}},
		// ü is v, as pinyin input methods take it.
		{"绿女略", []string{"lv", "nv", "lve"}},
		{"闲a", nil},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, syllables(tt.in)); diff != "" {
			t.Errorf("syllables(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
	if got, want := pinyinKey("帝京篇十首 一"), "dijingpianshishouyi"; got != want {
		t.Errorf("pinyinKey = %q, want %q", got, want)
	}
	if got := pinyinKey("Go语言"); got != "" {
		t.Errorf("pinyinKey(Go语言) = %q, want \"\" (not only Han)", got)
	}
}

func TestRNG(t *testing.T) {
	t.Parallel()
	// The stream is part of the committed judgments: pin it.
	r := newRNG(9, "x")
	got := []int{r.intn(1000), r.intn(1000), r.intn(1000)}
	if want := []int{549, 96, 705}; !slices.Equal(got, want) {
		t.Errorf("newRNG(9, x) draws %v, want %v", got, want)
	}
	a, b := newRNG(9, "title-en").perm(10), newRNG(9, "phrase-en").perm(10)
	if slices.Equal(a, b) {
		t.Errorf("two kinds draw the same permutation %v", a)
	}
	if c := newRNG(9, "title-en").perm(10); !slices.Equal(a, c) {
		t.Errorf("perm = %v then %v, want the same", a, c)
	}
	sorted := slices.Clone(a)
	slices.Sort(sorted)
	if !slices.Equal(sorted, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}) {
		t.Errorf("perm(10) = %v, not a permutation", a)
	}
}

// oneEdit reports whether b is a with one insertion, deletion,
// substitution or swap of adjacent letters.
func oneEdit(a, b string) bool {
	switch {
	case len(b) == len(a)+1:
		for i := range len(b) {
			if b[:i]+b[i+1:] == a {
				return true
			}
		}
	case len(b) == len(a)-1:
		return oneEdit(b, a)
	case len(b) == len(a):
		var diff []int
		for i := range len(a) {
			if a[i] != b[i] {
				diff = append(diff, i)
			}
		}
		return len(diff) == 1 ||
			len(diff) == 2 && diff[1] == diff[0]+1 && a[diff[0]] == b[diff[1]] && a[diff[1]] == b[diff[0]]
	}
	return false
}

func TestTypo(t *testing.T) {
	t.Parallel()
	r := newRNG(1, "typo")
	kinds := map[int]int{}
	for _, w := range []string{"stake", "strong", "investors", "coffee"} {
		for range 200 {
			got := typo(r, w)
			if got == "" {
				continue
			}
			if got == w || !oneEdit(w, got) || !isLowerASCII(got) {
				t.Fatalf("typo(%q) = %q: want one edit away", w, got)
			}
			if len(got) < 5 {
				t.Fatalf("typo(%q) = %q: shorter than 5 letters", w, got)
			}
			kinds[len(got)-len(w)]++
		}
	}
	if kinds[1] == 0 || kinds[-1] == 0 || kinds[0] == 0 {
		t.Errorf("edits by length change = %v, want insertions, deletions and same-length edits", kinds)
	}
}

// writeCorpus writes a small corpus of the three files into a new
// directory: enough articles for every kind to find some queries.
func writeCorpus(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	write := func(name string, recs []map[string]string) {
		t.Helper()
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		for _, r := range recs {
			if err := enc.Encode(r); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.WriteFile(filepath.Join(dir, name), b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	places := []string{"bahia", "norway", "nissan", "jakarta", "toronto", "brazil", "kenya", "ghana"}
	goods := []string{"cocoa", "coffee", "sugar", "copper", "wheat", "rubber", "cotton", "tin"}
	var reuters []map[string]string
	for i := range 24 {
		p, g := places[i%len(places)], goods[(i/2)%len(goods)]
		reuters = append(reuters, map[string]string{
			"id":    fmt.Sprint(i + 1),
			"title": strings.ToUpper(fmt.Sprintf("%s %s exports review %d", p, g, i)),
			"body": fmt.Sprintf("Showers continued throughout the week in the %s %s zone, alleviating the drought. "+
				"Arrivals for the week ended February %d were bags of %s. Traders said prices of %s rose in %s.",
				p, g, i+1, g, g, places[(i+3)%len(places)]),
		})
	}
	reuters = append(reuters, map[string]string{"id": "99", "title": "", "body": ""}) // rejected
	write("reuters21578.jsonl", reuters)
	poems := []string{
		"秦川雄帝宅，函谷壯皇居。\n綺殿千尋起，離宮百雉餘。",
		"巖廊罷機務，崇文聊駐輦。\n玉匣啓龍圖，金繩披鳳篆。",
		"移步出詞林，停輿欣武宴。\n琱弓寫明月，駿馬疑流電。",
		"鳴笳臨樂館，眺聽歡芳節。\n急管韻朱絃，清歌凝白雪。",
		"落日雙闕昏，迴輿九重暮。\n長煙散初碧，皎月澄輕素。",
		"建章歡賞夕，二八盡妖妍。\n羅綺昭陽殿，芬芳玳瑁筵。",
	}
	var tang []map[string]string
	for i, p := range poems {
		tang = append(tang, map[string]string{"id": fmt.Sprintf("tang-%d", i), "title": fmt.Sprintf("帝京篇十首 %c", []rune("一二三四五六")[i]), "body": p})
	}
	write("chinese_poetry_tang.jsonl", tang)
	web := []string{
		"新修订的职业教育法施行 职校学生升学就业通道进一步拓宽",
		"许昌职业教育集团揭牌成立 三十余所院校与百家企业抱团育人",
		"惠州西湖完成提升改造 夜游线路七月中旬开放",
		"研究显示长期睡眠不足或增加心血管疾病风险",
	}
	var cweRecs []map[string]string
	for i, s := range web {
		cweRecs = append(cweRecs, map[string]string{"id": fmt.Sprintf("cwe-%d", i), "title": s,
			"body": s + "。记者了解到，相关部门正在制定具体的实施方案，" + web[(i+1)%len(web)] + "。"})
	}
	write("cn_web_extract.jsonl", cweRecs)
	return dir
}

func TestRun(t *testing.T) {
	corpus := writeCorpus(t)
	outs := []string{filepath.Join(t.TempDir(), "a"), filepath.Join(t.TempDir(), "b")}
	for _, out := range outs {
		var stdout, stderr bytes.Buffer
		if err := run(t.Context(), []string{"-corpus", corpus, "-out", out, "-n", "4"}, &stdout, &stderr); err != nil {
			t.Fatalf("run: %v\n%s", err, stderr.String())
		}
		if !strings.Contains(stdout.String(), "from 34 articles of "+corpus) {
			t.Errorf("stdout = %q, want it to count 34 articles (the record without title and body is not one)", stdout.String())
		}
	}
	files, err := filepath.Glob(filepath.Join(outs[0], "*.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 11 {
		t.Fatalf("wrote %d files, want one per kind (11): %v", len(files), files)
	}
	for _, f := range files {
		a, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(outs[1], filepath.Base(f)))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs between two runs with the same seed:\n%s\n%s", filepath.Base(f), a, b)
		}
	}
	js, err := eval.ReadFiles(files...)
	if err != nil {
		t.Fatalf("the judgments do not read back: %v", err)
	}
	kinds := map[string]int{}
	for _, j := range js {
		kinds[j.Kind]++
		if slices.Contains(j.Relevant, "99") {
			t.Errorf("%s: a rejected record is relevant", j.Where())
		}
		if filepath.Base(j.File) != j.Kind+".jsonl" {
			t.Errorf("%s: kind %q in the file of another", j.Where(), j.Kind)
		}
	}
	for _, k := range []string{"title-en", "title-zh", "phrase-en", "phrase-zh", "typo-en", "pinyin", "line-zh-hans", "prefix"} {
		if kinds[k] == 0 {
			t.Errorf("no queries of kind %s from the small corpus (%v)", k, kinds)
		}
	}
}

func TestRun_Errors(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"-n", "0"},
		{"extra"},
		{"-corpus", filepath.Join(t.TempDir(), "none"), "-out", t.TempDir()},
	} {
		var stdout, stderr bytes.Buffer
		if err := run(t.Context(), args, &stdout, &stderr); err == nil {
			t.Errorf("run(%q) = nil, want an error", args)
		}
	}
}

// TestCommitted regenerates the committed judgments from the shared
// corpora and compares them byte for byte. It takes a few seconds (a
// minute with -race), so it runs only when asked:
//
//	WENSOU_EVAL_GEN=1 go test -run TestCommitted ./search/eval/gen/
func TestCommitted(t *testing.T) {
	if os.Getenv("WENSOU_EVAL_GEN") == "" {
		t.Skip("set WENSOU_EVAL_GEN=1 to regenerate data/eval/*.jsonl and compare")
	}
	corpus := filepath.Join("..", "..", "..", "..", "shared", "corpus")
	if _, err := os.Stat(filepath.Join(corpus, "reuters21578.jsonl")); err != nil {
		t.Skipf("no shared corpora: %v", err)
	}
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	if err := run(t.Context(), []string{"-corpus", corpus, "-out", out}, &stdout, &stderr); err != nil {
		t.Fatalf("run: %v\n%s", err, stderr.String())
	}
	files, err := filepath.Glob(filepath.Join(out, "*.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		got, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(filepath.Join("..", "..", "..", "data", "eval", filepath.Base(f)))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("data/eval/%s is not what the generator writes now: regenerate with go run ./search/eval/gen", filepath.Base(f))
		}
	}
}
