package article

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// fmValue is one front matter entry.
type fmValue struct {
	key    string // as written
	line   int
	scalar string
	list   []string
	isList bool
}

// frontMatterKeys are the front matter keys that set a field; the others
// are ignored without looking at their values. Body keys are not among
// them: the Markdown is the body.
var frontMatterKeys = map[string]bool{}

func init() {
	for _, ks := range [][]string{keysID, keysTitle, keysAuthor, keysDate, keysURL, keysSource, keysTags} {
		for _, k := range ks {
			frontMatterKeys[k] = true
		}
	}
}

var (
	fmKeyRE   = regexp.MustCompile(`^([^\s:#\-'"\[{][^\s:]*)[ \t]*:(.*)$`)
	headingRE = regexp.MustCompile(`^ {0,3}#[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$`)
	fenceRE   = regexp.MustCompile("^ {0,3}(```|~~~)")
)

// parseMarkdown reads a Markdown article with optional front matter:
//
//	---
//	title: "A title"          # comments are fine
//	author: [张三, "Li Si"]
//	tags:
//	  - news
//	date: 2022-09-23
//	---
//	Markdown body…
//
// Without a front matter title, the first "# Heading" is the title and is
// removed from the body. line is where a rejection points.
func parseMarkdown(data []byte, opts Options) (a Article, warns []string, line int, err error) {
	opts = opts.withDefaults()
	if i := invalidUTF8At(data); i >= 0 {
		return Article{}, nil, lineOf(data, i), &UTF8Error{Offset: i}
	}
	lines := strings.Split(normalizeNewlines(strings.TrimPrefix(string(data), "\uFEFF")), "\n")

	rest := lines
	if len(lines) > 0 && strings.TrimRight(lines[0], " \t") == "---" {
		end := -1
		for j := 1; j < len(lines); j++ {
			if t := strings.TrimRight(lines[j], " \t"); t == "---" || t == "..." {
				end = j
				break
			}
		}
		if end < 0 {
			return Article{}, nil, 1, fmt.Errorf("%w: no closing \"---\" line", ErrFrontMatter)
		}
		fm, line, err := parseFrontMatter(lines[1:end], 2)
		if err != nil {
			return Article{}, nil, line, err
		}
		if line, err := a.applyFrontMatter(fm); err != nil {
			return Article{}, nil, line, err
		}
		if v, ok := firstValue(fm, keysDate); ok {
			t, warn, _ := stringDate(v.scalar, opts.Location)
			a.Date = t
			if warn != "" {
				warns = append(warns, warn)
			}
		}
		rest = lines[end+1:]
	}

	if trimSpace(a.Title) == "" {
		fenced := ""
		for j, l := range rest {
			if m := fenceRE.FindStringSubmatch(l); m != nil {
				switch fenced {
				case "":
					fenced = m[1]
				case m[1]:
					fenced = ""
				}
				continue
			}
			if fenced != "" {
				continue
			}
			if m := headingRE.FindStringSubmatch(l); m != nil {
				a.Title = m[1]
				rest = append(rest[:j:j], rest[j+1:]...)
				break
			}
		}
	}
	a.Body = markdownText(rest)

	if err := a.Normalize(opts); err != nil {
		return Article{}, nil, 1, err
	}
	return a, warns, 1, nil
}

// firstValue returns the first entry among keys with a non-empty value.
func firstValue(fm map[string]*fmValue, keys []string) (*fmValue, bool) {
	for _, k := range keys {
		v, ok := fm[k]
		if !ok {
			continue
		}
		if v.isList {
			for _, s := range v.list {
				if trimSpace(s) != "" {
					return v, true
				}
			}
			continue
		}
		if trimSpace(v.scalar) != "" {
			return v, true
		}
	}
	return nil, false
}

// applyFrontMatter sets the article's fields, except the date, from front
// matter. It returns the line of a list given for a single-valued field.
func (a *Article) applyFrontMatter(fm map[string]*fmValue) (int, error) {
	for _, keys := range [][]string{keysID, keysTitle, keysDate, keysURL, keysSource} {
		for _, k := range keys {
			if v, ok := fm[k]; ok && v.isList {
				return v.line, fmt.Errorf("%w: %q must be one value, not a list", ErrFrontMatter, v.key)
			}
		}
	}
	scalar := func(keys []string) string {
		if v, ok := firstValue(fm, keys); ok {
			return v.scalar
		}
		return ""
	}
	list := func(keys []string, split func(string) []string) []string {
		v, ok := firstValue(fm, keys)
		switch {
		case !ok:
			return nil
		case v.isList:
			return v.list
		default:
			return split(v.scalar)
		}
	}
	a.ID = scalar(keysID)
	a.Title = scalar(keysTitle)
	a.URL = scalar(keysURL)
	a.Source = scalar(keysSource)
	a.Authors = list(keysAuthor, splitAuthors)
	a.Tags = list(keysTags, splitTags)
	return 0, nil
}

// parseFrontMatter parses the flat YAML subset wensou reads: "key: value"
// lines with plain, 'single' or "double" quoted values, inline lists
// ("[a, b]"), block lists ("key:" then "- item" lines) and "#" comments.
// Keys are returned in lower case; a repeated key keeps its last value.
// Values of keys that set no field are not parsed, and lines indented
// under them are skipped, so other tools' front matter does not get in the
// way. first is the file line number of lines[0].
func parseFrontMatter(lines []string, first int) (map[string]*fmValue, int, error) {
	fm := make(map[string]*fmValue)
	var (
		cur   *fmValue // the last key, when it is known
		block bool     // cur had no value: items may follow
		skip  bool     // the last key is not known: skip what is under it
	)
	for j, raw := range lines {
		n := first + j
		t := trimSpace(raw)
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		indented := raw != strings.TrimLeft(raw, " \t")
		if indented || t == "-" || strings.HasPrefix(t, "- ") {
			switch {
			case skip:
				continue
			case cur != nil && block && (t == "-" || strings.HasPrefix(t, "- ")):
				item, err := parseScalar(strings.TrimPrefix(t, "-"))
				if err != nil {
					return nil, n, err
				}
				cur.isList = true
				cur.list = append(cur.list, item)
				continue
			case cur != nil:
				return nil, n, fmt.Errorf("%w: %q: want \"- item\" or a new \"key: value\" line, got %q", ErrFrontMatter, cur.key, t)
			default:
				return nil, n, fmt.Errorf("%w: want \"key: value\", got %q", ErrFrontMatter, t)
			}
		}
		m := fmKeyRE.FindStringSubmatch(raw)
		if m == nil {
			return nil, n, fmt.Errorf("%w: want \"key: value\", got %q", ErrFrontMatter, t)
		}
		key, val := strings.ToLower(m[1]), trimSpace(m[2])
		if !frontMatterKeys[key] {
			cur, block, skip = nil, false, true
			continue
		}
		v := &fmValue{key: m[1], line: n}
		fm[key] = v
		cur, block, skip = v, false, false
		switch {
		case val == "" || strings.HasPrefix(val, "#"):
			block = true
		case strings.HasPrefix(val, "|") || strings.HasPrefix(val, ">"):
			return nil, n, fmt.Errorf("%w: %q: multi-line values are not supported", ErrFrontMatter, m[1])
		case strings.HasPrefix(val, "["):
			list, err := parseInlineList(val)
			if err != nil {
				return nil, n, err
			}
			v.isList, v.list = true, list
		case strings.HasPrefix(val, "{"):
			return nil, n, fmt.Errorf("%w: %q: maps are not supported", ErrFrontMatter, m[1])
		default:
			s, err := parseScalar(val)
			if err != nil {
				return nil, n, err
			}
			v.scalar = s
		}
	}
	return fm, 0, nil
}

// parseScalar reads a plain or quoted value, dropping a trailing comment.
// "null" and "~" are empty.
func parseScalar(s string) (string, error) {
	s = trimSpace(s)
	if s == "" {
		return "", nil
	}
	if s[0] == '"' || s[0] == '\'' {
		v, rest, err := cutQuoted(s)
		if err != nil {
			return "", err
		}
		if rest = trimSpace(rest); rest != "" && !strings.HasPrefix(rest, "#") {
			return "", fmt.Errorf("%w: unexpected %q after quoted value", ErrFrontMatter, rest)
		}
		return v, nil
	}
	if i := commentStart(s); i >= 0 {
		s = trimSpace(s[:i])
	}
	if s == "~" || strings.EqualFold(s, "null") {
		return "", nil
	}
	return s, nil
}

// commentStart returns the index of a " #" comment in a plain value, or -1.
func commentStart(s string) int {
	for i := 1; i < len(s); i++ {
		if s[i] == '#' && (s[i-1] == ' ' || s[i-1] == '\t') {
			return i
		}
	}
	return -1
}

// cutQuoted reads the quoted string at the start of s and returns its
// value and what follows it.
func cutQuoted(s string) (val, rest string, err error) {
	q := s[0]
	for i := 1; i < len(s); i++ {
		switch {
		case q == '"' && s[i] == '\\':
			i++ // skip the escaped byte
		case s[i] == q && q == '\'' && i+1 < len(s) && s[i+1] == '\'':
			i++ // '' is a quote
		case s[i] == q:
			if q == '\'' {
				return strings.ReplaceAll(s[1:i], "''", "'"), s[i+1:], nil
			}
			v, err := strconv.Unquote(s[:i+1])
			if err != nil {
				return "", "", fmt.Errorf("%w: bad escape in %s", ErrFrontMatter, s[:i+1])
			}
			return v, s[i+1:], nil
		}
	}
	return "", "", fmt.Errorf("%w: unterminated quoted value %s", ErrFrontMatter, s)
}

// parseInlineList reads "[a, 'b', "c d"]" with an optional trailing comment.
func parseInlineList(s string) ([]string, error) {
	var items []string
	i := 1
	for {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
		if i >= len(s) {
			return nil, fmt.Errorf("%w: unterminated list %s", ErrFrontMatter, s)
		}
		if s[i] == ']' && len(items) == 0 {
			i++
			break
		}
		var item string
		if s[i] == '"' || s[i] == '\'' {
			v, rest, err := cutQuoted(s[i:])
			if err != nil {
				return nil, err
			}
			item = v
			i = len(s) - len(rest)
			for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
				i++
			}
		} else {
			j := strings.IndexAny(s[i:], ",]")
			if j < 0 {
				return nil, fmt.Errorf("%w: unterminated list %s", ErrFrontMatter, s)
			}
			item = trimSpace(s[i : i+j])
			if strings.ContainsAny(item, "[{") {
				return nil, fmt.Errorf("%w: nested lists and maps are not supported", ErrFrontMatter)
			}
			i += j
		}
		items = append(items, item)
		if i >= len(s) {
			return nil, fmt.Errorf("%w: unterminated list %s", ErrFrontMatter, s)
		}
		if s[i] == ']' {
			i++
			break
		}
		if s[i] != ',' {
			return nil, fmt.Errorf("%w: want \",\" or \"]\" in list, got %q", ErrFrontMatter, s[i:])
		}
		i++
	}
	if rest := trimSpace(s[i:]); rest != "" && !strings.HasPrefix(rest, "#") {
		return nil, fmt.Errorf("%w: unexpected %q after list", ErrFrontMatter, rest)
	}
	return items, nil
}

var (
	mdLinkRE     = regexp.MustCompile(`!?\[([^\]]*)\]\([^)]*\)`)
	mdStrongRE   = regexp.MustCompile(`\*\*([^*\n]+)\*\*|__([^_\n]+)__`)
	mdCodeRE     = regexp.MustCompile("`([^`\n]+)`")
	mdAutoLinkRE = regexp.MustCompile(`<((?:https?|mailto):[^>\s]+)>`)
	mdHeadingRE  = regexp.MustCompile(`^#{1,6}\s+(.*?)\s*#*\s*$`)
	mdRuleRE     = regexp.MustCompile(`^\s{0,3}(?:(?:-\s*){3,}|(?:\*\s*){3,}|(?:_\s*){3,})$`)
	mdQuoteRE    = regexp.MustCompile(`^\s{0,3}>\s?`)
	mdBulletRE   = regexp.MustCompile(`^(\s*)[-*+]\s+`)
)

// markdownText turns Markdown lines into the plain text that is indexed,
// stored and shown in snippets: heading marks, list bullets, emphasis,
// inline code marks, link targets, rules and fences go; the words stay,
// and code blocks stay as they are.
func markdownText(lines []string) string {
	out := make([]string, 0, len(lines))
	fenced := ""
	for _, l := range lines {
		if m := fenceRE.FindStringSubmatch(l); m != nil {
			switch fenced {
			case "":
				fenced = m[1]
			case m[1]:
				fenced = ""
			}
			continue
		}
		if fenced != "" {
			out = append(out, l)
			continue
		}
		if mdRuleRE.MatchString(l) {
			out = append(out, "")
			continue
		}
		l = mdQuoteRE.ReplaceAllString(l, "")
		l = mdBulletRE.ReplaceAllString(l, "$1")
		if m := mdHeadingRE.FindStringSubmatch(l); m != nil {
			l = m[1]
		}
		l = mdLinkRE.ReplaceAllString(l, "$1")
		l = mdAutoLinkRE.ReplaceAllString(l, "$1")
		l = mdStrongRE.ReplaceAllString(l, "$1$2")
		l = mdCodeRE.ReplaceAllString(l, "$1")
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}
