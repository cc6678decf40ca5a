package search

import (
	"errors"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

func TestParse(t *testing.T) {
	w := func(s string) Term { return Term{Text: s} }
	one := func(ts ...Term) Clause { return Clause{Alts: ts} }
	not := func(ts ...Term) Clause { return Clause{Exclude: true, Alts: ts} }
	tests := []struct {
		name string
		in   string
		want []Clause
	}{
		{"empty", "", nil},
		{"spaces", " \u3000 ", nil},
		{"words", "oil prices", []Clause{one(w("oil")), one(w("prices"))}},
		{"full-width space", "石油\u3000价格", []Clause{one(w("石油")), one(w("价格"))}},
		{"sentence stays one term", "如何在Debian中配置LVM", []Clause{one(w("如何在Debian中配置LVM"))}},
		{"phrase", `"职业教育" 法`, []Clause{one(Term{Text: "职业教育", Phrase: true}), one(w("法"))}},
		{"chinese quotes", "“职业教育”", []Clause{one(Term{Text: "职业教育", Phrase: true})}},
		{"corner quotes", "「职业教育」", []Clause{one(Term{Text: "职业教育", Phrase: true})}},
		{"unbalanced quote is text", `"oil prices`, []Clause{one(w("oil")), one(w("prices"))}},
		{"quote inside word", `say"hi`, []Clause{one(w("say")), one(w("hi"))}},
		{"exclude", "oil -prices", []Clause{one(w("oil")), not(w("prices"))}},
		{"exclude phrase", `oil -"crude oil"`, []Clause{one(w("oil")), not(Term{Text: "crude oil", Phrase: true})}},
		{"plus is required", "+author:韋應物 +如今", []Clause{one(Term{Field: "author", Text: "韋應物"}), one(w("如今"))}},
		{"quoted author", `+author:"Stephen Jukes, Reuters" +average`, []Clause{one(Term{Field: "author", Text: "Stephen Jukes, Reuters", Phrase: true}), one(w("average"))}},
		{"full-width colon", "作者：李白 月", []Clause{one(Term{Field: "author", Text: "李白"}), one(w("月"))}},
		{"title field", "title:oil", []Clause{one(Term{Field: "title", Text: "oil"})}},
		{"tag field", "TAG:教育", []Clause{one(Term{Field: "tag", Text: "教育"})}},
		{"unknown field is text", "http://example.com/a", []Clause{one(w("http://example.com/a"))}},
		{"time is text", "10:30", []Clause{one(w("10:30"))}},
		{"or", "oil OR gas", []Clause{one(w("oil"), w("gas"))}},
		{"or chain", "a OR b OR c d", []Clause{one(w("a"), w("b"), w("c")), one(w("d"))}},
		{"or at start is a word", "OR oil", []Clause{one(w("OR")), one(w("oil"))}},
		{"or at end is a word", "oil OR", []Clause{one(w("oil")), one(w("OR"))}},
		{"lowercase or is a word", "oil or gas", []Clause{one(w("oil")), one(w("or")), one(w("gas"))}},
		{"and is ignored", "oil AND gas", []Clause{one(w("oil")), one(w("gas"))}},
		{"not", "oil NOT gas", []Clause{one(w("oil")), not(w("gas"))}},
		{"prefix", "inflat*", []Clause{one(Term{Text: "inflat", Prefix: true})}},
		{"chinese prefix", "职业*", []Clause{one(Term{Text: "职业", Prefix: true})}},
		{"question mark is text", "什么是职业教育?", []Clause{one(w("什么是职业教育?"))}},
		{"lone star is text", "*", []Clause{one(w("*"))}},
		{"lone minus is text", "a - b", []Clause{one(w("a")), one(w("-")), one(w("b"))}},
		{"double minus is text", "--verbose", []Clause{one(w("--verbose"))}},
		{"c++", "C++ 教程", []Clause{one(w("C++")), one(w("教程"))}},
		{"full-width minus", "石油 －价格", []Clause{one(w("石油")), not(w("价格"))}},
		{"minus after a quote is punctuation", "劳伦斯：“洛克菲勒”-搜狐财经", []Clause{one(w("劳伦斯:")), one(Term{Text: "洛克菲勒", Phrase: true}), one(w("搜狐财经"))}},
		{"plus after a quote is punctuation", `"oil"+gas`, []Clause{one(Term{Text: "oil", Phrase: true}), one(w("gas"))}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			q, err := Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse(%q) error: %v", tt.in, err)
			}
			if diff := cmp.Diff(tt.want, q.Clauses); diff != "" {
				t.Errorf("Parse(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestParse_Errors(t *testing.T) {
	long := make([]rune, MaxQueryLength+1)
	for i := range long {
		long[i] = '字'
	}
	tests := []struct {
		name, in, want string
	}{
		{"empty field", "title: oil", `title: needs a word or a "phrase" after the colon`},
		{"empty field at end", "author:", `author: needs a word or a "phrase" after the colon`},
		{"short prefix", "a*", "a* needs at least 2 letters or 1 Chinese character before the *"},
		{"too long", string(long), "query is 1001 characters long, the limit is 1000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.in)
			var qe *QueryError
			if !errors.As(err, &qe) {
				t.Fatalf("Parse(%q) error = %v, want a *QueryError", tt.in, err)
			}
			if qe.Error() != tt.want {
				t.Errorf("Parse(%q) error = %q, want %q", tt.in, qe.Error(), tt.want)
			}
		})
	}
}

func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{"oil prices", `"职业教育" -法`, "author:李白 OR 杜甫", `+author:"A, B" +x`, "a OR OR b", "NOT", `"`, "title:", "x*", "http://a:b", "“中”－国"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := Parse(s)
		if err != nil {
			var qe *QueryError
			if !errors.As(err, &qe) {
				t.Fatalf("Parse(%q) error %v is not a *QueryError", s, err)
			}
			return
		}
		once := q.String()
		if utf8.RuneCountInString(once) > MaxQueryLength {
			return // formatting may add quotes or spaces past the limit
		}
		q2, err := Parse(once)
		if err != nil {
			t.Fatalf("Parse(%q) (formatted from %q) error: %v", once, s, err)
		}
		if twice := q2.String(); twice != once {
			t.Fatalf("format not stable: %q -> %q -> %q", s, once, twice)
		}
	})
}
