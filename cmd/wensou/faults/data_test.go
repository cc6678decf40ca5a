package faults

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
)

// article is an article as the suite writes it, to the API or to a JSON
// Lines file.
type article struct {
	ID     string   `json:"id"`
	Title  string   `json:"title"`
	Body   string   `json:"body"`
	Author []string `json:"author,omitempty"`
	Date   string   `json:"date,omitempty"`

	token string // a word only this article has, when it has one
}

// vocabulary is what generated bodies are made of: English and Chinese
// news words, so that both analyzers do their usual work.
var vocabulary = strings.Fields(`
	the market price of oil rose sharply on monday after traders said supplies
	would tighten as refineries cut output and shipping costs climbed again
	analysts expect the central bank to hold interest rates steady while
	inflation cools and exports recover in the second quarter of the year
	farmers harvest wheat early because the summer heat dried the fields
	city council approves new bike lanes and more buses for the river district
	职业教育 人民 政府 经济 市场 价格 上涨 企业 发展 改革 城市 农村 学校 学生
	老师 科技 创新 数据 互联网 交通 铁路 高速 新能源 汽车 充电 电池 天气
	高温 健康 医院 医生 旅游 文化 历史 博物馆 茶叶 春季 丰收 无人机 农民
	足球 比赛 冠军 记者 采访 报道 会议 通过 法律 施行 社区 食堂 老人 服务`)

// body returns n words of generated text.
func body(r *rand.Rand, n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(vocabulary[r.IntN(len(vocabulary))])
	}
	return b.String()
}

// token is a word that occurs in one article only (or in one group of
// articles): letters and digits, one token for the analyzer.
func token(parts ...any) string {
	var b strings.Builder
	b.WriteString("fx")
	for i, p := range parts {
		if i > 0 {
			b.WriteByte('q')
		}
		fmt.Fprint(&b, p)
	}
	return b.String()
}

// writeJSONL writes arts to path as JSON Lines.
func writeJSONL(t *testing.T, path string, arts []article) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, a := range arts {
		if err := enc.Encode(a); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}
