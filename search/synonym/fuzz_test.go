package synonym

import (
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// errLine is how every line of a Parse error of "f.syn" starts.
var errLine = regexp.MustCompile(`^f\.syn:[1-9][0-9]*: `)

func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"",
		"# comment\n\n",
		"北大 北京大学\nlaptop notebook\n",
		"new york, nyc, big apple\n",
		"usa, united states, u.s. # comment\n",
		"fed => federal reserve, federal reserve system\n",
		"a b => c d\r\n",
		"a, b => c\n",
		"Laptop NOTEBOOK laptop\n",
		"\ufeffc# f#\n",
		"北大\n",
		" => b\n",
		"a =>\n",
		"a => b => c\n",
		"a => A\n",
		"a, , b\n",
		"a,b,\n",
		"\xff\xfe\n",
		"a b\x00c\n",
		strings.Repeat("长", 70) + " x\n",
		strings.Repeat("e ", 70) + "\n",
		strings.Repeat("bad\n", 12),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, input string) {
		s, err := Parse("f.syn", strings.NewReader(input))
		if err != nil {
			if s != nil {
				t.Fatalf("Parse(%q) = %v and error %v, want no set", input, s, err)
			}
			if !errors.Is(err, ErrSyntax) {
				t.Errorf("Parse(%q) error %v does not match ErrSyntax", input, err)
			}
			for _, line := range strings.Split(err.Error(), "\n") {
				if !errLine.MatchString(line) {
					t.Errorf("Parse(%q) error line %q does not start with f.syn:LINE:", input, line)
				}
			}
			return
		}
		for _, r := range s.Rules() {
			if len(r.From) == 0 || len(r.To) == 0 || !strings.HasPrefix(r.Pos, "f.syn:") {
				t.Fatalf("Parse(%q): rule %+v", input, r)
			}
			if !r.Oneway && !slices.Equal(r.From, r.To) {
				t.Errorf("Parse(%q): group %+v has From != To", input, r)
			}
			for _, e := range slices.Concat(r.From, r.To) {
				if e == "" || !utf8.ValidString(e) || strings.TrimSpace(e) != e || strings.ContainsFunc(e, unicode.IsControl) {
					t.Errorf("Parse(%q): rule %s has a bad entry %q", input, r.Pos, e)
				}
			}
			for _, from := range r.From {
				got := s.Expand(from)
				for _, to := range r.To {
					if to != from && !slices.Contains(got, to) {
						t.Errorf("Parse(%q): Expand(%q) = %q, want it to hold %q (rule %s)", input, from, got, to, r.Pos)
					}
				}
				if slices.Contains(got, from) {
					t.Errorf("Parse(%q): Expand(%q) = %q holds the entry itself", input, from, got)
				}
			}
		}
	})
}
