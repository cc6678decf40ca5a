package filter

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func cond(field string, op Op, value string) *Cond {
	return &Cond{Field: field, Op: op, Value: value}
}

// ignorePos compares expressions without where they were read.
var ignorePos = cmp.Transformer("noPos", func(c *Cond) Cond {
	if c == nil {
		return Cond{}
	}
	out := *c
	out.Pos = 0
	return out
})

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want Expr
	}{
		{"", nil},
		{"   ", nil},
		{"author = 李明华", cond("author", Eq, "李明华")},
		{"author='Alice Chen'", cond("author", Eq, "Alice Chen")},
		{`author = "Alice \"AC\" Chen"`, cond("author", Eq, `Alice "AC" Chen`)},
		{"author != 赵静", cond("author", Ne, "赵静")},
		{"date > 2023-01-01", cond("date", Gt, "2023-01-01")},
		{"date >= 1672531200", cond("date", Ge, "1672531200")},
		{"date < 2023", cond("date", Lt, "2023")},
		{"date <= 2023.5", cond("date", Le, "2023.5")},
		{"date 2020 TO 2022", &Cond{Field: "date", Op: To, Value: "2020", Upper: "2022"}},
		{"tags IN [教育, 法律]", &Cond{Field: "tags", Op: In, Values: []string{"教育", "法律"}}},
		{"tags IN ['a b', c,]", &Cond{Field: "tags", Op: In, Values: []string{"a b", "c"}}},
		{"tags IN []", &Cond{Field: "tags", Op: In, Values: []string{}}},
		{"tags NOT IN [x]", Not{&Cond{Field: "tags", Op: In, Values: []string{"x"}}}},
		{"tags EXISTS", cond("tags", Exists, "")},
		{"tags NOT EXISTS", Not{cond("tags", Exists, "")}},
		{"author IS NULL", cond("author", IsNull, "")},
		{"author IS NOT NULL", Not{cond("author", IsNull, "")}},
		{"tags IS EMPTY", cond("tags", IsEmpty, "")},
		{"tags IS NOT EMPTY", Not{cond("tags", IsEmpty, "")}},
		{"NOT author = a", Not{cond("author", Eq, "a")}},
		{"NOT NOT author = a", cond("author", Eq, "a")},
		{"a = 1 AND b = 2 OR c = 3", Or{And{cond("a", Eq, "1"), cond("b", Eq, "2")}, cond("c", Eq, "3")}},
		{"a = 1 OR b = 2 AND c = 3", Or{cond("a", Eq, "1"), And{cond("b", Eq, "2"), cond("c", Eq, "3")}}},
		{"(a = 1 OR b = 2) AND NOT c = 3", And{Or{cond("a", Eq, "1"), cond("b", Eq, "2")}, Not{cond("c", Eq, "3")}}},
		{" ( ( a = 1 ) ) ", cond("a", Eq, "1")},
		{"'AND' = 'OR'", cond("AND", Eq, "OR")},
		{"ORder = 1 ANDroid = 2", nil}, // see the errors: two conditions without an operator
	}
	for _, tt := range tests {
		if tt.in == "ORder = 1 ANDroid = 2" {
			continue
		}
		got, err := Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		if d := cmp.Diff(tt.want, got, ignorePos); d != "" {
			t.Errorf("Parse(%q) (-want +got):\n%s", tt.in, d)
		}
		// What String writes reads back the same.
		if got != nil {
			again, err := Parse(got.String())
			if err != nil || cmp.Diff(got, again, ignorePos) != "" {
				t.Errorf("Parse(%q).String() = %q reads back as %v, %v", tt.in, got.String(), again, err)
			}
		}
	}
}

func TestParse_Errors(t *testing.T) {
	tests := []struct {
		in   string
		want string // in the message
		pos  string // the span, line:col
	}{
		{"author", "Was expecting an operation", "1:7 author"},
		{"author = ", "Was expecting a value but instead got nothing", ""},
		{"author = 'Alice", "missing the following closing delimiter: `'`", ""},
		{"(author = a", "missing the following closing delimiter: `)`", ""},
		{"author = a b = c", "Found unexpected characters at the end of the filter: `b = c`", ""},
		{"ORder = 1 ANDroid = 2", "Found unexpected characters", ""},
		{"tags IN 教育", "Expected `[` after `IN` keyword", ""},
		{"tags IN [教育", "Expected matching `]`", ""},
		{"tags IN [a b]", "Expected only comma-separated", ""},
		{"author IS nothing", "Was expecting `NULL`", ""},
		{"AND = 1", "reserved keyword", ""},
		{"a = 1 AND", "Was expecting an attribute but instead got nothing", ""},
		{"date 2020 TO", "Was expecting a value but instead got nothing", ""},
		{"作者 = 李", "", ""}, // fine: unquoted words may be Chinese
		{"= 1", "Was expecting an attribute but instead got `=`", ""},
		{strings.Repeat("(", 300) + "a = 1" + strings.Repeat(")", 300), "maximum depth", ""},
	}
	for _, tt := range tests {
		_, err := Parse(tt.in)
		if tt.want == "" {
			if err != nil {
				t.Errorf("Parse(%q): %v", tt.in, err)
			}
			continue
		}
		var fe *Error
		if !errors.As(err, &fe) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Parse(%q) = %v; want an error with %q", tt.in, err, tt.want)
			continue
		}
		if tt.pos != "" && !strings.HasSuffix(err.Error(), "\n"+tt.pos) {
			t.Errorf("Parse(%q): %q; want it to end with %q", tt.in, err, tt.pos)
		}
	}
}

func TestFromJSON(t *testing.T) {
	tests := []struct {
		in      string
		want    Expr
		wantErr string
	}{
		{`null`, nil, ""},
		{`"author = a"`, cond("author", Eq, "a"), ""},
		{`["author = a", "tags = b"]`, And{cond("author", Eq, "a"), cond("tags", Eq, "b")}, ""},
		{`[["author = a", "author = b"], "tags = c"]`, And{Or{cond("author", Eq, "a"), cond("author", Eq, "b")}, cond("tags", Eq, "c")}, ""},
		{`[["author = a"]]`, cond("author", Eq, "a"), ""},
		{`[]`, nil, ""},
		{`["", []]`, nil, ""},
		{`3`, nil, "found a number"},
		{`[3]`, nil, "found a number"},
		{`[[["a = 1"]]]`, nil, "found an array"},
		{`["a ="]`, nil, "Was expecting a value"},
	}
	for _, tt := range tests {
		var v any
		if err := json.Unmarshal([]byte(tt.in), &v); err != nil {
			t.Fatal(err)
		}
		got, err := FromJSON(v)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("FromJSON(%s) = %v, %v; want an error with %q", tt.in, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("FromJSON(%s): %v", tt.in, err)
			continue
		}
		if d := cmp.Diff(tt.want, got, ignorePos); d != "" {
			t.Errorf("FromJSON(%s) (-want +got):\n%s", tt.in, d)
		}
	}
}

// FuzzParse: any input is read or refused with an *Error, never a panic;
// what is read writes back (String) as a filter that reads the same.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"author = 李明华", "date 2020 TO 2022 AND NOT tags IN [a, 'b c']", "(a = 1 OR b != 2) AND c EXISTS",
		`x IS NOT EMPTY OR y = "q\"q"`, "((", "a IN [", "NOT NOT NOT a = 1", "'a\\'b' = 1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		x, err := Parse(s)
		if err != nil {
			var fe *Error
			if !errors.As(err, &fe) {
				t.Fatalf("Parse(%q): %v is no *Error", s, err)
			}
			_ = fe.Error() // its span is within the input
			return
		}
		if x == nil {
			return
		}
		again, err := Parse(x.String())
		if err != nil {
			t.Fatalf("Parse(%q).String() = %q does not read back: %v", s, x.String(), err)
		}
		if d := cmp.Diff(x, again, ignorePos); d != "" {
			t.Fatalf("Parse(%q).String() = %q reads back otherwise:\n%s", s, x.String(), d)
		}
	})
}
